import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ShapeError, FixedPointRangeError } from '../../src/errors.js';
import { connect, shareModel } from '../../src/serving/node.js';
import { loadTfjs } from '../../src/models/node.js';
import { loadMnist } from '../../models/data.js';
import { TEST_SECRET } from '../helpers/net.js';
import { serviceFiles, startService } from '../helpers/serving.js';

tf.env().set('PROD', true);

test('share once, serve, predict: private predictions equal the plaintext model on real digits', async (t) => {
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
  t.log(JSON.stringify(status.map((s) => s.stats)));
  t.log(logs.join('\n'));
});
