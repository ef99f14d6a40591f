/**
 * The private transposed convolution against tf.conv2dTranspose (float32
 * from float64 inputs): private and public filters, both paddings, strides.
 * Error: the inputs' and the filter's encodings (2^-17 each) over the fan-in,
 * plus one unit of truncation.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { makePond, maxAbsDiff, revealValues } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(94);

test('conv2dTranspose agrees with tfjs for private and public filters', async (t) => {
  const { prot } = makePond();
  for (const padding of ['valid', 'same'] as const) {
    for (const strides of [1, 2, [3, 2]] as Array<number | [number, number]>) {
      for (const publicFilter of [false, true]) {
        const xv = rng.floats(2 * 4 * 5 * 3, -1, 1);
        const fv = rng.floats(3 * 2 * 4 * 3, -1, 1);
        const x = prot.definePrivateInput('inputter', () => xv, { shape: [2, 4, 5, 3] });
        const f = publicFilter ? prot.definePublicVariable(tf.tensor(Array.from(fv), [3, 2, 4, 3])) : prot.definePrivateVariable(tf.tensor(Array.from(fv), [3, 2, 4, 3]));
        const y = x.conv2dTranspose(f, { strides, padding });
        const s = typeof strides === 'number' ? [strides, strides] : strides;
        const want = tf.conv2dTranspose(tf.tensor(Array.from(xv), [2, 4, 5, 3]) as tf.Tensor4D, tf.tensor(Array.from(fv), [3, 2, 4, 3]) as tf.Tensor4D, [2, ...y.shape.slice(1, 3), 4] as [number, number, number, number], s as [number, number], padding);
        t.deepEqual([...y.shape], want.shape);
        const err = maxAbsDiff(await revealValues(prot, y), want.dataSync());
        t.true(err < 2e-3, `${padding} s=${JSON.stringify(strides)} public=${publicFilter}: ${err}`);
      }
    }
  }
});
