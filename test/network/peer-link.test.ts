import test from 'ava';
import { sessionTag } from '../../src/network/chunk.js';
import { EVENTS } from '../../src/network/handshake.js';
import { PeerLink, type LinkContext } from '../../src/network/peer-link.js';
import { Mailbox } from '../../src/network/transport.js';

/** A link to 'b' over a fake socket that records what is written to it. */
function openLink(): { link: PeerLink; writes: unknown[][] } {
  const ctx: LinkContext = {
    self: 'a',
    mailbox: new Mailbox(1000),
    tag: sessionTag('s'),
    chunkBytes: 1 << 20,
    limits: { maxFrameBytes: 1 << 20, maxChunkBytes: 1 << 20 },
    timeoutMs: 1000,
    currentOp: () => 0,
    maxOpsAhead: 1 << 20,
    maxBufferedBytes: 1 << 21,
    log: () => {},
    onFailure: () => {},
    destroying: () => false,
  };
  const link = new PeerLink('b', '127.0.0.1:1', ctx);
  const writes: unknown[][] = [];
  link.open({ emit: (...args: unknown[]) => writes.push(args), disconnect: () => {} });
  return { link, writes };
}
const small = (step: number): [{ op: number; step: number }, [{ shape: number[]; data: BigUint64Array }]] => [{ op: 1, step }, [{ shape: [2], data: BigUint64Array.of(1n, 2n) }]];
const nextMacrotask = (): Promise<void> => new Promise((r) => setImmediate(r));

test('small frames of one tick travel together in one socket message after the tick', async (t) => {
  const { link, writes } = openLink();
  link.sendFrame(...small(0));
  link.sendFrame(...small(1));
  t.is(writes.length, 0, 'nothing is written within the tick');
  await nextMacrotask();
  t.is(writes.length, 1);
  t.is(writes[0][0], EVENTS.chunk);
});

test('flush writes the queued small frames at once, and the end of the tick then has nothing left to write', async (t) => {
  const { link, writes } = openLink();
  link.sendFrame(...small(0));
  link.sendFrame(...small(1));
  link.flush();
  t.is(writes.length, 1, 'written within the tick');
  const bundled = writes[0][1] as Uint8Array;
  link.sendFrame(...small(2));
  await nextMacrotask();
  t.is(writes.length, 2, 'the later frame travels on its own at the end of the tick');
  t.true((writes[1][1] as Uint8Array).byteLength < bundled.byteLength, 'the first write held both earlier frames');
  link.flush();
  t.is(writes.length, 2, 'a flush with nothing queued writes nothing');
});
