// Type-checked in the fresh project by `tsc --noEmit` with module and
// moduleResolution node16 (tsconfig.json beside it): what a TypeScript user
// writes against the published types of both entry points.
import type * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted';
import { RemoteConfig, models as nodeModels } from 'tfjs-encrypted/node';

export async function privatePrediction(plain: tf.LayersModel): Promise<tf.Tensor | undefined> {
  const config: tfe.Config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const built = tfe.sequential({ layers: [tfe.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), tfe.layers.dense({ units: 2 })] });
  const model = await tfe.models.fromTfjs(plain, prot);
  const x = prot.definePrivateInput('inputter', () => [[1, 2, 3]], { shape: [1, 3] });
  const y: tfe.protocol.PrivateTensor = model.predict(x);
  const out = await prot.reveal(y, 'result-receiver');
  built.summary();
  await config.close();
  return out;
}

export function remote(): RemoteConfig {
  return RemoteConfig.fromObject({ players: [{ name: 'server0', host: '127.0.0.1', port: 4440 }] }, { name: 'server0', secret: 'a-secret-of-at-least-16-bytes' });
}

export const load: (dir: string) => Promise<tf.LayersModel> = nodeModels.loadTfjs;
export const isTfeError = (e: unknown): e is tfe.TfeError => e instanceof tfe.TfeError || e instanceof tfe.StreamReuseError;
export const codes: tfe.TfeErrorCode[] = ['config', 'stream_reuse'];

// Internals are not public API.
// @ts-expect-error ring is internal
export const ring = tfe.ring;
// @ts-expect-error network is internal
export const network = tfe.network;
