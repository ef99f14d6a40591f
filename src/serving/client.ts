/**
 * The client of a prediction service, for Node and browsers. `predict(x)`
 * encodes x in fixed point, splits it into two fresh additive shares (random
 * words from the CSPRNG: WebCrypto in a browser), sends one share to each
 * server under one fresh query id, and adds the two shares of the prediction
 * that come back. Neither server sees the input, the weights or the
 * prediction; the client never sees the weights.
 *
 * Every call ends: with the prediction, or a {@link ServingError} (busy,
 * unavailable, invalid query, a server lost or restarted while the query was
 * pending, no answer within `timeoutMs`), or a ValueError/ShapeError/
 * FixedPointRangeError before anything is sent.
 *
 * @example
 * const client = await tfe.serving.connect({ servers: ['https://10.0.0.10:4450', 'https://10.0.0.11:4450'], token });
 * const logits = await client.predict(tf.tensor(pixels, [1, 784]));
 */
import * as tf from '@tensorflow/tfjs';
import { io, type Socket } from 'socket.io-client';
import { check, ServingError, ShapeError, ValueError } from '../errors.js';
import { randomSeed, randomWords } from '../crypto/index.js';
import { addWords, decodeWords, encodeValues, subWords } from './codec.js';
import { base64ToWords, EV, Info, Reply, SERVING_VERSION, wordsToBase64, type QueryMeta } from './wire.js';

export interface ConnectOptions {
  /** The client endpoints of the two servers, first server first (e.g. `http://127.0.0.1:4450`). */
  readonly servers: readonly [string, string];
  /** The service's client token, if it has one. */
  readonly token?: string;
  /** Longest wait for one prediction (ms, default 30000). */
  readonly timeoutMs?: number;
  /** Longest wait for `connect` to reach both servers (ms, default 10000). */
  readonly connectTimeoutMs?: number;
  /** Node only: PEM CA certificate that signed the servers' certificates (HTTPS endpoints with a private CA). */
  readonly ca?: string;
}

/** The served model as the servers describe it. */
export type ServedModelInfo = NonNullable<Info['model']>;

interface Pending {
  settle(r: { reply: Reply; share?: BigUint64Array } | ServingError): void;
}

/** One server: its socket, what it last said about itself, and the queries waiting for it. */
class ServerLink {
  readonly socket: Socket;
  info: Info | undefined;
  /** Why this server cannot be used at all (a refused token). */
  fatal: ServingError | undefined;
  readonly pending = new Map<string, Pending>();

  /** `changed` is called whenever what this server said about itself, or its connection, changes. */
  constructor(
    readonly url: string,
    readonly index: 0 | 1,
    options: ConnectOptions,
    private readonly changed: Set<() => void>,
  ) {
    this.socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 2000,
      timeout: options.connectTimeoutMs ?? 10_000,
      auth: options.token === undefined ? {} : { token: options.token },
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    });
    this.socket.on('connect', () => {
      this.socket.timeout(options.connectTimeoutMs ?? 10_000).emit(EV.info, (err: Error | null, info: unknown) => {
        if (err === null) this.setInfo(info);
      });
    });
    this.socket.on(EV.info, (info: unknown) => this.setInfo(info));
    this.socket.on('connect_error', (e: Error & { data?: { reason?: unknown } }) => {
      if (e.data?.reason === 'unauthorized') this.fatal = new ServingError('unauthorized', `server ${index} at ${url} refused the connection: ${e.message}`);
      this.notify();
    });
    this.socket.on('disconnect', (reason) => {
      this.info = undefined;
      const lost = new ServingError('lost', `server ${index} at ${url} disconnected (${reason}) while the query was pending; its answer is lost`);
      for (const p of this.pending.values()) p.settle(lost);
      this.pending.clear();
      this.notify();
    });
  }

  private setInfo(raw: unknown): void {
    const r = Info.safeParse(raw);
    if (r.success) this.info = r.data;
    this.notify();
  }

  private notify(): void {
    for (const f of [...this.changed]) f();
  }

  /** Sends one share; settles with the server's reply (its share decoded when ok and of `outWords` words), or an error. */
  send(meta: QueryMeta, outWords: number, timeoutMs: number): Promise<{ reply: Reply; share?: BigUint64Array }> {
    return new Promise((resolve, reject) => {
      if (!this.socket.connected) return reject(new ServingError('lost', `server ${this.index} at ${this.url} is not connected (it is reconnecting)`));
      const timer = setTimeout(() => settle(new ServingError('timeout', `server ${this.index} at ${this.url} did not answer query ${meta.id} within ${timeoutMs} ms`)), timeoutMs);
      const settle: Pending['settle'] = (r) => {
        if (!this.pending.delete(meta.id)) return;
        clearTimeout(timer);
        if (r instanceof ServingError) reject(r);
        else resolve(r);
      };
      this.pending.set(meta.id, { settle });
      this.socket.emit(EV.query, meta, (reply: unknown) => {
        const r = Reply.safeParse(reply);
        if (!r.success) return settle(new ServingError('failed', `server ${this.index} at ${this.url} sent a malformed reply`));
        const share = r.data.ok ? base64ToWords(r.data.share, outWords) : undefined;
        settle({ reply: r.data, ...(share === undefined ? {} : { share }) });
      });
    });
  }

  cancel(id: string): void {
    if (this.socket.connected) this.socket.emit(EV.cancel, { id });
  }
}

