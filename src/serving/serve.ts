/**
 * `serve()`: runs one player of a prediction service (a server or the crypto
 * producer) until `close()`, the library form of `tfe serve`.
 */
import { ServingPlayer, type PlayerOptions } from './server.js';
import { readServingFile, servingSettings, type ServingOverrides } from './settings.js';

export interface ServeOptions extends ServingOverrides, PlayerOptions {
  /** The hostmap (file or object), with its optional `serving` section. */
  readonly config: string | Record<string, unknown>;
  /** The player this process runs: one of the two servers or the crypto producer. */
  readonly name: string;
}

/**
 * Starts the serving player `options.name` of the hostmap and resolves once it
 * listens (servers: for clients and the model owner) and is meeting the
 * others; it then serves until `close()`.
 *
 * @example
 * const player = await tfe.serving.serve({ config: 'hostmap.json', name: 'server0' });
 * // ... later
 * await player.close();
 */
export async function serve(options: ServeOptions): Promise<ServingPlayer> {
  const { raw, baseDir } = typeof options.config === 'string' ? readServingFile(options.config) : { raw: options.config, baseDir: process.cwd() };
  const settings = servingSettings(raw, typeof options.config === 'string' ? options.config : 'object', baseDir, options);
  const player = new ServingPlayer(settings, options.name, options);
  await player.start();
  return player;
}
