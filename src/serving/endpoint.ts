/**
 * A server's client endpoint: a socket.io server (HTTPS with the hostmap's
 * certificate when it has TLS files; clients then need no certificate of
 * their own) where clients, who are not in the hostmap, send queries. An
 * optional token is checked before a connection is accepted. Every message
 * is validated (schema, shape against the served model, byte length) before
 * anything uses it; a bad one gets a clear error and changes nothing else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as IoServer, type Socket } from 'socket.io';
import type { ServingError } from '../errors.js';
import { ConfigError } from '../errors.js';
import { RingTensor, sizeOf } from '../ring/index.js';
import { once, type ClientQuery, type QueryAnswer } from './queries.js';
import type { ClientEndpointAddress } from './settings.js';
import { base64ToWords, CancelMeta, describeIssue, EV, QueryMeta, wordsToBase64, type Info, type Reply } from './wire.js';

/** What the endpoint hands validated queries to. */
export interface EndpointHandler {
  /** The server's state for clients; `withStats` adds its counters and memory (not needed per query). */
  info(withStats: boolean): Info;
  query(q: ClientQuery): void;
  cancel(id: string, client: string): void;
  clientGone(client: string): void;
}

export interface EndpointOptions {
  readonly address: ClientEndpointAddress;
  /** This server's certificate and key (PEM): the endpoint then speaks HTTPS/WSS. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Clients must present it (socket.io `auth.token`). */
  readonly token?: string;
  /** Largest socket message accepted (bytes). */
  readonly maxMessageBytes: number;
  readonly log: (message: string) => void;
}

/** Events a client sends whose failures are logged at most this often. */
const MAX_LOGGED = 50;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export class ClientEndpoint {
  readonly http: HttpServer;
  readonly io: IoServer;
  private logged = 0;

  constructor(
    private readonly options: EndpointOptions,
    private readonly handler: EndpointHandler,
  ) {
    const tls = options.tls;
    this.http = tls === undefined ? createHttpServer() : createHttpsServer({ cert: tls.cert, key: tls.key });
    this.io = new IoServer(this.http, {
      transports: ['websocket'],
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      maxHttpBufferSize: options.maxMessageBytes,
      pingInterval: 5_000,
      pingTimeout: 10_000,
    });
    const want = options.token === undefined ? undefined : digest(options.token);
    this.io.use((socket, next) => {
      if (want === undefined) return next();
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (typeof token === 'string' && timingSafeEqual(digest(token), want)) return next();
      this.note(`refused a client from ${socket.handshake.address}: ${typeof token === 'string' ? 'unknown token' : 'no token'}`);
      next(Object.assign(new Error(typeof token === 'string' ? 'unauthorized: unknown client token' : 'unauthorized: this service needs a client token'), { data: { reason: 'unauthorized' } }));
    });
    this.io.on('connection', (socket) => this.onClient(socket));
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    const { host, port, bind } = this.options.address;
    return new Promise((resolve, reject) => {
      this.http.once('error', (e: NodeJS.ErrnoException) => reject(new ConfigError(`the client endpoint cannot listen on ${bind ?? host}:${port}: ${e.code ?? e.message}`)));
      this.http.listen(port, bind ?? host, () => resolve((this.http.address() as AddressInfo).port));
    });
  }

  /** Tells every connected client the server's current state. */
  pushInfo(): void {
    this.io.emit(EV.info, this.handler.info(false));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.io.close(() => resolve());
      this.io.disconnectSockets(true);
    });
  }

  private note(message: string): void {
    this.logged += 1;
    if (this.logged <= MAX_LOGGED) this.options.log(message + (this.logged === MAX_LOGGED ? ' (further such messages are not logged)' : ''));
  }

  private onClient(socket: Socket): void {
    const client = socket.id;
    socket.on(EV.info, (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as (i: Info) => void)(this.handler.info(true));
    });
    socket.on(EV.query, (...args: unknown[]) => this.onQuery(socket, client, args));
    socket.on(EV.cancel, (meta: unknown) => {
      const m = CancelMeta.safeParse(meta);
      if (m.success) this.handler.cancel(m.data.id, client);
    });
    socket.on('disconnect', () => this.handler.clientGone(client));
  }

  private onQuery(socket: Socket, client: string, args: unknown[]): void {
    const ack = args[args.length - 1];
    const refuse = (reason: ServingError['reason'], message: string, id?: string): void => {
      const reply: Reply = { ok: false, reason, message, ...(id === undefined ? {} : { id }) };
      if (typeof ack === 'function') (ack as (r: Reply) => void)(reply);
      else socket.emit(EV.error, reply);
    };
    if (typeof ack !== 'function') return refuse('invalid_query', 'a query must ask for an acknowledgement (socket.emit with a callback)');
    const m = QueryMeta.safeParse(args[0]);
    if (!m.success) return refuse('invalid_query', `invalid query: ${describeIssue(m.error)}`);
    const { id, shape } = m.data;
    const info = this.handler.info(false);
    if (!info.ready || info.model === undefined) return refuse('unavailable', `'${info.server}' is not ready: ${info.status}`, id);
    const sample = info.model.inputShape;
    const rows = shape[0];
    if (shape.length !== sample.length + 1 || sample.some((d, i) => d !== shape[i + 1])) {
      return refuse('invalid_query', `query of shape [${shape.join(',')}]; '${info.model.name}' takes [rows, ${sample.join(', ')}]`, id);
    }
    if (rows > info.maxRows) return refuse('invalid_query', `query of ${rows} rows; at most ${info.maxRows} per query`, id);
    const words = base64ToWords(m.data.share, sizeOf(shape));
    if (words === undefined) {
      return refuse('invalid_query', `the share of a query of shape [${shape.join(',')}] is the base64 of ${sizeOf(shape) * 8} bytes of u64 words; got ${m.data.share.length} base64 characters`, id);
    }
    const answer = once((a: QueryAnswer) => {
      if (!socket.connected) return;
      if (a.ok) (ack as (r: Reply) => void)({ ok: true, id, shape: [...a.share.shape], fracBits: a.fracBits, share: wordsToBase64(a.share.data) });
      else (ack as (r: Reply) => void)({ ok: false, id, reason: a.error.reason, message: a.error.message.slice(0, 1000) });
    });
    this.handler.query({ id, rows, client, share: new RingTensor(shape, words), answer });
  }
}
