/**
 * Players in separate processes: one socket.io server per player and one
 * WebSocket connection per pair of players, the later player in the hostmap
 * dialing the earlier one. Frames travel as binary chunks (never JSON
 * arrays); messages are matched in the shared {@link Mailbox}, so they may
 * arrive early and in any order. Connections open with the handshake of
 * `handshake.ts` and optionally run over TLS.
 *
 * Throughput notes: per-message deflate is off (shares are incompressible),
 * and the dialer's WebSocket frames use an all-zero mask, which `ws` skips
 * instead of XOR-ing every byte. Masking exists to protect browser-facing
 * HTTP intermediaries from script-chosen bytes; between two Node players it
 * only costs time (it made dialer-to-listener traffic 2-7x slower).
 */
// First: socket.io's and engine.io's debug output would print every packet (quiet-debug.ts).
import './quiet-debug.js';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as IoServer, type Socket as ServerSocket } from 'socket.io';
import { io as dial, type Socket as ClientSocket } from 'socket.io-client';
import { NodeWebSocket } from 'engine.io-client';
import { ConfigError, PeerLostError, ProtocolError, UnknownPlayerError } from '../errors.js';
import { Admission } from './admission.js';
import { DEFAULT_CHUNK_BYTES, CHUNK_HEADER_BYTES, sessionTag } from './chunk.js';
import { abortMessage, failMessage } from './control.js';
import { Challenge, describeIssue, EVENTS, freshNonce, Hello, PROTOCOL_VERSION, Proof, prove, Refusal, verify, type Transcript } from './handshake.js';
import type { HostEntry } from './hostmap.js';
import { TrafficCounters } from './counters.js';
import { frameByteLength } from './frame.js';
import type { MessageKey, Payload, TrafficKind, WireSpec } from './message.js';
import { RateLimitedLog } from './log-limit.js';
import { MAX_PARTS, PeerLink, type LinkContext, type Wire } from './peer-link.js';
import { Mailbox, type Transport } from './transport.js';
import { admitDecoder, wireParser } from './wire-parser.js';

/** PEM contents for TLS: this player's certificate and key, and the CA that signed every player's. */
export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
}

export interface SocketTransportOptions {
  /** The local player. */
  readonly self: string;
  /** Every player, in hostmap order. */
  readonly players: readonly HostEntry[];
  /** The shared secret (at least 16 bytes). */
  readonly secret: Uint8Array;
  /** Session id: players of one run share it; anything else is refused. */
  readonly session: string;
  /** How long a receive waits (ms). */
  readonly timeoutMs: number;
  /** How long peers have to connect (ms); default max(timeoutMs, 30000). */
  readonly connectTimeoutMs?: number;
  /**
   * How long an incoming connection has to complete the handshake (ms); default
   * 5000. Until then it may send only a handshake's bytes.
   */
  readonly handshakeTimeoutMs?: number;
  readonly tls?: TlsMaterial;
  /** Where refusals, rejections and losses are reported (names and reasons only). */
  readonly log: (message: string) => void;
  /** Largest frame accepted (bytes); default 1 GiB. */
  readonly maxFrameBytes?: number;
  /** Frame bytes per socket message; default 16 MiB. */
  readonly chunkBytes?: number;
  /** The last operation id issued in this process (frames for ids far beyond are refused). */
  readonly currentOp?: () => number;
  /** How far ahead of `currentOp` a peer may be; default 2^20 operations. */
  readonly maxOpsAhead?: number;
  /**
   * Most bytes one peer may make this player hold: its frames that nobody
   * has received yet, for later operations, plus the frame of several chunks
   * being reassembled. Past it the peer is dropped. Default twice `maxFrameBytes`.
   */
  readonly maxBufferedBytes?: number;
}

const DEFAULT_MAX_FRAME = 2 ** 30 + 2 ** 20;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
/** Refusal lines logged per window before they are only counted (anyone can make a player refuse). */
const REFUSALS_LOGGED = { burst: 10, windowMs: 10_000, what: 'refusal' };

