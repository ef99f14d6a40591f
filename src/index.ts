/**
 * tfjs-encrypted: machine learning on encrypted data with TensorFlow.js.
 *
 * This entry runs anywhere, browsers included (no `node:` import): protocols,
 * layers, models, `LocalConfig` with every player in one process, errors.
 * Node programs that place players in separate processes, or load models
 * from the file system, import `tfjs-encrypted/node`, which adds those.
 *
 * @example
 * import * as tfe from 'tfjs-encrypted';
 * const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
 * const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
 *
 * @packageDocumentation
 */
import { quietTfjsNodeHint } from './tfjs-node-hint.js';

export * as protocol from './protocol/index.js';
export * as layers from './layers/index.js';
export * as models from './models/index.js';
export * as serving from './serving/index.js';
export { sequential, Sequential, model, Functional, losses, train, History } from './models/index.js';
export { input } from './layers/index.js';
export { grad, grads, valueAndGrads, variableGrads } from './autodiff/index.js';
export { LocalConfig, Config, InProcessConfig, type ConfigOptions, type Player, type TrafficSnapshot, trafficSince } from './network/index.js';
export { seededRandom, type RandomSource } from './crypto/index.js';
export {
  TfeError,
  ValueError,
  ShapeError,
  FixedPointRangeError,
  OverflowError,
  WeightRangeError,
  UnknownPlayerError,
  NotImplementedError,
  ProtocolError,
  PeerLostError,
  ConfigError,
  ModelFileError,
  StreamReuseError,
  WrongPlayerError,
  ServingError,
  type ServingFailure,
  StoppedError,
  failureOrigin,
  type FailureOrigin,
  type TfeErrorCode,
} from './errors.js';
// Types that public signatures mention, exported so that programs (and the API
// reference) can name them.
export type { Transport, InMemoryTransport, OpIdCounter, TrafficCounters, ReceiveOptions } from './network/index.js';
export type { RingTensor, Shape, Padding, Conv2dOptions, Conv2dTransposeOptions } from './ring/index.js';
export type { KindTensor } from './protocol/api/tensor.js';
export type { PrgStreams, StreamTag, Stream } from './protocol/dealer/streams.js';
export type { State as RecurrentState } from './layers/recurrent.js';

quietTfjsNodeHint();
