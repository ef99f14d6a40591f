/** The roles and options a Pond is created with. */
import type { RandomSource } from '../../crypto/index.js';
import type { AdderBits } from '../binary/adder.js';
import type { TripleSource } from '../dealer/triple-source.js';
import type { Runtime } from '../runtime.js';
import type { ComparisonMethod, TruncationMode } from './context.js';
import type { OverflowWarningHandler } from './overflow.js';

/** The default {@link PondOptions.dealerWindow}, in operations. */
export const DEFAULT_DEALER_WINDOW = 256;
/** The smallest dealer window: above the op ids any one primitive allocates. */
export const MIN_DEALER_WINDOW = 16;

/** Who plays which role. */
export interface PondRoles {
  /** The two servers that hold the shares. */
  servers: readonly [string, string];
  /** The dealer of correlated randomness; it never sees data. */
  cryptoProducer: string;
}

/** Options of the protocol. */
export interface PondOptions {
  /** Fractional bits of the fixed-point encoding (default 16). */
  fracBits?: number;
  /**
   * Truncation after products: 'dealer' (default; one round, never more than
   * one unit in the last place off for |z| < 2^62) or 'local' (SecureML; no
   * round, fails with probability about |z| / 2^63 per element).
   */
  truncation?: TruncationMode;
  /**
   * Where triples come from (default: the crypto producer, online).
   * `dealerWindow` is the resolved {@link PondOptions.dealerWindow}
   * (undefined when off).
   */
  tripleSource?: (rt: Runtime, servers: readonly [string, string], cryptoProducer: string, random: RandomSource, dealerWindow: number | undefined) => TripleSource;
  /**
   * How many operations the crypto producer may deal ahead of the slower
   * server (default {@link DEFAULT_DEALER_WINDOW}), and each server expand its
   * own randomness ahead of itself: the memory bound of a program that issues
   * much work at once (a thousand images, a whole epoch). `false` lets the
   * dealer run free. The servers report progress in empty control messages,
   * not counted in the traffic counters. Must be the same on every player and
   * larger than the op ids one primitive allocates (at least 16; the test
   * suite passes with 2).
   */
  dealerWindow?: number | false;
  /**
   * Each player's source of fresh seeds (default: the OS CSPRNG). Pass
   * `(p) => seededRandom(seed, p)` only to make a run reproducible in tests:
   * it is not secure.
   */
  randomness?: (player: string) => RandomSource;
  /**
   * Bits the relu op (and so the relu activations of layers) reads the sign
   * of x from: 64 (default), exact for every encodable x; or 32, exact while
   * |x| < 2^(31 - fracBits) (2048 at 20 fractional bits), for half the
   * adder's words and one round less (two values per 64-bit word). For larger
   * |x| the 32-bit relu keeps or zeroes x by the sign of x mod 2^32 read as a
   * signed 32-bit integer: wrong for some values, with no error raised. Other
   * comparisons (maximum, clip, pooling, the smooth functions' ranges) keep 64 bits.
   */
  reluBits?: AdderBits;
  /**
   * How every comparison (relu, max pooling, maximum, clip, the smooth
   * functions' ranges) reads its sign bit: 'adder' (default) or 'fss', one
   * round instead of 4-6 for about 1 KB of preprocessing per element to each
   * server (0.5 KB with reluBits 32) and more work for the crypto producer,
   * for comparisons of up to 256 elements (larger ones keep the adder: one
   * query's activations get the rounds saved, batches the adder's smaller
   * preprocessing).
   * Worth it where round trips are long: one image of network A between
   * hosts 10 ms apart takes 73 ms instead of 108 (BENCHMARKS.md). Every
   * player must pass the same value. 'fss' needs node:crypto on the servers
   * and the crypto producer.
   */
  comparison?: ComparisonMethod;
  /**
   * Receives a warning when a revealed value is near the fixed-point limits
   * (|v| >= 2^(62-2f), the product bound, or 2^(62-f)): the likely sign of a
   * silent overflow. Default: `process.emitWarning`, or `console.warn` in the
   * browser. The warning names the operation and the bound, never a value.
   */
  onWarning?: OverflowWarningHandler;
  /**
   * Debug option (default false): before a product's result is used, check
   * with secure comparisons that each secret operand has |x| < 2^((62-2f)/2),
   * failing the result with an OverflowError naming the op, the shapes and
   * the bound. Opens one bit per operand to the servers; costs a relu-sized
   * comparison and a max tournament per operand. See docs/precision.md.
   */
  checkRanges?: boolean;
}
