/**
 * A private model's architecture as a plaintext tfjs model, without any
 * weight value: each layer rebuilt by tf.layers' factory of its class from
 * its config (our configs use tfjs's field names), a linear stack as
 * tf.sequential and a graph as tf.model (tf.input for each input, each node
 * applied in topological order, a shared layer rebuilt once and applied at
 * each of its nodes). toTfjs then sets the revealed weights on it; saving
 * shares keeps its topology (`toJSON`), the format `tfe serve` rebuilds
 * models from.
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError } from '../errors.js';
import type { Layer, LayerShape, SymbolicTensor } from '../layers/index.js';

/** How a model's layers connect: a linear stack, or a graph of symbolic tensors. */
export type ModelGraph =
  | { readonly kind: 'sequential'; readonly inputShape: LayerShape | undefined }
  | { readonly kind: 'functional'; readonly inputs: readonly SymbolicTensor[]; readonly outputs: readonly SymbolicTensor[] };

/** What the architecture needs of a model (Sequential and Functional are). */
export interface ArchitectureModel {
  readonly name: string;
  readonly layers: readonly Layer[];
  readonly graph: ModelGraph;
}

/** A plaintext tfjs model with a private model's architecture, and which tfjs layer stands for which of ours. */
export interface Architecture {
  readonly plain: tf.LayersModel;
  /** Ours -> tfjs's (input layers of a graph map to tf.input's layers). */
  readonly layerOf: ReadonlyMap<Layer, tf.layers.Layer>;
}

/** tf.layers' factory name of a class: Dense -> dense, Conv2D -> conv2d, ReLU -> reLU. */
function factoryName(className: string): string {
  return (className[0].toLowerCase() + className.slice(1)).replace(/(\d)D$/, '$1d');
}

/** The tfjs layer of one of ours, named `name`, with `extra` config fields. */
function plainLayer(model: string, layer: Layer, name: string, extra: Record<string, unknown> = {}): tf.layers.Layer {
  const config: Record<string, unknown> = { ...layer.getConfig(), name, ...extra };
  // Our own field (the ReLU implementation), not tfjs's.
  delete config.reluMode;
  const factory = (tf.layers as unknown as Record<string, ((c: unknown) => tf.layers.Layer) | undefined>)[factoryName(layer.className)];
  try {
    if (factory === undefined) throw new Error(`tf.layers has no ${factoryName(layer.className)}`);
    return factory(config);
  } catch (e) {
    throw new NotImplementedError(`${model}: layer '${layer.name}' (${layer.className}) cannot be rebuilt in tfjs: ${(e as Error).message}`);
  }
}

/** The nodes the outputs depend on, in creation order (a topological order). */
function nodesOf(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): SymbolicTensor[] {
  const found = new Set<SymbolicTensor>(inputs);
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as SymbolicTensor;
    if (found.has(t)) continue;
    found.add(t);
    stack.push(...t.inputs);
  }
  return [...found].sort((a, b) => a.id - b.id);
}

/**
 * The model's architecture in tfjs, layer i named `nameOf(layer, i)` (by
 * default its own name). Its weights are tfjs's initial values: set them, or
 * keep only the topology and dispose of it.
 */
export function tfjsArchitecture(model: ArchitectureModel, nameOf: (layer: Layer, index: number) => string = (l) => l.name): Architecture {
  const names = new Map(model.layers.map((l, i) => [l, nameOf(l, i)]));
  const layerOf = new Map<Layer, tf.layers.Layer>();
  const graph = model.graph;
  if (graph.kind === 'sequential') {
    const input = graph.inputShape;
    check(input !== undefined, () => `${model.name}: the input shape is unknown; build the model first`);
    const layers = model.layers.map((l, i) => {
      const p = plainLayer(model.name, l, names.get(l) as string, i === 0 ? { batchInputShape: [...input] } : {});
      layerOf.set(l, p);
      return p;
    });
    return { plain: tf.sequential({ name: model.name, layers }), layerOf };
  }
  const values = new Map<SymbolicTensor, tf.SymbolicTensor>();
  for (const x of graph.inputs) {
    const t = tf.input({ batchShape: [...x.shape], name: names.get(x.sourceLayer) as string });
    values.set(x, t);
    layerOf.set(x.sourceLayer, t.sourceLayer as tf.layers.Layer);
  }
  for (const node of nodesOf(graph.inputs, graph.outputs)) {
    if (values.has(node)) continue;
    const ours = node.sourceLayer;
    let p = layerOf.get(ours);
    if (p === undefined) {
      p = plainLayer(model.name, ours, names.get(ours) ?? ours.name);
      layerOf.set(ours, p);
    }
    const args = node.inputs.map((x) => values.get(x) as tf.SymbolicTensor);
    values.set(node, p.apply(args.length === 1 ? args[0] : args) as tf.SymbolicTensor);
  }
  const plain = tf.model({ name: model.name, inputs: graph.inputs.map((x) => values.get(x) as tf.SymbolicTensor), outputs: graph.outputs.map((x) => values.get(x) as tf.SymbolicTensor) });
  return { plain, layerOf };
}
