/**
 * tfjs-encrypted for Node: everything of `tfjs-encrypted`, plus players in
 * separate processes and machines (`RemoteConfig`, the socket.io transport,
 * hostmaps), the file-system IOHandler (`models.loadTfjs`,
 * `models.fileSystem`) and the `tfe` command's helpers. Loading it also
 * lets `LocalConfig` become a player of a `tfe` run.
 *
 * @example
 * import * as tfe from 'tfjs-encrypted/node';
 * const config = tfe.RemoteConfig.load('hostmap.json', { name: 'server0' });
 * const plain = await tfe.models.loadTfjs('models/mnist-cnn');
 *
 * @packageDocumentation
 */
export * from './index.js';
// Replace the browser-safe `models` and `serving` of index.ts with the ones that read files and serve.
export * as models from './models/node.js';
export * as serving from './serving/node.js';
export {
  RemoteConfig,
  closeOpenConfigs,
  destroyOpenConfigs,
  parseHostmap,
  SocketTransport,
  PROTOCOL_VERSION,
  type RemoteConfigOptions,
  type Hostmap,
  type HostEntry,
  type TlsFiles,
  type SocketTransportOptions,
  type TlsMaterial,
} from './network/node.js';
// Types that SocketTransport's signatures mention.
export type { LinkState } from './network/peer-link.js';
export type { Payload, MessageKey, WireSpec, TrafficKind, WireTensor, WireDtype } from './network/index.js';
export { main as tfeCommand, USAGE as TFE_USAGE } from './cli/main.js';
export { runScript, exitWhenIdle } from './cli/script.js';