/** The dialer's WebSocket with an all-zero mask (see the module comment). */
class UnmaskedWebSocket extends NodeWebSocket {
  override createSocket(uri: string, protocols: string | string[] | undefined, opts: Record<string, unknown>): unknown {
    return super.createSocket(uri, protocols, { ...opts, generateMask: (mask: Uint8Array) => mask.fill(0) });
  }
}

export class SocketTransport implements Transport {
  readonly localPlayers: ReadonlySet<string>;
  readonly counters = new TrafficCounters();
  private readonly mailbox: Mailbox;
  private readonly links = new Map<string, PeerLink>();
  private readonly selfIndex: number;
  private readonly connectTimeoutMs: number;
  private readonly http: HttpServer;
  private readonly server: IoServer;
  private readonly clients: ClientSocket[] = [];
  /** Incoming connections that have not authenticated yet. */
  private readonly admission: Admission;
  private readonly refusals: RateLimitedLog;
  private readonly connectTimer: ReturnType<typeof setTimeout>;
  private readonly serverParser: ReturnType<typeof wireParser>;
  private readonly clientParser: ReturnType<typeof wireParser>;
  private readonly listening: Promise<number>;
  private closing: Promise<void> | undefined;
  /** Destroyed or shut down: new connections are refused without a log line. */
  private finished = false;

