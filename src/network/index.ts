/** Players, configurations, transports, frames and traffic counters. */
export type { Player } from './player.js';
export type { WireDtype, WireTensor, Payload, WireSpec, MessageKey, TrafficKind } from './message.js';
export { dtypeOf, describeKey } from './message.js';
export { OpIdCounter } from './op-ids.js';
export { TrafficCounters, trafficSince, type TrafficSnapshot } from './counters.js';
export { encodeFrame, decodeFrame, frameByteLength, type Frame } from './frame.js';
export { type Transport, Mailbox, checkPayload } from './transport.js';
export { InMemoryTransport } from './memory.js';
export { Config, InProcessConfig, checkPlayerNames, DEFAULT_TIMEOUT_MS, type ConfigOptions } from './config.js';
export { LocalConfig } from './local-config.js';
export { RemoteConfig, checkSecretFile, closeOpenConfigs, destroyOpenConfigs, watchOpenConfigs, type RemoteConfigOptions } from './remote-config.js';
export { parseHostmap, type Hostmap, type HostEntry, type TlsFiles } from './hostmap.js';
export { SocketTransport, type SocketTransportOptions, type TlsMaterial } from './socket-transport.js';
export { PROTOCOL_VERSION } from './handshake.js';
