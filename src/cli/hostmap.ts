/**
 * `tfe hostmap --players a,b,... --hosts h0,h1,... [--ports ...] [--out dir]`:
 * everything a deployment needs, so that nobody writes a hostmap, a secret or
 * a certificate by hand. It writes one folder per player, holding exactly what
 * that player's machine needs and nothing more:
 *
 *   DIR/<player>/hostmap.json   the hostmap (the same bytes in every folder)
 *   DIR/<player>/ca.pem         the deployment's CA certificate
 *   DIR/<player>/cert.pem       the player's certificate (its host as subjectAltName)
 *   DIR/<player>/key.pem        the player's private key (mode 0600)
 *   DIR/<player>/secret         the shared secret (mode 0600)
 *
 * The hostmap names its files relative to itself (`tls`, `secretFile`), which
 * is why every folder can hold the same hostmap while each has its own key:
 * copy DIR/<player> to that player's machine and run
 * `tfe player --config <folder>/hostmap.json --name <player> program.ts`.
 * The CA's private key is not kept (see certificates.ts).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomWords } from '../crypto/index.js';
import { ConfigError } from '../errors.js';
import { checkPlayerNames, parseHostmap, type Hostmap } from '../network/node.js';

/** Default port of every player (tf-encrypted's examples use 4440 and up). */
const DEFAULT_PORT = 4440;
const DEFAULT_DAYS = 365;
const SECRET_BYTES = 32;

export const HOSTMAP_USAGE = `  tfe hostmap --players A,B,... --hosts H0,H1,... [--ports P|P0,P1,...] [--bind ADDR|A0,A1,...]
              [--out DIR] [--days N] [--session ID]
      writes DIR/<player>/ for each player: the hostmap, a fresh shared secret, a new
      CA's certificate and the player's TLS certificate and key (hosts: IP addresses or
      DNS names, one for all or one per player; ports default to ${DEFAULT_PORT}; DIR defaults to
      tfe-hostmap and must not exist or be empty)`;

/** Where each file of a player's folder goes; the hostmap refers to these names. */
export const PLAYER_FILES = { hostmap: 'hostmap.json', ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem', secret: 'secret' } as const;

/** Validated arguments of `tfe hostmap`. */
export interface HostmapArgs {
  readonly players: readonly string[];
  readonly hosts: readonly string[];
  readonly ports: readonly number[];
  readonly binds?: readonly string[];
  readonly out: string;
  readonly days: number;
  readonly session: string;
}

/**
 * Is `host` something a certificate can name: an IP address (v4 or v6) or a
 * DNS name (RFC 1123 labels)? Returns the kind, or undefined.
 */
export function hostKind(host: string): 'ip' | 'dns' | undefined {
  if (isIP(host) !== 0) return 'ip';
  if (host.length > 253) return undefined;
  const labels = host.split('.');
  // Digits and dots only would be read as an (invalid) address, not as a name.
  if (labels.every((l) => /^\d+$/.test(l))) return undefined;
  return labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) ? 'dns' : undefined;
}

/** Splits a comma-separated option; `count` players; a single value applies to all. */
function perPlayer(option: string, value: string, count: number): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ConfigError(`tfe hostmap: --${option} has an empty item in ${JSON.stringify(value)}`);
  if (items.length === 1) return Array.from({ length: count }, () => items[0]);
  if (items.length !== count) throw new ConfigError(`tfe hostmap: --${option} needs one value for all players or one per player (${count}), got ${items.length}`);
  return items;
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`tfe hostmap: --ports: expected ports from 1 to 65535, got ${JSON.stringify(text)}`);
  return n;
}

/** Parses and checks the command line of `tfe hostmap` (everything but the word 'hostmap'). */
export function parseHostmapArgs(argv: readonly string[]): HostmapArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        players: { type: 'string' },
        hosts: { type: 'string' },
        ports: { type: 'string' },
        bind: { type: 'string' },
        out: { type: 'string' },
        days: { type: 'string' },
        session: { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError(`tfe hostmap: ${(e as Error).message}`);
  }
  const v = parsed.values;
  if (v.players === undefined || v.hosts === undefined) throw new ConfigError('tfe hostmap: needs --players and --hosts');
  const players = v.players.split(',').map((s) => s.trim());
  checkPlayerNames(players, 'tfe hostmap: --players');
  if (players.length < 2) throw new ConfigError(`tfe hostmap: --players needs at least 2 players, got ${players.length}`);
  const hosts = perPlayer('hosts', v.hosts, players.length);
  hosts.forEach((h, i) => {
    if (hostKind(h) === undefined) throw new ConfigError(`tfe hostmap: --hosts: host of '${players[i]}', ${JSON.stringify(h)}, is neither an IP address nor a DNS name`);
  });
  const ports = perPlayer('ports', v.ports ?? String(DEFAULT_PORT), players.length).map(parsePort);
  const seen = new Map<string, string>();
  players.forEach((p, i) => {
    const at = `${hosts[i]}:${ports[i]}`;
    const other = seen.get(at);
    if (other !== undefined) throw new ConfigError(`tfe hostmap: '${other}' and '${p}' would both listen on ${at}; give them different hosts or --ports`);
    seen.set(at, p);
  });
  const binds = v.bind === undefined ? undefined : perPlayer('bind', v.bind, players.length);
  binds?.forEach((b, i) => {
    if (hostKind(b) !== 'ip') throw new ConfigError(`tfe hostmap: --bind: address of '${players[i]}', ${JSON.stringify(b)}, is not an IP address`);
  });
  const days = Number(v.days ?? DEFAULT_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new ConfigError(`tfe hostmap: --days: expected whole days from 1 to 3650, got ${JSON.stringify(v.days)}`);
  const session = v.session ?? `deploy-${hex(8)}`;
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(session)) throw new ConfigError('tfe hostmap: --session: expected 1-128 characters of letters, digits, _ . : -');
  return { players, hosts, ports, binds, out: v.out ?? 'tfe-hostmap', days, session };
}

