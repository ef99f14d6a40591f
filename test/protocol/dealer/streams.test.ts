/**
 * The stream ledger: a holder of a PRG key expands each (op, tag, slot) at
 * most once, so no mask is ever used twice; its memory grows by a word per op
 * for the common streams.
 */
import test from 'ava';
import { Prg } from '../../../src/crypto/index.js';
import { StreamReuseError } from '../../../src/errors.js';
import { PrgStreams, Stream, StreamLedger, streamId, type StreamTag } from '../../../src/protocol/dealer/streams.js';

const key = Uint8Array.from({ length: 16 }, (_, i) => i);

test('requesting the same stream twice throws a StreamReuseError naming the holder, op, tag and slot', (t) => {
  const ledger = new StreamLedger('server0');
  ledger.take(12, Stream.truncR, 0);
  const e = t.throws(() => ledger.take(12, Stream.truncR, 0), { instanceOf: StreamReuseError });
  t.is(e.code, 'stream_reuse');
  t.is(e.message, 'server0: PRG stream (op 12, tag truncR, slot 0) requested twice; a stream masks one value only, reusing it would leak');
  t.deepEqual([e.op, e.tag, e.slot], [12, 'truncR', 0]);
  // Streams with a slot, and tags outside the per-op word, are refused the same way.
  ledger.take(12, Stream.ownedC, 5);
  t.throws(() => ledger.take(12, Stream.ownedC, 5), { instanceOf: StreamReuseError, message: /op 12, tag ownedC, slot 5/ });
  ledger.take(12, 40 as StreamTag, 0);
  t.throws(() => ledger.take(12, 40 as StreamTag, 0), { instanceOf: StreamReuseError, message: /op 12, tag 40, slot 0/ });
  t.is(ledger.size, 3);
});

test('distinct (op, tag, slot) are all accepted, across op blocks; memory is one block per 1024 ops', (t) => {
  const ledger = new StreamLedger('crypto-producer');
  const tags = Object.values(Stream);
  const OPS = 10_000;
  for (let op = 1; op <= OPS; op++) {
    for (const tag of tags) ledger.take(op, tag, 0);
    ledger.take(op, Stream.binaryMaskA, 1 + (op % 200));
  }
  t.is(ledger.size, OPS * (tags.length + 1));
  // ops 1..10000 span blocks 0..9, once for the words and once for the slotted streams.
  t.is(ledger.blocks, 2 * Math.ceil((OPS + 1) / 1024));
  // Still refused after all that, at block edges too.
  for (const op of [1, 1023, 1024, 10_000]) t.throws(() => ledger.take(op, Stream.mask, 0), { instanceOf: StreamReuseError });
});

test('stream fields out of range are refused (they would alias another stream id)', (t) => {
  const ledger = new StreamLedger('server1');
  t.throws(() => ledger.take(1, Stream.mask, 256), { message: /slot must be an integer in \[0, 256\), got 256/ });
  t.throws(() => ledger.take(2 ** 48, Stream.mask, 0), { message: /op id must be an integer in \[0, 2\^48\)/ });
  t.throws(() => ledger.take(1, 0 as StreamTag, 0), { message: /tag must be an integer in \[1, 256\)/ });
  t.throws(() => streamId(1, Stream.mask, -1), { message: /slot must be an integer/ });
  t.is(streamId(3, Stream.truncHigh, 2), (3n << 16n) | (4n << 8n) | 2n);
});

test('PrgStreams expands through the ledger: the words of streamId(op, tag, slot), once', async (t) => {
  const streams = new PrgStreams(new Prg(key), 'server0');
  const got = await streams.words(7, Stream.product, 1, 100);
  t.deepEqual(Array.from(got), Array.from(await new Prg(key).words(streamId(7, Stream.product, 1), 100)));
  await t.throwsAsync(streams.words(7, Stream.product, 1, 100), { instanceOf: StreamReuseError });
  // Another holder of the same key (the dealer computing server 0's stream) is not a reuse.
  const dealerCopy = new PrgStreams(new Prg(key), "crypto-producer (server0's key)");
  t.deepEqual(Array.from(await dealerCopy.words(7, Stream.product, 1, 100)), Array.from(got));
  t.is(streams.size, 1);
});
