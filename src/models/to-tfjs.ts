/**
 * Giving a trained model back to its owner: the weights are revealed to the
 * owner only, and the owner's process rebuilds a plaintext tf.LayersModel
 * (which tfjs can then save and serve). Every other process does its part of
 * the reveal and gets undefined.
 */
import type * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import type { Protocol } from '../protocol/api/index.js';
import { toTfTensor } from '../protocol/api/tensor-like.js';
import { tfjsArchitecture, type ArchitectureModel } from './tfjs-architecture.js';

/** What toTfjs needs of a model. */
export interface RevealableModel extends ArchitectureModel {
  readonly protocol: Protocol | undefined;
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
 * A plaintext tf.LayersModel with the private model's architecture (a
 * tf.sequential, or a tf.model for a graph) and its current weights, on
 * `owner` only (the weights are revealed to it alone).
 */
export async function toTfjs(model: RevealableModel, owner: string): Promise<tf.LayersModel | undefined> {
  const weights = await revealWeights(model, owner);
  if (weights === undefined) return undefined;
  const { plain, layerOf } = tfjsArchitecture(model);
  model.layers.forEach((layer, i) => {
    const p = layerOf.get(layer);
    if (weights[i].length > 0 && p !== undefined) p.setWeights(weights[i]);
  });
  return plain;
}
