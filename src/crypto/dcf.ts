/**
 * Distributed comparison functions with one-bit outputs (DCF; Boyle,
 * Chandran, Gilboa, Gupta, Ishai, Kumar, Rathee, "Function Secret Sharing
 * for Mixed-Mode and Fixed-Point Secure Computation", Eurocrypt 2021, Fig. 3
 * with the output group Z_2): for a secret n-bit alpha the dealer makes two
 * keys such that, for every public n-bit x,
 *
 *   eval(0, k0, x) ^ eval(1, k1, x) = [x < alpha],
 *
 * and either key alone is pseudorandom. The keys share their correction
 * words; they differ only in the root seed, which each server derives from
 * its own PRG stream, so the dealer sends the same corrections to both.
 *
 * The tree's PRG is fixed-key AES in Matyas-Meyer-Oseas form:
 * G(s) = (E(s) ^ s, E(s ^ 1) ^ s ^ 1). Seeds keep their two low bits clear
 * (126-bit seeds); after an expansion those bits of each half are its control
 * bit t (bit 0) and its output bit v (bit 1). Evaluation follows one path, so
 * it needs one AES block per level, the dealer four.
 *
 * Layouts (little-endian words, as the ring's tensors): a seed is two u64
 * words; `cw` holds n rows of `count` seed corrections (two words each) whose
 * bits 0 and 1 carry the left and right control-bit corrections; `vcw` holds
 * n + 1 rows of output corrections packed 64 per word (row n is the leaf's).
 */
import { ConfigError, check } from '../errors.js';
import type { BlockCipher } from './backend.js';
import { defaultCryptoBackend } from './default-backend.js';
import { sha256 } from './sha256.js';

/** The public AES key of the tree's PRG: any fixed key serves (correlation robustness). */
const FIXED_KEY = sha256(new TextEncoder().encode('tfjs-encrypted dcf prg')).slice(0, 16);

let cipher: BlockCipher | undefined;

/** Why this runtime cannot run DCFs, if it cannot (WebCrypto has no single-block AES). */
export function dcfUnsupported(): string | undefined {
  return defaultCryptoBackend().blockCipher === undefined
    ? "comparisons by function secret sharing need node:crypto (single-block AES), which this runtime lacks: run the servers and the crypto producer in Node, or use comparison: 'adder'"
    : undefined;
}

function aes(): BlockCipher {
  if (cipher === undefined) {
    const make = defaultCryptoBackend().blockCipher;
    if (make === undefined) throw new ConfigError(dcfUnsupported() ?? 'no single-block AES');
    cipher = make(FIXED_KEY);
  }
  return cipher;
}

/** Words (u64) of the packed rows of `count` bits. */
export const packedWords = (count: number): number => Math.ceil(count / 64);

/** The correction words both keys share. */
export interface DcfCorrections {
  /** [bits][count][2] u64 words: seed corrections, control-bit corrections in bits 0 (left) and 1 (right). */
  readonly cw: BigUint64Array;
  /** [bits + 1][ceil(count / 64)] u64 words: output corrections, packed. */
  readonly vcw: BigUint64Array;
}

/** Bit k (0 = least significant) of each of the u64 words `w`, as 32-bit halves `w32`. */
function bitOf(w32: Uint32Array, j: number, k: number): number {
  return k < 32 ? (w32[2 * j] >>> k) & 1 : (w32[2 * j + 1] >>> (k - 32)) & 1;
}

function checkArgs(bits: number, count: number, what: string): void {
  check(Number.isInteger(bits) && bits >= 1 && bits <= 64, () => `${what}: bits must be an integer in [1, 64], got ${bits}`);
  check(Number.isInteger(count) && count >= 0, () => `${what}: count must be a non-negative integer, got ${count}`);
}

/** Root seeds from stream words (two per element), low bits cleared: a fresh copy as 32-bit words. */
function rootSeeds(seeds: BigUint64Array, count: number, what: string): Uint32Array {
  check(seeds.length === 2 * count, () => `${what}: expected ${2 * count} seed words for ${count} comparisons, got ${seeds.length}`);
  const s = new Uint32Array(4 * count);
  s.set(new Uint32Array(seeds.buffer, seeds.byteOffset, 4 * count));
  for (let j = 0; j < count; j++) s[4 * j] &= ~3;
  return s;
}

