import test from 'ava';
import { decodeFrame, encodeFrame, frameByteLength } from '../../src/network/index.js';
import { ProtocolError } from '../../src/errors.js';

const asStrings = (d: BigUint64Array | Uint8Array): string[] => (d instanceof BigUint64Array ? Array.from(d, String) : Array.from(d, String));
const words = (n: number): BigUint64Array => BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n & ((1n << 64n) - 1n));

test('frames round-trip tensors of several dtypes and shapes', (t) => {
  const payload = [
    { shape: [2, 3], data: words(6) },
    { shape: [16], data: Uint8Array.from({ length: 16 }, (_, i) => i) },
    { shape: [], data: words(1) },
    { shape: [0, 4], data: words(0) },
    { shape: [3], data: Uint8Array.of(1, 2, 3) },
  ];
  const key = { op: 2 ** 40 + 7, step: 3 };
  const buf = encodeFrame(key, payload);
  t.is(buf.byteLength, frameByteLength(payload));
  const f = decodeFrame(buf);
  t.deepEqual(f.key, key);
  t.is(f.payload.length, payload.length);
  f.payload.forEach((p, i) => {
    t.deepEqual([...p.shape], payload[i].shape);
    t.deepEqual(asStrings(p.data), asStrings(payload[i].data));
    t.is(p.data.constructor, payload[i].data.constructor);
  });
  // decoding at an unaligned offset still yields aligned word arrays
  const shifted = new Uint8Array(buf.byteLength + 3);
  shifted.set(buf, 3);
  t.deepEqual(asStrings(decodeFrame(shifted.subarray(3)).payload[0].data), asStrings(payload[0].data));
});

test('malformed frames are rejected with a ProtocolError naming the problem', (t) => {
  const good = encodeFrame({ op: 1, step: 0 }, [{ shape: [2, 2], data: words(4) }]);
  const mutate = (f: (dv: DataView, b: Uint8Array) => void): Uint8Array => {
    const b = good.slice();
    f(new DataView(b.buffer), b);
    return b;
  };
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['garbage', Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 255), /bad magic number/],
    ['short', good.subarray(0, 10), /shorter than the 24-byte fixed header/],
    ['byte length vs shape', mutate((dv) => dv.setUint32(28, 24, true)), /declares 24 bytes but shape \[2,2\] of u64 needs 32/],
    ['dtype', mutate((dv) => dv.setUint8(24, 9)), /unknown dtype code 9/],
    ['truncated data', good.subarray(0, good.byteLength - 8), /runs past the end of the frame/],
    ['trailing bytes', Uint8Array.from([...good, 0, 0, 0, 0, 0, 0, 0, 0]), /8 trailing bytes/],
    ['shape too big', mutate((dv) => dv.setUint32(32, 3, true)), /needs 48/],
    ['rank', mutate((dv) => dv.setUint8(25, 200)), /rank 200/],
  ];
  for (const [what, buf, re] of cases) {
    const e = t.throws(() => decodeFrame(buf), { instanceOf: ProtocolError }, what);
    t.regex(e!.message, re, what);
  }
  t.throws(() => decodeFrame(good, 16), { message: /larger than the 16-byte limit/ });
});

test('a frame split anywhere into byte ranges decodes as the whole buffer does', (t) => {
  const payload = [
    { shape: [7], data: words(7) },
    { shape: [3], data: Uint8Array.of(9, 8, 7) },
    { shape: [0], data: words(0) },
    { shape: [2, 2], data: words(4) },
  ];
  const key = { op: 77, step: 5 };
  const buf = encodeFrame(key, payload);
  const want = decodeFrame(buf);
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let trial = 0; trial < 300; trial++) {
    // Random cut points (repeats give empty ranges), each range in its own fresh buffer at a random offset.
    const cuts = Array.from({ length: next(6) }, () => next(buf.byteLength + 1)).sort((a, b) => a - b);
    const bounds = [0, ...cuts, buf.byteLength];
    const parts = bounds.slice(1).map((end, i) => {
      const shift = next(8);
      const copy = new Uint8Array(end - bounds[i] + shift);
      copy.set(buf.subarray(bounds[i], end), shift);
      return copy.subarray(shift);
    });
    for (const view of [false, true]) {
      const got = decodeFrame(parts, Number.MAX_SAFE_INTEGER, view);
      t.deepEqual(got.key, want.key);
      got.payload.forEach((p, i) => {
        t.deepEqual([...p.shape], [...want.payload[i].shape]);
        t.deepEqual(asStrings(p.data), asStrings(want.payload[i].data));
        t.is(p.data.byteOffset % (p.data instanceof BigUint64Array ? 8 : 1), 0);
      });
    }
  }
  const e = t.throws(() => decodeFrame([buf.subarray(0, 30), buf.subarray(30, buf.byteLength - 8)]), { instanceOf: ProtocolError });
  t.regex(e!.message, /runs past the end of the frame/);
});
