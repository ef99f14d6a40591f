/**
 * What a prediction service runs with: the hostmap of its players (the two
 * servers, the crypto producer and, for `tfe share-model`, the model owner)
 * and an optional `serving` section in the same file, validated here and
 * taken out before the rest goes to `parseHostmap`:
 *
 *     "serving": {
 *       "clients": { "server0": 4450, "server1": { "port": 4451, "host": "10.0.0.11", "bind": "0.0.0.0" } },
 *       "sharesDir": "shares",                 where each server keeps its share file (default: the hostmap's folder)
 *       "clientTokenFile": "client-token",     clients must present this token (optional)
 *       "inputRange": [0, 1],                  clients refuse inputs outside it (optional)
 *       "batch": { "maxBatch": 32, "maxWaitMs": 2, "sizes": [1, 2, 4, 8, 16, 24, 32], "maxQueue": 256, "pipeline": 2 },
 *       "preprocessing": { "queue": 2 },       bundles dealt ahead per batch size (0: deal online)
 *       "comparison": "adder",                 or "fss": relu in one round for ~1 KB per element dealt ahead
 *       "roles": { "servers": ["server0", "server1"], "cryptoProducer": "crypto-producer" },
 *       "timeoutMs": 20000, "queryTimeoutMs": 30000
 *     }
 *
 * `clients` gives each server's client endpoint (clients are not in the
 * hostmap); without it a server's endpoint is its player port + 1000.
 * Options of `serve()` override the file. Errors are ConfigErrors naming the
 * field and what was expected.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parseHostmap, type Hostmap } from '../network/node.js';
import type { ComparisonMethod } from '../protocol/index.js';
import { ComparisonSchema } from './mesh.js';
import type { ServingRoles } from './model.js';

const playerName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a player name');
const port = z.int('expected an integer port').min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535');
const host = z.string().min(1).max(253);
const Endpoint = z.union([port, z.strictObject({ port, host: host.optional(), bind: host.optional() })]);

const Batch = z.strictObject({
  maxBatch: z.int().min(1).max(4096).optional(),
  maxWaitMs: z.number().min(0).max(10_000).optional(),
  sizes: z.array(z.int().min(1).max(4096)).min(1).max(32).optional(),
  maxQueue: z.int().min(1).max(1_000_000).optional(),
  pipeline: z.int().min(1).max(16).optional(),
});

export const ServingSection = z.strictObject({
  clients: z.record(playerName, Endpoint).optional(),
  sharesDir: z.string().min(1).optional(),
  clientTokenFile: z.string().min(1).optional(),
  inputRange: z.tuple([z.number(), z.number()]).optional(),
  batch: Batch.optional(),
  preprocessing: z.strictObject({ queue: z.int().min(0).max(1000).optional() }).optional(),
  comparison: ComparisonSchema.optional(),
  roles: z.strictObject({ servers: z.tuple([playerName, playerName]), cryptoProducer: playerName }).optional(),
  timeoutMs: z.number().positive().max(3_600_000).optional(),
  queryTimeoutMs: z.number().positive().max(3_600_000).optional(),
});
export type ServingSection = z.infer<typeof ServingSection>;

/** Batching of queries on the leading server. */
export interface BatchSettings {
  /** Most rows in one batch. */
  readonly maxBatch: number;
  /** How long the first query of a batch waits for others (ms). */
  readonly maxWaitMs: number;
  /** Batch sizes that are computed (a batch is padded to the next one); the largest is maxBatch. */
  readonly sizes: readonly number[];
  /** Most rows waiting for a batch; beyond, queries are answered 'busy' at once. */
  readonly maxQueue: number;
  /** Batches computed at the same time. */
  readonly pipeline: number;
}

/** Overrides of the file's settings (the `serve()` options and the command line). */
export interface ServingOverrides {
  readonly sharesDir?: string;
  readonly clientToken?: string;
  readonly batch?: Partial<BatchSettings>;
  /** Bundles dealt ahead per batch size (0: every batch waits for the dealer). */
  readonly preprocessingQueue?: number;
  /** How comparisons read sign bits (PondOptions.comparison); the leading server's setting holds for all. */
  readonly comparison?: ComparisonMethod;
  readonly timeoutMs?: number;
  readonly queryTimeoutMs?: number;
}

