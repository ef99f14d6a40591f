/**
 * Rounds on the critical path, measured: messages between the two servers are
 * held and delivered in waves, each wave once nothing more can be sent (every
 * message that does not wait for a held one has gone). The number of waves
 * until a result is ready is its depth in rounds, whatever the number of
 * (operation, step) pairs that `traffic().rounds` counts. For players in this
 * process (an InProcessConfig): "nothing more can be sent" is the event loop
 * staying idle for a while with no new message.
 */
import { performance } from 'node:perf_hooks';
import type { MessageKey, Payload, TrafficKind, Transport } from '../../src/network/index.js';

const SERVERS = new Set(['server0', 'server1']);
/** A window of the event loop; idle when it was busy less than IDLE_UTILIZATION of it. */
const WINDOW_MS = 10;
const IDLE_UTILIZATION = 0.05;
/** Consecutive idle windows before a wave is delivered. */
const IDLE_WINDOWS = 3;

export class RoundDepth {
  private held: Array<() => void> = [];
  private sends = 0;

  constructor(transport: Transport) {
    const send = transport.send.bind(transport);
    transport.send = (from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind): void => {
      if (kind !== 'online' || !SERVERS.has(from) || !SERVERS.has(to)) return send(from, to, key, payload, kind);
      this.sends += 1;
      this.held.push(() => send(from, to, key, payload, kind));
    };
  }

  /** Waves of server-to-server messages until `done` settles (rejects if it never does within `timeoutMs`). */
  async waves(done: Promise<unknown>, timeoutMs = 600_000): Promise<number> {
    let settled = false;
    void done.then(() => (settled = true), () => (settled = true));
    const start = performance.now();
    let count = 0;
    let idle = 0;
    let sends = this.sends;
    let elu = performance.eventLoopUtilization();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      if (settled) return count;
      if (performance.now() - start > timeoutMs) throw new Error(`the result is not ready after ${timeoutMs} ms and ${count} waves: the computation is stuck`);
      const now = performance.eventLoopUtilization();
      const busy = performance.eventLoopUtilization(now, elu).utilization;
      elu = now;
      idle = busy < IDLE_UTILIZATION && this.sends === sends ? idle + 1 : 0;
      sends = this.sends;
      if (idle < IDLE_WINDOWS || this.held.length === 0) continue;
      const wave = this.held;
      this.held = [];
      count += 1;
      idle = 0;
      for (const deliver of wave) deliver();
    }
  }
}
