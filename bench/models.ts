/**
 * The networks the inference benchmark runs: the trained models of models/
 * (MNIST test digits as inputs) and an LSTM of 64 units over 32 steps of 16
 * features with seeded weights (Keras's sigmoid gates and tanh), as in a
 * sequence classifier after an embedding; its inputs are a fixed smooth
 * sequence. Every process builds the same model and inputs.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted/node';
import { loadMnist } from '../models/data.js';

export interface BenchNetwork {
  readonly model: tf.LayersModel;
  /** Shape of one input, without the batch. */
  readonly shape: readonly number[];
  /** The first `batch` inputs, flat. */
  readonly inputs: (batch: number) => Float32Array;
}

export const LSTM_BENCH = 'lstm-64x32';

export async function benchNetwork(name: string): Promise<BenchNetwork> {
  if (name === LSTM_BENCH) {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      name: 'lstm_64x32',
      layers: [
        tf.layers.lstm({ inputShape: [32, 16], units: 64, recurrentActivation: 'sigmoid', kernelInitializer: init(61), recurrentInitializer: init(62) }),
        tf.layers.dense({ units: 10, kernelInitializer: init(63) }),
      ],
    });
    const inputs = (batch: number): Float32Array => Float32Array.from({ length: batch * 32 * 16 }, (_, i) => 0.8 * Math.sin(0.37 * i));
    return { model, shape: [32, 16], inputs };
  }
  const model = await tfe.models.loadTfjs(`models/${name}`);
  return { model, shape: model.inputs[0].shape.slice(1) as number[], inputs: (batch) => loadMnist().test.pixels.slice(0, batch * 784) };
}
