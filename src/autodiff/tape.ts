/**
 * A gradient tape: a recorder on a protocol's choke point that keeps every
 * op (outermost ones: an op's internal steps are not recorded) with its
 * arguments, result and saved values, in program order.
 */
import type { OpRecord, OpRecorder, Protocol } from '../protocol/api/index.js';

export class Tape implements OpRecorder {
  private readonly entries: OpRecord[] = [];

  record(entry: OpRecord): void {
    this.entries.push(entry);
  }

  get records(): readonly OpRecord[] {
    return this.entries;
  }
}

/** Runs `fn` with a tape recording every op it issues on `prot`. */
export function recordOps<T>(prot: Protocol, fn: () => T): { result: T; tape: Tape } {
  const tape = new Tape();
  const stop = prot.record(tape);
  try {
    return { result: fn(), tape };
  } finally {
    stop();
  }
}
