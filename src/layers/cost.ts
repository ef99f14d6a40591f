/**
 * Protocol cost estimates for `summary()`, composed from the messages each
 * Pond primitive sends (src/protocol/pond and src/protocol/binary), so that
 * they can be checked against the traffic counters (test/layers/cost.test.ts).
 * Bytes count every player's traffic, the crypto producer's included, with
 * about 48 bytes of frame header per message; rounds are the counter's communication steps; triples are
 * the dealer's correlated words (one per product output element or AND word).
 * Weights are masked once, on the first batch: estimates are per batch after it.
 */
import type { LayerCost } from './layer.js';

const WORD = 8;
/** Average frame header (24 bytes plus 8 + 4 * rank per tensor, padded). */
const HEADER = 48;

export class CostBuilder {
  private bytes = 0;
  private rounds = 0;
  private triples = 0;

  private messages(count: number): void {
    this.bytes += HEADER * count;
  }

  /** Opening n masked words (each server sends its n words). */
  open(n: number): this {
    if (n > 0) {
      this.bytes += 2 * WORD * n;
      this.messages(2);
      this.rounds += 1;
    }
    return this;
  }

  /** Dealer truncation of n words: open z + r both ways, two corrections to server 1. */
  truncate(n: number): this {
    this.bytes += 2 * WORD * n + 2 * WORD * n;
    this.messages(3);
    this.rounds += 1;
    return this;
  }

  /** A Beaver product: masks to open (elements not masked yet), c1 of the output, truncation. */
  product(toMask: number, out: number, truncated = true): this {
    this.open(toMask);
    this.bytes += WORD * out;
    this.messages(1);
    this.triples += out;
    return truncated ? this.truncate(out) : this;
  }

  /** A product with a public operand (a scale, 1/n of a pool): only the truncation. */
  scale(out: number): this {
    return this.truncate(out);
  }

  /** The parallel-prefix adder on n words (6 rounds). */
  adder(n: number): this {
    // first round: two words each way, five dealer words; levels s = 2..32: G and P each way,
    // two dealer words (one at s = 32, which updates G only)
    this.bytes += WORD * n * (4 + 4 * 4 + 4) + WORD * n * (5 + 2 * 4 + 1);
    this.messages(3 + 4 * 4 + 3);
    this.triples += 14 * n;
    this.rounds += 6;
    return this;
  }

  /** Bit injection of n bits with `products` masked values multiplied (1 round). */
  inject(n: number, products: number): this {
    this.bytes += 2 * WORD * Math.ceil(n / 64) + WORD * n * (1 + products);
    this.messages(3);
    this.triples += n * (1 + products);
    this.rounds += 1;
    return this;
  }

  /** relu of n elements whose input is not masked yet. */
  relu(n: number): this {
    return this.open(n).adder(n).inject(n, 1);
  }

  /** A polynomial of degree d on n elements (x not masked yet): powers, then one truncation. */
  polynomial(n: number, degree: number): this {
    const masked = new Set<number>();
    for (let k = 2; k <= degree; k++) {
      const a = Math.floor(k / 2);
      const b = Math.ceil(k / 2);
      const toMask = [a, b].filter((p, i) => !masked.has(p) && (i === 0 || b !== a)).length;
      masked.add(a).add(b);
      this.product(toMask * n, n);
    }
    return this.truncate(n);
  }

  add(other: LayerCost): this {
    this.bytes += other.bytes;
    this.rounds += other.rounds;
    this.triples += other.triples;
    return this;
  }

  build(): LayerCost {
    return { triples: this.triples, rounds: this.rounds, bytes: this.bytes };
  }
}

export const NO_COST: LayerCost = { triples: 0, rounds: 0, bytes: 0 };

/** Sum of costs (sequential layers). */
export function totalCost(costs: readonly LayerCost[]): LayerCost {
  return costs.reduce((acc, c) => new CostBuilder().add(acc).add(c).build(), NO_COST);
}
