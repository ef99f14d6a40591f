import test from 'ava';
import { InMemoryTransport, LocalConfig, Mailbox } from '../../src/network/index.js';
import { ConfigError, PeerLostError, ProtocolError } from '../../src/errors.js';

const u64 = (shape: number[]): { dtype: 'u64'; shape: number[] } => ({ dtype: 'u64', shape });
const tensor = (n: number): { shape: number[]; data: BigUint64Array } => ({ shape: [n], data: new BigUint64Array(n).fill(7n) });

test('messages match by (from, to, op, step) whichever comes first, in any order', async (t) => {
  const tr = new InMemoryTransport(['a', 'b'], 1000);
  tr.send('a', 'b', { op: 2, step: 0 }, [tensor(2)], 'online');
  const late = tr.receive('b', 'a', { op: 3, step: 1 }, [u64([3])]);
  const early = await tr.receive('b', 'a', { op: 2, step: 0 }, [u64([2])]);
  t.deepEqual(Array.from(early[0].data as BigUint64Array), [7n, 7n]);
  tr.send('a', 'b', { op: 3, step: 1 }, [tensor(3)], 'online');
  t.is((await late)[0].shape[0], 3);
  await tr.close();
});

test('a message whose shape differs from what the receiver expects is a ProtocolError', async (t) => {
  const tr = new InMemoryTransport(['a', 'b'], 1000);
  tr.send('a', 'b', { op: 1, step: 0 }, [tensor(4)], 'online');
  await t.throwsAsync(tr.receive('b', 'a', { op: 1, step: 0 }, [u64([5])]), {
    instanceOf: ProtocolError,
    message: /message from 'a' for operation 1 step 0: tensor 0 is u64 \[4\], expected u64 \[5\]/,
  });
  tr.send('a', 'b', { op: 2, step: 0 }, [tensor(1), tensor(1)], 'online');
  await t.throwsAsync(tr.receive('b', 'a', { op: 2, step: 0 }, [u64([1])]), { message: /has 2 tensors, expected 1/ });
  tr.send('a', 'b', { op: 3, step: 0 }, [tensor(1)], 'online');
  t.throws(() => tr.send('a', 'b', { op: 3, step: 0 }, [tensor(1)], 'online'), { message: /second message/ });
  await tr.close();
});

test('silence past the timeout is a PeerLostError naming the peer and the operation', async (t) => {
  const tr = new InMemoryTransport(['a', 'b'], 50);
  const started = Date.now();
  const e = await t.throwsAsync(tr.receive('b', 'a', { op: 9, step: 2 }, [u64([1])]), { instanceOf: PeerLostError });
  t.regex(e!.message, /'a' sent nothing to 'b' for operation 9 step 2 within 50 ms/);
  t.is((e as PeerLostError).peer, 'a');
  t.true(Date.now() - started < 1000);
  await tr.close();
});

test('a disconnected peer fails pending and later receives at once; abort fails one operation', async (t) => {
  const tr = new InMemoryTransport(['a', 'b', 'c'], 10_000);
  const pending = tr.receive('b', 'a', { op: 1, step: 0 }, [u64([1])]);
  tr.disconnect('a');
  await t.throwsAsync(pending, { instanceOf: PeerLostError, message: /'a' disconnected/ });
  await t.throwsAsync(tr.receive('c', 'a', { op: 2, step: 0 }, [u64([1])]), { instanceOf: PeerLostError });
  const cause = new Error('provider failed');
  const waiting = tr.receive('b', 'c', { op: 5, step: 0 }, [u64([1])]);
  const other = tr.receive('b', 'c', { op: 6, step: 0 }, [u64([1])]);
  tr.abort('c', 5, cause);
  t.is(await t.throwsAsync(waiting), cause);
  await t.throwsAsync(tr.receive('b', 'c', { op: 5, step: 1 }, [u64([1])]), { is: cause });
  // the lost player's own receives fail too: it is gone
  await t.throwsAsync(tr.receive('a', 'c', { op: 6, step: 1 }, [u64([1])]), { message: /'a' disconnected/ });
  tr.send('c', 'b', { op: 6, step: 0 }, [tensor(1)], 'online');
  t.is((await other).length, 1);
  await tr.close();
  await t.throwsAsync(tr.receive('b', 'c', { op: 7, step: 0 }, [u64([1])]), { message: /closed/ });
});

