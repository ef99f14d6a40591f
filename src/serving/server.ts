/**
 * A long-running serving player: a server (with its client endpoint, its
 * model owner endpoint and its share file) or the crypto producer. It loops
 * over epochs (epoch.ts): meet the other two, serve until one of them is
 * lost or a new model is shared, then meet again. Clients asking while there
 * is no epoch are told 'unavailable' at once; queries pending when an epoch
 * ends are answered 'lost'. Nothing waits without a bound.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, ModelFileError, ServingError } from '../errors.js';
import { readShareFile, type ShareFile } from '../models/shares-io.js';
import type { RemoteConfig } from '../network/node.js';
import { Dealer, type DealerStats } from './dealer.js';
import { ClientEndpoint } from './endpoint.js';
import { meet, roleOf, type Epoch, type EpochModel, type ServingRole } from './epoch.js';
import { Follower, type FollowerStats } from './follower.js';
import { Leader, type LeaderStats } from './leader.js';
import type { ModelInfo } from './model.js';
import { describeModel, OWNER_NAMESPACE, servedShareFile, serveOwners } from './owner.js';
import type { ClientQuery } from './queries.js';
import { resolveSecret } from './secret.js';
import type { ServingSettings } from './settings.js';
import { SERVING_VERSION, type Info } from './wire.js';

/** What a serving player reports about itself. */
export interface ServingStatus {
  readonly name: string;
  readonly role: ServingRole;
  /** Whether queries are answered now. */
  readonly ready: boolean;
  /** What it is doing (why not ready). */
  readonly status: string;
  readonly model: ModelInfo | undefined;
  /** Epochs begun (1 once the players first met). */
  readonly epochs: number;
  /** Counters of the current epoch's role. */
  readonly stats: LeaderStats | FollowerStats | DealerStats | undefined;
  /** The client endpoint's port (servers). */
  readonly clientPort: number | undefined;
}

export interface PlayerOptions {
  readonly secret?: string | Uint8Array;
  readonly log?: (message: string) => void;
  /** How long a meeting waits for the other players (ms, default 10000). */
  readonly connectTimeoutMs?: number;
}

type Role = Leader | Follower | Dealer;

