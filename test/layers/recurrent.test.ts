/**
 * simpleRNN, gru and lstm on private sequences against tfjs: every
 * combination of returnSequences, goBackwards and bias, with tfjs's default
 * gates (tanh, hardSigmoid) and with sigmoid gates. Errors: tanh's 1.2e-4 and
 * sigmoid's 6e-5 per step, through a few steps of contracting recurrences.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import { agreeModel, seq } from '../helpers/agree.js';
import { TestRng } from '../helpers/random.js';

tf.env().set('PROD', true);
const rng = new TestRng(97);

const KINDS = {
  simpleRNN: (a: Record<string, unknown>) => tf.layers.simpleRNN({ units: 4, ...a }),
  gru: (a: Record<string, unknown>) => tf.layers.gru({ units: 4, ...a }),
  lstm: (a: Record<string, unknown>) => tf.layers.lstm({ units: 4, ...a }),
};

for (const [kind, make] of Object.entries(KINDS)) {
  test(`${kind}: returnSequences, goBackwards, bias and gate activations agree with tfjs`, async (t) => {
    for (const returnSequences of [false, true]) {
      for (const goBackwards of [false, true]) {
        for (const [useBias, recurrentActivation] of [[true, undefined], [false, 'sigmoid']] as Array<[boolean, string | undefined]>) {
          const args: Record<string, unknown> = { returnSequences, goBackwards, useBias, ...(recurrentActivation === undefined || kind === 'simpleRNN' ? {} : { recurrentActivation }) };
          await agreeModel(t, seq([make(args)], [5, 3]), 3e-3, `${kind} ${JSON.stringify(args)}`, rng, { weightScale: 0.7 });
        }
      }
    }
  });
}

test('a stacked LSTM over a GRU, then dense, agrees with tfjs', async (t) => {
  await agreeModel(t, seq([tf.layers.gru({ units: 5, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid' }), tf.layers.lstm({ units: 3 }), tf.layers.dense({ units: 2 })], [6, 2]), 4e-3, 'gru > lstm > dense', rng, { weightScale: 0.7 });
});

test('recurrent refusals name the layer, the field and what is supported', (t) => {
  t.throws(() => tfe.layers.lstm({ units: 3, returnState: true }), { message: /returnState true is not supported; supported: false/ });
  t.throws(() => tfe.layers.simpleRNN({ units: 3, stateful: true }), { message: /stateful true is not supported/ });
  t.throws(() => tfe.layers.gru({ units: 3, resetAfter: true } as tfe.layers.GatedRNNLayerArgs), { message: /resetAfter true is not supported; supported: false/ });
  t.throws(() => tfe.layers.lstm({ units: 3, recurrentActivation: 'mish' as 'tanh' }), { message: /recurrentActivation 'mish' is not supported/ });
  t.throws(() => tfe.layers.lstm({ units: 3 }).computeOutputShape([null, 4]), { message: /input must be \[batch, steps, features\]/ });
  t.deepEqual(tfe.layers.gru({ units: 3, returnSequences: true }).computeOutputShape([null, 7, 2]), [null, 7, 3]);
});
