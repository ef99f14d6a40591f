/**
 * tfjs-encrypted: machine learning on encrypted data with TensorFlow.js.
 *
 * @example
 * import * as tfe from 'tfjs-encrypted';
 * const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
 * const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
 *
 * @packageDocumentation
 */
export * as protocol from './protocol/index.js';
export * as ring from './ring/index.js';
export * as network from './network/index.js';
export * as layers from './layers/index.js';
export * as models from './models/index.js';
export { sequential, Sequential } from './models/index.js';
export { LocalConfig, RemoteConfig, Config, InProcessConfig, type ConfigOptions, type RemoteConfigOptions, type Player, type TrafficSnapshot, trafficSince } from './network/index.js';
export {
  TfeError,
  ValueError,
  ShapeError,
  FixedPointRangeError,
  UnknownPlayerError,
  NotImplementedError,
  ProtocolError,
  PeerLostError,
  ConfigError,
  ModelFileError,
  StoppedError,
  failureOrigin,
  type FailureOrigin,
  type TfeErrorCode,
} from './errors.js';
