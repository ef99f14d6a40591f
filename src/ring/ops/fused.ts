/**
 * Fused elementwise formulas that protocols evaluate on large tensors: one
 * kernel call instead of a chain of ops, so operands cross into wasm memory
 * once. Plain ring arithmetic; the protocol meaning is in the callers' docs.
 */
import { check, checkShape } from '../../errors.js';
import { kernels } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';
import { fmt, shapesEqual, sizeOf } from '../shape.js';

function sameShapes(op: string, ...ts: readonly RingTensor[]): void {
  for (const t of ts) checkShape(shapesEqual(t.shape, ts[0].shape), () => `${op}: all operands need shape ${fmt(ts[0].shape)}, got ${fmt(t.shape)}`);
}

/**
 * c ^ (d & (b << shift)) ^ (a & (e << shift)), plus d & (e << shift) when
 * `withDE`, plus g when given. All operands share one shape.
 */
export function andShifted(c: RingTensor, d: RingTensor, b: RingTensor, a: RingTensor, e: RingTensor, shift: number, withDE: boolean, g?: RingTensor): RingTensor {
  sameShapes('andShifted', c, d, b, a, e, ...(g === undefined ? [] : [g]));
  check(Number.isInteger(shift) && shift >= 0 && shift < 64, () => `andShifted: shift must be an integer in [0, 64), got ${shift}`);
  const n = c.size;
  const data = kernels().run((arena, k) => {
    const [pc, pd, pb, pa, pe] = [c, d, b, a, e].map((t) => arena.put(t.data));
    const pg = g === undefined ? pc : arena.put(g.data);
    const out = arena.alloc(n);
    k.and_shifted(pc, pd, pb, pa, pe, pg, out, n, shift, (withDE ? 1 : 0) | (g === undefined ? 0 : 2));
    return arena.take(out, n);
  });
  return new RingTensor(c.shape, data);
}

/** One factor of a term of {@link xorOfProducts}: a tensor and the left shift applied to its words. */
export type ShiftedFactor = readonly [RingTensor, number];

/**
 * The XOR over `terms` of the AND of each term's factors (1 to 4 tensors of
 * one shape, each shifted left by its own amount): a sum of products over
 * GF(2)^64, in one kernel call whatever the number of terms.
 */
export function xorOfProducts(terms: readonly (readonly ShiftedFactor[])[]): RingTensor {
  check(terms.length > 0, () => 'xorOfProducts: no terms');
  for (const term of terms) check(term.length >= 1 && term.length <= 4, () => `xorOfProducts: a term has 1 to 4 factors, got ${term.length}`);
  const shape = terms[0][0][0].shape;
  const n = sizeOf(shape);
  for (const term of terms) {
    for (const [t, s] of term) {
      checkShape(shapesEqual(t.shape, shape), () => `xorOfProducts: all factors need shape ${fmt(shape)}, got ${fmt(t.shape)}`);
      check(Number.isInteger(s) && s >= 0 && s < 64, () => `xorOfProducts: a shift is an integer in [0, 64), got ${s}`);
    }
  }
  const data = kernels().run((arena, k) => {
    // Each distinct tensor crosses into wasm memory once, however many terms use it.
    const placed = new Map<RingTensor, number>();
    const at = (t: RingTensor): number => {
      let p = placed.get(t);
      if (p === undefined) placed.set(t, (p = arena.put(t.data)));
      return p;
    };
    const table: number[] = [];
    for (const term of terms) {
      for (let f = 0; f < 4; f++) {
        const [t, s] = term[Math.min(f, term.length - 1)]; // x & x = x: repeat the last factor
        table.push(at(t), s);
      }
    }
    const pt = arena.putI32(table);
    const out = arena.allocZeroed(n);
    k.xor_and4(pt, terms.length, out, n);
    return arena.take(out, n);
  });
  return new RingTensor(shape, data);
}

/** With t = alpha * r + ar: x - t where c is 1, t where c is 0 (c holds 0 or 1). */
export function selectMulAdd(c: RingTensor, x: RingTensor, alpha: RingTensor, r: RingTensor, ar: RingTensor): RingTensor {
  sameShapes('selectMulAdd', c, x, alpha, r, ar);
  const n = c.size;
  const data = kernels().run((arena, k) => {
    const [pc, px, pal, pr, par] = [c, x, alpha, r, ar].map((t) => arena.put(t.data));
    const out = arena.alloc(n);
    k.select_mul_add(pc, px, pal, pr, par, out, n);
    return arena.take(out, n);
  });
  return new RingTensor(c.shape, data);
}

/**
 * sum_k w_k (first c_k + (1 - 2 c_k) r_k) over the `count` rows of r (shape
 * [count, ...shape]), with c the rows' bits packed as packBitRows packs them
 * and `first` 0 or 1: bit injection's local step summed with public weights,
 * without the count x n intermediate words. Result: `shape`.
 */
export function injectDot(cPacked: RingTensor, r: RingTensor, weights: RingTensor, first: boolean): RingTensor {
  const count = weights.size;
  check(r.shape.length >= 1 && r.shape[0] === count, () => `injectDot: r needs ${count} rows (one per weight), got shape ${fmt(r.shape)}`);
  const shape = r.shape.slice(1);
  const n = sizeOf(shape);
  check(cPacked.size === Math.ceil((count * n) / 64), () => `injectDot: ${cPacked.size} packed words cannot hold ${count} x ${n} bits`);
  const data = kernels().run((arena, k) => {
    const [pc, pr, pw] = [cPacked, r, weights].map((t) => arena.put(t.data));
    const out = arena.alloc(n);
    k.inject_dot(pc, pr, pw, out, count, n, first ? 1 : 0);
    return arena.take(out, n);
  });
  return new RingTensor(shape, data);
}

/**
 * The unshift step of the dealer's truncation (protocol/pond/truncate.ts) for
 * server `party`, in one pass: with c = mine + theirs (the opened value),
 * cTop = c >> 63 and w = rTop (1 - 2 cTop) (+ cTop on server 0),
 * (w << (63 - bits)) - rHigh, plus ((c mod 2^63) >> bits) - 2^(62 - bits) on
 * server 0, plus `acc` when given. 1 <= bits <= 62; operands share one shape.
 */
export function truncateOpened(mine: RingTensor, theirs: RingTensor, rTop: RingTensor, rHigh: RingTensor, bits: number, party: 0 | 1, acc?: RingTensor): RingTensor {
  sameShapes('truncateOpened', mine, theirs, rTop, rHigh, ...(acc === undefined ? [] : [acc]));
  check(Number.isInteger(bits) && bits >= 1 && bits <= 62, () => `truncateOpened: bits must be an integer in [1, 62], got ${bits}`);
  const n = mine.size;
  const data = kernels().run((arena, k) => {
    const [pm, pt, prt, prh] = [mine, theirs, rTop, rHigh].map((t) => arena.put(t.data));
    const pacc = acc === undefined ? pm : arena.put(acc.data);
    const out = arena.alloc(n);
    k.truncate_opened(pm, pt, prt, prh, pacc, out, n, bits, (party === 0 ? 1 : 0) | (acc === undefined ? 0 : 2));
    return arena.take(out, n);
  });
  return new RingTensor(mine.shape, data);
}
