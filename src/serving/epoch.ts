/**
 * An epoch of a service: the three serving players connected, agreeing on
 * the model, with the model built and its weights' masks open. Every player
 * runs the same steps, in step (the operation ids of the protocol advance
 * alike on all three):
 *
 * 1. connect (a RemoteConfig over the serving players of the hostmap) and
 *    reserve the first operation id for the service's own messages;
 * 2. the first server sends the manifest (its share file's model: spec,
 *    fingerprint, sharing id; the batch sizes); the second server checks that
 *    its share file holds the other half of the same sharing, and everyone
 *    answers;
 * 3. build the protocol (with the preprocessed triple source) and the model
 *    from the shares; run one batch of zeros with the dealer online, which
 *    opens the masks of the weights once for the whole epoch.
 *
 * Any player lost ends the epoch for all: each destroys its connections, the
 * others see it, and all meet again (the server loop retries).
 */
import { ServingError } from '../errors.js';
import type { ShareFile, SharedModel } from '../models/shares-io.js';
import { RemoteConfig, type Hostmap } from '../network/node.js';
import { PreprocessedTripleSource, sharesOf, type ComparisonMethod } from '../protocol/index.js';
import { RingTensor } from '../ring/index.js';
import { MeshChannel } from './mesh.js';
import { buildServedModel, type ServedModel } from './model.js';
import { ServingPond } from './serving-pond.js';
import type { ServingSettings } from './settings.js';

/** Who a player is in the service. */
export type ServingRole = 'leader' | 'follower' | 'dealer';

/** A player's part of a running epoch. */
export interface Epoch {
  readonly config: RemoteConfig;
  readonly channel: MeshChannel;
  /** Undefined when the leader has no model yet: the epoch then only waits. */
  readonly model: EpochModel | undefined;
}

export interface EpochModel {
  readonly spec: SharedModel;
  readonly prot: ServingPond;
  readonly source: PreprocessedTripleSource;
  readonly served: ServedModel;
  readonly sizes: readonly number[];
  /** The comparison method agreed in the manifest (the leader's). */
  readonly comparison: ComparisonMethod;
}

export interface MeetOptions {
  readonly settings: ServingSettings;
  readonly name: string;
  /** This server's shares (servers only; the dealer has none). */
  readonly shares: ShareFile | undefined;
  readonly secret?: string | Uint8Array;
  readonly log: (message: string) => void;
  /** How long to wait for the other players to connect (ms). */
  readonly connectTimeoutMs: number;
  /** Sees the configuration as soon as it exists (so that a player shutting down can destroy it). */
  readonly onConfig?: (config: RemoteConfig) => void;
}

/** The role of `name` in `settings`. */
export function roleOf(settings: ServingSettings, name: string): ServingRole {
  const { servers, cryptoProducer } = settings.roles;
  if (name === servers[0]) return 'leader';
  if (name === servers[1]) return 'follower';
  if (name === cryptoProducer) return 'dealer';
  throw new ServingError('mismatch', `'${name}' has no serving role; the servers are '${servers[0]}' and '${servers[1]}', the crypto producer '${cryptoProducer}'`);
}

/** The hostmap of the three serving players (the model owner and anyone else left out). */
function meshHostmap(settings: ServingSettings): Hostmap {
  const { hostmap, roles } = settings;
  const names = [...roles.servers, roles.cryptoProducer];
  return { ...hostmap, players: hostmap.players.filter((p) => names.includes(p.name)) };
}

