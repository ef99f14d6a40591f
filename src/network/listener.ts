/**
 * The listening side of the socket transport: this player's socket.io
 * server, which the later players of the hostmap dial. A connection is
 * admitted ({@link Admission}) with a deadline and a byte budget, its hello
 * checked, then the handshake of `handshake.ts` runs: this player proves the
 * secret, the dialer proves it back, and only then does the connection
 * become the link to that peer. Refusals are logged at a bounded rate.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as IoServer, type Socket as ServerSocket } from 'socket.io';
import { ConfigError } from '../errors.js';
import { Admission } from './admission.js';
import { CHUNK_HEADER_BYTES } from './chunk.js';
import { type Challenge, describeIssue, EVENTS, freshNonce, Hello, PROTOCOL_VERSION, Proof, prove, verify, type Transcript } from './handshake.js';
import type { HostEntry } from './hostmap.js';
import { RateLimitedLog } from './log-limit.js';
import { MAX_PARTS } from './inbound.js';
import type { PeerLink } from './peer-link.js';
import { admitDecoder, wireParser } from './wire-parser.js';

/** PEM contents for TLS: this player's certificate and key, and the CA that signed every player's. */
export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
}

/** How long a closing connection may take to finish its WebSocket close before it is destroyed (ms). */
export const CLOSE_GRACE_MS = 1000;
/** Refusal lines logged per window before they are only counted (anyone can make a player refuse). */
const REFUSALS_LOGGED = { burst: 10, windowMs: 10_000, what: 'refusal' };

export interface ListenerOptions {
  readonly self: string;
  /** Every player, in hostmap order (the later ones dial this one). */
  readonly players: readonly HostEntry[];
  readonly secret: Uint8Array;
  readonly session: string;
  readonly tls?: TlsMaterial;
  readonly chunkBytes: number;
  readonly timeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly log: (message: string) => void;
  /** The link to each peer. */
  readonly links: ReadonlyMap<string, PeerLink>;
  /** Hands an authenticated socket to its link. */
  readonly attach: (link: PeerLink, socket: ServerSocket) => void;
}

export class Listener {
  /** The port, once listening. */
  readonly listening: Promise<number>;
  private readonly http: HttpServer;
  private readonly server: IoServer;
  private readonly admission: Admission;
  private readonly refusals: RateLimitedLog;
  private readonly selfIndex: number;
  /** Set once this player shuts down: new connections are refused without a log line. */
  private finished = false;

