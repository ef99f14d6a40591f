/**
 * Fresh randomness from the operating system's CSPRNG (node:crypto). Shares,
 * masks and seeds come from here or from a {@link Prg} keyed by it.
 */
import { randomFillSync } from 'node:crypto';

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
