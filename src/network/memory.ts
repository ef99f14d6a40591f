/**
 * All players in one process: messages are handed over in memory (by
 * reference; payloads are immutable) and counted as if they had been framed.
 */
import { PeerLostError } from '../errors.js';
import { TrafficCounters } from './counters.js';
import { frameByteLength } from './frame.js';
import type { MessageKey, Payload, ReceiveOptions, TrafficKind, WireSpec } from './message.js';
import { Mailbox, type Transport } from './transport.js';

export class InMemoryTransport implements Transport {
  readonly localPlayers: ReadonlySet<string>;
  readonly counters = new TrafficCounters();
  private readonly mailbox: Mailbox;
  private readonly silenced = new Set<string>();

  constructor(players: readonly string[], timeoutMs: number) {
    this.localPlayers = new Set(players);
    this.mailbox = new Mailbox(timeoutMs);
  }

  send(from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind): void {
    if (this.silenced.has(from)) return;
    this.counters.record(from, to, key, frameByteLength(payload), kind);
    this.mailbox.deliver(from, to, key, payload);
  }

  receive(to: string, from: string, key: MessageKey, expect: readonly WireSpec[], options?: ReceiveOptions): Promise<Payload> {
    return this.mailbox.take(to, from, key, expect, options);
  }

  abort(from: string, op: number, error: Error): void {
    // One process: the waiting players get the original error object.
    this.mailbox.failOp(from, op, error);
  }

  /** Simulates a hung player: its messages are dropped from now on. For tests. */
  silence(player: string): void {
    this.silenced.add(player);
  }

  /** Simulates losing a player: every receive from it or by it fails. For tests. */
  disconnect(player: string): void {
    this.mailbox.fail(player, new PeerLostError(player, `'${player}' disconnected`));
  }

  async close(): Promise<void> {
    this.mailbox.close(new PeerLostError('*', 'the transport was closed'));
  }
}
