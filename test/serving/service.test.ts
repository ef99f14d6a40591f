import test from 'ava';
// Each test runs a whole service (three players, tfjs) in this process: one at a time.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, FixedPointRangeError, ModelFileError, ServingError, ShapeError } from '../../src/errors.js';
import { connect, serve, servingSettings, shareModel } from '../../src/serving/node.js';
import { loadTfjs } from '../../src/models/node.js';
import { loadMnist } from '../../models/data.js';
import { TEST_SECRET } from '../helpers/net.js';
import { serviceFiles, startService } from '../helpers/serving.js';

tf.env().set('PROD', true);

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test.serial('share once, serve, predict: private predictions equal the plaintext model on real digits', async (t) => {
  const files = await serviceFiles(t);
  const logs: string[] = [];
  const players = await startService(t, files, {}, logs);
  const shared = await shareModel({ model: 'models/mnist-mlp', config: files.hostmap, name: 'model-owner', secret: TEST_SECRET });
  t.is(shared.model.name, 'mnist_mlp');
  const client = await connect({ servers: files.urls, timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await client.ready(20_000);
  const plain = await loadTfjs('models/mnist-mlp');
  const { test: digits } = loadMnist();
  const n = 12;
  const x = tf.tensor(digits.pixels.slice(0, n * 784), [n, 784]);
  const want = (plain.predict(x) as tf.Tensor).argMax(-1).arraySync() as number[];
  const got = await Promise.all(Array.from({ length: n }, (_, i) => client.predict(x.slice([i, 0], [1, 784]))));
  t.deepEqual(got.map((y) => (y.argMax(-1).arraySync() as number[])[0]), want);
  const batch = await client.predict(x);
  t.deepEqual(batch.shape, [n, 10]);
  t.deepEqual(batch.argMax(-1).arraySync(), want);
  await t.throwsAsync(client.predict(tf.zeros([1, 28, 28])), { instanceOf: ShapeError });
  await t.throwsAsync(client.predict(tf.tensor([[NaN, ...new Array(783).fill(0)]])), { instanceOf: FixedPointRangeError, message: /element 0 is NaN/ });
  await t.throwsAsync(client.predict(tf.zeros([40, 784])), { instanceOf: ShapeError, message: /40 rows in one query; the service takes 1 to 32/ });
  const status = players.map((p) => p.status());
  t.true(status[0].ready && status[1].ready);
  t.true(logs.some((l) => /server0: serving model 'mnist_mlp'/.test(l)), 'the servers say what they serve');
});

test.serial('a full queue answers busy at once and the service goes on; without preprocessing every batch waits for the dealer and is still right', async (t) => {
  const files = await serviceFiles(t, { batch: { maxBatch: 1, maxQueue: 1, pipeline: 1, maxWaitMs: 30 }, preprocessing: { queue: 0 } });
  await startService(t, files);
  await shareModel({ model: 'models/mnist-mlp', config: files.hostmap, name: 'model-owner', secret: TEST_SECRET });
  const client = await connect({ servers: files.urls, timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await client.ready(20_000);
  const { test: digits } = loadMnist();
  const x = (i: number): tf.Tensor => tf.tensor(digits.pixels.slice(i * 784, (i + 1) * 784), [1, 784]);
  const started = Date.now();
  const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => client.predict(x(i))));
  const busy = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as ServingError);
  t.true(busy.length > 0 && busy.length < 8, `${busy.length} of 8 refused`);
  for (const e of busy) {
    t.true(e instanceof ServingError && e.reason === 'busy', e.message);
    t.regex(e.message, /is busy: \d+ rows wait already/);
  }
  t.true(Date.now() - started < 15_000);
  const plain = await loadTfjs('models/mnist-mlp');
  const y = await client.predict(x(9));
  t.is(y.argMax(-1).dataSync()[0], (plain.predict(x(9)) as tf.Tensor).argMax(-1).dataSync()[0]);
  const [info0] = await client.serverInfo();
  t.is(info0.stats?.dry, info0.stats?.batches, 'with a queue of 0 every batch waited for the dealer');
});

test.serial('the crypto producer leaving ends pending and new queries with clear errors; when it is back the service answers again', async (t) => {
  const files = await serviceFiles(t);
  const players = await startService(t, files);
  await shareModel({ model: 'models/mnist-mlp', config: files.hostmap, name: 'model-owner', secret: TEST_SECRET });
  const client = await connect({ servers: files.urls, timeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.ready(20_000);
  const x = tf.tensor(loadMnist().test.pixels.slice(0, 784), [1, 784]);
  await client.predict(x);
  await players[2].close();
  const e = await t.throwsAsync(client.predict(x), { instanceOf: ServingError });
  t.true(['lost', 'unavailable'].includes((e as ServingError).reason), e!.message);
  const again = await serve({ config: files.hostmap, name: 'crypto-producer', secret: TEST_SECRET, log: () => undefined });
  t.teardown(() => again.close());
  await client.ready(30_000);
  t.deepEqual((await client.predict(x)).shape, [1, 10]);
});

(hasOpenssl ? test.serial : test.skip)('over TLS: clients reach the endpoints with the CA, and without it cannot connect', async (t) => {
  const files = await serviceFiles(t);
  const tls = makeCertificates(files.dir);
  const hostmap = JSON.parse(readFileSync(files.hostmap, 'utf8')) as Record<string, unknown>;
  writeFileSync(files.hostmap, JSON.stringify({ ...hostmap, tls }));
  await startService(t, files);
  await shareModel({ model: 'models/mnist-sigmoid', config: files.hostmap, name: 'model-owner', secret: TEST_SECRET });
  const urls = files.urls.map((u) => u.replace('http:', 'https:')) as [string, string];
  const client = await connect({ servers: urls, ca: readFileSync(path.join(files.dir, tls.ca), 'utf8'), timeoutMs: 20_000 });
  t.teardown(() => client.close());
  t.is((await client.ready(30_000)).name, 'mnist_sigmoid');
  t.deepEqual((await client.predict(tf.zeros([2, 784]))).shape, [2, 10]);
  const e = await t.throwsAsync(connect({ servers: urls, connectTimeoutMs: 3_000 }), { instanceOf: ServingError });
  t.regex(e!.message, /cannot reach server 0 at https:\/\/127\.0\.0\.1:\d+ within 3000 ms/);
});

test.serial("the model owner must prove the hostmap's secret and not be a serving player; a server refuses the other server's share file at start", async (t) => {
  const files = await serviceFiles(t);
  await startService(t, files);
  const wrong = await t.throwsAsync(shareModel({ model: 'models/mnist-sigmoid', config: files.hostmap, name: 'model-owner', secret: 'another-secret-of-16-bytes+', timeoutMs: 5_000 }), { instanceOf: ServingError });
  t.regex(wrong!.message, /could not prove that it is 'server\d' holding the shared secret/);
  await t.throwsAsync(shareModel({ model: 'models/mnist-sigmoid', config: files.hostmap, name: 'server1', secret: TEST_SECRET }), { instanceOf: ConfigError, message: /'server1' is a serving player/ });
  await t.throwsAsync(shareModel({ model: 'models/mnist-sigmoid', config: files.hostmap, name: 'nobody', secret: TEST_SECRET }), { instanceOf: ConfigError, message: /'nobody' is not a player of the hostmap/ });
  const shared = await shareModel({ model: 'models/mnist-sigmoid', config: files.hostmap, name: 'model-owner', secret: TEST_SECRET });
  // Another machine's operator copies server1's share file in place of server0's.
  const other = mkdtempSync(path.join(os.tmpdir(), 'tfe-shares-'));
  t.teardown(() => rmSync(other, { recursive: true, force: true }));
  copyFileSync(shared.files[1], path.join(other, 'server0.tfeshares'));
  const e = await t.throwsAsync(serve({ config: files.hostmap, name: 'server0', secret: TEST_SECRET, sharesDir: other, log: () => undefined }), { instanceOf: ModelFileError });
  t.regex(e!.message, /holds the shares of 'server1', not of 'server0'/);
});

test.serial("comparison: 'fss' in the leading server's settings holds for every player, and predictions equal the plaintext model", async (t) => {
  const files = await serviceFiles(t);
  const logs: string[] = [];
  // Only server0 (the leader) asks for fss: the manifest carries it to the others.
  const players = await startService(t, files, {}, logs, { server0: { comparison: 'fss' } });
  await shareModel({ model: 'models/mnist-mlp', config: files.hostmap, name: 'model-owner', secret: TEST_SECRET });
  const client = await connect({ servers: files.urls, timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await client.ready(20_000);
  const plain = await loadTfjs('models/mnist-mlp');
  const { test: digits } = loadMnist();
  const n = 8;
  const x = tf.tensor(digits.pixels.slice(100 * 784, (100 + n) * 784), [n, 784]);
  const wantLogits = plain.predict(x) as tf.Tensor;
  const got = await Promise.all(Array.from({ length: n }, (_, i) => client.predict(x.slice([i, 0], [1, 784]))));
  t.deepEqual(got.map((y) => (y.argMax(-1).arraySync() as number[])[0]), wantLogits.argMax(-1).arraySync());
  const batch = await client.predict(x);
  const diff = batch.sub(wantLogits).abs().max().dataSync()[0];
  t.log(`max |private - plaintext| over ${n} digits: ${diff.toExponential(2)}`);
  t.true(diff < 1e-2, `max difference ${diff}`);
  for (const name of ['server0', 'server1']) t.true(logs.some((l) => new RegExp(`${name}: serving .* comparisons by function secret sharing`).test(l)), `${name} says how it compares`);
  t.true(players.every((p) => p.status().ready || p.role === 'dealer'));
});

test.serial('invalid serving settings are ConfigErrors naming the field', (t) => {
  const players = ['server0', 'server1', 'crypto-producer', 'model-owner'].map((name, i) => ({ name, host: '127.0.0.1', port: 5000 + i }));
  const bad = (serving: unknown): string => {
    try {
      servingSettings({ players, serving } as Record<string, unknown>, 'h.json', '/tmp');
    } catch (e) {
      t.true(e instanceof ConfigError);
      return (e as Error).message;
    }
    return 'accepted';
  };
  t.is(bad({ clients: { server0: 0 } }), 'invalid hostmap h.json: serving.clients.server0: expected a port from 1 to 65535');
  t.regex(bad({ batch: { maxBatch: 8, sizes: [1, 4] } }), /batch\.sizes: the largest size must be maxBatch \(8\)/);
  t.regex(bad({ batch: { maxBatch: 8, maxQueue: 4 } }), /batch\.maxQueue: expected an integer of at least maxBatch \(8\), got 4/);
  t.regex(bad({ roles: { servers: ['server0', 'nobody'], cryptoProducer: 'crypto-producer' } }), /the serving role player 'nobody' is not in players/);
  t.regex(bad({ clients: { 'crypto-producer': 4000 } }), /serving\.clients\.crypto-producer: only the servers/);
  t.regex(bad({ unknown: 1 }), /invalid hostmap h\.json: serving: Unrecognized key/);
  t.regex(bad({ inputRange: [1, 0] }), /serving\.inputRange: expected \[min, max\] with min < max/);
  t.regex(bad({ comparison: 'gc' }), /serving\.comparison: /);
  const ok = servingSettings({ players, serving: { batch: { maxBatch: 8 } } } as Record<string, unknown>, 'h.json', '/tmp');
  t.deepEqual(ok.batch.sizes, [1, 2, 3, 4, 5, 6, 7, 8]);
  const large = servingSettings({ players, serving: { batch: { maxBatch: 4096, maxQueue: 4096 } } } as Record<string, unknown>, 'h.json', '/tmp');
  // Every default size list fits a manifest (at most 32 sizes).
  t.is(large.batch.sizes.length, 32);
  t.deepEqual(large.batch.sizes.slice(14, 20), [15, 16, 24, 32, 48, 64]);
  t.deepEqual(ok.endpoints.server1, { host: '127.0.0.1', port: 6001 });
});

/** A CA and one certificate for 127.0.0.1 signed by it (openssl), in `dir`. */
function makeCertificates(dir: string): { cert: string; key: string; ca: string } {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tfe test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'player.key', '-out', 'player.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  run('x509', '-req', '-in', 'player.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'player.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { cert: 'player.pem', key: 'player.key', ca: 'ca.pem' };
}