export class Client {
  private readonly links: readonly [ServerLink, ServerLink];
  private readonly timeoutMs: number;
  private readonly changed = new Set<() => void>();
  private closed = false;

  private constructor(private readonly options: ConnectOptions) {
    check(Array.isArray(options.servers) && options.servers.length === 2 && options.servers.every((s) => typeof s === 'string'), () => 'connect: servers must be the two servers\' client endpoint URLs, first server first');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    check(this.timeoutMs > 0, () => `connect: timeoutMs must be positive, got ${this.timeoutMs}`);
    this.links = [new ServerLink(options.servers[0], 0, options, this.changed), new ServerLink(options.servers[1], 1, options, this.changed)];
  }

  /** Resolves when `ok()` holds, rejects after `ms` with `timeout()`'s error. */
  private until(ok: () => boolean, ms: number, timeout: () => ServingError): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ok()) return;
        clearTimeout(timer);
        this.changed.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.changed.delete(check);
        reject(timeout());
      }, ms);
      this.changed.add(check);
    });
  }

  /** Connects to both servers and resolves once both answered (ready or not); rejects when one cannot be reached or refuses. */
  static async connect(options: ConnectOptions): Promise<Client> {
    const client = new Client(options);
    const ms = options.connectTimeoutMs ?? 10_000;
    try {
      await Promise.all(client.links.map((l) => client.until(() => l.info !== undefined || l.fatal !== undefined, ms, () => new ServingError('unavailable', `cannot reach server ${l.index} at ${l.url} within ${ms} ms`))));
      for (const l of client.links) if (l.fatal !== undefined) throw l.fatal;
      client.roles();
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** Throws when a server answers in the other's role (the URLs are swapped or wrong). */
  private roles(): void {
    for (const l of this.links) {
      if (l.info !== undefined && l.info.shareIndex !== l.index) {
        throw new ServingError('mismatch', `${l.url} is the service's server ${l.info.shareIndex} ('${l.info.server}') but was given as server ${l.index}: list the first server first`);
      }
    }
  }

  /** The served model, when both servers are ready and serve the same sharing of it; else throws 'unavailable' or 'mismatch'. */
  model(): ServedModelInfo {
    this.roles();
    for (const l of this.links) {
      if (l.fatal !== undefined) throw l.fatal;
      if (l.info === undefined) throw new ServingError('unavailable', `server ${l.index} at ${l.url} is not connected (it is reconnecting)`);
      if (!l.info.ready || l.info.model === undefined) throw new ServingError('unavailable', `server ${l.index} ('${l.info.server}') is not ready: ${l.info.status}`);
    }
    const [a, b] = this.links.map((l) => (l.info as Info).model as ServedModelInfo);
    if (a.fingerprint !== b.fingerprint || a.sharingId !== b.sharingId) throw new ServingError('mismatch', `the two servers serve different models or sharings ('${a.name}' and '${b.name}')`);
    return a;
  }

  /** Resolves when both servers are ready (after a restart, for instance); rejects after `timeoutMs`. */
  async ready(timeoutMs = this.timeoutMs): Promise<ServedModelInfo> {
    const ok = (): boolean => {
      try {
        this.model();
        return true;
      } catch (e) {
        if (e instanceof ServingError && (e.reason === 'unauthorized' || e.reason === 'mismatch')) return true;
        return false;
      }
    };
    await this.until(ok, timeoutMs, () => {
      try {
        this.model();
      } catch (e) {
        if (e instanceof ServingError) return new ServingError('timeout', `the service is not ready after ${timeoutMs} ms: ${e.message}`);
      }
      return new ServingError('timeout', `the service is not ready after ${timeoutMs} ms`);
    });
    return this.model();
  }

  /**
   * The private prediction of `x`, a batch of shape [rows, ...inputShape]:
   * a float32 tf.Tensor of shape [rows, ...outputShape]. See the module
   * comment for what can fail.
   */
  async predict(x: tf.Tensor): Promise<tf.Tensor> {
    if (this.closed) throw new ServingError('unavailable', 'the client is closed');
    if (!(x instanceof tf.Tensor)) throw new ValueError(`predict: expected a tf.Tensor of shape [rows, ...inputShape], got ${x === null ? 'null' : typeof x}`);
    const model = this.model();
    const want = model.inputShape;
    if (x.rank !== want.length + 1 || want.some((d, i) => d !== x.shape[i + 1])) {
      throw new ShapeError(`predict: '${model.name}' takes inputs of shape [rows, ${want.join(', ')}], got [${x.shape.join(',')}]`);
    }
    const rows = x.shape[0];
    const maxRows = Math.min(...this.links.map((l) => (l.info as Info).maxRows));
    if (rows < 1 || rows > maxRows) throw new ShapeError(`predict: ${rows} rows in one query; the service takes 1 to ${maxRows}`);
    const values = await x.data();
    const range = this.links[0].info?.inputRange;
    if (range !== undefined) {
      for (let i = 0; i < values.length; i++) {
        if (!(values[i] >= range[0] && values[i] <= range[1])) throw new ValueError(`predict: element ${i} is ${Number.isNaN(values[i]) ? 'NaN' : 'outside'} the service's input range [${range[0]}, ${range[1]}]`);
      }
    }
    const encoded = encodeValues(values, model.fracBits, 'predict');
    const r = randomWords(encoded.length);
    const shares = [r, subWords(encoded, r)];
    const id = Array.from(randomSeed(), (b) => b.toString(16).padStart(2, '0')).join('');
    const outShape = [rows, ...model.outputShape];
    const words = outShape.reduce((n, d) => n * d, 1);
    const sent = this.links.map((l, i) => l.send({ v: SERVING_VERSION, id, shape: [...x.shape], share: wordsToBase64(shares[i]) }, words, this.timeoutMs));
    let answers: Array<{ reply: Reply; share?: BigUint64Array }>;
    try {
      answers = await Promise.all(sent.map((p, i) => p.then((a) => {
        if (!a.reply.ok) throw new ServingError(a.reply.reason, `server ${i}: ${a.reply.message}`);
        return a;
      })));
    } catch (e) {
      // One side failed: the other need not compute it, and its late answer is ignored.
      for (const l of this.links) l.cancel(id);
      sent.forEach((p) => p.catch(() => undefined));
      throw e;
    }
    const [a, b] = answers;
    for (const [i, ans] of answers.entries()) {
      const reply = ans.reply as Extract<Reply, { ok: true }>;
      if (reply.id !== id || ans.share?.length !== words || reply.shape.length !== outShape.length || reply.shape.some((d, j) => d !== outShape[j])) {
        throw new ServingError('failed', `server ${i} answered query ${id} with a share of another shape or id`);
      }
    }
    const fracBits = (a.reply as Extract<Reply, { ok: true }>).fracBits;
    if ((b.reply as Extract<Reply, { ok: true }>).fracBits !== fracBits) throw new ServingError('failed', 'the two servers answered at different fixed-point scales');
    return tf.tensor(decodeWords(addWords(a.share as BigUint64Array, b.share as BigUint64Array), fracBits), outShape, 'float32');
  }

  /** What each server last said about itself (role, readiness, model, counters), first server first. */
  async serverInfo(): Promise<Info[]> {
    return Promise.all(this.links.map(async (l) => {
      const raw: unknown = await l.socket.timeout(this.timeoutMs).emitWithAck(EV.info);
      const r = Info.safeParse(raw);
      if (!r.success) throw new ServingError('failed', `server ${l.index} at ${l.url} sent malformed information about itself`);
      l.info = r.data;
      return r.data;
    }));
  }

  /** Disconnects from both servers; pending predictions reject. */
  close(): void {
    this.closed = true;
    for (const l of this.links) l.socket.disconnect();
  }
}

/** Connects to a prediction service (see {@link Client.connect}). */
export function connect(options: ConnectOptions): Promise<Client> {
  return Client.connect(options);
}
