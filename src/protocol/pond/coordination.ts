/**
 * Coordination between all players, not only the servers: a public coin
 * (randomness every player learns, for batch order and dropout masks, never
 * for secrets) and a barrier that keeps the players that only send (the
 * crypto producer, data owners) from running ahead of the servers.
 */
import { SEED_BYTES } from '../../crypto/index.js';
import { ProtocolError } from '../../errors.js';
import type { Config } from '../../network/index.js';
import { Step } from '../dealer/streams.js';
import { onServers, unmasked, type PondContext } from './context.js';
import type { PondTensor } from './tensors.js';

/** A fresh seed drawn by the first server and sent to every other player; every process gets it. */
export async function publicSeed(ctx: PondContext, config: Config): Promise<Uint8Array> {
  const { rt } = ctx;
  const op = rt.nextOp();
  const key = { op, step: Step.publicCoin };
  const first = ctx.servers[0];
  const others = config.playerNames.filter((p) => p !== first);
  const drawn = rt.on(first, () => {
    const seed = ctx.randomness(first).seed();
    for (const p of others) rt.send(first, p, key, [{ shape: [SEED_BYTES], data: seed }]);
    return seed;
  }, op);
  const got = others.map((p) => rt.on(p, async () => (await rt.receive(p, first, key, [{ dtype: 'u8', shape: [SEED_BYTES] }]))[0].data as Uint8Array, op));
  // Every local player holds the same seed.
  const [seed] = await Promise.all([drawn, ...got].filter((v) => v.isLocal).map((v) => v.value()));
  if (seed === undefined) throw new ProtocolError('publicSeed: no player of the configuration runs in this process');
  return seed;
}

/**
 * Resolves once both servers' shares of `after` exist: the first server then
 * tells every player but the other server (which it paces anyway).
 */
export async function sync(ctx: PondContext, config: Config, after: readonly PondTensor[]): Promise<void> {
  const { rt, servers } = ctx;
  const op = rt.nextOp();
  const key = { op, step: Step.sync };
  const told = config.playerNames.filter((p) => !servers.includes(p));
  const computed = onServers(ctx, async (i) => {
    for (const t of after) if (t.kind !== 'public') await unmasked(t).shares[i].value();
    if (i === 0) for (const p of told) rt.send(servers[0], p, key, [{ shape: [1], data: new Uint8Array(1) }]);
  }, op);
  const heard = told.map((p) => rt.on(p, () => rt.receive(p, servers[0], key, [{ dtype: 'u8', shape: [1] }]), op));
  await Promise.all([...computed, ...heard].filter((v) => v.isLocal).map((v) => v.value()));
}
