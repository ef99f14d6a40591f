/**
 * `RemoteConfig`: this process runs one player of a hostmap, and reaches the
 * others over socket.io (tf-encrypted's `RemoteConfig`). The shared secret
 * comes from the environment or a file, never from the command line or the
 * hostmap itself.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type PeerLostError } from '../errors.js';
import { Config, type ConfigOptions } from './config.js';
import { checkBusyPollUs } from './busy-poll.js';
import { sessionId } from './handshake.js';
import { parseHostmap, type Hostmap } from './hostmap.js';
import { SocketTransport, type TlsMaterial } from './socket-transport.js';

/** Options of {@link RemoteConfig}. Anything not given comes from the environment or the hostmap. */
export interface RemoteConfigOptions extends ConfigOptions {
  /** The player this process runs; default: the TFE_PLAYER environment variable (`tfe player --name`). */
  name?: string;
  /**
   * The shared secret (at least 16 bytes); default: TFE_SECRET, else the file
   * named by TFE_SECRET_FILE, else the hostmap's `secretFile`.
   */
  secret?: string | Uint8Array;
  /** Session id shared by the players of one run; default: TFE_SESSION, else the hostmap's `session`, else 'default'. */
  session?: string;
  /** How long peers have to connect (ms); default `timeoutMs`. */
  connectTimeoutMs?: number;
  /** Where refusals, rejected messages and lost peers are reported; default: standard error. */
  log?: (message: string) => void;
  /** How long an incoming connection has to complete the handshake (ms); default 5000. */
  handshakeTimeoutMs?: number;
  /** Largest frame accepted from a peer (bytes); default 1 GiB. */
  maxFrameBytes?: number;
  /**
   * Most bytes of frames one peer may make this player hold before anyone
   * receives them (frames for later operations, a frame half sent); past it
   * the peer is dropped. Default twice `maxFrameBytes`.
   */
  maxBufferedBytes?: number;
  /** Frame bytes per socket message (default 16 MiB). */
  chunkBytes?: number;
  /**
   * Microseconds to keep polling the sockets after a receive starts waiting
   * on a peer instead of sleeping (lower latency per protocol round, more
   * CPU: for players on cores of their own); default: the hostmap's
   * `busyPollUs`, else 0 (off).
   */
  busyPollUs?: number;
}

/** Configurations open in this process, so that the `tfe` command can close them when a program ends. */
const open = new Set<RemoteConfig>();
/** Who wants to hear of the first failure of any configuration opened in this process (the `tfe` command). */
const watchers = new Set<(error: PeerLostError) => void>();

/** One player of a hostmap in this process; the other players run elsewhere. */
export class RemoteConfig extends Config {
  /** The player this process runs. */
  readonly name: string;
  readonly hostmap: Hostmap;
  private readonly socket: SocketTransport;

  /**
   * Starts listening and connecting at once; sends queue until peers are
   * connected. `baseDir` resolves relative file names of the hostmap.
   */
  constructor(hostmap: Hostmap, options: RemoteConfigOptions = {}, baseDir = process.cwd()) {
    const env = process.env;
    const name = options.name ?? env.TFE_PLAYER;
    const names = hostmap.players.map((p) => p.name);
    if (name === undefined || name === '') {
      throw new ConfigError('RemoteConfig: which player is this process? Pass { name } or set TFE_PLAYER (tfe player --name NAME)');
    }
    if (!names.includes(name)) {
      throw new ConfigError(`RemoteConfig: player '${name}' is not in the hostmap, which lists ${names.map((n) => `'${n}'`).join(', ')}`);
    }
    super(
      hostmap.players.map((p, index) => ({ name: p.name, index, host: p.host, port: p.port })),
      { timeoutMs: options.timeoutMs ?? hostmap.timeoutMs },
    );
    const session = options.session ?? env.TFE_SESSION ?? hostmap.session ?? 'default';
    if (!sessionId.safeParse(session).success) throw new ConfigError(`RemoteConfig: session id must be 1-128 characters of letters, digits, _ . : -`);
    this.name = name;
    this.hostmap = hostmap;
    this.socket = new SocketTransport({
      self: name,
      players: hostmap.players,
      secret: resolveSecret(options.secret, hostmap, baseDir),
      session,
      timeoutMs: this.timeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      tls: hostmap.tls === undefined ? undefined : readTls(hostmap.tls, baseDir),
      log: options.log ?? ((m: string) => process.stderr.write(`tfe ${name}: ${m}\n`)),
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      maxFrameBytes: options.maxFrameBytes,
      maxBufferedBytes: options.maxBufferedBytes,
      chunkBytes: options.chunkBytes,
      busyPollUs: checkBusyPollUs(options.busyPollUs ?? hostmap.busyPollUs ?? 0, 'RemoteConfig'),
      currentOp: () => this.opIds.current,
    });
    open.add(this);
    this.socket.onFailure((e) => {
      for (const w of [...watchers]) w(e);
    });
  }