  constructor(private readonly options: SocketTransportOptions) {
    const { self, players, timeoutMs } = options;
    this.selfIndex = players.findIndex((p) => p.name === self);
    if (this.selfIndex < 0) throw new UnknownPlayerError('SocketTransport', self, players.map((p) => p.name));
    if (options.secret.byteLength < 16) throw new ConfigError('the shared secret must be at least 16 bytes long');
    this.localPlayers = new Set([self]);
    this.mailbox = new Mailbox(timeoutMs);
    this.connectTimeoutMs = options.connectTimeoutMs ?? Math.max(timeoutMs, 30_000);
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME;
    this.refusals = new RateLimitedLog(options.log, REFUSALS_LOGGED);
    const ctx: LinkContext = {
      self,
      mailbox: this.mailbox,
      tag: sessionTag(options.session),
      chunkBytes,
      limits: { maxFrameBytes, maxChunkBytes: chunkBytes },
      timeoutMs,
      currentOp: options.currentOp ?? ((): number => Number.MAX_SAFE_INTEGER / 2),
      maxOpsAhead: options.maxOpsAhead ?? 2 ** 20,
      maxBufferedBytes: options.maxBufferedBytes ?? 2 * maxFrameBytes,
      log: options.log,
    };
    // One chunk event carries a header and at most MAX_PARTS - 1 views, adding up to one chunk.
    const parserLimits = { maxAttachments: MAX_PARTS, maxAttachmentBytes: chunkBytes + CHUNK_HEADER_BYTES };
    this.serverParser = wireParser({ ...parserLimits, onRefused: (why) => this.refusals.line(`refused a connection: ${why}`) });
    this.clientParser = wireParser({ ...parserLimits, onRefused: (why) => options.log(`a player this one dialed broke the handshake: ${why}`) });
    for (const p of players) if (p.name !== self) this.links.set(p.name, new PeerLink(p.name, `${p.host}:${p.port}`, ctx));

    const me = players[this.selfIndex];
    const tls = options.tls;
    this.http = tls === undefined ? createHttpServer() : createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true });
    this.server = new IoServer(this.http, {
      parser: this.serverParser,
      transports: ['websocket'],
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      // A chunk plus its header, deliberately: larger socket messages are refused before they are buffered.
      maxHttpBufferSize: chunkBytes + CHUNK_HEADER_BYTES + 4096,
      connectTimeout: handshakeTimeoutMs,
      pingInterval: 10_000,
      pingTimeout: 20_000,
    });
    this.server.use((socket, next) => {
      if (this.finished) return next(Object.assign(new Error(`'${self}' has finished`), { data: { refused: true } }));
      const reason = this.checkHello(socket.handshake.auth);
      if (reason === undefined) return next();
      this.refusals.line(`refused a connection from ${socket.handshake.address}: ${reason}`);
      next(Object.assign(new Error(reason), { data: { refused: true } }));
    });
    this.server.on('connection', (socket) => this.onIncoming(socket));
    // After socket.io's own listeners (see Admission.count).
    this.admission = new Admission(this.http, {
      deadlineMs: handshakeTimeoutMs,
      refuse: (address, why) => this.refusals.line(`closed a connection from ${address}: ${why}`),
    });

    this.listening = new Promise<number>((resolve, reject) => {
      this.http.once('error', (e: NodeJS.ErrnoException) => {
        const error = new ConfigError(`'${self}' cannot listen on ${me.bind ?? me.host}:${me.port}: ${e.code ?? e.message}`);
        options.log(error.message);
        this.mailbox.close(error);
        reject(error);
      });
      this.http.listen(me.port, me.bind ?? me.host, () => resolve((this.http.address() as AddressInfo).port));
    });
    this.listening.catch(() => undefined);

    for (const p of players.slice(0, this.selfIndex)) this.dialPeer(p);
    this.connectTimer = setTimeout(() => {
      for (const link of this.links.values()) {
        if (link.state !== 'connecting') continue;
        const dialed = this.index(link.peer) < this.selfIndex;
        const why = dialed ? `could not connect to it at ${link.address} within ${this.connectTimeoutMs} ms` : `it did not connect within ${this.connectTimeoutMs} ms`;
        options.log(`gave up on '${link.peer}': ${why}`);
        link.lose(why);
      }
      for (const c of this.clients) if (!c.connected) c.disconnect();
    }, this.connectTimeoutMs);
  }

  private index(name: string): number {
    return this.options.players.findIndex((p) => p.name === name);
  }

  // ------------------------------------------------------------ Transport

  send(from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind): void {
    if (from !== this.options.self) throw new ProtocolError(`'${from}' does not run in this process ('${this.options.self}' does)`);
    this.counters.record(from, to, key, frameByteLength(payload), kind);
    if (to === from) {
      this.mailbox.deliver(from, to, key, payload);
      return;
    }
    this.link(to, 'send').sendFrame(key, payload);
  }

  receive(to: string, from: string, key: MessageKey, expect: readonly WireSpec[]): Promise<Payload> {
    if (to !== this.options.self) return Promise.reject(new ProtocolError(`'${to}' does not run in this process ('${this.options.self}' does)`));
    if (from !== to && !this.links.has(from)) return Promise.reject(new UnknownPlayerError('receive', from, this.options.players.map((p) => p.name)));
    return this.mailbox.take(to, from, key, expect);
  }

  abort(from: string, op: number, error: Error): void {
    const message = abortMessage(op, error);
    for (const link of this.links.values()) link.sendControl(message);
  }

  /** The port this player listens on, once listening (useful with port 0 in tests). */
  port(): Promise<number> {
    return this.listening;
  }

  /** Resolves when this player listens and every peer is connected; rejects when one cannot be. */
  async ready(): Promise<void> {
    await this.listening;
    await Promise.all([...this.links.values()].map((l) => l.whenSettled()));
    const failed = [...this.links.values()].filter((l) => l.state !== 'open').map((l) => `'${l.peer}'`);
    if (failed.length > 0) throw new PeerLostError(failed[0].slice(1, -1), `'${this.options.self}' could not connect to ${failed.join(', ')}`);
  }

  /** The state of the link to `peer`. */
  linkState(peer: string): PeerLink['state'] {
    return this.link(peer, 'linkState').state;
  }

  /** Messages from `peer` rejected so far. */
  rejected(peer: string): number {
    return this.link(peer, 'rejected').rejected;
  }

  /**
   * Orderly close: every queued message is delivered (each peer acknowledges
   * a final bye once it has read everything before it), then connections and
   * the server close. Peers that still expect nothing are not disturbed.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.links.values()].map((l) => l.close()));
      await this.shutdown(new PeerLostError('*', 'the transport was closed'));
    })();
    return this.closing;
  }

  /**
   * Hard close without bye (this player failed): peers see it as lost at once.
   * Given the `failure`, connected peers are told it first, so that their
   * errors name the cause (its message travels: it must hold nothing secret).
   */
  destroy(failure?: Error): Promise<void> {
    const message = failure === undefined ? undefined : failMessage(failure);
    this.finished = true;
    this.closing ??= (async () => {
      await Promise.all([...this.links.values()].map((l) => l.destroy(message)));
      await this.shutdown(new PeerLostError('*', 'the transport was destroyed'));
    })();
    return this.closing;
  }

  private async shutdown(error: Error): Promise<void> {
    this.finished = true;
    clearTimeout(this.connectTimer);
    for (const c of this.clients) c.disconnect();
    this.mailbox.close(error);
    // Strangers are destroyed, not waited for: the HTTP server's close waits for every connection.
    this.admission.closeAll();
    this.refusals.flush();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.disconnectSockets(true);
      this.http.closeAllConnections();
    });
  }

  private link(peer: string, context: string): PeerLink {
    const l = this.links.get(peer);
    if (l === undefined) throw new UnknownPlayerError(context, peer, this.options.players.map((p) => p.name));
    return l;
  }

  // ------------------------------------------------------------ listener side

  /** Why a hello is refused, or undefined when it may go on to the proofs. */
  private checkHello(auth: unknown): string | undefined {
    const r = Hello.safeParse(auth);
    if (!r.success) return `invalid hello: ${describeIssue(r.error)}`;
    const h = r.data;
    if (h.version !== PROTOCOL_VERSION) return `'${h.name}' speaks protocol version ${h.version}; this player speaks ${PROTOCOL_VERSION}`;
    if (h.session !== this.options.session) return `'${h.name}' belongs to session '${h.session}', not '${this.options.session}'`;
    const i = this.index(h.name);
    if (i < 0) return `unknown player '${h.name}'; the hostmap knows ${this.options.players.map((p) => `'${p.name}'`).join(', ')}`;
    if (i <= this.selfIndex) return `'${h.name}' must not dial '${this.options.self}': the later player in the hostmap dials the earlier one`;
    const state = this.links.get(h.name)?.state;
    if (state !== 'connecting') return `a second connection claims to be '${h.name}', which is already ${state === 'open' ? 'connected' : state}`;
    return undefined;
  }

  private onIncoming(socket: ServerSocket): void {
    const hello = Hello.parse(socket.handshake.auth);
    const link = this.link(hello.name, 'connection');
    const nonce = freshNonce();
    const t: Transcript = { session: this.options.session, version: PROTOCOL_VERSION, dialer: hello.name, listener: this.options.self, dialerNonce: hello.nonce, listenerNonce: nonce };
    const refuse = (reason: string): void => {
      this.refusals.line(`refused a connection from ${socket.handshake.address} claiming '${hello.name}': ${reason}`);
      socket.emit(EVENTS.refused, { reason });
      socket.disconnect(true);
    };
    // The connection's deadline and byte budget (Admission) bound the rest of the handshake.
    socket.once(EVENTS.proof, (m: unknown) => {
      const p = Proof.safeParse(m);
      if (!p.success) return refuse(`invalid proof message: ${describeIssue(p.error)}`);
      if (!verify(this.options.secret, 'dialer', t, p.data.proof)) return refuse(`'${hello.name}' could not prove the shared secret (a different secret?)`);
      if (link.state !== 'connecting') return refuse(`a second connection claims to be '${hello.name}', which is already ${link.state === 'open' ? 'connected' : link.state}`);
      if (!admitDecoder(socket.client, (why) => link.violation(why))) return refuse('this version of socket.io keeps its decoder elsewhere (see wire-parser.ts)');
      this.admission.authenticated(socket.request);
      this.attach(link, socket);
      socket.on('disconnect', (reason) => link.disconnected(reason, this.closing !== undefined));
      socket.emit(EVENTS.welcome);
      link.open(socket as unknown as Wire);
    });
    socket.emit(EVENTS.challenge, { name: this.options.self, nonce, proof: prove(this.options.secret, 'listener', t) });
  }

  // ------------------------------------------------------------ dialer side

  private dialPeer(peer: HostEntry): void {
    const link = this.link(peer.name, 'dial');
    const tls = this.options.tls;
    const host = peer.host.includes(':') ? `[${peer.host}]` : peer.host;
    let nonce = '';
    const socket = dial(`${tls === undefined ? 'http' : 'https'}://${host}:${peer.port}`, {
      forceNew: true,
      parser: this.clientParser,
      transports: [UnmaskedWebSocket],
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 1000,
      timeout: this.connectTimeoutMs,
      perMessageDeflate: false,
      maxPayload: (this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES) + CHUNK_HEADER_BYTES + 4096,
      ...(tls === undefined ? {} : { secure: true, cert: tls.cert, key: tls.key, ca: tls.ca, rejectUnauthorized: true }),
      auth: (cb: (data: object) => void) => {
        nonce = freshNonce();
        cb({ name: this.options.self, session: this.options.session, version: PROTOCOL_VERSION, nonce });
      },
    } as unknown as Parameters<typeof dial>[1]); // perMessageDeflate: false and maxPayload reach `ws`, which accepts them
    this.clients.push(socket);
    const refused = (reason: string): void => {
      this.options.log(`'${peer.name}' at ${link.address} refused the connection: ${reason}`);
      link.lose(`refused the connection: ${reason}`);
      socket.disconnect();
    };
    socket.on('connect_error', (e: Error & { data?: unknown }) => {
      const data = e.data as { refused?: unknown } | undefined;
      if (data?.refused === true) refused(e.message.slice(0, 500));
    });
    socket.on(EVENTS.refused, (m: unknown) => {
      const r = Refusal.safeParse(m);
      refused(r.success ? r.data.reason : 'no valid reason given');
    });
    // Set once the listener proved the secret and this player answered: only then may it welcome us.
    let proven = false;
    socket.on(EVENTS.challenge, (m: unknown) => {
      proven = false;
      const c = Challenge.safeParse(m);
      if (!c.success) return refused(`invalid challenge: ${describeIssue(c.error)}`);
      const t: Transcript = { session: this.options.session, version: PROTOCOL_VERSION, dialer: this.options.self, listener: peer.name, dialerNonce: nonce, listenerNonce: c.data.nonce };
      if (c.data.name !== peer.name || !verify(this.options.secret, 'listener', t, c.data.proof)) {
        this.options.log(`the player at ${link.address} could not prove that it is '${peer.name}' holding the shared secret`);
        link.lose(`the player at ${link.address} failed the handshake`);
        socket.disconnect();
        return;
      }
      // The listener proved the secret: its data may flow (socket.io hands events over a tick
      // late, so admitting on the welcome would refuse data that follows it closely).
      if (!admitDecoder(socket.io, (why) => link.violation(why))) {
        link.lose('this version of socket.io keeps its decoder elsewhere (see wire-parser.ts)');
        socket.disconnect();
        return;
      }
      socket.emit(EVENTS.proof, { proof: prove(this.options.secret, 'dialer', t) });
      proven = true;
    });
    socket.on('disconnect', () => {
      // Before the welcome, socket.io may dial again, maybe reaching someone else: gated again.
      if (link.state === 'connecting') admitDecoder(socket.io, undefined);
    });
    socket.once(EVENTS.welcome, () => {
      if (!proven) {
        // Nothing may reach a listener that has not proved the secret: it could be anyone.
        this.options.log(`the player at ${link.address} welcomed '${this.options.self}' without proving that it is '${peer.name}' holding the shared secret`);
        link.lose(`the player at ${link.address} failed the handshake`);
        socket.disconnect();
        return;
      }
      socket.io.reconnection(false); // a lost link stays lost: messages in flight are gone
      this.attach(link, socket);
      socket.on('disconnect', (reason) => link.disconnected(reason, this.closing !== undefined));
      link.open(socket as unknown as Wire);
    });
  }

  /** Routes an authenticated socket's events to its link. */
  private attach(link: PeerLink, socket: ServerSocket | ClientSocket): void {
    socket.on(EVENTS.chunk, (...args: unknown[]) => link.onChunk(args));
    socket.on(EVENTS.control, (message: unknown, ack?: unknown) => link.onControl(message, ack));
    socket.onAny((event: string) => {
      if (event !== EVENTS.chunk && event !== EVENTS.control) link.onUnexpected(event);
    });
  }
}
