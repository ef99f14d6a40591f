/** Randomness: the OS CSPRNG for fresh values and seeded AES-CTR streams, on node:crypto or WebCrypto. */
export { SEED_BYTES, CHUNK_BYTES, type BlockCipher, type CryptoBackend, type CryptoBackendName, type Keystream } from './backend.js';
export { randomWords, randomSeed, osRandom, seededRandom, type RandomSource } from './random.js';
export { Prg } from './prg.js';
export { PublicRandom } from './public-random.js';
export { defaultCryptoBackend, builtinNodeCrypto } from './default-backend.js';
export { nodeCryptoBackend, NODE_CHUNK_BYTES, SMALL_WORDS, type NodeCryptoModule } from './node-backend.js';
export { webCryptoBackend } from './webcrypto-backend.js';
export { sha256 } from './sha256.js';
export { dcfGen, dcfEval, dcfUnsupported, packedWords, type DcfCorrections } from './dcf.js';
