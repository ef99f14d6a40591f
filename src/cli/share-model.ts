/**
 * `tfe share-model --model DIR --config hostmap.json --name model-owner`:
 * the model owner secret-shares a tfjs model's weights with the two servers
 * of a prediction service, once, and leaves; each server keeps its own
 * shares in its share file. The secret comes from TFE_SECRET or
 * TFE_SECRET_FILE (never the command line).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { shareModel } from '../serving/node.js';

export const SHARE_MODEL_USAGE = `  tfe share-model --model DIR --config hostmap.json --name NAME
      secret-shares the tfjs model in DIR (model.json + weights) with the two servers of the
      hostmap's prediction service, as its model owner NAME, and leaves`;

export async function shareModelCommand(args: readonly string[]): Promise<number> {
  tf.env().set('PROD', true);
  const { values } = parseArgs({
    args: [...args],
    options: { model: { type: 'string' }, config: { type: 'string' }, name: { type: 'string' }, secret: { type: 'string' } },
    strict: true,
  });
  if (values.secret !== undefined) throw new ConfigError('tfe share-model: never pass the secret on the command line (other users can read it); set TFE_SECRET or TFE_SECRET_FILE');
  if (values.model === undefined || values.config === undefined || values.name === undefined) throw new ConfigError('tfe share-model: needs --model, --config and --name');
  const r = await shareModel({ model: values.model, config: values.config, name: values.name, log: (m) => console.error(`tfe share-model: ${m}`) });
  const m = r.model;
  console.log(`shared model '${m.name}' (fingerprint ${m.fingerprint}, sharing ${m.sharingId}): ${m.weights.length} weights, ${r.bytesPerServer} bytes of shares to each server`);
  for (const f of r.files) console.log(`  stored in ${f}`);
  return 0;
}
