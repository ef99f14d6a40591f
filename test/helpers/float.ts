/** float64 references for the secure ops, and error measures. */
import * as tfe from '../../src/index.js';
import type { Pond } from '../../src/protocol/index.js';

export const ULP = 2 ** -16;

/** The value a float64 becomes after fixed-point encoding (round half to even). */
export function quantize(xs: Float64Array, fracBits = 16): Float64Array {
  return xs.map((x) => {
    const s = x * 2 ** fracBits;
    let r = Math.round(s);
    if (Math.abs(s % 1) === 0.5 && r % 2 !== 0) r -= 1;
    return r / 2 ** fracBits;
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function matmul64(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const av = a[i * k + t];
      for (let j = 0; j < n; j++) c[i * n + j] += av * b[t * n + j];
    }
  return c;
}

export interface ConvGeometry64 {
  oh: number;
  ow: number;
  pt: number;
  pl: number;
}

export function geometry(h: number, w: number, kh: number, kw: number, sh: number, sw: number, padding: 'valid' | 'same'): ConvGeometry64 {
  if (padding === 'same') {
    const oh = Math.ceil(h / sh);
    const ow = Math.ceil(w / sw);
    return { oh, ow, pt: Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2), pl: Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2) };
  }
  return { oh: Math.ceil((h - kh + 1) / sh), ow: Math.ceil((w - kw + 1) / sw), pt: 0, pl: 0 };
}

/** Direct conv2d, NHWC x HWIO. */
export function conv2d64(x: Float64Array, xs: number[], f: Float64Array, fs: number[], s: number, padding: 'valid' | 'same'): Float64Array {
  const [nb, h, w, c] = xs;
  const [kh, kw, , o] = fs;
  const g = geometry(h, w, kh, kw, s, s, padding);
  const out = new Float64Array(nb * g.oh * g.ow * o);
  for (let b = 0; b < nb; b++)
    for (let y = 0; y < g.oh; y++)
      for (let z = 0; z < g.ow; z++)
        for (let oc = 0; oc < o; oc++) {
          let acc = 0;
          for (let dy = 0; dy < kh; dy++)
            for (let dz = 0; dz < kw; dz++) {
              const iy = y * s - g.pt + dy;
              const iz = z * s - g.pl + dz;
              if (iy < 0 || iy >= h || iz < 0 || iz >= w) continue;
              for (let ic = 0; ic < c; ic++) acc += x[((b * h + iy) * w + iz) * c + ic] * f[((dy * kw + dz) * c + ic) * o + oc];
            }
          out[((b * g.oh + y) * g.ow + z) * o + oc] = acc;
        }
  return out;
}

/** Average pooling as tfjs: 'same' windows divide by the pixels they cover. */
export function avgPool64(x: Float64Array, xs: number[], k: number, s: number, padding: 'valid' | 'same'): Float64Array {
  const [nb, h, w, c] = xs;
  const g = geometry(h, w, k, k, s, s, padding);
  const out = new Float64Array(nb * g.oh * g.ow * c);
  for (let b = 0; b < nb; b++)
    for (let y = 0; y < g.oh; y++)
      for (let z = 0; z < g.ow; z++)
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          let cnt = 0;
          for (let dy = 0; dy < k; dy++)
            for (let dz = 0; dz < k; dz++) {
              const iy = y * s - g.pt + dy;
              const iz = z * s - g.pl + dz;
              if (iy < 0 || iy >= h || iz < 0 || iz >= w) continue;
              acc += x[((b * h + iy) * w + iz) * c + ch];
              cnt++;
            }
          out[((b * g.oh + y) * g.ow + z) * c + ch] = acc / cnt;
        }
  return out;
}

export const PLAYERS = ['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver'];

/** A one-process Pond with the usual five players. */
export function makePond(options: tfe.protocol.PondOptions = {}, timeoutMs?: number): { config: tfe.InProcessConfig; prot: Pond } {
  const config = new tfe.InProcessConfig(PLAYERS, timeoutMs === undefined ? {} : { timeoutMs });
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, options);
  return { config, prot };
}

/** Reveals to the result receiver as float64. */
export async function revealValues(prot: Pond, x: tfe.protocol.Tensor): Promise<Float64Array> {
  const v = await prot.revealFloat64(x, 'result-receiver');
  if (v === undefined) throw new Error('result-receiver is not local');
  return v.values;
}