/** Connects, agrees on the model and sets it up (see the module comment). Rejects when any step fails. */
export async function meet(options: MeetOptions): Promise<Epoch> {
  const { settings, name, log } = options;
  const role = roleOf(settings, name);
  const config = new RemoteConfig(meshHostmap(settings), { name, timeoutMs: settings.timeoutMs, connectTimeoutMs: options.connectTimeoutMs, log, ...(options.secret === undefined ? {} : { secret: options.secret }) }, settings.baseDir);
  options.onConfig?.(config);
  try {
    await config.ready();
    const { servers, cryptoProducer } = settings.roles;
    const peers = [...servers, cryptoProducer].filter((p) => p !== name);
    const channel = new MeshChannel(config, config.opIds.next(), name, peers, Math.max(50, settings.timeoutMs / 4));
    const spec = await agree(role, channel, settings, options.shares);
    if (spec === undefined) return { config, channel, model: undefined };
    let source: PreprocessedTripleSource | undefined;
    const prot = new ServingPond(config, settings.roles, {
      fracBits: spec.model.fracBits,
      comparison: spec.comparison,
      tripleSource: (rt, s, dealer, random) => (source = new PreprocessedTripleSource(rt, s, dealer, random)),
    });
    const shares = options.shares?.shares;
    const served = await buildServedModel(prot, spec.model, (j) => {
      if (shares === undefined) throw new ServingError('failed', `'${name}' holds no shares`);
      return shares[j];
    });
    // One batch of zeros, the dealer online: opens the weights' masks for the epoch.
    const shape = [1, ...served.info.inputShape];
    const y = served.model.predict(prot.privateFromShares(shape, () => RingTensor.zeros(shape), spec.model.fracBits));
    if (role === 'dealer') await prot.flush();
    else await sharesOf(y)[role === 'leader' ? 0 : 1].value();
    return { config, channel, model: { spec: spec.model, prot, source: source as unknown as PreprocessedTripleSource, served, sizes: spec.sizes, comparison: spec.comparison } };
  } catch (e) {
    await config.destroy(e instanceof Error ? e : undefined);
    throw e;
  }
}

/**
 * The manifest exchange: resolves with the agreed model and sizes, or
 * undefined when the leader has no model. Throws a ServingError('mismatch')
 * naming what differs when the servers hold different sharings.
 */
async function agree(role: ServingRole, channel: MeshChannel, settings: ServingSettings, shares: ShareFile | undefined): Promise<{ model: SharedModel; sizes: readonly number[]; comparison: ComparisonMethod } | undefined> {
  const { servers, cryptoProducer } = settings.roles;
  if (role === 'leader') {
    const model = shares?.header.model;
    // The others adopt the leader's sizes and comparison method: every player must issue the same dealer requests.
    const manifest = { type: 'manifest' as const, sizes: [...settings.batch.sizes], comparison: settings.comparison, ...(model === undefined ? {} : { model }) };
    channel.send(servers[1], manifest);
    channel.send(cryptoProducer, manifest);
    const replies = await Promise.all([servers[1], cryptoProducer].map(async (p) => ({ p, r: (await channel.receive(p)).message })));
    for (const { p, r } of replies) {
      if (r.type !== 'manifest-reply') throw new ServingError('failed', `'${p}' answered the manifest with a '${r.type}' message`);
      if (!r.ok) throw new ServingError('mismatch', r.reason);
    }
    return model === undefined ? undefined : { model, sizes: manifest.sizes, comparison: manifest.comparison };
  }
  const { message } = await channel.receive(servers[0]);
  if (message.type !== 'manifest') throw new ServingError('failed', `'${servers[0]}' opened with a '${message.type}' message instead of the manifest`);
  const reason = role === 'follower' ? mismatch(servers, message.model, shares?.header.model) : undefined;
  channel.send(servers[0], { type: 'manifest-reply', ok: reason === undefined, reason: reason ?? '' });
  if (reason !== undefined) throw new ServingError('mismatch', reason);
  return message.model === undefined ? undefined : { model: message.model, sizes: message.sizes, comparison: message.comparison };
}

/** Why the second server cannot serve the leader's model, or undefined. */
function mismatch(servers: readonly [string, string], theirs: SharedModel | undefined, mine: SharedModel | undefined): string | undefined {
  if (theirs === undefined) return undefined;
  if (mine === undefined) return `'${servers[1]}' holds no shares; '${servers[0]}' holds ${describe(theirs)}: run tfe share-model again`;
  if (mine.fingerprint !== theirs.fingerprint || mine.sharingId !== theirs.sharingId) {
    return `'${servers[0]}' holds ${describe(theirs)}, '${servers[1]}' holds ${describe(mine)}: the shares of one sharing are needed on both; run tfe share-model again`;
  }
  return undefined;
}

function describe(m: SharedModel): string {
  return `model '${m.name}' (fingerprint ${m.fingerprint.slice(0, 12)}, sharing ${m.sharingId.slice(0, 8)})`;
}