/** `bytes` fresh random bytes from the CSPRNG, as hex. */
function hex(bytes: number): string {
  const words = randomWords(Math.ceil(bytes / 8));
  return Buffer.from(words.buffer).subarray(0, bytes).toString('hex');
}

/** The hostmap these arguments describe, validated as `tfe player` will validate it. */
export function buildHostmap(args: HostmapArgs): Hostmap {
  const hostmap = {
    players: args.players.map((name, i) => ({ name, host: args.hosts[i], port: args.ports[i], ...(args.binds === undefined ? {} : { bind: args.binds[i] }) })),
    tls: { cert: PLAYER_FILES.cert, key: PLAYER_FILES.key, ca: PLAYER_FILES.ca },
    secretFile: PLAYER_FILES.secret,
    session: args.session,
  };
  return parseHostmap(hostmap, 'generated by tfe hostmap');
}

/** Files of one player's folder, with their modes. */
type Bundle = Array<{ file: string; text: string; mode: number }>;

/**
 * Makes the CA, the certificates and the secret, then writes every folder.
 * Everything is made in memory first and written into a temporary folder
 * renamed into place at the end, so a failure leaves no half-written
 * deployment behind.
 */
export async function writeDeployment(args: HostmapArgs): Promise<void> {
  const out = path.resolve(args.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new ConfigError(`tfe hostmap: ${args.out} already exists and is not empty; choose another --out (existing keys are never overwritten)`);
  const hostmap = buildHostmap(args);
  const hostmapText = `${JSON.stringify(hostmap, null, 2)}\n`;
  const secret = `${hex(SECRET_BYTES)}\n`;
  // On demand: the certificate library patches the global Reflect (see certificates.ts).
  const { createAuthority, issuePlayerCertificate } = await import('./certificates.js');
  const ca = await createAuthority(args.days, args.session);
  const bundles = new Map<string, Bundle>();
  for (const [i, name] of args.players.entries()) {
    const host = args.hosts[i];
    const issued = await issuePlayerCertificate(ca, name, { kind: hostKind(host) === 'ip' ? 'ip' : 'dns', value: host });
    bundles.set(name, [
      { file: PLAYER_FILES.hostmap, text: hostmapText, mode: 0o644 },
      { file: PLAYER_FILES.ca, text: ca.cert, mode: 0o644 },
      { file: PLAYER_FILES.cert, text: issued.cert, mode: 0o644 },
      { file: PLAYER_FILES.key, text: issued.key, mode: 0o600 },
      { file: PLAYER_FILES.secret, text: secret, mode: 0o600 },
    ]);
  }
  const staging = `${out}.partial-${hex(4)}`;
  try {
    mkdirSync(staging, { recursive: true, mode: 0o755 });
    for (const [name, files] of bundles) {
      const dir = path.join(staging, name);
      mkdirSync(dir, { mode: 0o700 });
      for (const f of files) {
        const file = path.join(dir, f.file);
        writeFileSync(file, f.text, { mode: f.mode, flag: 'wx' });
        chmodSync(file, f.mode); // the umask may have taken bits away; the modes above are the intended ones
      }
    }
    if (existsSync(out)) rmdirSync(out); // empty, checked above (rmdir fails on anything else)
    renameSync(staging, out);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw new ConfigError(`tfe hostmap: cannot write ${args.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** `tfe hostmap ...`: writes the deployment and says what to copy where. */
export async function hostmapCommand(argv: readonly string[]): Promise<number> {
  const args = parseHostmapArgs(argv);
  await writeDeployment(args);
  console.log(`tfe hostmap: ${args.players.length} players, session ${args.session}, certificates valid for ${args.days} days; wrote ${args.out}/`);
  for (const [i, name] of args.players.entries()) {
    console.log(`  ${name.padEnd(Math.max(...args.players.map((p) => p.length)))}  ${args.hosts[i]}:${args.ports[i]}  ${path.join(args.out, name)}/`);
  }
  console.log(`Copy each folder to its player's machine (the key and the secret only there, through a channel you trust), then run there:
  tfe player --config <folder>/${PLAYER_FILES.hostmap} --name <player> program.ts`);
  return 0;
}
