/**
 * The Node side of the network: players in separate processes and machines
 * (RemoteConfig, the socket.io transport, hostmaps, the handshake) and the
 * `tfe` environment of LocalConfig, which loading this module installs.
 */
export * from './index.js';
export { RemoteConfig, checkSecretFile, closeOpenConfigs, destroyOpenConfigs, watchOpenConfigs, type RemoteConfigOptions } from './remote-config.js';
export { parseHostmap, type Hostmap, type HostEntry, type TlsFiles } from './hostmap.js';
export { SocketTransport, type SocketTransportOptions, type TlsMaterial } from './socket-transport.js';
export { PROTOCOL_VERSION } from './handshake.js';
export { localConfigUnderTfe } from './tfe-environment.js';
