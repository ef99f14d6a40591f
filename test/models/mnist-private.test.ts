/**
 * Private prediction of real MNIST digits agrees with the plaintext models
 * (a sample here; all 1,000 held-out digits in `npm run test:accuracy`, which
 * CI also runs). Agreement must be at least 99.5% of the sample.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/node.js';
import { loadMnist } from '../../models/data.js';
import { makePond } from '../helpers/float.js';

tf.env().set('PROD', true);

for (const [name, count, offset] of [['mnist-mlp', 200, 0], ['mnist-sigmoid', 200, 200], ['mnist-cnn', 24, 400]] as const) {
  test(`${name}: private predictions on ${count} real test digits agree with the plaintext model`, async (t) => {
    const plain = await tfe.models.loadTfjs(`models/${name}`);
    const shape = plain.inputs[0].shape.slice(1) as number[];
    const { prot } = makePond();
    const model = await tfe.models.fromTfjs(plain, prot, { weightsOwner: 'inputter' });
    const pixels = loadMnist().test.pixels.slice(offset * 784, (offset + count) * 784);
    const x = prot.definePrivateInput('inputter', () => pixels, { shape: [count, ...shape] });
    const classes = await prot.revealFloat64(prot.argmax(model.predict(x), -1), 'result-receiver');
    const want = tf.tidy(() => (plain.predict(tf.tensor(pixels, [count, ...shape])) as tf.Tensor).argMax(-1).dataSync());
    const agree = Array.from(want).filter((c, i) => c === classes!.values[i]).length;
    t.log(`${agree}/${count} agree`);
    t.true(agree >= Math.ceil(0.995 * count));
  });
}
