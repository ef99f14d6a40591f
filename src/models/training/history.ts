/**
 * What fit reports, as tfjs does: a History of per-epoch logs, callbacks with
 * the Keras hooks, and a progress printer. Logs carry the loss and metrics
 * only in the process of the player they were revealed to; elsewhere they
 * carry nothing but the epoch (nobody else learns the loss).
 */

/** Numbers logged per epoch or batch: 'loss', 'acc', 'val_loss', 'val_acc'. */
export type Logs = Record<string, number>;

/** tfjs's CustomCallbackArgs: every hook optional, each may be async. */
export interface CallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** The result of fit, as tfjs's History. */
export class History {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  params: Record<string, number | string | boolean> = {};

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

/** Runs every callback's hook in order. */
export class CallbackList {
  constructor(private readonly callbacks: readonly CallbackArgs[]) {}

  async call<K extends keyof CallbackArgs>(hook: K, ...args: Parameters<NonNullable<CallbackArgs[K]>>): Promise<void> {
    for (const c of this.callbacks) {
      const fn = c[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (fn !== undefined) await fn.apply(c, args);
    }
  }
}

function fmtSeconds(s: number): string {
  return s >= 100 ? `${Math.round(s)}s` : `${s.toFixed(1)}s`;
}

function fmtLogs(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => ` - ${k}: ${v.toPrecision(4)}`).join('');
}

/**
 * Keras-style progress: verbose 1 redraws a bar per epoch with elapsed time
 * and ETA (lines, since terminals under tfe run are pipes), verbose 2 prints
 * one line per epoch.
 */
export class Progress {
  private epochStart = 0;

  constructor(
    private readonly verbose: number,
    private readonly epochs: number,
    private readonly batches: number,
    private readonly print: (line: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  beginEpoch(epoch: number): void {
    this.epochStart = this.now();
    if (this.verbose === 1) this.print(`Epoch ${epoch + 1} / ${this.epochs}`);
  }

  endBatch(batch: number): void {
    if (this.verbose !== 1) return;
    const every = Math.max(1, Math.ceil(this.batches / 10));
    if ((batch + 1) % every !== 0 && batch + 1 !== this.batches) return;
    const elapsed = (this.now() - this.epochStart) / 1000;
    const done = (batch + 1) / this.batches;
    const width = 30;
    const filled = Math.round(done * width);
    const eta = (elapsed / (batch + 1)) * (this.batches - batch - 1);
    this.print(`${String(batch + 1).padStart(String(this.batches).length)}/${this.batches} [${'='.repeat(filled)}${'.'.repeat(width - filled)}] ${fmtSeconds(elapsed)} elapsed, ETA ${fmtSeconds(eta)}`);
  }

  endEpoch(epoch: number, logs: Logs): void {
    if (this.verbose === 0) return;
    const elapsed = (this.now() - this.epochStart) / 1000;
    const ms = (elapsed * 1000) / this.batches;
    this.print(`${this.verbose === 2 ? `Epoch ${epoch + 1} / ${this.epochs} ` : ''}${fmtSeconds(elapsed)} ${ms.toFixed(0)}ms/step${fmtLogs(logs)}`);
  }
}
