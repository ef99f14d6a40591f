/**
 * Fresh randomness. By default from the operating system's CSPRNG (through
 * the runtime's {@link CryptoBackend}); shares, masks and seeds come from here
 * or from a {@link Prg} keyed by it. A {@link RandomSource} can be swapped for
 * a seeded one to make a run reproducible (tests comparing one process with
 * several, or a browser with Node); a seeded source is not secure.
 */
import { SEED_BYTES } from './backend.js';
import { defaultCryptoBackend } from './default-backend.js';
import { sha256 } from './sha256.js';

/** `n` uniformly random 64-bit words. */
export function randomWords(n: number): BigUint64Array {
  const out = new BigUint64Array(n);
  if (n > 0) defaultCryptoBackend().fillRandom(new Uint8Array(out.buffer));
  return out;
}

/** A fresh uniformly random seed. */
export function randomSeed(): Uint8Array {
  const seed = new Uint8Array(SEED_BYTES);
  defaultCryptoBackend().fillRandom(seed);
  return seed;
}

/** Where a player draws fresh seeds. */
export interface RandomSource {
  seed(): Uint8Array;
}

/** The OS CSPRNG (the default). */
export const osRandom: RandomSource = { seed: randomSeed };

/**
 * A reproducible source: the i-th seed drawn is the first 16 bytes of
 * SHA-256 of the JSON text ["tfjs-encrypted/seeded", seed, label, i]. Give
 * each player its own label so that its draws do not depend on how players
 * interleave in a process. The seeds do not depend on the crypto backend, so
 * a seeded run in a browser equals one in Node. Not secure: for tests.
 */
export function seededRandom(seed: string, label: string): RandomSource {
  const encoder = new TextEncoder();
  let counter = 0;
  return {
    seed(): Uint8Array {
      const digest = sha256(encoder.encode(JSON.stringify(['tfjs-encrypted/seeded', seed, label, counter])));
      counter += 1;
      return digest.slice(0, SEED_BYTES);
    },
  };
}
