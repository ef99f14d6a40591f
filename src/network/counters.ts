/**
 * Traffic counters: bytes and messages per ordered pair of players, and
 * communication rounds (distinct online steps), as CrypTen's communicator
 * counts them. Each process counts what its own players send.
 */
import type { MessageKey, TrafficKind } from './message.js';

/** A copy of the counters at one moment. */
export interface TrafficSnapshot {
  /** Bytes sent, keyed `from->to`. */
  readonly bytes: Readonly<Record<string, number>>;
  /** Messages sent, keyed `from->to`. */
  readonly messages: Readonly<Record<string, number>>;
  /** Distinct online (operation, step) pairs: sequential communication rounds. */
  readonly rounds: number;
  readonly totalBytes: number;
  readonly totalMessages: number;
}

// Rounds are deduplicated per (op, step); ids only grow, so old ops can be forgotten.
const ROUND_MEMORY = 4096;

export class TrafficCounters {
  private bytes = new Map<string, number>();
  private messages = new Map<string, number>();
  private rounds = 0;
  private seen = new Map<number, Set<number>>();

  record(from: string, to: string, key: MessageKey, byteLength: number, kind: TrafficKind): void {
    if (kind === 'control') return;
    const pair = `${from}->${to}`;
    this.bytes.set(pair, (this.bytes.get(pair) ?? 0) + byteLength);
    this.messages.set(pair, (this.messages.get(pair) ?? 0) + 1);
    if (kind !== 'online') return;
    let steps = this.seen.get(key.op);
    if (steps === undefined) {
      steps = new Set();
      this.seen.set(key.op, steps);
      if (this.seen.size > ROUND_MEMORY) {
        const oldest = this.seen.keys().next().value;
        if (oldest !== undefined) this.seen.delete(oldest);
      }
    }
    if (!steps.has(key.step)) {
      steps.add(key.step);
      this.rounds += 1;
    }
  }

  snapshot(): TrafficSnapshot {
    const bytes = Object.fromEntries(this.bytes);
    const messages = Object.fromEntries(this.messages);
    const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    return { bytes, messages, rounds: this.rounds, totalBytes: sum(this.bytes), totalMessages: sum(this.messages) };
  }

  reset(): void {
    this.bytes.clear();
    this.messages.clear();
    this.seen.clear();
    this.rounds = 0;
  }
}

/** Difference of two snapshots (after - before). */
export function trafficSince(before: TrafficSnapshot, after: TrafficSnapshot): TrafficSnapshot {
  const diff = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(a)) {
      const d = v - (b[k] ?? 0);
      if (d !== 0) out[k] = d;
    }
    return out;
  };
  return {
    bytes: diff(after.bytes, before.bytes),
    messages: diff(after.messages, before.messages),
    rounds: after.rounds - before.rounds,
    totalBytes: after.totalBytes - before.totalBytes,
    totalMessages: after.totalMessages - before.totalMessages,
  };
}
