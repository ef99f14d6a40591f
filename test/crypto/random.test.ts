/**
 * Fresh and seeded randomness. seededRandom must give the same seeds on every
 * platform: it is SHA-256 (in plain JavaScript) of a JSON label, checked here
 * against node:crypto's SHA-256 and pinned by a known answer.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { randomSeed, randomWords, seededRandom, sha256 } from '../../src/crypto/index.js';
import { TestRng } from '../helpers/random.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('sha256 equals node:crypto on messages of every padding case (0 to 300 bytes) and a long one', (t) => {
  const rng = new TestRng(3);
  const lengths = [...Array.from({ length: 301 }, (_, i) => i), 100_000];
  for (const n of lengths) {
    const msg = Uint8Array.from({ length: n }, () => rng.int(256));
    t.is(hex(sha256(msg)), createHash('sha256').update(msg).digest('hex'), `${n} bytes`);
  }
  // FIPS 180-4's example "abc".
  t.is(hex(sha256(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('seededRandom: the i-th seed is SHA-256 of ["tfjs-encrypted/seeded", seed, label, i], 16 bytes', (t) => {
  const source = seededRandom('s', 'server0');
  for (let i = 0; i < 20; i++) {
    const want = createHash('sha256').update(JSON.stringify(['tfjs-encrypted/seeded', 's', 'server0', i])).digest().subarray(0, 16);
    t.is(hex(source.seed()), hex(want), `draw ${i}`);
  }
  // Pinned, so that a change of derivation (which would break browser/Node agreement of saved runs) is seen.
  t.is(hex(seededRandom('browser', 'crypto-producer').seed()), createHash('sha256').update('["tfjs-encrypted/seeded","browser","crypto-producer",0]').digest('hex').slice(0, 32));
});

test('seededRandom draws distinct seeds, reproducibly per (seed, label); labels and seeds do not collide', (t) => {
  const a = seededRandom('s', 'p');
  const b = seededRandom('s', 'p');
  const draws = Array.from({ length: 50 }, () => hex(a.seed()));
  t.deepEqual(draws, Array.from({ length: 50 }, () => hex(b.seed())));
  t.is(new Set(draws).size, 50);
  // "s/p" split two ways must not give the same source.
  t.not(hex(seededRandom('s/p', 'q').seed()), hex(seededRandom('s', 'p/q').seed()));
  t.not(hex(seededRandom('s', 'q').seed()), draws[0]);
});

test('randomSeed and randomWords come from the CSPRNG: right sizes, distinct draws', (t) => {
  const seeds = Array.from({ length: 100 }, () => hex(randomSeed()));
  t.true(seeds.every((s) => s.length === 32));
  t.is(new Set(seeds).size, 100);
  const w = randomWords(10_000);
  t.is(w.length, 10_000);
  t.is(new Set(w).size, 10_000);
  t.is(randomWords(0).length, 0);
});