  constructor(private readonly o: ListenerOptions) {
    this.selfIndex = o.players.findIndex((p) => p.name === o.self);
    const me = o.players[this.selfIndex];
    this.refusals = new RateLimitedLog(o.log, REFUSALS_LOGGED);
    const tls = o.tls;
    this.http = tls === undefined ? createHttpServer() : createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true });
    // One chunk event carries a header and at most MAX_PARTS - 1 views, adding up to one chunk.
    const parser = wireParser({ maxAttachments: MAX_PARTS, maxAttachmentBytes: o.chunkBytes + CHUNK_HEADER_BYTES, onRefused: (why) => this.refusals.line(`refused a connection: ${why}`) });
    this.server = new IoServer(this.http, {
      parser,
      transports: ['websocket'],
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      // A chunk plus its header, deliberately: larger socket messages are refused before they are buffered.
      maxHttpBufferSize: o.chunkBytes + CHUNK_HEADER_BYTES + 4096,
      connectTimeout: o.handshakeTimeoutMs,
      // Heartbeats: a peer that answers nothing for the rest of the timeout is lost ("silent"), within
      // timeoutMs of its last answer (a ping every quarter, three quarters to answer it).
      pingInterval: Math.max(1, Math.round(o.timeoutMs / 4)),
      pingTimeout: Math.max(1, Math.round((3 * o.timeoutMs) / 4)),
    });
    this.server.use((socket, next) => {
      if (this.finished) return next(Object.assign(new Error(`'${o.self}' has finished`), { data: { refused: true } }));
      const reason = this.checkHello(socket.handshake.auth);
      if (reason === undefined) return next();
      this.refuse(socket, reason);
      next(Object.assign(new Error(reason), { data: { refused: true } }));
    });
    this.server.on('connection', (socket) => this.onIncoming(socket));
    // After socket.io's own listeners (see Admission.count).
    this.admission = new Admission(this.http, {
      deadlineMs: o.handshakeTimeoutMs,
      refuse: (address, why) => this.refusals.line(`closed a connection from ${address}: ${why}`),
    });
    this.listening = new Promise<number>((resolve, reject) => {
      this.http.once('error', (e: NodeJS.ErrnoException) => reject(new ConfigError(`'${o.self}' cannot listen on ${me.bind ?? me.host}:${me.port}: ${e.code ?? e.message}`)));
      this.http.listen(me.port, me.bind ?? me.host, () => resolve((this.http.address() as AddressInfo).port));
    });
    this.listening.catch(() => undefined);
  }

  /** Logs a refusal and remembers it on the link of the name claimed, for the give-up message. */
  private refuse(socket: ServerSocket, reason: string): void {
    const hello = Hello.safeParse(socket.handshake.auth);
    const claimed = hello.success ? hello.data.name : undefined;
    this.refusals.line(`refused a connection from ${socket.handshake.address}${claimed === undefined ? '' : ` claiming '${claimed}'`}: ${reason}`);
    const link = claimed === undefined ? undefined : this.o.links.get(claimed);
    if (link !== undefined && link.state === 'connecting') link.refusal = `a connection claiming to be it was refused: ${reason}`;
  }

  /** Why a hello is refused, or undefined when it may go on to the proofs. */
  private checkHello(auth: unknown): string | undefined {
    const { self, session, players } = this.o;
    const r = Hello.safeParse(auth);
    if (!r.success) return `invalid hello: ${describeIssue(r.error)}`;
    const h = r.data;
    if (h.version !== PROTOCOL_VERSION) return `'${h.name}' speaks protocol version ${h.version}; this player speaks ${PROTOCOL_VERSION}`;
    if (h.session !== session) return `'${h.name}' belongs to session '${h.session}', not '${session}'`;
    const i = players.findIndex((p) => p.name === h.name);
    if (i < 0) return `unknown player '${h.name}'; the hostmap knows ${players.map((p) => `'${p.name}'`).join(', ')}`;
    if (i <= this.selfIndex) return `'${h.name}' must not dial '${self}': the later player in the hostmap dials the earlier one`;
    const state = this.o.links.get(h.name)?.state;
    if (state !== 'connecting') return `a second connection claims to be '${h.name}', which is already ${state === 'open' ? 'connected' : state}`;
    return undefined;
  }

  private onIncoming(socket: ServerSocket): void {
    const { self, secret, session } = this.o;
    const hello = Hello.parse(socket.handshake.auth);
    const link = this.o.links.get(hello.name);
    if (link === undefined) return void socket.disconnect(true); // checkHello knew it
    const nonce = freshNonce();
    const t: Transcript = { session, version: PROTOCOL_VERSION, dialer: hello.name, listener: self, dialerNonce: hello.nonce, listenerNonce: nonce };
    const refuse = (reason: string): void => {
      this.refuse(socket, reason);
      socket.emit(EVENTS.refused, { reason });
      socket.disconnect(true);
    };
    // The connection's deadline and byte budget (Admission) bound the rest of the handshake.
    let proved = false;
    socket.once('disconnect', () => {
      // A dialer holding another secret leaves here: this player's proof did not convince it.
      if (!proved && link.state === 'connecting' && link.refusal === undefined) {
        link.refusal = 'a connection claiming to be it left before proving it holds the shared secret (a different secret?)';
      }
    });
    socket.once(EVENTS.proof, (m: unknown) => {
      proved = true;
      const p = Proof.safeParse(m);
      if (!p.success) return refuse(`invalid proof message: ${describeIssue(p.error)}`);
      if (!verify(secret, 'dialer', t, p.data.proof)) return refuse(`'${hello.name}' could not prove it holds the shared secret (a different secret?)`);
      if (link.state !== 'connecting') return refuse(`a second connection claims to be '${hello.name}', which is already ${link.state === 'open' ? 'connected' : link.state}`);
      if (!admitDecoder(socket.client, (why) => link.violation(why))) return refuse('this version of socket.io keeps its decoder elsewhere (see wire-parser.ts)');
      this.admission.authenticated(socket.request);
      this.o.attach(link, socket);
      socket.emit(EVENTS.welcome);
      link.open(socket);
    });
    const challenge: Challenge = { name: self, nonce, proof: prove(secret, 'listener', t) };
    socket.emit(EVENTS.challenge, challenge);
  }

  /** New connections are refused from now on (this player is shutting down). */
  finish(): void {
    this.finished = true;
  }

  /**
   * Closes the server: authenticated sockets are disconnected, strangers
   * destroyed at once. A WebSocket close waits for the peer's answer (30 s
   * in `ws`), which a stopped process never sends: whatever is still open
   * after a short grace is destroyed.
   */
  async close(): Promise<void> {
    this.finished = true;
    this.admission.closeAll();
    this.refusals.flush();
    const grace = setTimeout(() => this.admission.destroyAll(), CLOSE_GRACE_MS);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.disconnectSockets(true);
      this.http.closeAllConnections();
    });
    clearTimeout(grace);
  }
}
