/**
 * The crypto producer during an epoch: it deals the bundles the first
 * server asks for, one at a time, urgent requests (a batch is waiting) first,
 * each by running one batch of the model on a placeholder input, and sends
 * each server its half. It never receives anything from the servers but
 * these requests (sizes and counts) and heartbeats; the number of bundles in
 * flight is bounded by what the first server asked for.
 */
import { ServingError } from '../errors.js';
import { encodeBundle } from './bundle-wire.js';
import type { Epoch, EpochModel } from './epoch.js';
import type { Received } from './mesh.js';
import type { ServingSettings } from './settings.js';

export interface DealerStats {
  /** Bundles dealt. */
  bundles: number;
  /** Of which asked for by a waiting batch. */
  urgent: number;
  /** Time spent dealing (ms). */
  dealingMs: number;
}

export class Dealer {
  readonly stats: DealerStats = { bundles: 0, urgent: 0, dealingMs: 0 };
  private readonly urgent: number[] = [];
  private readonly normal: number[] = [];
  private nextId = 0;
  private pumping = false;
  private ended: Error | undefined;
  private onEnd: (e: Error) => void = () => undefined;
  readonly whenEnded: Promise<never>;

  constructor(
    private readonly epoch: Epoch & { readonly model: EpochModel },
    private readonly settings: ServingSettings,
  ) {
    this.whenEnded = new Promise<never>((_, reject) => (this.onEnd = reject));
    this.whenEnded.catch(() => undefined);
  }

  start(): void {
    const [leader, follower] = this.settings.roles.servers;
    void this.listen(leader, (r) => {
      const m = r.message;
      if (m.type !== 'deal') throw new ServingError('failed', `unexpected '${m.type}' message from '${leader}'`);
      if (!this.epoch.model.sizes.includes(m.size)) throw new ServingError('failed', `'${leader}' asked for bundles of batch size ${m.size}, not one of the agreed sizes`);
      for (let i = 0; i < m.count; i++) (m.urgent ? this.urgent : this.normal).push(m.size);
      void this.pump();
    });
    void this.listen(follower, (r) => {
      throw new ServingError('failed', `unexpected '${r.message.type}' message from '${follower}'`);
    });
  }

  private async listen(from: string, handle: (r: Received) => void): Promise<void> {
    try {
      while (this.ended === undefined) handle(await this.epoch.channel.receive(from));
    } catch (e) {
      this.end(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Deal requests waiting (bounded by what the first server asked for). */
  gauges(): Record<string, number> {
    return { dealRequests: this.urgent.length + this.normal.length };
  }

  end(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    this.urgent.length = 0;
    this.normal.length = 0;
    this.onEnd(error);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    const { prot, source, served, spec } = this.epoch.model;
    const [s0, s1] = this.settings.roles.servers;
    try {
      while (this.ended === undefined && this.urgent.length + this.normal.length > 0) {
        const urgent = this.urgent.length > 0;
        const size = (urgent ? this.urgent.shift() : this.normal.shift()) as number;
        const started = performance.now();
        const shape = [size, ...served.info.inputShape];
        // The placeholder's shares live on the servers: nothing of it runs here.
        const halves = await source.dealBundle(() => void served.model.predict(prot.privateFromShares(shape, () => Promise.reject(new ServingError('failed', 'placeholder')), spec.fracBits)));
        if (this.ended !== undefined) break;
        const id = this.nextId++;
        for (const [i, to] of [s0, s1].entries()) {
          const { message, tensors } = encodeBundle(id, size, halves[i]);
          this.epoch.channel.send(to, message, tensors);
        }
        this.stats.bundles += 1;
        if (urgent) this.stats.urgent += 1;
        this.stats.dealingMs += performance.now() - started;
      }
    } catch (e) {
      this.end(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.pumping = false;
    }
  }
}
