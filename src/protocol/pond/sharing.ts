/**
 * Getting values in and out. Input: the owner encodes its value, draws a fresh
 * seed, sends the seed to server 0 and x - PRG(seed) to server 1, so the
 * traffic is 16 bytes plus one tensor. Reveal: the servers send their shares
 * to the receivers, who add and decode them; nobody else learns the value.
 */
import { Prg, SEED_BYTES } from '../../crypto/index.js';
import * as ring from '../../ring/index.js';
import { RingTensor, sizeOf, type Shape } from '../../ring/index.js';
import { PrgStreams, Step, Stream } from '../dealer/streams.js';
import type { Placed } from '../placed.js';
import type { Float64Values } from '../api/index.js';
import { onServers, unmasked, type PondContext } from './context.js';
import { PondMaskedTensor, PondPrivateTensor, type PondTensor } from './tensors.js';

/** How {@link shareInput} shares. */
export interface ShareOptions {
  /** Also open the Beaver mask (see shareMasked). */
  readonly masked: boolean;
  /** The user-facing op, for error messages. */
  readonly context: string;
}

/**
 * Secret-shares a value that `produce` computes on `owner` only, encoded at
 * the protocol's scale. The shape is public and given up front, so every
 * player can go on without waiting.
 */
export function shareInput(ctx: PondContext, owner: string, shape: Shape, produce: () => Promise<Float64Values>, options: ShareOptions): PondPrivateTensor {
  const op = ctx.rt.nextOp();
  const encoded = async (): Promise<RingTensor> => ring.encode((await produce()).values, shape, ctx.fracBits, options.context);
  return options.masked ? shareMasked(ctx, op, owner, shape, encoded) : shareSeeded(ctx, op, owner, shape, encoded);
}

/** The owner sends a fresh seed to server 0 and x - PRG(seed) to server 1: 16 bytes plus one tensor. */
function shareSeeded(ctx: PondContext, op: number, owner: string, shape: Shape, encoded: () => Promise<RingTensor>): PondPrivateTensor {
  const { rt, servers } = ctx;
  const key = { op, step: Step.input };
  const n = sizeOf(shape);
  // Each expansion is its own holder (the owner, server 0) of the one-stream key.
  const expand = async (seed: Uint8Array, holder: string): Promise<RingTensor> => new RingTensor(shape, await new PrgStreams(new Prg(seed), holder).words(op, Stream.input, 0, n));

  const fromOwner = rt.on(owner, async () => {
    const x = await encoded();
    const seed = ctx.randomness(owner).seed();
    const x1 = ring.sub(x, await expand(seed, owner));
    if (owner !== servers[0]) rt.send(owner, servers[0], key, [{ shape: [SEED_BYTES], data: seed }]);
    if (owner !== servers[1]) rt.send(owner, servers[1], key, [x1]);
    return { seed, x1 };
  }, op);
  const shares = onServers(ctx, async (i) => {
    const own = owner === servers[i] ? await fromOwner.value() : undefined;
    if (i === 0) {
      const seed = own?.seed ?? ((await rt.receive(servers[0], owner, key, [{ dtype: 'u8', shape: [SEED_BYTES] }]))[0].data as Uint8Array);
      return expand(seed, servers[0]);
    }
    return own?.x1 ?? rt.receiveTensor(servers[1], owner, key, shape);
  }, op);
  return new PondPrivateTensor(ctx.prot, shape, shares, ctx.fracBits);
}

/**
 * An input already masked for Beaver products (tf-encrypted's masked inputs):
 * the dealer gives the owner the mask a, the owner sends alpha = x - a to both
 * servers, and the shares are x0 = a0 + alpha, x1 = a1. One round, where
 * sharing and then masking take two; the owner learning the mask of its own
 * input reveals nothing.
 */
function shareMasked(ctx: PondContext, op: number, owner: string, shape: Shape, encoded: () => Promise<RingTensor>): PondPrivateTensor {
  const { rt, servers } = ctx;
  const key = { op, step: Step.input };
  const { mask, forOwner } = ctx.triples.ownedMask(op, shape, owner);
  const alphaFromOwner = rt.on(owner, async () => {
    const alpha = ring.sub(await encoded(), await forOwner.value());
    for (const s of servers) if (s !== owner) rt.send(owner, s, key, [alpha]);
    return alpha;
  }, op);
  const alpha = onServers(ctx, async (i) => (owner === servers[i] ? alphaFromOwner.value() : rt.receiveTensor(servers[i], owner, key, shape)), op);
  const shares = onServers(ctx, async (i) => (i === 0 ? ring.add(await mask.shares[0].value(), await alpha[0].value()) : mask.shares[1].value()));
  const x = new PondPrivateTensor(ctx.prot, shape, shares, ctx.fracBits);
  ctx.masks.set(x, new PondMaskedTensor(ctx.prot, x, mask, alpha));
  return x;
}

/** Result of {@link revealTo}: a value per local receiver, and the local work. */
export interface Revealed {
  readonly values: ReadonlyMap<string, Placed<Float64Values>>;
  /** Settles when this process's part (sending or receiving shares) is done. */
  readonly done: Promise<void>;
}

/** Opens `x` to `receivers` (and to no one else). */
export function revealTo(ctx: PondContext, x: PondTensor, receivers: readonly string[]): Revealed {
  const { rt, servers } = ctx;
  if (x.kind === 'public') {
    const plain: Float64Values = { shape: x.shape, values: ring.decode(x.value, x.fracBits) };
    const values = new Map(receivers.map((r) => [r, rt.on(r, () => plain)]));
    return { values, done: Promise.resolve() };
  }
  // The receiver gets exactly the value at its precision: a product is
  // revealed after its truncation, never with its extra low-order bits.
  const p = unmasked(x);
  const op = rt.nextOp();
  const key = { op, step: Step.reveal };
  const sent = onServers(ctx, async (i) => {
    const share = await p.shares[i].value();
    for (const r of receivers) if (r !== servers[i]) rt.send(servers[i], r, key, [share]);
  }, op);
  const values = new Map(
    receivers.map((r) => [
      r,
      rt.on(r, async (): Promise<Float64Values> => {
        const shares = await Promise.all(
          [0, 1].map(async (i) => {
            if (r === servers[i]) return p.shares[i].value();
            return rt.receiveTensor(r, servers[i], key, p.shape);
          }),
        );
        return { shape: p.shape, values: ring.decode(ring.add(shares[0], shares[1]), p.fracBits) };
      }, op),
    ]),
  );
  const local = [...sent, ...values.values()].filter((v) => v.isLocal).map((v) => v.value());
  return { values, done: Promise.all(local).then(() => undefined) };
}
