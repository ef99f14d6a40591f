/**
 * The acceptance test of the prediction service on loopback, each player in
 * its own process (`tfe serve`), the model shared by `tfe share-model`:
 * 32 concurrent clients x 20 real MNIST digits (network A), each answer
 * equal to the plaintext model's class and every query answered exactly
 * once; RSS of the players before and after 2,000 more queries (after
 * 1,000 that let the heaps reach their working size); a client
 * leaving mid-query; a server killed and restarted; bad input. Bounded in
 * time; every process is killed when the test ends.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { ServingError, ShapeError, ValueError } from '../../src/errors.js';
import { connect, type Client } from '../../src/serving/node.js';
import { loadTfjs } from '../../src/models/node.js';
import { loadMnist } from '../../models/data.js';
import { TEST_SECRET } from '../helpers/net.js';
import { spawnCli, type PlayerRun } from '../helpers/players.js';
import { SERVING_NAMES, serviceFiles } from '../helpers/serving.js';

tf.env().set('PROD', true);

const TOKEN = 'load-test-client-token';
const CLIENTS = 32;
const QUERIES = 20;

/** Resident set size of a process (MiB), from /proc. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

/** Rejects if `p` does not settle within `ms`: nothing in this test may hang. */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms).unref())]);
}

test('32 clients x 20 digits, exactly once and equal to plaintext; no leak over 2,000 queries; a client leaving and a server restarting end calls with clear errors; bad input is refused', async (t) => {
  const files = await serviceFiles(t, { clientTokenFile: 'client-token', inputRange: [0, 1], timeoutMs: 8_000 });
  writeFileSync(path.join(files.dir, 'client-token'), `${TOKEN}\n`);
  const env = { TFE_SECRET: TEST_SECRET };
  const start = (name: string): PlayerRun => spawnCli(t, ['serve', '--config', files.hostmap, '--name', name], env, name);
  const runs = new Map<string, PlayerRun>(SERVING_NAMES.map((n) => [n, start(n)]));
  const diagnostics = (): string => [...runs.values()].map((r) => `--- ${r.name}\n${r.stderr.split('\n').slice(-15).join('\n')}`).join('\n');
  const clients: Client[] = [];
  t.teardown(() => clients.forEach((c) => c.close()));
  try {
    const owner = spawnCli(t, ['share-model', '--model', 'models/mnist-mlp', '--config', files.hostmap, '--name', 'model-owner'], env, 'model-owner');
    const shared = await bounded(owner.exit, 90_000, 'tfe share-model');
    t.is(shared.code, 0, owner.stderr);
    t.regex(owner.stdout, /shared model 'mnist_mlp' \(fingerprint [0-9a-f]{64}, sharing [0-9a-f]{32}\): 6 weights/);

    for (let i = 0; i < CLIENTS; i++) clients.push(await connect({ servers: files.urls, token: TOKEN, timeoutMs: 10_000 }));
    await clients[0].ready(90_000);

    // ---------------------------------------------------------------- 32 x 20, exactly once, equal to plaintext
    const plain = await loadTfjs('models/mnist-mlp');
    const { test: digits } = loadMnist();
    const n = CLIENTS * QUERIES;
    const all = tf.tensor(digits.pixels.slice(0, n * 784), [n, 784]);
    const want = (plain.predict(all) as tf.Tensor).argMax(-1).dataSync();
    const got = new Int32Array(n).fill(-1);
    let answered = 0;
    await bounded(
      Promise.all(clients.map(async (c, i) => {
        for (let q = 0; q < QUERIES; q++) {
          const k = i * QUERIES + q;
          const y = await c.predict(all.slice([k, 0], [1, 784]));
          if (got[k] !== -1) throw new Error(`query ${k} answered twice`);
          got[k] = y.argMax(-1).dataSync()[0];
          answered += 1;
        }
      })),
      120_000,
      'the load phase',
    );
    t.is(answered, n);
    t.deepEqual([...got], [...want], 'each private prediction has the plaintext model\'s class');
    const [info0, info1] = await clients[0].serverInfo();
    t.is(info0.stats?.queries, n, 'the first server answered each query once');
    t.is(info1.stats?.queries, n, 'the second server answered each query once');
    t.log(`load phase: ${info0.stats?.batches} batches for ${n} queries (${info0.stats?.paddedRows} padded rows; ${info0.stats?.dry} batches waited for the dealer)`);

    // ---------------------------------------------------------------- 2,000 more queries: RSS before and after
    // First 1,000 queries unmeasured: a player's heap grows to its working size in steps of
    // tens of MiB over the first few thousand queries (V8 grows the old generation by a
    // factor, `tfe serve` fixes it at 2), and then stays there; a leak grows after that too.
    const pids = SERVING_NAMES.map((name) => runs.get(name)!.child.pid!);
    const queries = (count: number, offset: number): Promise<unknown> =>
      Promise.all(clients.slice(0, 16).map(async (c, i) => {
        for (let q = 0; q < count / 16; q++) await c.predict(all.slice([(offset + i * 125 + q) % n, 0], [1, 784]));
      }));
    await bounded(queries(1_000, 7), 120_000, '1,000 warm-up queries');
    const before = pids.map(rssMiB);
    await bounded(queries(2_000, 0), 180_000, '2,000 queries');
    const after = pids.map(rssMiB);
    const rss = SERVING_NAMES.map((name, i) => `${name} ${before[i].toFixed(0)} -> ${after[i].toFixed(0)} MiB`).join(', ');
    t.log(`RSS over 2,000 queries: ${rss}`);
    for (const [i, name] of SERVING_NAMES.entries()) t.true(after[i] - before[i] < 64, `${name} grew by ${(after[i] - before[i]).toFixed(0)} MiB over 2,000 queries`);
    // Nothing a query leaves behind: whatever the servers hold once it is answered is back to its idle bounds.
    const [s0, s1] = (await clients[0].serverInfo()).map((i) => i.stats ?? {});
    t.like(s0, { queuedRows: 0, runningBatches: 0, liveQueries: 0, bundleWaits: 0 });
    t.like(s1, { heldShares: 0, heldRows: 0, claims: 0, bundleWaits: 0 });
    const bundleBound = 2 * 18; // the default queue (2) for each of the 18 default batch sizes up to 32
    t.true(s0.readyBundles + s0.requestedBundles <= bundleBound && s1.heldBundles <= bundleBound, 'bundles stay within the queues');

    // ---------------------------------------------------------------- a client leaves mid-query
    const leaving = clients.pop()!;
    const midQuery = leaving.predict(all.slice([0, 0], [1, 784]));
    leaving.close();
    const left = await t.throwsAsync(bounded(midQuery, 15_000, 'the leaving client\'s call'), { instanceOf: ServingError });
    t.true(['lost', 'unavailable'].includes((left as ServingError).reason), left!.message);
    t.is((await clients[0].predict(all.slice([1, 0], [1, 784]))).argMax(-1).dataSync()[0], want[1], 'the others go on');

    // ---------------------------------------------------------------- a server is killed and restarted
    const inFlight = clients.slice(0, 8).map(async (c, i) => {
      const outcomes: string[] = [];
      for (let q = 0; q < 40; q++) {
        try {
          await c.predict(all.slice([i * 40 + q, 0], [1, 784]));
          outcomes.push('ok');
        } catch (e) {
          if (!(e instanceof ServingError)) throw e;
          outcomes.push(e.reason);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      return outcomes;
    });
    await new Promise((r) => setTimeout(r, 300));
    runs.get('server1')!.child.kill('SIGKILL');
    const outcomes = (await bounded(Promise.all(inFlight), 60_000, 'calls during the restart')).flat();
    const failed = outcomes.filter((o) => o !== 'ok');
    t.true(failed.length > 0, 'calls pending when the server died were rejected');
    t.true(failed.every((o) => ['lost', 'unavailable', 'timeout', 'failed'].includes(o)), failed.join(','));
    t.log(`during the restart: ${outcomes.length - failed.length} answered, rejected: ${[...new Set(failed)].map((r) => `${r} x${failed.filter((f) => f === r).length}`).join(', ')}`);
    runs.set('server1', start('server1'));
    // Each client reconnects by itself; until it has, its calls are refused at once as 'unavailable'.
    await bounded(Promise.all(clients.slice(0, 4).map((cl) => cl.ready(90_000))), 95_000, 'the service after the restart');
    const again = await Promise.all(clients.slice(0, 4).map((c, i) => c.predict(all.slice([100 + i, 0], [1, 784]))));
    t.deepEqual(again.map((y) => y.argMax(-1).dataSync()[0]), [...want.slice(100, 104)], 'later calls succeed after the restart');
    t.regex(runs.get('server1')!.stderr, /loaded model 'mnist_mlp'/, 'the restarted server reloaded its shares without the owner');

    // ---------------------------------------------------------------- bad input
    const c = clients[0];
    await t.throwsAsync(c.predict(tf.zeros([1, 28, 28])), { instanceOf: ShapeError, message: /takes inputs of shape \[rows, 784\], got \[1,28,28\]/ });
    await t.throwsAsync(c.predict(tf.fill([1, 784], NaN)), { instanceOf: ValueError, message: /element 0 is NaN/ });
    await t.throwsAsync(c.predict(tf.fill([1, 784], 1.5)), { instanceOf: ValueError, message: /outside the service's input range \[0, 1\]/ });
    const e = await t.throwsAsync(connect({ servers: files.urls, token: 'not-the-token', connectTimeoutMs: 10_000 }), { instanceOf: ServingError });
    t.is((e as ServingError).reason, 'unauthorized');
    t.regex(e!.message, /refused the connection: unauthorized: unknown client token/);
    const raw = io(files.urls[0], { transports: ['websocket'], auth: { token: TOKEN }, reconnection: false, forceNew: true });
    t.teardown(() => raw.disconnect());
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    const ask = (...args: unknown[]): Promise<{ ok: boolean; reason?: string; message?: string }> => raw.timeout(5_000).emitWithAck('tfe:query', ...args);
    const id = 'ab'.repeat(16);
    const zeros = (bytes: number): string => Buffer.alloc(bytes).toString('base64');
    t.like(await ask('garbage'), { ok: false, reason: 'invalid_query' });
    t.like(await ask({ v: 1, id, shape: [1, 783], share: zeros(783 * 8) }), { ok: false, reason: 'invalid_query', message: "query of shape [1,783]; 'mnist_mlp' takes [rows, 784]" });
    t.like(await ask({ v: 1, id, shape: [1, 784], share: zeros(10) }), { ok: false, reason: 'invalid_query', message: 'the share of a query of shape [1,784] is the base64 of 6272 bytes of u64 words; got 16 base64 characters' });
    t.like(await ask({ v: 1, id, shape: [1, 784], share: '#'.repeat(8364) }), { ok: false, reason: 'invalid_query' });
    t.like(await ask({ v: 1, id: 'not-hex', shape: [1, 784], share: zeros(784 * 8) }), { ok: false, reason: 'invalid_query' });
    const noAck = new Promise<{ reason: string }>((resolve) => raw.once('tfe:error', resolve));
    raw.emit('tfe:query', { v: 1, id, shape: [1, 784], share: zeros(784 * 8) });
    t.is((await bounded(noAck, 5_000, 'the error event')).reason, 'invalid_query');
    raw.emit('no-such-event', 1, 2, 3);
    t.is((await c.predict(all.slice([2, 0], [1, 784]))).argMax(-1).dataSync()[0], want[2], 'the service goes on after bad input');
  } catch (error) {
    t.log(diagnostics());
    throw error;
  }
});
