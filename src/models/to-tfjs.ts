/**
 * Giving a trained model back to its owner: the weights are revealed to the
 * owner only, and the owner's process rebuilds a plaintext tf.LayersModel
 * (which tfjs can then save and serve). Every other process does its part of
 * the reveal and gets undefined.
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError } from '../errors.js';
import type { Layer } from '../layers/index.js';
import type { Protocol } from '../protocol/api/index.js';
import { toTfTensor } from '../protocol/api/tensor-like.js';

/** What toTfjs needs of a model. */
export interface RevealableModel {
  readonly name: string;
  readonly layers: readonly Layer[];
  readonly protocol: Protocol | undefined;
  /** Input shape with the batch as null. */
  readonly inputShape: readonly (number | null)[] | undefined;
}

/** Each layer's weights as float32 tensors on `owner`'s process (undefined elsewhere). */
export async function revealWeights(model: RevealableModel, owner: string): Promise<tf.Tensor[][] | undefined> {
  const prot = model.protocol;
  check(prot !== undefined, () => `${model.name}.revealWeights: the model is not built`);
  prot.config.player(owner, `${model.name}.revealWeights`);
  const out: tf.Tensor[][] = [];
  for (const layer of model.layers) {
    const ws: tf.Tensor[] = [];
    for (const w of layer.built ? layer.weights : []) {
      const v = await prot.revealFloat64(w, owner);
      if (v !== undefined) ws.push(toTfTensor(v));
    }
    out.push(ws);
  }
  return prot.config.isLocal(owner) ? out : undefined;
}

/**
 * A plaintext tf.LayersModel with the private model's architecture and its
 * current weights, on `owner` only (the weights are revealed to it alone).
 */
export async function toTfjs(model: RevealableModel, owner: string): Promise<tf.LayersModel | undefined> {
  const weights = await revealWeights(model, owner);
  if (weights === undefined) return undefined;
  const input = model.inputShape;
  check(input !== undefined, () => `${model.name}.toTfjs: the input shape is unknown`);
  const layers = model.layers.map((layer, i) => {
    const config: Record<string, unknown> = { ...layer.getConfig() };
    delete config.reluMode;
    if (i === 0) config.batchInputShape = [...input];
    // tf.layers' factory of the class: Dense -> dense, Conv2D -> conv2d, ReLU -> reLU.
    const factoryName = (layer.className[0].toLowerCase() + layer.className.slice(1)).replace(/(\d)D$/, '$1d');
    const factory = (tf.layers as unknown as Record<string, ((c: unknown) => tf.layers.Layer) | undefined>)[factoryName];
    try {
      if (factory === undefined) throw new Error(`tf.layers has no ${factoryName}`);
      return factory(config);
    } catch (e) {
      throw new NotImplementedError(`${model.name}.toTfjs: layer '${layer.name}' (${layer.className}) cannot be rebuilt in tfjs: ${(e as Error).message}`);
    }
  });
  const plain = tf.sequential({ name: model.name, layers });
  plain.layers.forEach((l, i) => {
    if (weights[i].length > 0) l.setWeights(weights[i]);
  });
  return plain;
}