  /**
   * Reads and validates a hostmap file (structured or tf-encrypted's flat
   * form) and starts this process's player.
   *
   * @example
   * const config = tfe.RemoteConfig.load('hostmap.json');              // player from TFE_PLAYER
   * const config = tfe.RemoteConfig.load('hostmap.json', { name: 'server0' });
   */
  static load(file: string, options: RemoteConfigOptions = {}): RemoteConfig {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read hostmap ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`hostmap ${file} is not valid JSON: ${(e as Error).message}`);
    }
    return new RemoteConfig(parseHostmap(value, file), options, path.dirname(path.resolve(file)));
  }

  /** As {@link RemoteConfig.load}, from an object already in memory. */
  static fromObject(hostmap: unknown, options: RemoteConfigOptions = {}): RemoteConfig {
    return new RemoteConfig(parseHostmap(hostmap), options);
  }

  get transport(): SocketTransport {
    return this.socket;
  }

  /** Resolves when every peer is connected (programs need not wait: sends queue). */
  ready(): Promise<void> {
    return this.socket.ready();
  }

  /**
   * The first failure of a peer, if any (it failed, or it was lost: never
   * connected, refused, disconnected, silent); its message is the root cause.
   */
  get failed(): PeerLostError | undefined {
    return this.socket.failed;
  }

  /**
   * Delivers everything sent, says bye to every peer and waits until every
   * peer has finished too (a barrier), then closes. Rejects with the first
   * failure of a peer, after telling the others.
   */
  override close(): Promise<void> {
    // Stays in `open` until closed: a failure meanwhile must still find it to destroy it.
    const closing = this.socket.close();
    closing.then(
      () => open.delete(this),
      () => open.delete(this),
    );
    return closing;
  }

  /**
   * Closes without bye: peers see this player as lost (used when the program
   * failed). Given the `failure`, peers are told its root cause first, so
   * their errors name it; only a text built to name shapes and operations
   * travels (see network/control.ts).
   */
  destroy(failure?: Error): Promise<void> {
    open.delete(this);
    return this.socket.destroy(failure);
  }
}

/**
 * Calls `watcher` with the first failure of any RemoteConfig of this process,
 * open now or later (how the `tfe` command ends a program whose computation
 * failed elsewhere). Returns a function that stops watching.
 */
export function watchOpenConfigs(watcher: (error: PeerLostError) => void): () => void {
  watchers.add(watcher);
  for (const c of open) {
    const e = c.failed;
    if (e !== undefined) queueMicrotask(() => watcher(e));
  }
  return () => void watchers.delete(watcher);
}

/** Closes (orderly) every RemoteConfig still open in this process; rejects with the first failure. */
export async function closeOpenConfigs(): Promise<void> {
  await Promise.all([...open].map((c) => c.close()));
}

/** Destroys every RemoteConfig still open (or closing) in this process, telling peers about `failure`. */
export async function destroyOpenConfigs(failure?: Error): Promise<void> {
  await Promise.all([...open].map((c) => c.destroy(failure)));
}

const MIN_SECRET_BYTES = 16;

function resolveSecret(given: string | Uint8Array | undefined, hostmap: Hostmap, baseDir: string): Uint8Array {
  const env = process.env;
  let secret: Uint8Array;
  let source: string;
  if (given !== undefined) {
    secret = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
    source = 'the secret option';
  } else if (env.TFE_SECRET !== undefined && env.TFE_SECRET !== '') {
    secret = Buffer.from(env.TFE_SECRET, 'utf8');
    source = 'TFE_SECRET';
  } else {
    const named = env.TFE_SECRET_FILE !== undefined && env.TFE_SECRET_FILE !== '' ? env.TFE_SECRET_FILE : undefined;
    const file = named ?? (hostmap.secretFile === undefined ? undefined : path.resolve(baseDir, hostmap.secretFile));
    if (file === undefined) {
      throw new ConfigError('RemoteConfig: no shared secret. Set TFE_SECRET or TFE_SECRET_FILE (or secretFile in the hostmap); never pass it on the command line');
    }
    checkSecretFile(file, 'RemoteConfig');
    try {
      // A trailing newline, as editors and `echo` leave, is not part of the secret.
      secret = Buffer.from(readFileSync(file, 'utf8').replace(/\r?\n$/, ''), 'utf8');
    } catch (e) {
      throw new ConfigError(`RemoteConfig: cannot read the secret file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    source = `the secret file ${file}`;
  }
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(`RemoteConfig: the shared secret from ${source} must be at least ${MIN_SECRET_BYTES} bytes long`);
  }
  return secret;
}

/**
 * Refuses a secret file that other users can read or write (as ssh refuses a
 * private key): whoever reads the secret can join the computation as any
 * player. The error says how to fix it. File modes mean nothing on Windows.
 */
export function checkSecretFile(file: string, context: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return; // a missing file is reported by whoever reads it
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${context}: the secret file ${file} can be read or written by other users (mode 0${mode.toString(8)}); run: chmod 600 ${file}`);
  }
}

function readTls(tls: NonNullable<Hostmap['tls']>, baseDir: string): TlsMaterial {
  const read = (field: 'cert' | 'key' | 'ca'): Buffer => {
    const file = path.resolve(baseDir, tls[field]);
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConfigError(`hostmap tls.${field}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return { cert: read('cert'), key: read('key'), ca: read('ca') };
}
