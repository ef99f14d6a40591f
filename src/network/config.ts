/**
 * Configurations: which players exist, which of them run in this process, and
 * how they reach each other.
 */
import { ConfigError, UnknownPlayerError } from '../errors.js';
import { InMemoryTransport } from './memory.js';
import { OpIdCounter } from './op-ids.js';
import type { Player } from './player.js';
import type { Transport } from './transport.js';

/** Default time a player waits for a peer's message before failing. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Options shared by every configuration. */
export interface ConfigOptions {
  /**
   * How long a player waits for any one message before failing with a
   * PeerLostError (ms). Default 60000.
   */
  timeoutMs?: number;
}

/** Players, the transport linking them, and the operation-id counter. */
export abstract class Config {
  readonly players: readonly Player[];
  readonly timeoutMs: number;
  /** Operation ids, shared by every protocol on this configuration. */
  readonly opIds = new OpIdCounter();

  protected constructor(players: readonly Player[], options: ConfigOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new ConfigError(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
    }
    this.players = players;
    this.timeoutMs = timeoutMs;
  }

  /** The transport of this process. */
  abstract get transport(): Transport;

  get playerNames(): string[] {
    return this.players.map((p) => p.name);
  }

  /** Looks a player up; `context` names the caller in the error. */
  player(name: string, context: string): Player {
    const p = this.players.find((q) => q.name === name);
    if (p === undefined) throw new UnknownPlayerError(context, name, this.playerNames);
    return p;
  }

  /** Whether `name`'s part of the program runs in this process. */
  isLocal(name: string): boolean {
    return this.transport.localPlayers.has(name);
  }

  /** Closes connections so the process can exit. */
  close(): Promise<void> {
    return this.transport.close();
  }
}

/** Checks a list of player names: non-empty, unique, plain strings. */
export function checkPlayerNames(names: readonly string[], context: string): void {
  if (!Array.isArray(names) || names.length === 0) {
    throw new ConfigError(`${context}: needs a non-empty list of player names`);
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(n)) {
      throw new ConfigError(`${context}: player name ${JSON.stringify(n)} must be 1-64 characters of letters, digits, '_', '.', '-'`);
    }
    if (seen.has(n)) throw new ConfigError(`${context}: player name '${n}' appears twice`);
    seen.add(n);
  }
}

/** Every player in this process, linked by in-memory channels. */
export class InProcessConfig extends Config {
  private readonly memory: InMemoryTransport;

  constructor(names: readonly string[], options: ConfigOptions = {}) {
    checkPlayerNames(names, 'LocalConfig');
    super(names.map((name, index) => ({ name, index })), options);
    this.memory = new InMemoryTransport(names, this.timeoutMs);
  }

  get transport(): InMemoryTransport {
    return this.memory;
  }
}