/**
 * Both halves of G(s) for each seed: 8 words per seed, the left half then the
 * right half, each with t in bit 0 and v in bit 1 of its first word.
 */
function expandBoth(s: Uint32Array, count: number): Uint32Array {
  const input = new Uint32Array(8 * count);
  for (let j = 0; j < count; j++) {
    for (let w = 0; w < 4; w++) {
      input[8 * j + w] = s[4 * j + w];
      input[8 * j + 4 + w] = s[4 * j + w];
    }
    input[8 * j + 4] |= 1;
  }
  return mmo(input);
}

/** E(x) ^ x for each block of `input` (fresh output, 32-bit words). */
function mmo(input: Uint32Array): Uint32Array {
  const e = aes()(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  const out = e.byteOffset % 4 === 0 ? new Uint32Array(e.buffer, e.byteOffset, input.length) : new Uint32Array(Uint8Array.from(e).buffer);
  for (let k = 0; k < input.length; k++) out[k] ^= input[k];
  return out;
}

/**
 * The dealer's half of a DCF batch: correction words for [x < alpha_j], each
 * alpha_j the low `bits` bits of `alpha[j]`, with root seeds taken from
 * `seed0` and `seed1` (two stream words per comparison; their low two bits
 * are ignored).
 */
export function dcfGen(bits: number, alpha: BigUint64Array, seed0: BigUint64Array, seed1: BigUint64Array): DcfCorrections {
  const count = alpha.length;
  checkArgs(bits, count, 'dcfGen');
  const a32 = new Uint32Array(alpha.buffer, alpha.byteOffset, 2 * count);
  const s0 = rootSeeds(seed0, count, 'dcfGen');
  const s1 = rootSeeds(seed1, count, 'dcfGen');
  const t0 = new Uint8Array(count);
  const t1 = new Uint8Array(count).fill(1);
  const vAlpha = new Uint8Array(count);
  const cw = new BigUint64Array(2 * bits * count);
  const cw32 = new Uint32Array(cw.buffer);
  const pw = packedWords(count);
  const vcw = new BigUint64Array((bits + 1) * pw);
  const v32 = new Uint32Array(vcw.buffer);
  for (let level = 0; level < bits; level++) {
    const e0 = expandBoth(s0, count);
    const e1 = expandBoth(s1, count);
    const row = level * 4 * count;
    const k = bits - 1 - level;
    for (let j = 0; j < count; j++) {
      const a = bitOf(a32, j, k);
      // Keep is the half on alpha's path, Lose the other (offsets into each expansion).
      const keep = 8 * j + 4 * a;
      const lose = 8 * j + 4 * (1 - a);
      const l0 = e0[lose];
      const l1 = e1[lose];
      // Seed correction: the Lose halves' seeds, XORed (low bits cleared).
      const c = row + 4 * j;
      const sc0 = (l0 ^ l1) & ~3;
      const sc1 = e0[lose + 1] ^ e1[lose + 1];
      const sc2 = e0[lose + 2] ^ e1[lose + 2];
      const sc3 = e0[lose + 3] ^ e1[lose + 3];
      // Output correction: leaving the path to the left (a = 1) means x < alpha.
      const vcwBit = ((l0 >>> 1) ^ (l1 >>> 1) ^ vAlpha[j] ^ a) & 1;
      const k0 = e0[keep];
      const k1 = e1[keep];
      vAlpha[j] ^= ((k0 >>> 1) ^ (k1 >>> 1) ^ vcwBit) & 1;
      // Control-bit corrections: left is e0.tL ^ e1.tL ^ a ^ 1, right e0.tR ^ e1.tR ^ a.
      const tl = (e0[8 * j] ^ e1[8 * j] ^ a ^ 1) & 1;
      const tr = (e0[8 * j + 4] ^ e1[8 * j + 4] ^ a) & 1;
      cw32[c] = sc0 | tl | (tr << 1);
      cw32[c + 1] = sc1;
      cw32[c + 2] = sc2;
      cw32[c + 3] = sc3;
      if (vcwBit === 1) v32[level * 2 * pw + (j >>> 5)] |= 1 << (j & 31);
      const tKeep = a === 0 ? tl : tr;
      // Each key's next seed: its Keep half, corrected where its control bit is set.
      const m0 = -t0[j];
      s0[4 * j] = (k0 & ~3) ^ (sc0 & m0);
      s0[4 * j + 1] = e0[keep + 1] ^ (sc1 & m0);
      s0[4 * j + 2] = e0[keep + 2] ^ (sc2 & m0);
      s0[4 * j + 3] = e0[keep + 3] ^ (sc3 & m0);
      t0[j] = (k0 & 1) ^ (t0[j] & tKeep);
      const m1 = -t1[j];
      s1[4 * j] = (k1 & ~3) ^ (sc0 & m1);
      s1[4 * j + 1] = e1[keep + 1] ^ (sc1 & m1);
      s1[4 * j + 2] = e1[keep + 2] ^ (sc2 & m1);
      s1[4 * j + 3] = e1[keep + 3] ^ (sc3 & m1);
      t1[j] = (k1 & 1) ^ (t1[j] & tKeep);
    }
  }
  // Leaf: bit 2 of each last seed is its output; the correction makes the two paths' sums agree off alpha's path.
  for (let j = 0; j < count; j++) {
    const leaf = ((s0[4 * j] >>> 2) ^ (s1[4 * j] >>> 2) ^ vAlpha[j]) & 1;
    if (leaf === 1) v32[bits * 2 * pw + (j >>> 5)] |= 1 << (j & 31);
  }
  return { cw, vcw };
}

/**
 * Server `party`'s share of [x_j < alpha_j] for the low `bits` bits of each
 * public x_j: one byte (0 or 1) per comparison. `seed` is the party's stream
 * words the dealer used as its root seeds.
 */
export function dcfEval(party: 0 | 1, bits: number, seed: BigUint64Array, corrections: DcfCorrections, x: BigUint64Array): Uint8Array {
  const count = x.length;
  checkArgs(bits, count, 'dcfEval');
  const pw = packedWords(count);
  check(corrections.cw.length === 2 * bits * count, () => `dcfEval: expected ${2 * bits * count} seed-correction words, got ${corrections.cw.length}`);
  check(corrections.vcw.length === (bits + 1) * pw, () => `dcfEval: expected ${(bits + 1) * pw} output-correction words, got ${corrections.vcw.length}`);
  const x32 = new Uint32Array(x.buffer, x.byteOffset, 2 * count);
  const cw32 = new Uint32Array(corrections.cw.buffer, corrections.cw.byteOffset, 4 * bits * count);
  const v32 = new Uint32Array(corrections.vcw.buffer, corrections.vcw.byteOffset, 2 * (bits + 1) * pw);
  const s = rootSeeds(seed, count, 'dcfEval');
  const t = new Uint8Array(count).fill(party);
  const out = new Uint8Array(count);
  const input = new Uint32Array(4 * count);
  for (let level = 0; level < bits; level++) {
    // Only the half on x's path: the block s ^ x_bit.
    for (let j = 0; j < count; j++) {
      input[4 * j] = s[4 * j] | bitOf(x32, j, bits - 1 - level);
      input[4 * j + 1] = s[4 * j + 1];
      input[4 * j + 2] = s[4 * j + 2];
      input[4 * j + 3] = s[4 * j + 3];
    }
    const e = mmo(input);
    const row = level * 4 * count;
    for (let j = 0; j < count; j++) {
      const xb = input[4 * j] & 1;
      const c = row + 4 * j;
      // Corrections apply where the control bit is set: m is all ones there, else 0.
      const tj = t[j];
      const m = -tj;
      const first = e[4 * j];
      const vcwBit = (v32[level * 2 * pw + (j >>> 5)] >>> (j & 31)) & 1;
      out[j] ^= ((first >>> 1) ^ (tj & vcwBit)) & 1;
      const c0 = cw32[c];
      t[j] = (first ^ (m & (c0 >>> xb))) & 1;
      s[4 * j] = (first & ~3) ^ (c0 & ~3 & m);
      s[4 * j + 1] = e[4 * j + 1] ^ (cw32[c + 1] & m);
      s[4 * j + 2] = e[4 * j + 2] ^ (cw32[c + 2] & m);
      s[4 * j + 3] = e[4 * j + 3] ^ (cw32[c + 3] & m);
    }
  }
  for (let j = 0; j < count; j++) {
    const leaf = (v32[bits * 2 * pw + (j >>> 5)] >>> (j & 31)) & 1;
    out[j] ^= ((s[4 * j] >>> 2) ^ (t[j] & leaf)) & 1;
  }
  return out;
}
