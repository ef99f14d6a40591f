/**
 * The seeded computation that the browser test runs twice: in headless
 * Chromium from the esbuild bundle (WebCrypto PRG) and in Node (node:crypto
 * PRG): relu(x w) v for private x, w, v. The first product is truncated,
 * which is stochastic rounding driven by the dealer's PRG streams, and the
 * second product carries that rounding into the revealed bits (a revealed
 * product itself is divided exactly, so it alone would not show it); relu
 * runs the binary adder and bit injection on their own dealer streams.
 */
import type * as Tfe from 'tfjs-encrypted';

export const PLAYERS = ['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver'];
const [M, K, N, P] = [6, 9, 5, 3];

/** Inputs with fractional parts of all sizes (no randomness: both sides must agree). */
export const X = Array.from({ length: M * K }, (_, i) => Math.sin(i + 1) * 3.7);
export const W = Array.from({ length: K * N }, (_, i) => Math.cos(2 * i + 1) * 1.3);
export const V = Array.from({ length: N * P }, (_, i) => Math.sin(3 * i + 2) * 0.9);

export interface MatmulResult {
  shape: number[];
  values: number[];
  /** The float64 values' bytes in hex: compared bit for bit. */
  bits: string;
}

export async function seededMatmul(tfe: typeof Tfe, seed: string): Promise<MatmulResult> {
  const config = tfe.LocalConfig(PLAYERS);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { randomness: (p) => tfe.seededRandom(seed, p) });
  const x = prot.definePrivateInput('inputter', () => Float64Array.from(X), { shape: [M, K] });
  const w = prot.definePrivateInput('inputter', () => Float64Array.from(W), { shape: [K, N] });
  const v = prot.definePrivateInput('inputter', () => Float64Array.from(V), { shape: [N, P] });
  const out = await prot.revealFloat64(x.matmul(w).relu().matmul(v), 'result-receiver');
  await config.close();
  if (out === undefined) throw new Error('the result receiver runs in this process');
  const bytes = new Uint8Array(out.values.buffer, out.values.byteOffset, out.values.byteLength);
  return { shape: [...out.shape], values: Array.from(out.values), bits: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') };
}

/** a (rows x inner) times b (inner x cols), row-major, in float64. */
function product(a: readonly number[], b: readonly number[], rows: number, inner: number, cols: number): number[] {
  const y: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y.push(Array.from({ length: inner }, (_, k) => a[i * inner + k] * b[k * cols + j]).reduce((s, t) => s + t, 0));
  return y;
}

/** relu(X W) V in float64. */
export function plainResult(): number[] {
  return product(product(X, W, M, K, N).map((z) => Math.max(z, 0)), V, M, N, P);
}
