/** Randomness: the OS CSPRNG for fresh values and seeded AES-CTR streams. */
export { SEED_BYTES, randomWords, randomSeed, osRandom, seededRandom, type RandomSource } from './random.js';
export { Prg } from './prg.js';
export { PublicRandom } from './public-random.js';
