/** Randomness: the OS CSPRNG for fresh values and seeded AES-CTR streams. */
export { SEED_BYTES, randomWords, randomSeed } from './random.js';
export { Prg } from './prg.js';
