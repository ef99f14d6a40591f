/**
 * The seam between the library and the platform's cryptography. Two
 * implementations give the same bytes: `node:crypto` (the default in Node,
 * synchronous and fastest there) and WebCrypto (browsers and any runtime with
 * `crypto.subtle`). See `default-backend.ts` for which one runs.
 */

/** Size in bytes of a PRG seed (an AES-128 key). */
export const SEED_BYTES = 16;

/**
 * Largest piece of keystream produced by one WebCrypto call: bounds the
 * temporary memory of a long stream (an all-zero input of this size) without
 * costing a measurable number of calls. node:crypto uses smaller pieces
 * (`NODE_CHUNK_BYTES`, node-backend.ts).
 */
export const CHUNK_BYTES = 1 << 24;

/** Which implementation a {@link CryptoBackend} is. */
export type CryptoBackendName = 'node:crypto' | 'webcrypto';

/**
 * AES-128 keystreams of one key: stream `s` is AES-128-CTR with the 128-bit
 * big-endian counter block (s || block index), i.e. IV = s || 0^64 with the
 * whole block as the counter. Streams never overlap while each is shorter
 * than 2^64 blocks.
 */
export interface Keystream {
  /** The first `n` 64-bit words (little-endian) of stream `stream`; 0 <= stream < 2^64, n >= 1. */
  words(stream: bigint, n: number): Promise<BigUint64Array>;
}

/** A cryptographically secure random source and AES-128 keystreams. */
export interface CryptoBackend {
  readonly name: CryptoBackendName;
  /** Fills `bytes` from the operating system's CSPRNG. */
  fillRandom(bytes: Uint8Array<ArrayBuffer>): void;
  /** The keystreams of a 16-byte key (the caller keeps the key unchanged). */
  keystream(key: Uint8Array): Keystream;
  /**
   * AES-128 of independent 16-byte blocks under one fixed key (ECB), into a
   * fresh buffer: the fixed-key PRG of function secret sharing (dcf.ts).
   * Synchronous, so node:crypto only; WebCrypto has no single-block AES.
   */
  readonly blockCipher?: (key: Uint8Array) => BlockCipher;
}

/** Encrypts whole 16-byte blocks independently; the input length is a multiple of 16. */
export type BlockCipher = (blocks: Uint8Array) => Uint8Array;

/** The 16-byte counter block (stream || block), big-endian. */
export function counterBlock(stream: bigint, block: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(16);
  const view = new DataView(iv.buffer);
  view.setBigUint64(0, stream, false);
  view.setUint32(8, Math.floor(block / 2 ** 32), false);
  view.setUint32(12, block >>> 0, false);
  return iv;
}
