/**
 * The runtime's bookkeeping: progress watermarks and in-flight parts.
 */
import test from 'ava';
import v8 from 'node:v8';
import vm from 'node:vm';
import { InProcessConfig } from '../../src/network/index.js';
import { Runtime } from '../../src/protocol/index.js';
import { Progress } from '../../src/protocol/progress.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

test('flush waits for every part without keeping the values of the parts that already finished', async (t) => {
  const rt = Runtime.of(new InProcessConfig(['a']));
  let release!: () => void;
  rt.on('a', () => new Promise<void>((resolve) => (release = resolve)));
  const refs: Array<WeakRef<Float64Array>> = [];
  for (let i = 0; i < 4; i++) {
    // Each part's result is 8 MB and nothing else holds it.
    void rt.on('a', () => {
      const big = new Float64Array(1 << 20);
      refs.push(new WeakRef(big));
      return big;
    });
  }
  let flushed = false;
  const flushing = rt.flush().then(() => (flushed = true));
  for (let i = 0; i < 5; i++) await tick();
  gc();
  await tick();
  gc();
  t.is(refs.length, 4);
  t.false(flushed, 'flush still waits for the first part');
  t.true(refs.every((r) => r.deref() === undefined), 'the finished parts\u2019 values were collected while flush waited');
  release();
  await flushing;
  t.true(flushed);
});

test('a progress watermark moves past settled and skipped op ids, in any settle order', async (t) => {
  let issued = 0;
  const p = new Progress(() => issued);
  const seen: number[] = [];
  p.onAdvance((w) => seen.push(w));
  issued = 3;
  p.start(2); // op 1 has no part here: skipped
  t.is(p.watermark, 1);
  p.start(3);
  const at3 = p.reached(3);
  let reached = false;
  void at3.then(() => (reached = true));
  p.settle(3);
  t.is(p.watermark, 1, 'op 2 still pending');
  await tick();
  t.false(reached);
  p.settle(2);
  t.is(p.watermark, 3);
  await at3;
  t.true(reached);
  issued = 6;
  p.start(6);
  t.is(p.watermark, 5, 'ids 4 and 5 were issued with no part on this player');
  await p.reached(0);
  t.deepEqual(seen, [1, 3, 5]);
});

test('yieldTurn costs no macrotask in a fresh turn, and lets timers run once a run of work has held the event loop 20 ms', async (t) => {
  const rt = Runtime.of(new InProcessConfig(['a']));
  const busy = (ms: number): void => {
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      // the synchronous kernel work of released operations
    }
  };
  await new Promise((resolve) => setImmediate(resolve)); // a fresh turn
  let immediate = false;
  setImmediate(() => (immediate = true));
  await rt.yieldTurn();
  t.false(immediate, 'no wait while the turn is young');
  let timer = false;
  setTimeout(() => (timer = true), 0);
  for (let i = 0; i < 3; i++) {
    busy(25);
    await rt.yieldTurn();
  }
  t.true(timer, 'the timer ran between the busy runs');
});
