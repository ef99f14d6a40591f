/**
 * Heap growth of long-running player processes. A player keeps ~60 MB live
 * and allocates many short-lived multi-megabyte typed arrays (messages, ring
 * tensors); with V8's adaptive growing factor a serving player ran a full
 * Mark-Compact every 100-150 ms under load (32-45 in 8 s), each triggered
 * with the JS heap only ~5 MB above its live size. A fixed factor of 2
 * (`--heap-growing-percent=100`) cut that to 6-15 in 8 s: a server's CPU per
 * query under load fell by about a quarter and a training batch's by about a
 * tenth (BENCHMARKS.md), RSS in the load test stayed within 30 MiB of its
 * start. V8 reads the flag whenever it sets the next limit, so setting it at
 * startup takes effect. TFE_HEAP_GROWING_PERCENT overrides it (0: V8's
 * adaptive default).
 */
import v8 from 'node:v8';
import { ConfigError } from '../errors.js';

const DEFAULT_PERCENT = 100;

/** Applies the player heap policy to this process (idempotent). */
export function tunePlayerHeap(env: NodeJS.ProcessEnv = process.env): void {
  const raw = env.TFE_HEAP_GROWING_PERCENT;
  const percent = raw === undefined || raw === '' ? DEFAULT_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new ConfigError(`TFE_HEAP_GROWING_PERCENT must be an integer from 0 to 1000, got '${raw}'`);
  }
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
