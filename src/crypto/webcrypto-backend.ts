/**
 * The WebCrypto implementation of {@link CryptoBackend}, for browsers and any
 * runtime with `crypto.getRandomValues` and `crypto.subtle`. AES-CTR with a
 * 128-bit counter length increments the whole counter block, exactly as
 * node's aes-128-ctr, so both backends give the same streams. WebCrypto is
 * asynchronous only, hence the asynchronous {@link Keystream}.
 */
import { ConfigError } from '../errors.js';
import { CHUNK_BYTES, counterBlock, type CryptoBackend, type Keystream } from './backend.js';

/** getRandomValues fills at most this many bytes per call (the Web Crypto API's quota). */
const RANDOM_QUOTA_BYTES = 65536;

/** `crypto`, if it offers what is needed; a ConfigError saying what is missing otherwise. */
function usable(crypto: Crypto | undefined, needSubtle: boolean): Crypto {
  if (crypto === undefined) throw new ConfigError('randomness: this runtime has neither node:crypto nor WebCrypto (globalThis.crypto)');
  if (needSubtle && crypto.subtle === undefined) {
    throw new ConfigError('randomness: WebCrypto has no crypto.subtle here (browsers offer it only in secure contexts: https or localhost)');
  }
  return crypto;
}

class WebKeystream implements Keystream {
  /** The imported key, once the first stream asks for it. */
  private key: Promise<CryptoKey> | undefined;

  constructor(
    private readonly subtle: SubtleCrypto,
    private readonly raw: Uint8Array,
  ) {}

  async words(stream: bigint, n: number): Promise<BigUint64Array> {
    this.key ??= this.subtle.importKey('raw', Uint8Array.from(this.raw), { name: 'AES-CTR' }, false, ['encrypt']);
    const key = await this.key;
    const out = new BigUint64Array(n);
    const bytes = new Uint8Array(out.buffer);
    const zeros = new Uint8Array(Math.min(bytes.length, CHUNK_BYTES));
    // Chunks start on block boundaries (CHUNK_BYTES is a multiple of 16), so
    // each one's counter is the stream's block index at its offset.
    for (let off = 0; off < bytes.length; off += CHUNK_BYTES) {
      const len = Math.min(CHUNK_BYTES, bytes.length - off);
      const params = { name: 'AES-CTR', counter: counterBlock(stream, off / 16), length: 128 };
      bytes.set(new Uint8Array(await this.subtle.encrypt(params, key, zeros.subarray(0, len))), off);
    }
    return out;
  }
}

/** The backend over a WebCrypto object (default: `globalThis.crypto`). */
export function webCryptoBackend(crypto: Crypto | undefined = globalThis.crypto): CryptoBackend {
  return {
    name: 'webcrypto',
    fillRandom: (bytes) => {
      const c = usable(crypto, false);
      for (let off = 0; off < bytes.length; off += RANDOM_QUOTA_BYTES) {
        c.getRandomValues(bytes.subarray(off, Math.min(off + RANDOM_QUOTA_BYTES, bytes.length)));
      }
    },
    keystream: (key) => new WebKeystream(usable(crypto, true).subtle, key),
  };
}