export interface ClientEndpointAddress {
  readonly host: string;
  readonly port: number;
  readonly bind?: string;
}

/** Everything a serving player runs with, validated. */
export interface ServingSettings {
  /** The hostmap of every player (serving section removed). */
  readonly hostmap: Hostmap;
  /** Folder of the hostmap (relative paths in it resolve here). */
  readonly baseDir: string;
  readonly roles: ServingRoles;
  /** The client endpoint of each server. */
  readonly endpoints: Readonly<Record<string, ClientEndpointAddress>>;
  readonly sharesDir: string;
  readonly clientToken: string | undefined;
  readonly inputRange: readonly [number, number] | undefined;
  readonly batch: BatchSettings;
  readonly preprocessingQueue: number;
  /**
   * How comparisons read sign bits: 'adder' (default) or 'fss' (function
   * secret sharing: fewer rounds per query, far more preprocessing bytes;
   * see PondOptions.comparison). The leading server's setting holds for all.
   */
  readonly comparison: ComparisonMethod;
  /** Mesh timeout: a silent player is given up after it (ms). */
  readonly timeoutMs: number;
  /** How long a server keeps a query's share that is never batched (ms). */
  readonly queryTimeoutMs: number;
}

/**
 * Batch sizes by default: every size up to 16, then powers of two and the
 * halfway steps (24, 32, 48, 64, ...) up to maxBatch: 32 sizes in all, the
 * most a manifest carries. A batch is padded to its size with rows of zeros
 * that cost as much as real ones: with 32 clients (about ten queries a
 * batch) the earlier grid (1, 2, 4, 6, 8, 12, ...) padded about a fifth of
 * all rows, every size up to 16 about 2%. Beyond 16 rows padding wastes at
 * most a third of a batch, while the crypto producer keeps few sizes dealt
 * ahead.
 */
const DEFAULT_SIZES = [...Array.from({ length: 16 }, (_, i) => i + 1), 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096];

const DEFAULT_BATCH: BatchSettings = { maxBatch: 32, maxWaitMs: 2, sizes: DEFAULT_SIZES, maxQueue: 256, pipeline: 2 };

