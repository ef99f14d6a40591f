/**
 * What a two-server protocol with a dealer needs: the runtime, the servers,
 * the dealer and its randomness. Pond's context extends it; the binary
 * protocols (comparisons) are written against it so any such protocol can use them.
 */
import type { ServerPair, TripleSource } from './dealer/triple-source.js';
import type { Runtime } from './runtime.js';

export interface TwoServerContext {
  readonly rt: Runtime;
  readonly servers: readonly [string, string];
  readonly dealer: string;
  readonly triples: TripleSource;
}

/**
 * Runs `fn` on each server with its index; returns the placed pair. Parts that
 * communicate pass their operation id, so that a failure aborts it for peers.
 */
export function onServers<T>(ctx: TwoServerContext, fn: (i: 0 | 1) => T | Promise<T>, op?: number): ServerPair<T> {
  return [ctx.rt.on(ctx.servers[0], () => fn(0), op), ctx.rt.on(ctx.servers[1], () => fn(1), op)];
}
