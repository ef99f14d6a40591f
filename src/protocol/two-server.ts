/**
 * What a two-server protocol with a dealer needs: the runtime, the servers,
 * the dealer and its randomness. Pond's context extends it; the binary
 * protocols (comparisons) are written against it so any such protocol can use them.
 */
import { RingTensor, type Shape } from '../ring/index.js';
import type { ServerPair, TripleSource } from './dealer/triple-source.js';
import { Step } from './dealer/streams.js';
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

/** A value shared between the servers (additively or by XOR): its shape and each server's share. */
export interface SharedWords {
  readonly shape: Shape;
  readonly shares: ServerPair<RingTensor>;
}

/**
 * Opens masked values in one round: server i sends `combine(x_i, a_i)` for
 * every value x (mask a) in one message, and combines it with the other's.
 * `combine` is + for arithmetic masks and ^ for XOR masks; the result, the
 * same public x - a (or x ^ a) on both servers, reveals nothing of x.
 */
export function openMasked(
  ctx: TwoServerContext,
  op: number,
  values: readonly SharedWords[],
  masks: readonly { readonly shares: ServerPair<RingTensor> }[],
  mask: (x: RingTensor, a: RingTensor) => RingTensor,
  combine: (mine: RingTensor, theirs: RingTensor) => RingTensor,
): ServerPair<RingTensor[]> {
  const { rt, servers } = ctx;
  const key = { op, step: Step.open };
  const expect = values.map((v) => ({ dtype: 'u64' as const, shape: v.shape }));
  return onServers(ctx, async (i) => {
    const mine: RingTensor[] = [];
    for (const [j, v] of values.entries()) mine.push(mask(await v.shares[i].value(), await masks[j].shares[i].value()));
    rt.send(servers[i], servers[1 - i], key, mine);
    const theirs = await rt.receive(servers[i], servers[1 - i], key, expect);
    return mine.map((m, j) => combine(m, new RingTensor(m.shape, theirs[j].data as BigUint64Array)));
  }, op);
}

/** Piece j of placed arrays, on each server. */
export function pick<T>(ctx: TwoServerContext, pair: ServerPair<readonly T[]>, j: number): ServerPair<T> {
  return onServers(ctx, async (i) => (await pair[i].value())[j]);
}
