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
