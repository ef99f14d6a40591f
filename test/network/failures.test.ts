/**
 * Failures between players linked by real sockets in one process: a close
 * is a barrier that rejects with the root cause, and each way of losing a
 * peer has its own words.
 */
import test from 'ava';
import { RemoteConfig } from '../../src/network/node.js';
import { failureOrigin, PeerLostError, ShapeError } from '../../src/errors.js';
import { loopbackHostmap, TEST_SECRET } from '../helpers/net.js';

const u64 = (shape: number[]): { dtype: 'u64'; shape: number[] } => ({ dtype: 'u64', shape });

/** Resolves with 'timeout' if `p` has not settled after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

test('a close waits for every peer and rejects with the root cause when one fails: its player and operation', async (t) => {
  const hostmap = await loopbackHostmap(['a', 'b', 'c']);
  const [a, b, c] = ['a', 'b', 'c'].map((name) => RemoteConfig.fromObject(hostmap, { name, secret: TEST_SECRET, timeoutMs: 10_000, log: () => undefined }));
  t.teardown(() => Promise.all([a, b, c].map((x) => x.destroy())).then(() => undefined));
  await Promise.all([a, b, c].map((x) => x.ready()));
  // a and b are done; c fails in operation 5 (its program ends with the error).
  const closing = [a.close(), b.close()];
  const cause = new ShapeError('matmul: inner dimensions 3 and 4 differ');
  c.transport.abort('c', 5, cause);
  await c.destroy(cause);
  for (const [i, p] of closing.entries()) {
    const e = await t.throwsAsync(p, { instanceOf: PeerLostError }, `${'ab'[i]}`);
    t.is(e!.message, "'c' failed in operation 5: ShapeError: matmul: inner dimensions 3 and 4 differ");
    t.like(failureOrigin(e), { player: 'c', op: 5, code: 'shape' });
  }
});

test('a peer that never started: a receive says it never connected (not that it sent nothing) and the close rejects after timeoutMs', async (t) => {
  const hostmap = await loopbackHostmap(['a', 'b']);
  const logs: string[] = [];
  const a = RemoteConfig.fromObject(hostmap, { name: 'a', secret: TEST_SECRET, timeoutMs: 1500, log: (m) => void logs.push(m) });
  t.teardown(() => a.destroy());
  await t.throwsAsync(a.transport.receive('a', 'b', { op: 1, step: 0 }, [u64([1])]), { instanceOf: PeerLostError, message: /never connected/ });
  const closed = await within(
    a.close().then(
      () => 'resolved',
      (e: Error) => e.message,
    ),
    10_000,
  );
  t.regex(String(closed), /^'a' lost 'b': never connected: it did not connect within 1500 ms/);
  t.true(logs.some((l) => /gave up on 'b': never connected/.test(l)));
});
