/**
 * Agreement of a converted tfjs model with tfjs itself: random weights in
 * [-1, 1] (batch-norm variances in [0.5, 2]), random inputs, every output
 * compared within a tolerance. Returns the largest error seen.
 */
import type { ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../src/index.js';
import type { Pond } from '../../src/protocol/index.js';
import { makePond, revealValues } from './float.js';
import type { TestRng } from './random.js';

/** Random weights in [-1, 1] (variances for batch norm in [0.5, 2]). */
export function randomize(model: tf.LayersModel, rng: TestRng, scale = 1): void {
  for (const layer of model.layers) {
    const current = layer.getWeights();
    const ws = current.map((w, i) => {
      const positive = layer.getClassName() === 'BatchNormalization' && i === current.length - 1;
      return tf.tensor(Array.from({ length: w.size }, () => (positive ? rng.uniform(0.5, 2) : rng.uniform(-scale, scale))), w.shape);
    });
    if (ws.length > 0) layer.setWeights(ws);
  }
}

export interface AgreeOptions {
  batch?: number;
  /** Input values: uniform in [lo, hi] (default [-1, 1]), or integers below `ints` (token ids). */
  lo?: number;
  hi?: number;
  ints?: number;
  /** Keep the model's weights (do not randomize). */
  keepWeights?: boolean;
  weightScale?: number;
  prot?: Pond;
}

/** Converts `plain`, predicts privately on random inputs and compares every output with tfjs's. */
export async function agreeModel(t: ExecutionContext, plain: tf.LayersModel, tol: number, what: string, rng: TestRng, options: AgreeOptions = {}): Promise<number> {
  const batch = options.batch ?? 3;
  if (options.keepWeights !== true) randomize(plain, rng, options.weightScale);
  const prot = options.prot ?? makePond().prot;
  const model = await tfe.models.fromTfjs(plain, prot);
  const values = plain.inputs.map((x) => {
    const shape = [batch, ...(x.shape.slice(1) as number[])];
    const n = shape.reduce((a, b) => a * b, 1);
    const v = Float64Array.from({ length: n }, () => (options.ints !== undefined ? rng.int(options.ints) : rng.uniform(options.lo ?? -1, options.hi ?? 1)));
    return { shape, v };
  });
  const xs = values.map(({ shape, v }) => prot.definePrivateInput('inputter', () => v, { shape }));
  const want = plain.predict(values.map(({ shape, v }) => tf.tensor(Array.from(v), shape)));
  const wants = Array.isArray(want) ? want : [want];
  const gots = model.predictOutputs(xs);
  t.is(gots.length, wants.length, `${what}: number of outputs`);
  let worst = 0;
  for (let o = 0; o < wants.length; o++) {
    t.deepEqual([...gots[o].shape], wants[o].shape, `${what}: shape of output ${o}`);
    const gv = await revealValues(prot, gots[o]);
    const wv = wants[o].dataSync();
    let err = 0;
    for (let i = 0; i < gv.length; i++) err = Math.max(err, Math.abs(gv[i] - wv[i]));
    t.true(err <= tol, `${what}: output ${o}: max error ${err.toExponential(2)} > ${tol}`);
    worst = Math.max(worst, err);
  }
  return worst;
}

/** A one-layer (or few-layer) tf.sequential on `inputShape`. */
export function seq(layers: tf.layers.Layer[], inputShape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.inputLayer({ inputShape, dtype }), ...layers] });
}
