/**
 * Fresh randomness. By default from the operating system's CSPRNG
 * (node:crypto); shares, masks and seeds come from here or from a
 * {@link Prg} keyed by it. A {@link RandomSource} can be swapped for a seeded
 * one to make a run reproducible (tests comparing one process with several);
 * a seeded source is not secure.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { Prg } from './prg.js';

/** Size in bytes of a PRG seed (an AES-128 key). */
export const SEED_BYTES = 16;

/** `n` uniformly random 64-bit words. */
export function randomWords(n: number): BigUint64Array {
  const out = new BigUint64Array(n);
  if (n > 0) randomFillSync(out);
  return out;
}

/** A fresh uniformly random seed. */
export function randomSeed(): Uint8Array {
  return randomFillSync(new Uint8Array(SEED_BYTES));
}

/** Where a player draws fresh seeds. */
export interface RandomSource {
  seed(): Uint8Array;
}

/** The OS CSPRNG (the default). */
export const osRandom: RandomSource = { seed: randomSeed };

/**
 * A reproducible source: the i-th seed drawn is a PRG stream of a key derived
 * from (`seed`, `label`). Give each player its own label so that its draws do
 * not depend on how players interleave in a process. Not secure: for tests.
 */
export function seededRandom(seed: string, label: string): RandomSource {
  const key = createHash('sha256').update(`tfjs-encrypted/seeded/${seed}/${label}`).digest().subarray(0, SEED_BYTES);
  const prg = new Prg(key);
  let counter = 0n;
  return {
    seed(): Uint8Array {
      const words = prg.words(counter, 2);
      counter += 1n;
      return new Uint8Array(words.buffer, words.byteOffset, SEED_BYTES);
    },
  };
}