/** This process's memory, in MiB (for monitoring, and the leak check of the load test). */
function memoryStats(): { rssMiB: number; heapUsedMiB: number } {
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapUsedMiB: m.heapUsed / 2 ** 20 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ServingPlayer {
  readonly role: ServingRole;
  private shares: ShareFile | undefined;
  private endpoint: ClientEndpoint | undefined;
  private clientPort: number | undefined;
  private epoch: Epoch | undefined;
  /** The configuration of a meeting in progress. */
  private meeting: RemoteConfig | undefined;
  private current: Role | undefined;
  private epochs = 0;
  private state = 'starting';
  private ready = false;
  private closing = false;
  private loop: Promise<void> | undefined;
  /** Ends the current epoch (a new model, or close). */
  private wake: (why: Error) => void = () => undefined;
  private readonly log: (message: string) => void;
  private readonly secret: Uint8Array;

  constructor(
    private readonly settings: ServingSettings,
    readonly name: string,
    private readonly options: PlayerOptions = {},
  ) {
    this.role = roleOf(settings, name);
    this.log = options.log ?? ((m) => void process.stderr.write(`tfe serve ${name}: ${m}\n`));
    this.secret = resolveSecret(options.secret, settings.hostmap, settings.baseDir);
  }

  /** Loads this server's share file (if any), opens the client endpoint and starts meeting the others. */
  async start(): Promise<void> {
    if (this.role !== 'dealer') {
      await mkdir(this.settings.sharesDir, { recursive: true, mode: 0o700 });
      this.shares = await this.loadShares();
      const tls = this.settings.hostmap.tls;
      const read = (f: string): Buffer => {
        try {
          return readFileSync(path.resolve(this.settings.baseDir, f));
        } catch (e) {
          throw new ConfigError(`hostmap tls: cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      };
      const ep = new ClientEndpoint(
        {
          address: this.settings.endpoints[this.name],
          ...(tls === undefined ? {} : { tls: { cert: read(tls.cert), key: read(tls.key) } }),
          ...(this.settings.clientToken === undefined ? {} : { token: this.settings.clientToken }),
          maxMessageBytes: 8 * 2 ** 20,
          log: this.log,
        },
        {
          info: (withStats) => this.info(withStats),
          query: (q) => this.onQuery(q),
          cancel: (id, client) => (this.current instanceof Dealer ? undefined : this.current?.cancel(id, client)),
          clientGone: (client) => (this.current instanceof Dealer ? undefined : this.current?.clientGone(client)),
        },
      );
      serveOwners(ep.io.of(OWNER_NAMESPACE), {
        settings: this.settings,
        name: this.name,
        secret: this.secret,
        session: this.settings.hostmap.session ?? 'default',
        log: this.log,
        stored: (file) => {
          this.shares = file;
          this.wake(new ServingError('unavailable', `a new model was shared (${describeModel(file.header.model)})`));
        },
      });
      this.clientPort = await ep.listen();
      this.endpoint = ep;
      const scheme = tls === undefined ? 'http' : 'https';
      this.log(`clients connect to ${scheme}://${this.settings.endpoints[this.name].host}:${this.clientPort}`);
    }
    this.loop = this.run();
  }

  /** This server's shares from its share file; none when there is no file yet. */
  private async loadShares(): Promise<ShareFile | undefined> {
    const file = servedShareFile(this.settings, this.name);
    try {
      const shares = await readShareFile(file, this.name);
      this.log(`loaded ${describeModel(shares.header.model)} from ${file}`);
      return shares;
    } catch (e) {
      if (e instanceof ModelFileError && /ENOENT/.test(e.message)) {
        this.log(`no share file at ${file} yet: waiting for the model owner (tfe share-model)`);
        return undefined;
      }
      throw e;
    }
  }

  status(): ServingStatus {
    const model = this.epoch?.model?.served.info;
    return { name: this.name, role: this.role, ready: this.ready, status: this.state, model, epochs: this.epochs, stats: this.current?.stats, clientPort: this.clientPort };
  }

  private info(withStats: boolean): Info {
    const model = this.epoch?.model?.served.info;
    return {
      v: SERVING_VERSION,
      server: this.name,
      shareIndex: this.role === 'leader' ? 0 : 1,
      ready: this.ready,
      status: this.state,
      ...(model === undefined ? {} : { model: { ...model, inputShape: [...model.inputShape], outputShape: [...model.outputShape] } }),
      maxRows: this.settings.batch.maxBatch,
      epochs: this.epochs,
      ...(withStats ? { stats: { ...this.current?.stats, ...this.current?.gauges(), ...memoryStats() } } : {}),
      ...(this.settings.inputRange === undefined ? {} : { inputRange: [this.settings.inputRange[0], this.settings.inputRange[1]] as [number, number] }),
    };
  }

  private setState(state: string, ready: boolean): void {
    if (state === this.state && ready === this.ready) return;
    this.state = state;
    this.ready = ready;
    this.endpoint?.pushInfo();
  }

  private onQuery(q: ClientQuery): void {
    const role = this.current;
    if (!this.ready || role === undefined || role instanceof Dealer) {
      q.answer({ ok: false, error: new ServingError('unavailable', `'${this.name}' is not ready: ${this.state}`) });
      return;
    }
    role.query(q);
  }

  /** The epoch loop. */
  private async run(): Promise<void> {
    let backoff = 250;
    let lastFailure = '';
    while (!this.closing) {
      // The shares this epoch serves: a model shared while it is set up ends it at once.
      const shares = this.shares;
      this.setState(`connecting to the other serving players`, false);
      let epoch: Epoch;
      try {
        epoch = await meet({ settings: this.settings, name: this.name, shares, secret: this.secret, log: this.log, connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000, onConfig: (c) => (this.meeting = c) });
      } catch (e) {
        this.meeting = undefined;
        if (this.closing) break;
        const why = e instanceof Error ? e.message : String(e);
        if (why !== lastFailure) this.log(`could not set up with the other players: ${why}`);
        lastFailure = why;
        await sleep(backoff);
        backoff = Math.min(2 * backoff, 2000);
        continue;
      }
      this.meeting = undefined;
      lastFailure = '';
      backoff = 250;
      this.epochs += 1;
      this.epoch = epoch;
      const stale = this.closing ? new ServingError('unavailable', `'${this.name}' is shutting down`) : this.shares !== shares ? new ServingError('unavailable', 'a new model was shared while the players met') : undefined;
      const ended = new Promise<Error>((resolve) => (this.wake = resolve));
      let why: Error;
      if (stale !== undefined) why = stale;
      else if (epoch.model === undefined) {
        this.setState('waiting for the model owner (tfe share-model)', false);
        why = await Promise.race([ended, this.idle(epoch)]);
      } else {
        const role = this.startRole(epoch as Epoch & { model: EpochModel });
        this.current = role;
        this.setState('ready', this.role !== 'dealer');
        this.log(`serving ${describeModel(epoch.model.spec)} (epoch ${this.epochs}, comparisons by ${epoch.model.comparison === 'fss' ? 'function secret sharing' : 'the adder'})`);
        why = await Promise.race([ended, role.whenEnded.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))]);
        role.end(why);
      }
      this.setState(`reconnecting to the other serving players (${why.message})`, false);
      if (!this.closing) this.log(`epoch ${this.epochs} ended: ${why.message}`);
      epoch.channel.close();
      await epoch.config.destroy(why);
      this.epoch = undefined;
      this.current = undefined;
      if (!this.closing) await sleep(100);
    }
  }

  private startRole(epoch: Epoch & { model: EpochModel }): Role {
    const role = this.role === 'leader' ? new Leader(epoch, this.settings) : this.role === 'follower' ? new Follower(epoch, this.settings) : new Dealer(epoch, this.settings);
    role.start();
    return role;
  }

  /** An epoch without a model: resolves when a peer is lost (their heartbeats keep the streams alive). */
  private async idle(epoch: Epoch): Promise<Error> {
    try {
      await Promise.all(epoch.channel.peers.map(async (p) => {
        const { message } = await epoch.channel.receive(p);
        throw new ServingError('failed', `unexpected '${message.type}' message from '${p}' while waiting for a model`);
      }));
      return new Error('idle epoch ended');
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Stops serving: ends the epoch (peers see this player leave), closes the endpoint. */
  async close(): Promise<void> {
    if (this.closing) return this.loop;
    this.closing = true;
    void this.meeting?.destroy();
    this.wake(new ServingError('unavailable', `'${this.name}' is shutting down`));
    await this.loop;
    await this.endpoint?.close();
  }
}
