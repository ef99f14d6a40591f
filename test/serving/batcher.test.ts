import test from 'ava';
import { Batcher, type Queued } from '../../src/serving/batcher.js';

interface Q extends Queued {
  readonly n: number;
}

const q = (n: number, rows = 1, client = 'a'): Q => ({ id: `q${n}`, rows, client, n });
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A batcher whose batches are held until released, recording what each held. */
function held(settings: { maxBatch: number; maxWaitMs: number; maxQueue: number; pipeline: number }) {
  const batches: number[][] = [];
  const release: Array<() => void> = [];
  const b = new Batcher<Q>(settings, (batch) => {
    batches.push(batch.map((x) => x.n));
    return new Promise<void>((r) => release.push(r));
  });
  return { b, batches, release };
}

test('queries arriving within the wait go together; a full batch leaves at once; a batch never exceeds maxBatch rows', async (t) => {
  const { b, batches, release } = held({ maxBatch: 4, maxWaitMs: 30, maxQueue: 100, pipeline: 2 });
  t.true(b.add(q(1)));
  t.true(b.add(q(2)));
  t.deepEqual(batches, [], 'waits for more');
  await tick(60);
  t.deepEqual(batches, [[1, 2]]);
  for (let i = 3; i <= 8; i++) b.add(q(i));
  t.deepEqual(batches, [[1, 2], [3, 4, 5, 6]], 'a full batch leaves without waiting');
  b.add(q(9, 3));
  await tick(60);
  t.deepEqual(batches, [[1, 2], [3, 4, 5, 6]], 'the pipeline is full: due queries wait for a slot');
  release.shift()!();
  await tick(1);
  t.deepEqual(batches[2], [7, 8], 'query 9 (3 rows) does not fit beside 7 and 8');
  release.shift()!();
  await tick(1);
  t.deepEqual(batches[3], [9]);
});

test('a full queue refuses at once; a cancelled or departed client frees its place; stop returns what waits', async (t) => {
  const { b, batches } = held({ maxBatch: 2, maxWaitMs: 1000, maxQueue: 5, pipeline: 1 });
  t.true(b.add(q(1)));
  t.true(b.add(q(2)));
  t.deepEqual(batches, [[1, 2]]);
  t.true(b.add(q(3, 2, 'x')));
  t.true(b.add(q(4, 2, 'y')));
  t.false(b.add(q(5, 2)), '4 + 2 rows exceed maxQueue 5');
  t.false(b.add(q(6, 3)), 'more rows than maxBatch');
  t.is(b.queuedRows, 4);
  t.deepEqual(b.removeClient('x').map((x) => x.n), [3]);
  t.true(b.add(q(5, 2)));
  t.true(b.remove('q5', 'a'));
  t.false(b.remove('q5', 'a'));
  t.false(b.remove('q4', 'a'), 'only its own client cancels a query');
  t.deepEqual(b.stop().map((x) => x.n), [4]);
  t.false(b.add(q(7)));
  t.is(b.queuedRows, 0);
});

test('with no wait, queries of the same turn of the event loop are batched together', async (t) => {
  const { b, batches } = held({ maxBatch: 8, maxWaitMs: 0, maxQueue: 100, pipeline: 2 });
  b.add(q(1));
  b.add(q(2));
  b.add(q(3));
  t.deepEqual(batches, []);
  await tick(1);
  t.deepEqual(batches, [[1, 2, 3]]);
});