test('counters count bytes and messages per ordered pair and distinct online rounds', async (t) => {
  const tr = new InMemoryTransport(['a', 'b', 'c'], 1000);
  tr.send('a', 'b', { op: 1, step: 0 }, [tensor(4)], 'online');
  tr.send('b', 'a', { op: 1, step: 0 }, [tensor(4)], 'online');
  tr.send('c', 'b', { op: 1, step: 16 }, [tensor(4)], 'preprocessing');
  tr.send('a', 'b', { op: 2, step: 0 }, [tensor(1)], 'online');
  const s = tr.counters.snapshot();
  // header: 24 fixed + 8 descriptor + 4 per dimension, padded to 8; then the words
  t.is(s.bytes['a->b'], (40 + 32) + (40 + 8));
  t.is(s.messages['a->b'], 2);
  t.is(s.messages['c->b'], 1);
  t.is(s.rounds, 2, 'one round per online (op, step); preprocessing does not count');
  t.is(s.totalMessages, 4);
  tr.counters.reset();
  t.is(tr.counters.snapshot().totalBytes, 0);
  await tr.close();
});

test('a mailbox refuses a second concurrent wait on the same slot', async (t) => {
  const mb = new Mailbox(1000);
  const first = mb.take('b', 'a', { op: 1, step: 0 }, [u64([1])]);
  await t.throwsAsync(mb.take('b', 'a', { op: 1, step: 0 }, [u64([1])]), { message: /already waiting/ });
  mb.deliver('a', 'b', { op: 1, step: 0 }, [tensor(1)]);
  t.is((await first).length, 1);
});

test('LocalConfig validates player names and options', (t) => {
  t.throws(() => LocalConfig([]), { instanceOf: ConfigError, message: /non-empty list/ });
  t.throws(() => LocalConfig(['a', 'a']), { message: /'a' appears twice/ });
  t.throws(() => LocalConfig(['a b']), { message: /must be 1-64 characters/ });
  t.throws(() => LocalConfig(['a'], { timeoutMs: -1 }), { message: /timeoutMs must be a positive number/ });
  const c = LocalConfig(['x', 'y']);
  t.deepEqual(c.playerNames, ['x', 'y']);
  t.true(c.isLocal('x'));
  t.throws(() => c.player('z', 'test'), { message: /test: unknown player 'z'; the configuration knows 'x', 'y'/ });
});

test('a receive times out only after timeoutMs without progress from its sender; a receive without timeout waits', async (t) => {
  const mb = new Mailbox(300);
  const started = Date.now();
  // The sender keeps sending to someone else for 1.2 s (4 timeouts), then sends what b waits for.
  const waited = mb.take('b', 'a', { op: 9, step: 0 }, [u64([1])]);
  const untimed = mb.take('b', 'c', { op: 9, step: 0 }, [u64([1])], { timeout: false });
  for (let i = 1; i <= 12; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    mb.deliver('a', 'x', { op: i, step: 0 }, [tensor(1)]);
  }
  mb.deliver('a', 'b', { op: 9, step: 0 }, [tensor(1)]);
  t.is((await waited).length, 1);
  t.true(Date.now() - started >= 1200, 'the message came four timeouts after the receive and was still taken');
  // A sender that makes no progress is given up on within the timeout.
  const silent = Date.now();
  await t.throwsAsync(mb.take('b', 'a', { op: 10, step: 0 }, [u64([1])]), { instanceOf: PeerLostError, message: /'a' sent nothing to 'b' for operation 10 step 0 within 300 ms/ });
  const after = Date.now() - silent;
  t.true(after >= 290 && after < 1500, `gave up after ${after} ms`);
  // The untimed receive is still pending after all that, and resolves when its message comes.
  mb.deliver('c', 'b', { op: 9, step: 0 }, [tensor(1)]);
  t.is((await untimed).length, 1);
});
