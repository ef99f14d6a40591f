/**
 * BigInt reference implementations of the ring ops: the obvious loops, with
 * explicit reduction mod 2^64, to check the WebAssembly kernels bit for bit.
 */
import { RingTensor } from '../../src/ring/index.js';

export const M64 = (1n << 64n) - 1n;
export const wrap = (v: bigint): bigint => v & M64;

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function stridesOf(shape: readonly number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
  return flat;
}

/** Elementwise binary op with numpy broadcasting. */
export function refBinary(a: RingTensor, b: RingTensor, f: (x: bigint, y: bigint) => bigint): RingTensor {
  const rank = Math.max(a.rank, b.rank);
  const pa = [...new Array<number>(rank - a.rank).fill(1), ...a.shape];
  const pb = [...new Array<number>(rank - b.rank).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const out: bigint[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    const x = a.data[ravel(idx.map((v, d) => (pa[d] === 1 ? 0 : v)), pa)];
    const y = b.data[ravel(idx.map((v, d) => (pb[d] === 1 ? 0 : v)), pb)];
    out.push(wrap(f(x, y)));
  }
  return RingTensor.fromBigInts(shape, out);
}

export function refMatmul2d(a: BigUint64Array, b: BigUint64Array, m: number, k: number, n: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0n;
      for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
      out.push(wrap(s));
    }
  }
  return out;
}

/** Direct convolution (no im2col): NHWC x HWIO, tfjs padding rules. */
export function refConv2d(
  x: RingTensor,
  w: RingTensor,
  strides: [number, number],
  padding: 'valid' | 'same',
): RingTensor {
  const [nb, h, wd, c] = x.shape;
  const [kh, kw, , o] = w.shape;
  const [sh, sw] = strides;
  let oh: number, ow: number, pt = 0, pl = 0;
  if (padding === 'same') {
    oh = Math.ceil(h / sh);
    ow = Math.ceil(wd / sw);
    pt = Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2);
    pl = Math.floor(Math.max((ow - 1) * sw + kw - wd, 0) / 2);
  } else {
    oh = Math.ceil((h - kh + 1) / sh);
    ow = Math.ceil((wd - kw + 1) / sw);
  }
  const out: bigint[] = [];
  for (let b = 0; b < nb; b++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++)
        for (let oc = 0; oc < o; oc++) {
          let s = 0n;
          for (let dy = 0; dy < kh; dy++)
            for (let dz = 0; dz < kw; dz++) {
              const iy = y * sh - pt + dy;
              const iz = z * sw - pl + dz;
              if (iy < 0 || iy >= h || iz < 0 || iz >= wd) continue;
              for (let ic = 0; ic < c; ic++) {
                s += x.data[((b * h + iy) * wd + iz) * c + ic] * w.data[((dy * kw + dz) * c + ic) * o + oc];
              }
            }
          out.push(wrap(s));
        }
  return RingTensor.fromBigInts([nb, oh, ow, o], out);
}
