/**
 * The seeded PRG is AES-128-CTR with counter block (stream || index). Both
 * backends give that keystream on every code path: node:crypto's counter
 * blocks through one kept ECB cipher for short streams and a CTR cipher per
 * stream for long ones, WebCrypto's AES-CTR with a 128-bit counter; long
 * streams are cut into chunks (NODE_CHUNK_BYTES on node:crypto, CHUNK_BYTES
 * on WebCrypto).
 */
import test from 'ava';
import { createCipheriv, webcrypto } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { builtinNodeCrypto, CHUNK_BYTES, defaultCryptoBackend, NODE_CHUNK_BYTES, nodeCryptoBackend, Prg, SMALL_WORDS, webCryptoBackend, type CryptoBackend } from '../../src/crypto/index.js';
import { TestRng } from '../helpers/random.js';

const seed = Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + 7) & 255);
const node = nodeCryptoBackend(nodeCrypto);
const web = webCryptoBackend(webcrypto as Crypto);
const BACKENDS: ReadonlyArray<[string, CryptoBackend, number]> = [
  ['node:crypto', node, NODE_CHUNK_BYTES],
  ['webcrypto', web, CHUNK_BYTES],
];

/** The reference: node's AES-128-CTR on zeros, IV = stream || 0, as raw bytes. */
function ctr(stream: bigint, n: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(stream, 0);
  return createCipheriv('aes-128-ctr', seed, iv).update(Buffer.alloc(8 * n));
}

const bytesOf = (w: BigUint64Array): Buffer => Buffer.from(w.buffer, w.byteOffset, w.byteLength);

const STREAMS = [0n, 1n, 0x1234_5678_9abcn, (1n << 32n) + 5n, (1n << 64n) - 1n];

for (const [name, backend, chunkBytes] of BACKENDS) {
  test(`${name}: words(stream, n) is AES-128-CTR with counter (stream || index), short and long streams`, async (t) => {
    const prg = new Prg(seed, backend);
    for (const stream of STREAMS) {
      for (const n of [1, 2, 3, 127, SMALL_WORDS - 1, SMALL_WORDS, SMALL_WORDS + 1, 20_000]) {
        const got = await prg.words(stream, n);
        t.is(got.length, n);
        t.true(bytesOf(got).equals(ctr(stream, n)), `stream ${stream}, ${n} words`);
      }
    }
    t.is((await prg.words(3n, 0)).length, 0);
    // Streams are independent and a call does not disturb the next.
    t.notDeepEqual(Array.from(await prg.words(1n, 4)), Array.from(await prg.words(2n, 4)));
    t.deepEqual(Array.from(await prg.words(1n, 4)), Array.from(await prg.words(1n, 4)));
  });

  test(`${name}: streams longer than one chunk (${chunkBytes} bytes) continue the counter across chunks`, async (t) => {
    const prg = new Prg(seed, backend);
    const chunkWords = chunkBytes / 8;
    for (const [stream, n] of [
      [7n, chunkWords - 1],
      [7n, chunkWords],
      [(1n << 64n) - 1n, chunkWords + 1],
      [0x42n, 2 * chunkWords + 3],
    ] as const) {
      t.true(bytesOf(await prg.words(stream, n)).equals(ctr(stream, n)), `stream ${stream}, ${n} words`);
    }
  });
}

test('node:crypto and WebCrypto give identical words for 300 random (stream, n) pairs', async (t) => {
  const rng = new TestRng(10);
  const a = new Prg(seed, node);
  const b = new Prg(seed, web);
  for (let i = 0; i < 300; i++) {
    const stream = rng.u64();
    // Mostly short streams (the ECB fast path), some past SMALL_WORDS (the CTR path).
    const n = 1 + rng.int(i % 10 === 0 ? 4 * SMALL_WORDS : 300);
    t.true(bytesOf(await a.words(stream, n)).equals(bytesOf(await b.words(stream, n))), `stream ${stream}, ${n} words`);
  }
});

test('in Node the default backend is node:crypto', (t) => {
  t.is(defaultCryptoBackend().name, 'node:crypto');
});

test.serial('node:crypto is found only through process.getBuiltinModule; without it (browsers) or if it throws, WebCrypto runs', (t) => {
  const proc = process as { getBuiltinModule?: (id: string) => unknown };
  const original = proc.getBuiltinModule;
  try {
    t.is(builtinNodeCrypto()?.createCipheriv, nodeCrypto.createCipheriv);
    proc.getBuiltinModule = undefined;
    t.is(builtinNodeCrypto(), undefined);
    proc.getBuiltinModule = () => {
      throw new Error('access denied');
    };
    t.is(builtinNodeCrypto(), undefined);
  } finally {
    proc.getBuiltinModule = original;
  }
});

test('bad seeds, stream ids and word counts are rejected', async (t) => {
  t.throws(() => new Prg(new Uint8Array(15)), { message: /a seed has 16 bytes, got 15/ });
  for (const [, backend] of BACKENDS) {
    const prg = new Prg(seed, backend);
    await t.throwsAsync(prg.words(-1n, 4), { message: /stream id must be in \[0, 2\^64\)/ });
    await t.throwsAsync(prg.words(1n << 64n, 4), { message: /stream id must be in \[0, 2\^64\)/ });
    await t.throwsAsync(prg.words(1n, 1.5), { message: /a word count is a non-negative integer, got 1.5/ });
  }
});

test('the CSPRNG fills any length on both backends (WebCrypto in pieces of its 65,536-byte quota)', (t) => {
  for (const [name, backend] of BACKENDS) {
    const bytes = new Uint8Array(200_000);
    backend.fillRandom(bytes);
    // 50,000 bytes in each quarter: all zero with probability 2^-400000.
    for (let q = 0; q < 4; q++) t.true(bytes.subarray(q * 50_000, (q + 1) * 50_000).some((x) => x !== 0), `${name}, quarter ${q}`);
  }
});

test('without crypto.subtle (an insecure browser context), WebCrypto keystreams are a ConfigError saying why', (t) => {
  const noSubtle = { getRandomValues: webcrypto.getRandomValues.bind(webcrypto) } as unknown as Crypto;
  t.throws(() => new Prg(seed, webCryptoBackend(noSubtle)), { code: 'config', message: /no crypto\.subtle.*secure contexts/ });
});
