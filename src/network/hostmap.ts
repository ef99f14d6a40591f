/**
 * The hostmap: where every player listens. Two forms are accepted:
 *
 * - the structured one,
 *   `{ "players": [{ "name": "server0", "host": "10.0.0.10", "port": 4440 }, ...],
 *      "tls": { "cert": "...", "key": "...", "ca": "..." }, "session": "...", "timeoutMs": 60000,
 *      "busyPollUs": 0 }`;
 * - tf-encrypted's flat one, `{ "server0": "10.0.0.10:4440", ... }`, so that
 *   its users' hostmaps carry over.
 *
 * Player order matters: it fixes who dials whom (each player dials the ones
 * listed before it). Validation errors name the field and what was expected.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { MAX_BUSY_POLL_US } from './busy-poll.js';
import { playerName, sessionId } from './handshake.js';

const port = z.int('expected an integer port').min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535');
const host = z.string('expected a host name or address').min(1, 'expected a non-empty host name or address').max(253);

const PlayerEntry = z.strictObject({
  name: playerName,
  host,
  port,
  /** Address to listen on, when it differs from `host` (e.g. '0.0.0.0' behind NAT). */
  bind: host.optional(),
});

const Tls = z.strictObject({
  cert: z.string('expected the path of a PEM certificate').min(1),
  key: z.string('expected the path of a PEM private key').min(1),
  ca: z.string('expected the path of a PEM CA certificate').min(1),
});

const Structured = z
  .strictObject({
    players: z.array(PlayerEntry, 'expected an array of { name, host, port }').min(2, 'expected at least 2 players'),
    tls: Tls.optional(),
    session: sessionId.optional(),
    timeoutMs: z.number('expected a number of milliseconds').positive('expected a positive number of milliseconds').optional(),
    /** Path of a file holding the shared secret (the secret itself never goes in a hostmap). */
    secretFile: z.string().min(1).optional(),
    /** Busy polling while a receive waits (µs, see busy-poll.ts). */
    busyPollUs: z
      .int('expected a whole number of microseconds')
      .min(0, 'expected 0 (off) or a positive number of microseconds')
      .max(MAX_BUSY_POLL_US, `expected at most ${MAX_BUSY_POLL_US} microseconds`)
      .optional(),
  })
  .superRefine((h, ctx) => {
    const names = new Set<string>();
    const addresses = new Set<string>();
    h.players.forEach((p, i) => {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', path: ['players', i, 'name'], message: `player name '${p.name}' appears twice` });
      names.add(p.name);
      const at = `${p.host}:${p.port}`;
      if (addresses.has(at)) ctx.addIssue({ code: 'custom', path: ['players', i], message: `address ${at} is used by two players` });
      addresses.add(at);
    });
  });

/** A player's entry in a validated hostmap. */
export interface HostEntry {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly bind?: string;
}

/** TLS files, as paths (relative paths are resolved against the hostmap's folder). */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** A validated hostmap. */
export interface Hostmap {
  readonly players: readonly HostEntry[];
  readonly tls?: TlsFiles;
  readonly session?: string;
  readonly timeoutMs?: number;
  readonly secretFile?: string;
  /** Microseconds each player polls its sockets after a receive starts waiting (0: sleeps at once). */
  readonly busyPollUs?: number;
}

/** Parses 'host:port' or '[v6]:port'. */
function splitAddress(value: string): { host: string; port: number } | undefined {
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(value) ?? /^([^\s:[\]]+):(\d{1,5})$/.exec(value);
  if (m === null) return undefined;
  const p = Number(m[2]);
  return p >= 1 && p <= 65535 ? { host: m[1], port: p } : undefined;
}

function fail(source: string, error: z.ZodError): never {
  const issues = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`), '');
    return `${path === '' ? '(top level)' : path}: ${issue.message}`;
  });
  throw new ConfigError(`invalid hostmap ${source}: ${issues.join('; ')}`);
}

/**
 * Validates a hostmap object (either form). `source` names it in errors (a
 * file path, or 'object').
 */
export function parseHostmap(value: unknown, source = 'object'): Hostmap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`invalid hostmap ${source}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  if ('players' in value) {
    const r = Structured.safeParse(value);
    if (!r.success) fail(source, r.error);
    return r.data;
  }
  // tf-encrypted's flat form: every key a player, every value 'host:port'.
  const entries = Object.entries(value);
  if (entries.length < 2) {
    throw new ConfigError(`invalid hostmap ${source}: expected { "players": [...] } or tf-encrypted's { "name": "host:port", ... } with at least 2 players`);
  }
  const players: HostEntry[] = [];
  for (const [name, address] of entries) {
    if (!playerName.safeParse(name).success) {
      throw new ConfigError(`invalid hostmap ${source}: player name ${JSON.stringify(name)}: expected 1-64 characters of letters, digits, _ . -`);
    }
    const at = typeof address === 'string' ? splitAddress(address) : undefined;
    if (at === undefined) {
      throw new ConfigError(`invalid hostmap ${source}: ${name}: expected "host:port" with a port from 1 to 65535, got ${JSON.stringify(address)}`);
    }
    players.push({ name, ...at });
  }
  const r = Structured.safeParse({ players });
  if (!r.success) fail(source, r.error);
  return r.data;
}