/** Reads a hostmap file with an optional serving section. */
export function readServingFile(file: string): { raw: Record<string, unknown>; baseDir: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read hostmap ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`hostmap ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`invalid hostmap ${file}: expected a JSON object`);
  return { raw: raw as Record<string, unknown>, baseDir: path.dirname(path.resolve(file)) };
}

function issue(source: string, error: z.ZodError): never {
  const first = error.issues[0];
  const where = ['serving', ...first.path.map(String)].join('.');
  throw new ConfigError(`invalid hostmap ${source}: ${where}: ${first.message}`);
}

/** Validates the serving section of `raw` (a hostmap object) and merges `overrides`. */
export function servingSettings(raw: Record<string, unknown>, source: string, baseDir: string, overrides: ServingOverrides = {}, env: NodeJS.ProcessEnv = process.env): ServingSettings {
  const { serving, ...rest } = raw;
  const parsed = ServingSection.safeParse(serving ?? {});
  if (!parsed.success) issue(source, parsed.error);
  const section = (parsed as { data: ServingSection }).data;
  const hostmap = parseHostmap(rest, source);
  const names = hostmap.players.map((p) => p.name);
  const roles: ServingRoles = section.roles ?? { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' };
  for (const p of [...roles.servers, roles.cryptoProducer]) {
    if (!names.includes(p)) throw new ConfigError(`invalid hostmap ${source}: the serving role player '${p}' is not in players (${names.map((n) => `'${n}'`).join(', ')})`);
  }
  if (roles.servers[0] === roles.servers[1] || roles.servers.includes(roles.cryptoProducer)) throw new ConfigError(`invalid hostmap ${source}: serving.roles: the two servers and the crypto producer must be three different players`);
  const endpoints: Record<string, ClientEndpointAddress> = {};
  for (const s of roles.servers) {
    const player = hostmap.players.find((p) => p.name === s)!;
    const e = section.clients?.[s];
    const at = e === undefined ? { port: player.port + 1000 } : typeof e === 'number' ? { port: e } : e;
    endpoints[s] = { host: at.host ?? player.host, port: at.port, ...(at.bind ?? player.bind ? { bind: at.bind ?? player.bind } : {}) };
  }
  for (const c of Object.keys(section.clients ?? {})) {
    if (!roles.servers.includes(c)) throw new ConfigError(`invalid hostmap ${source}: serving.clients.${c}: only the servers (${roles.servers.join(', ')}) have client endpoints`);
  }
  const batch = batchSettings({ ...DEFAULT_BATCH, ...section.batch, ...overrides.batch }, source, section.batch?.sizes === undefined && overrides.batch?.sizes === undefined);
  const sharesDir = path.resolve(baseDir, overrides.sharesDir ?? section.sharesDir ?? '.');
  let clientToken = overrides.clientToken ?? (env.TFE_CLIENT_TOKEN === '' ? undefined : env.TFE_CLIENT_TOKEN);
  if (clientToken === undefined && section.clientTokenFile !== undefined) {
    const file = path.resolve(baseDir, section.clientTokenFile);
    try {
      clientToken = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new ConfigError(`serving.clientTokenFile: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (clientToken !== undefined && (clientToken.length < 8 || clientToken.length > 512)) throw new ConfigError('the client token must be 8 to 512 characters long');
  if (section.inputRange !== undefined && !(section.inputRange[0] < section.inputRange[1])) throw new ConfigError(`invalid hostmap ${source}: serving.inputRange: expected [min, max] with min < max`);
  const preprocessingQueue = overrides.preprocessingQueue ?? section.preprocessing?.queue ?? 2;
  if (!(Number.isInteger(preprocessingQueue) && preprocessingQueue >= 0 && preprocessingQueue <= 1000)) throw new ConfigError(`the preprocessing queue must be an integer from 0 to 1000, got ${preprocessingQueue}`);
  const comparison = overrides.comparison ?? section.comparison ?? 'adder';
  if (comparison !== 'adder' && comparison !== 'fss') throw new ConfigError(`the comparison method must be 'adder' or 'fss', got ${String(comparison)}`);
  const timeoutMs = overrides.timeoutMs ?? section.timeoutMs ?? hostmap.timeoutMs ?? 20_000;
  const queryTimeoutMs = overrides.queryTimeoutMs ?? section.queryTimeoutMs ?? 30_000;
  return { hostmap, baseDir, roles, endpoints, sharesDir, clientToken, inputRange: section.inputRange, batch, preprocessingQueue, comparison, timeoutMs, queryTimeoutMs };
}

/** Checks batch settings; default sizes are cut at maxBatch, and maxBatch is always a size. */
function batchSettings(b: BatchSettings, source: string, defaultSizes: boolean): BatchSettings {
  const bad = (why: string): never => {
    throw new ConfigError(`invalid serving settings (${source}): batch.${why}`);
  };
  if (!(Number.isInteger(b.maxBatch) && b.maxBatch >= 1 && b.maxBatch <= 4096)) bad(`maxBatch: expected an integer from 1 to 4096, got ${b.maxBatch}`);
  if (!(b.maxWaitMs >= 0 && b.maxWaitMs <= 10_000)) bad(`maxWaitMs: expected 0 to 10000 ms, got ${b.maxWaitMs}`);
  if (!(Number.isInteger(b.maxQueue) && b.maxQueue >= b.maxBatch)) bad(`maxQueue: expected an integer of at least maxBatch (${b.maxBatch}), got ${b.maxQueue}`);
  if (!(Number.isInteger(b.pipeline) && b.pipeline >= 1 && b.pipeline <= 16)) bad(`pipeline: expected an integer from 1 to 16, got ${b.pipeline}`);
  let sizes = [...new Set(b.sizes)].sort((x, y) => x - y);
  if (defaultSizes) sizes = [...new Set([...sizes.filter((s) => s < b.maxBatch), b.maxBatch])];
  if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > b.maxBatch)) bad(`sizes: expected integers from 1 to maxBatch (${b.maxBatch}), got [${b.sizes.join(',')}]`);
  if (sizes[sizes.length - 1] !== b.maxBatch) bad(`sizes: the largest size must be maxBatch (${b.maxBatch}), got [${sizes.join(',')}]`);
  return { ...b, sizes };
}
