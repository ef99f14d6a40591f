/**
 * Rounds on the critical path, measured: messages between the two servers are
 * held and delivered in waves, each wave once nothing more is sent (every
 * message that does not wait for a held one has gone). The number of waves
 * until a result is ready is its depth in rounds, whatever the number of
 * (operation, step) pairs that `traffic().rounds` counts.
 */
import type { MessageKey, Payload, TrafficKind, Transport } from '../../src/network/index.js';

const SERVERS = new Set(['server0', 'server1']);

export class RoundDepth {
  private held: Array<() => void> = [];
  private lastSend = 0;

  constructor(transport: Transport) {
    const send = transport.send.bind(transport);
    transport.send = (from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind): void => {
      if (kind !== 'online' || !SERVERS.has(from) || !SERVERS.has(to)) return send(from, to, key, payload, kind);
      this.lastSend = performance.now();
      this.held.push(() => send(from, to, key, payload, kind));
    };
  }

  /**
   * Waves of server-to-server messages until `done` settles. `idleMs` without
   * a new send ends a wave: generous, so a slow machine only waits longer.
   */
  async waves(done: Promise<unknown>, idleMs = 150): Promise<number> {
    let settled = false;
    void done.then(() => (settled = true), () => (settled = true));
    let count = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      if (settled) return count;
      if (performance.now() - this.lastSend < idleMs) continue;
      if (this.held.length === 0) throw new Error('nothing is sent and the result is not ready: the computation is stuck');
      const wave = this.held;
      this.held = [];
      count += 1;
      for (const deliver of wave) deliver();
    }
  }
}
