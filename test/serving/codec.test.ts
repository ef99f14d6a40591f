import test from 'ava';
import { FixedPointRangeError } from '../../src/errors.js';
import * as ring from '../../src/ring/index.js';
import { randomWords } from '../../src/crypto/index.js';
import { addWords, decodeWords, encodeValues, subWords } from '../../src/serving/codec.js';
import { base64ToWords, wordsToBase64 } from '../../src/serving/wire.js';
import { TestRng } from '../helpers/random.js';

const rng = new TestRng(12);

test("the client's encoding is the ring's, bit for bit: halves, ties, negatives, large magnitudes", (t) => {
  const special = [0, -0, 0.5 / 2 ** 16, 1.5 / 2 ** 16, -0.5 / 2 ** 16, -1.5 / 2 ** 16, -2.5 / 2 ** 16, 1, -1, 2 ** 30, -(2 ** 30), 2 ** 36 + 0.25, -(2 ** 37) - 0.75, 2 ** 46.9, -(2 ** 46.9), 123.456, -0.001];
  const values = [...special, ...rng.floats(2000, -1000, 1000), ...rng.floats(200, -1e12, 1e12)];
  for (const f of [16, 0, 20]) {
    const inRange = values.filter((v) => Math.abs(v) < 2 ** (63 - f));
    const mine = encodeValues(inRange, f, 'test');
    const theirs = ring.encode(inRange, [inRange.length], f).data;
    t.deepEqual([...mine], [...theirs], `fracBits ${f}`);
    t.deepEqual([...decodeWords(mine, f)], [...Float32Array.from(ring.decode(new ring.RingTensor([mine.length], mine), f))]);
  }
});

test('shares add up mod 2^64 across carries and borrows, and bad values are refused by index', (t) => {
  const a = randomWords(4096);
  const b = randomWords(4096);
  b.set([0n, (1n << 64n) - 1n, 1n << 32n, (1n << 32n) - 1n], 0);
  a.set([1n, 1n, (1n << 32n) - 1n, 1n << 32n], 0);
  const mask = (1n << 64n) - 1n;
  t.deepEqual([...subWords(a, b)], [...a].map((x, i) => (x - b[i]) & mask));
  t.deepEqual([...addWords(a, b)], [...a].map((x, i) => (x + b[i]) & mask));
  t.deepEqual([...addWords(subWords(a, b), b)], [...a]);
  t.throws(() => encodeValues([0, 1, NaN], 16, 'predict'), { instanceOf: FixedPointRangeError, message: 'predict: element 2 is NaN; fixed-point values must satisfy |x| < 2^47 with 16 fractional bits' });
  t.throws(() => encodeValues([2 ** 47], 16, 'predict'), { instanceOf: FixedPointRangeError, message: /element 0 is out of range/ });
  t.throws(() => encodeValues([-Infinity], 16, 'predict'), { instanceOf: FixedPointRangeError, message: /element 0 is infinite/ });
});

test('shares travel as base64 of u64 words: every length round-trips; a wrong length or any character outside the standard alphabet is refused', (t) => {
  for (const n of [1, 2, 3, 4, 10, 784]) {
    const words = randomWords(n);
    const text = wordsToBase64(words);
    t.deepEqual([...(base64ToWords(text, n) as BigUint64Array)], [...words], `${n} words`);
    t.is(base64ToWords(text, n + 1), undefined);
    t.is(base64ToWords(text.slice(0, -4), n), undefined);
    const at = Math.floor(text.length / 2);
    const bad = ['!', '-', '_', ' ', '\n', '=', '\u00e9', '#'].map((c) => text.slice(0, at) + c + text.slice(at + 1));
    // Padding replaced by a letter is the base64 of more bytes than the shape holds.
    if (text.endsWith('=')) bad.push(text.slice(0, -1) + 'A');
    for (const b of bad) t.is(base64ToWords(b, n), undefined, `${n} words with ${JSON.stringify(b.slice(at, at + 1))}`);
  }
});
