/**
 * A served model: its spec (architecture, weight shapes, encoding) and how
 * each side builds it.
 *
 * - The model owner converts its tfjs model exactly as `fromTfjs` does and
 *   keeps the values `fromTfjs` would share (batch normalization folded), in
 *   order: those are what it secret-shares ({@link captureWeights}).
 * - Servers and the crypto producer rebuild the same model from the spec's
 *   tfjs topology, each weight a private variable made of the shares the
 *   servers hold ({@link buildServedModel}); nothing is shared.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelFileError, ValueError } from '../errors.js';
import { fromTfjs, type Functional, type Sequential } from '../models/index.js';
import type { SharedModel, SharedModelSpec } from '../models/shares-io.js';
import type { LayerShape } from '../layers/index.js';
import type { Float64Values, InputProvider } from '../protocol/index.js';
import { toFloat64Async } from '../protocol/api/tensor-like.js';
import type { RingTensor } from '../ring/index.js';
import { DEFAULT_FRAC_BITS, encode } from '../ring/index.js';
import { OfflineConfig, ServingPond } from './serving-pond.js';

/** The roles of a service's players. */
export interface ServingRoles {
  readonly servers: readonly [string, string];
  readonly cryptoProducer: string;
}

/** What a client needs to know of the served model: public shapes and encoding. */
export interface ModelInfo {
  readonly name: string;
  readonly fingerprint: string;
  readonly sharingId: string;
  /** Shape of one sample (without the batch dimension). */
  readonly inputShape: readonly number[];
  /** Shape of one prediction (without the batch dimension). */
  readonly outputShape: readonly number[];
  readonly fracBits: number;
}

/** A model built on a serving protocol. */
export interface ServedModel {
  readonly model: Sequential | Functional;
  readonly info: ModelInfo;
}

/** The sample shape of a tfjs-style layer shape ([null, 784] -> [784]), which must be fully known. */
function sampleShape(shape: LayerShape | undefined, what: string, model: string): number[] {
  const rest = shape?.slice(1) ?? [];
  if (shape === undefined || rest.some((d) => d === null || d === undefined)) {
    throw new ValueError(`${model}: the ${what} shape must be known apart from the batch, got [${(shape ?? []).map(String).join(',')}]`);
  }
  return rest as number[];
}

/**
 * The weights `fromTfjs` would secret-share for `plain`, in order, with the
 * model's spec. Runs on the owner alone: no player of any protocol runs here.
 */
export async function captureWeights(plain: tf.LayersModel, fracBits = DEFAULT_FRAC_BITS): Promise<{ spec: SharedModelSpec; weights: RingTensor[] }> {
  if (!(plain instanceof tf.LayersModel)) throw new ValueError(`captureWeights: expected a tf.LayersModel, got ${typeof plain}`);
  const prot = new ServingPond(new OfflineConfig(['server0', 'server1', 'crypto-producer']), { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { fracBits });
  const providers: Array<{ shape: readonly number[]; provider: InputProvider }> = [];
  const model = await prot.withWeights(
    (shape, provider) => {
      providers.push({ shape, provider });
      return prot.definePrivateVariable(prot.privateFromShares(shape, () => Promise.reject(new ValueError('offline'))));
    },
    () => fromTfjs(plain, prot),
  );
  const weights: RingTensor[] = [];
  for (const [j, { shape, provider }] of providers.entries()) {
    const v: Float64Values = await toFloat64Async(await provider(), shape, `${plain.name} weight ${j}`);
    weights.push(encode(v.values, shape, fracBits, `${plain.name} weight ${j}`));
  }
  const topology = plain.toJSON(undefined, false) as unknown as SharedModelSpec['topology'];
  const spec: SharedModelSpec = { name: plain.name, fracBits, topology, weights: weightNames(model).map((name, j) => ({ name, shape: [...providers[j].shape] })) };
  return { spec, weights };
}

/** `layer/index` for every weight of a built model, in the order the layers define them. */
function weightNames(model: Sequential | Functional): string[] {
  return model.layers.flatMap((l) => l.weights.map((_, j) => `${l.name}/${j}`));
}

/**
 * Builds the served model on `prot`: the spec's tfjs topology converted as
 * `fromTfjs` does, weight j made of the servers' shares, `share(j)` run on
 * server i for its own share (never called where no server runs).
 */
export async function buildServedModel(prot: ServingPond, spec: SharedModel, share: (weight: number, server: 0 | 1) => RingTensor): Promise<ServedModel> {
  let plain: tf.LayersModel;
  try {
    plain = await tf.models.modelFromJSON({ modelTopology: spec.topology as tf.io.ModelJSON['modelTopology'] });
  } catch (e) {
    throw new ModelFileError(spec.name, `cannot rebuild the model from its topology: ${(e as Error).message}`);
  }
  let next = 0;
  try {
    const model = await prot.withWeights(
      (shape) => {
        const j = next++;
        const want = spec.weights[j]?.shape;
        if (want === undefined || want.length !== shape.length || want.some((d, i) => d !== shape[i])) {
          throw new ModelFileError(spec.name, `the model asks for weight ${j} of shape [${shape.join(',')}]; the shares hold ${want === undefined ? 'no such weight' : `[${want.join(',')}]`}`);
        }
        return prot.definePrivateVariable(prot.privateFromShares(shape, (i) => share(j, i), spec.fracBits));
      },
      () => fromTfjs(plain, prot),
    );
    if (next !== spec.weights.length) throw new ModelFileError(spec.name, `the model has ${next} weights; the shares hold ${spec.weights.length}`);
    const info: ModelInfo = {
      name: spec.name,
      fingerprint: spec.fingerprint,
      sharingId: spec.sharingId,
      inputShape: sampleShape(model.inputShape, 'input', spec.name),
      outputShape: sampleShape(model.outputShape, 'output', spec.name),
      fracBits: spec.fracBits,
    };
    return { model, info };
  } finally {
    plain.dispose();
  }
}
