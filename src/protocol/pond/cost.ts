/**
 * What Pond's primitives send, composed into each op's cost (the op table's
 * `cost` entries): bytes of every player, the crypto producer's included, with
 * about 48 bytes of frame header per message; rounds as the traffic counters
 * count them (distinct online steps); triples as the dealer's correlated words
 * (one per product output element or AND word). test/protocol/pond/cost.test.ts
 * checks every op's estimate against the counters.
 */
import type { OpCost } from '../api/index.js';
import { prefixLevels, type AdderBits } from '../binary/adder.js';
import { signsByFss } from '../binary/fss-sign.js';
import { dealtWords } from '../binary/prefix4.js';
import type { ComparisonMethod, TruncationMode } from './context.js';

const WORD = 8;
/** Average frame header (24 bytes plus 8 + 4 * rank per tensor, padded). */
const HEADER = 48;

export class CostBuilder {
  private bytes = 0;
  private rounds = 0;
  private triples = 0;

  constructor(
    private readonly truncation: TruncationMode = 'dealer',
    private readonly comparison: ComparisonMethod = 'adder',
  ) {}

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

  /**
   * Truncating n words: dealer truncation opens z + r both ways and sends two
   * corrections to server 1; `terms` truncations opened together (a product
   * by a public real's two parts) cost `terms` times the words in one round.
   */
  truncate(n: number, bits = 1, terms = 1): this {
    if (bits === 0 || this.truncation === 'local') return this;
    this.bytes += 4 * WORD * n * terms;
    this.messages(2 + terms);
    this.rounds += 1;
    return this;
  }

  /**
   * An elementwise product with a truncation's result (mask-parts.ts): masks
   * to open for the other operand only, `pairs` dealt words per output
   * element (the part products), then truncation by `bits`.
   */
  partProduct(toMask: number, out: number, pairs: number, bits = 1): this {
    this.open(toMask);
    this.bytes += WORD * out * pairs;
    this.messages(1);
    this.triples += out * pairs;
    return this.truncate(out, bits);
  }

  /** A Beaver product: masks to open (elements not masked yet), c1 of the output, then truncation by `bits`. */
  product(toMask: number, out: number, bits = 1): this {
    this.open(toMask);
    this.bytes += WORD * out;
    this.messages(1);
    this.triples += out;
    return this.truncate(out, bits);
  }

  /**
   * The parallel-prefix adder on n values, or with bits = 32 on ceil(n / 2)
   * words of two 32-bit lanes (4 and 3 rounds up to RADIX4_MAX_WORDS words,
   * 6 and 5 beyond: adder.ts's prefixLevels): the first round opens
   * two words each way and deals five; every later level opens G and P each
   * way and deals, in one message per AND (radix 2) or per level (radix 4),
   * one word per product (see adder.ts and prefix4.ts).
   */
  adder(n: number, bits: AdderBits = 64): this {
    const words = bits === 64 ? n : Math.ceil(n / 2);
    let dealt = 5;
    let messages = 3;
    const levels = prefixLevels(words, bits);
    for (const level of levels) {
      const products = level.radix === 4 ? dealtWords(level.withP) : level.withP ? 2 : 1;
      dealt += products;
      messages += 2 + (level.radix === 4 ? 1 : products);
    }
    this.bytes += WORD * words * (4 + 4 * levels.length + dealt);
    this.messages(messages);
    this.triples += dealt * words;
    this.rounds += 1 + levels.length;
    return this;
  }

  /**
   * Sign bits of n words (of their low 32 bits with bits = 32), by the
   * comparison method: the adder, or (up to FSS_MAX_ELEMENTS) function secret sharing (fss-sign.ts):
   * one round opening y = x + r, and the dealer's keys to each server: the
   * shared corrections (2 words per element and bit, one packed row per bit
   * and the leaf's) and, to server 1, the packed shares of r's top bit.
   */
  sign(n: number, bits: AdderBits = 64): this {
    if (!signsByFss(this.comparison, n)) return this.adder(n, bits);
    const width = bits - 1;
    const packed = Math.ceil(n / 64);
    this.open(n);
    this.bytes += WORD * (2 * (2 * width * n + (width + 1) * packed) + packed);
    this.messages(2);
    this.triples += n;
    return this;
  }

  /** A suffix OR of n words over `levels` doubling levels: per level, one word opened each way and one dealer word (1 round). */
  suffixOr(n: number, levels: number): this {
    for (let l = 0; l < levels; l++) {
      this.open(n);
      this.bytes += WORD * n;
      this.messages(1);
      this.triples += n;
    }
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

  /** Comparison bits of n words: the adder and the injection of its bits. */
  msb(n: number): this {
    return this.sign(n).inject(n, 0);
  }

  /** relu of n elements whose input is not masked yet (also abs, and the sign with |x|); `bits` as in adder. */
  relu(n: number, bits: AdderBits = 64): this {
    return this.open(n).sign(n, bits).inject(n, 1);
  }

  /** max over k entries for each of `out` outputs: a relu tournament. */
  tournament(k: number, out: number): this {
    for (let cur = k; cur > 1; cur = Math.ceil(cur / 2)) this.relu(Math.floor(cur / 2) * out);
    return this;
  }

  /**
   * A polynomial of degree d on n elements (x not masked yet): powers, then
   * one truncation by `bits`. x^2 opens x; every higher power multiplies
   * truncated powers (two mask parts each, x one) and opens nothing more.
   */
  polynomial(n: number, degree: number, bits = 1): this {
    for (let k = 2; k <= degree; k++) {
      const parts = [Math.floor(k / 2), Math.ceil(k / 2)].map((p) => (p === 1 ? 1 : 2));
      if (k === 2) this.product(n, n);
      else this.partProduct(0, n, parts[0] * parts[1]);
    }
    return this.truncate(n, bits);
  }

  add(other: OpCost): this {
    this.bytes += other.bytes;
    this.rounds += other.rounds;
    this.triples += other.triples;
    return this;
  }

  build(): OpCost {
    return { triples: this.triples, rounds: this.rounds, bytes: this.bytes };
  }
}
