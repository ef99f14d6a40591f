/**
 * The seeded PRG is AES-128-CTR with counter block (stream || index): both of
 * its code paths (counter blocks through one kept ECB cipher for short
 * streams, a CTR cipher per stream for long ones) give that keystream.
 */
import test from 'ava';
import { createCipheriv } from 'node:crypto';
import { Prg, seededRandom } from '../../src/crypto/index.js';

const seed = Uint8Array.from({ length: 16 }, (_, i) => (i * 29 + 7) & 255);

/** The reference: node's AES-128-CTR on zeros, IV = stream || 0. */
function ctr(stream: bigint, n: number): BigUint64Array {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(stream, 0);
  const ks = createCipheriv('aes-128-ctr', seed, iv).update(Buffer.alloc(8 * n));
  return new BigUint64Array(Uint8Array.from(ks).buffer);
}

test('words(stream, n) is AES-128-CTR keyed by the seed with counter (stream || index), short or long', (t) => {
  const prg = new Prg(seed);
  for (const stream of [0n, 1n, 0x1234_5678_9abcn, (1n << 32n) + 5n, (1n << 64n) - 1n]) {
    for (const n of [1, 2, 3, 127, 8191, 8192, 8193, 20_000]) {
      const got = prg.words(stream, n);
      t.is(got.length, n);
      t.deepEqual(Array.from(got, String), Array.from(ctr(stream, n), String), `stream ${stream}, ${n} words`);
    }
  }
  t.is(prg.words(3n, 0).length, 0);
  // Streams are independent and a call does not disturb the next.
  t.notDeepEqual(Array.from(prg.words(1n, 4)), Array.from(prg.words(2n, 4)));
  t.deepEqual(Array.from(prg.words(1n, 4)), Array.from(prg.words(1n, 4)));
});

test('bad seeds and stream ids are rejected', (t) => {
  t.throws(() => new Prg(new Uint8Array(15)), { message: /a seed has 16 bytes, got 15/ });
  const prg = new Prg(seed);
  t.throws(() => prg.words(-1n, 4), { message: /stream id must be in \[0, 2\^64\)/ });
  t.throws(() => prg.words(1n << 64n, 4), { message: /stream id must be in \[0, 2\^64\)/ });
});

test('seededRandom draws distinct 16-byte seeds, reproducibly per (seed, label)', (t) => {
  const a = seededRandom('s', 'p');
  const b = seededRandom('s', 'p');
  const draws = Array.from({ length: 50 }, () => a.seed());
  t.true(draws.every((d) => d.byteLength === 16));
  t.deepEqual(draws.map((d) => Buffer.from(d).toString('hex')), Array.from({ length: 50 }, () => Buffer.from(b.seed()).toString('hex')));
  t.is(new Set(draws.map((d) => Buffer.from(d).toString('hex'))).size, 50);
  t.not(Buffer.from(seededRandom('s', 'q').seed()).toString('hex'), Buffer.from(draws[0]).toString('hex'));
});
