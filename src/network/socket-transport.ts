/**
 * Players in separate processes: one socket.io server per player
 * (`listener.ts`) and one WebSocket connection per pair of players, the later
 * player in the hostmap dialing the earlier one (`dialer.ts`). Frames travel
 * as binary chunks (never JSON arrays); messages are matched in the shared
 * {@link Mailbox}, so they may arrive early and in any order. Connections
 * open with the handshake of `handshake.ts` and optionally run over TLS;
 * per-message deflate is off (shares are incompressible).
 *
 * Failures follow one rule: a peer that fails (it says so) or is lost (it
 * never connected, was refused, disconnected or went silent) fails this
 * player's transport, which tells whoever listens ({@link SocketTransport.onFailure};
 * the `tfe` command ends the program) and passes the root cause on when it
 * is destroyed. An orderly close is a barrier: it returns once every peer has
 * finished too, or rejects with the first failure.
 */
// First: socket.io's and engine.io's debug output would print every packet (quiet-debug.ts).
import './quiet-debug.js';
import type { Socket as ServerSocket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { ConfigError, PeerLostError, ProtocolError, setFailureOrigin, UnknownPlayerError } from '../errors.js';
import { DEFAULT_CHUNK_BYTES, sessionTag } from './chunk.js';
import { BusyPoll, checkBusyPollUs } from './busy-poll.js';
import { abortMessage, failMessage } from './control.js';
import { TrafficCounters } from './counters.js';
import { Dialer } from './dialer.js';
import { frameByteLength } from './frame.js';
import { EVENTS } from './handshake.js';
import type { HostEntry } from './hostmap.js';
import { Listener, type TlsMaterial } from './listener.js';
import { describeKey, type MessageKey, type Payload, type ReceiveOptions, type TrafficKind, type WireSpec } from './message.js';
import { PeerLink, type LinkContext } from './peer-link.js';
import { Mailbox, type Transport } from './transport.js';

export type { TlsMaterial } from './listener.js';

export interface SocketTransportOptions {
  /** The local player. */
  readonly self: string;
  /** Every player, in hostmap order. */
  readonly players: readonly HostEntry[];
  /** The shared secret (at least 16 bytes). */
  readonly secret: Uint8Array;
  /** Session id: players of one run share it; anything else is refused. */
  readonly session: string;
  /**
   * How long a receive waits (ms); also how long a peer may stay silent
   * (heartbeats) before it is lost.
   */
  readonly timeoutMs: number;
  /** How long peers have to connect (ms); default `timeoutMs`. */
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
  /**
   * Microseconds to keep polling the sockets after a receive starts waiting
   * on a peer, instead of sleeping until its message wakes the process
   * (busy-poll.ts); default 0 (off). Costs CPU: for players on cores of their own.
   */
  readonly busyPollUs?: number;
}

const DEFAULT_MAX_FRAME = 2 ** 30 + 2 ** 20;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;

export class SocketTransport implements Transport {
  readonly localPlayers: ReadonlySet<string>;
  readonly counters = new TrafficCounters();
  private readonly mailbox: Mailbox;
  private readonly busyPoll: BusyPoll;
  private readonly links = new Map<string, PeerLink>();
  private readonly selfIndex: number;
  private readonly connectTimeoutMs: number;
  private readonly listener: Listener;
  private readonly dialer: Dialer;
  private readonly connectTimer: ReturnType<typeof setTimeout>;
  private readonly listening: Promise<number>;
  /** The first failure of a peer (it failed, or was lost). */
  private failure: PeerLostError | undefined;
  private readonly failureListeners = new Set<(error: PeerLostError) => void>();
  private closing: Promise<void> | undefined;
  private destroying: Promise<void> | undefined;
  /** When this player last told every peer it is making progress. */
  private progressSent = 0;

  constructor(private readonly options: SocketTransportOptions) {
    const { self, players, timeoutMs } = options;
    this.selfIndex = players.findIndex((p) => p.name === self);
    if (this.selfIndex < 0) throw new UnknownPlayerError('SocketTransport', self, players.map((p) => p.name));
    if (options.secret.byteLength < 16) throw new ConfigError('the shared secret must be at least 16 bytes long');
    this.localPlayers = new Set([self]);
    this.mailbox = new Mailbox(timeoutMs, (from, to, key, ms) => this.silence(from, to, key, ms));
    this.busyPoll = new BusyPoll(checkBusyPollUs(options.busyPollUs ?? 0, 'SocketTransport'), () => this.mailbox.pending > 0);
    this.connectTimeoutMs = options.connectTimeoutMs ?? timeoutMs;
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME;
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
      onFailure: (e) => this.fail(e),
      destroying: () => this.destroying !== undefined,
    };
    for (const p of players) if (p.name !== self) this.links.set(p.name, new PeerLink(p.name, `${p.host}:${p.port}`, ctx));

    const attach = (link: PeerLink, socket: ServerSocket | ClientSocket): void => this.attach(link, socket);
    const common = { self, secret: options.secret, session: options.session, tls: options.tls, chunkBytes, log: options.log, attach };
    this.listener = new Listener({ ...common, players, timeoutMs, handshakeTimeoutMs, links: this.links });
    this.listening = this.listener.listening;
    this.listening.catch((error: Error) => {
      options.log(error.message);
      this.mailbox.close(error);
    });
    this.dialer = new Dialer({ ...common, attemptTimeoutMs: handshakeTimeoutMs });
    for (const p of players.slice(0, this.selfIndex)) this.dialer.dial(p, this.link(p.name, 'dial'));

    this.connectTimer = setTimeout(() => {
      for (const link of this.links.values()) {
        if (link.state !== 'connecting') continue;
        const dialed = this.index(link.peer) < this.selfIndex;
        const why = dialed
          ? `never connected: could not connect to it at ${link.address} within ${this.connectTimeoutMs} ms`
          : `never connected: it did not connect within ${this.connectTimeoutMs} ms${link.refusal === undefined ? '' : `; ${link.refusal}`}`;
        options.log(`gave up on '${link.peer}': ${why}`);
        link.lose(why);
      }
      this.dialer.giveUp();
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
    this.noteProgress();
  }

  flush(to: string): void {
    if (to !== this.options.self) this.link(to, 'flush').flush();
  }

  /**
   * Peers that wait for a message from this player only see the frames sent
   * to them; a few times per timeout, every peer hears that this player is
   * still sending, so that its receives from us wait on (Mailbox.touch).
   */
  private noteProgress(): void {
    const now = Date.now();
    if (now - this.progressSent < this.options.timeoutMs / 4) return;
    this.progressSent = now;
    for (const link of this.links.values()) link.sendControl({ type: 'progress' });
  }

  receive(to: string, from: string, key: MessageKey, expect: readonly WireSpec[], options?: ReceiveOptions): Promise<Payload> {
    if (to !== this.options.self) return Promise.reject(new ProtocolError(`'${to}' does not run in this process ('${this.options.self}' does)`));
    if (from !== to && !this.links.has(from)) return Promise.reject(new UnknownPlayerError('receive', from, this.options.players.map((p) => p.name)));
    const pending = this.mailbox.pending;
    const message = this.mailbox.take(to, from, key, expect, options);
    if (from !== to && this.mailbox.pending > pending) this.busyPoll.start(); // it has to wait
    return message;
  }

  abort(from: string, op: number, error: Error): void {
    const message = abortMessage(from, op, error);
    for (const link of this.links.values()) link.sendControl(message);
  }

  /** The error of a receive that timed out: a peer that never connected is not one that "sent nothing". */
  private silence(from: string, to: string, key: MessageKey, ms: number): PeerLostError {
    const link = this.links.get(from);
    const text =
      link?.state === 'connecting'
        ? `'${from}' never connected: '${to}' waited ${ms} ms for ${describeKey(key)}${link.refusal === undefined ? '' : ` (${link.refusal})`}`
        : `'${from}' sent nothing to '${to}' for ${describeKey(key)} within ${ms} ms`;
    const e = new PeerLostError(from, text);
    setFailureOrigin(e, { player: from, op: key.op, code: 'peer_lost', text });
    return e;
  }

  // ------------------------------------------------------------ failures

  /** A peer failed or was lost: the first such failure is this transport's, and listeners are told. */
  private fail(error: PeerLostError): void {
    if (this.failure !== undefined || this.destroying !== undefined) return;
    this.failure = error;
    for (const listener of [...this.failureListeners]) listener(error);
  }

  /** The first failure of a peer, if any: its message is the root cause. */
  get failed(): PeerLostError | undefined {
    return this.failure;
  }

  /**
   * Calls `listener` with the first failure of a peer (at once if there was
   * one already). Returns a function that removes the listener.
   */
  onFailure(listener: (error: PeerLostError) => void): () => void {
    if (this.failure !== undefined) {
      const e = this.failure;
      queueMicrotask(() => listener(e));
      return () => undefined;
    }
    this.failureListeners.add(listener);
    return () => void this.failureListeners.delete(listener);
  }

  // ------------------------------------------------------------ lifecycle

  /** The port this player listens on, once listening (useful with port 0 in tests). */
  port(): Promise<number> {
    return this.listening;
  }

  /** Resolves when this player listens and every peer is connected; rejects when one cannot be. */
  async ready(): Promise<void> {
    await this.listening;
    await Promise.all([...this.links.values()].map((l) => l.whenSettled()));
    const failed = [...this.links.values()].filter((l) => l.state !== 'open' && l.state !== 'closed');
    if (failed.length > 0) throw this.failure ?? new PeerLostError(failed[0].peer, `'${this.options.self}' could not connect to ${failed.map((l) => `'${l.peer}'`).join(', ')}`);
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
   * Orderly close, a barrier: every queued message is delivered (each peer
   * acknowledges a final bye once it has read everything before it), then
   * this player waits until every peer has said bye too, and closes. If a
   * peer fails or is lost meanwhile, the others are told (as by
   * {@link SocketTransport.destroy}) and the close rejects with that failure.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let unsubscribe = (): void => undefined;
      const failed = new Promise<PeerLostError>((resolve) => (unsubscribe = this.onFailure(resolve)));
      const done = Promise.all([...this.links.values()].map((l) => l.close()));
      const failure = await Promise.race([done.then(() => this.failure), failed]);
      unsubscribe();
      if (failure !== undefined) {
        await this.destroy(failure);
        throw failure;
      }
      await this.shutdown(new PeerLostError('*', 'the transport was closed'));
    })();
    return this.closing;
  }

  /**
   * Hard close without bye (this player failed): peers see it as lost. Given
   * the `failure`, every peer is told its root cause first (a peer still
   * connecting is waited for, at most until the connect give-up), so that
   * their errors name it; its text travels (see control.ts for what may).
   */
  destroy(failure?: Error): Promise<void> {
    this.destroying ??= (async () => {
      const message = failure === undefined ? undefined : failMessage(this.options.self, failure);
      await Promise.all([...this.links.values()].map((l) => l.destroy(message)));
      await this.shutdown(new PeerLostError('*', 'the transport was destroyed'));
    })();
    return this.destroying;
  }

  private async shutdown(error: Error): Promise<void> {
    this.listener.finish();
    clearTimeout(this.connectTimer);
    this.dialer.close();
    this.mailbox.close(error);
    await this.listener.close();
  }

  private link(peer: string, context: string): PeerLink {
    const l = this.links.get(peer);
    if (l === undefined) throw new UnknownPlayerError(context, peer, this.options.players.map((p) => p.name));
    return l;
  }

  /** Routes an authenticated socket's events to its link; heartbeats count as hearing from the peer. */
  private attach(link: PeerLink, socket: ServerSocket | ClientSocket): void {
    socket.on(EVENTS.chunk, (...args: unknown[]) => link.onChunk(args));
    socket.on(EVENTS.control, (message: unknown, ack?: unknown) => link.onControl(message, ack));
    socket.onAny((event: string) => {
      if (event !== EVENTS.chunk && event !== EVENTS.control) link.onUnexpected(event);
    });
    socket.on('disconnect', (reason: string) => link.disconnected(reason));
    if ('conn' in socket) socket.conn.on('heartbeat', () => link.heard());
    else socket.io.on('ping', () => link.heard());
  }
}
