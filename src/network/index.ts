/**
 * Players, configurations, transports, frames and traffic counters: the part
 * that runs anywhere (every player in one process, linked in memory). Sockets,
 * hostmaps and `tfe`'s environment are in `node.ts`.
 */
export type { Player } from './player.js';
export type { WireDtype, WireTensor, Payload, WireSpec, MessageKey, TrafficKind, ReceiveOptions } from './message.js';
export { dtypeOf, describeKey, CONTROL_STEP } from './message.js';
export { OpIdCounter } from './op-ids.js';
export { TrafficCounters, trafficSince, type TrafficSnapshot } from './counters.js';
export { encodeFrame, decodeFrame, frameByteLength, type Frame } from './frame.js';
export { type Transport, Mailbox, checkPayload } from './transport.js';
export { InMemoryTransport } from './memory.js';
export { Config, InProcessConfig, checkPlayerNames, DEFAULT_TIMEOUT_MS, type ConfigOptions } from './config.js';
export { LocalConfig } from './local-config.js';
export { nextTask } from './next-task.js';
