/**
 * Private prediction service, the part that runs anywhere (Node and
 * browsers): the client. Servers and the model owner's side are in
 * `node.ts` (`tfjs-encrypted/node`).
 */
export { Client, connect, type ConnectOptions, type ServedModelInfo } from './client.js';
export { SERVING_VERSION, type Info as ServerInfo } from './wire.js';
