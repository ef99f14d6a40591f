import test from 'ava';
import { Reassembler, sessionTag, splitFrame } from '../../src/network/chunk.js';
import { decodeFrame, encodeFrame, encodeFrameParts } from '../../src/network/frame.js';
import { ProtocolError } from '../../src/errors.js';

const tag = sessionTag('s');
const limits = { maxFrameBytes: 1 << 20, maxChunkBytes: 100 };
const payload: Array<{ shape: number[]; data: BigUint64Array | Uint8Array }> = [
  { shape: [13], data: BigUint64Array.from({ length: 13 }, (_, i) => BigInt(i) * 0x1000000001n) },
  { shape: [5], data: Uint8Array.of(1, 2, 3, 4, 5) },
  { shape: [2, 3], data: BigUint64Array.from({ length: 6 }, (_, i) => BigInt(i)) },
];

test('frame parts concatenate to the frame; chunks of views reassemble into it and decode without copying', (t) => {
  const key = { op: 9, step: 2 };
  const parts = encodeFrameParts(key, payload);
  t.deepEqual(Buffer.concat(parts), Buffer.from(encodeFrame(key, payload)));
  t.is(parts[1].buffer, payload[0].data.buffer, 'tensor data is a view, not a copy');
  const chunks = splitFrame(parts, 3, tag, 100);
  t.true(chunks.length > 2 && chunks.every((c) => c.bytes <= 100));
  const r = new Reassembler(tag, limits);
  const results = chunks.map((c) => r.push(c.header, c.parts));
  t.true(results.slice(0, -1).every((x) => x === undefined));
  const whole = results[results.length - 1]!;
  t.true(whole.owned);
  const f = decodeFrame(whole.parts, 1 << 20, true);
  t.deepEqual(f.key, key);
  t.deepEqual(Array.from(f.payload[0].data as BigUint64Array), Array.from(payload[0].data as BigUint64Array));
  t.is(f.payload[0].data.buffer, whole.parts[0].buffer, 'decoded tensors view the reassembly buffer');
});

test('a broken message is rejected, the rest of it skipped, and the next message decodes', (t) => {
  const a = splitFrame(encodeFrameParts({ op: 1, step: 0 }, payload), 1, tag, 100);
  const b = splitFrame(encodeFrameParts({ op: 2, step: 0 }, payload), 2, tag, 100);
  const r = new Reassembler(tag, limits);
  r.push(a[0].header, a[0].parts);
  // message 2 starts before message 1 ended
  t.throws(() => r.push(b[0].header, b[0].parts), { instanceOf: ProtocolError, message: /message 1 was interrupted after 1 of \d+ chunks/ });
  for (const c of b.slice(1)) t.is(r.push(c.header, c.parts), undefined, 'the rest of message 2 is skipped quietly');
  t.throws(() => r.push(a[1].header, a[1].parts), { message: /unexpected chunk 1 of message 1/ });
  const c = splitFrame(encodeFrameParts({ op: 3, step: 0 }, payload), 3, tag, 100);
  const last = c.map((x) => r.push(x.header, x.parts)).pop();
  t.is(decodeFrame(last!.parts).key.op, 3);
  const big = splitFrame([new Uint8Array(300)], 4, tag, 300)[0];
  t.throws(() => r.push(big.header, big.parts), { message: /chunk of 300 bytes exceeds the 100-byte chunk limit/ });
});

test('a one-chunk frame in several buffers is decoded in place: aligned tensors view their buffers', (t) => {
  const key = { op: 4, step: 1 };
  const big = { maxFrameBytes: 1 << 20, maxChunkBytes: 1 << 16 };
  // As the socket delivers them: each part is its own buffer (copied here, as if received).
  const received = (parts: readonly Uint8Array[]): Uint8Array[] => parts.map((p) => new Uint8Array(p));
  const [chunk] = splitFrame(encodeFrameParts(key, payload), 5, tag, 1 << 16);
  const parts = received(chunk.parts);
  const whole = new Reassembler(tag, big).push(chunk.header, parts)!;
  t.true(whole.owned);
  const f = decodeFrame(whole.parts, 1 << 20, whole.owned);
  t.deepEqual(f.key, key);
  f.payload.forEach((p, i) => t.deepEqual(Array.from(p.data, String), Array.from(payload[i].data, String)));
  t.is(f.payload[0].data.buffer, parts[1].buffer, 'the first tensor views its own buffer');
  t.is(f.payload[2].data.buffer, parts[parts.length - 1].buffer, 'so does the last');
  // One buffer may carry other frames (a bundle): its tensors are copied.
  const one = new Uint8Array(encodeFrame(key, payload));
  const single = new Reassembler(tag, big).push(chunk.header, [one])!;
  t.false(single.owned);
  t.not(decodeFrame(single.parts, 1 << 20, single.owned).payload[0].data.buffer, one.buffer);
});
