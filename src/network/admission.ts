/**
 * Connections that have not authenticated yet. Anyone who can reach a
 * player's port can open one, so each gets a deadline and a byte budget,
 * both sized for the handshake and nothing more: past either it is
 * destroyed. Until then it is tracked here, so that closing the player
 * destroys it instead of waiting for it (an HTTP server's `close` waits for
 * every connection, and one silent TCP connection kept a player from ever
 * exiting).
 *
 * Bytes are counted on the stream the WebSocket reads (after TLS), from the
 * HTTP upgrade on; before the upgrade Node's HTTP parser bounds a request's
 * head itself (16 KiB). A connection is keyed by its remote address and
 * port, which the raw TCP socket and the TLS socket over it share.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Bytes a connection may send after its HTTP upgrade and before it authenticates: a hello, a proof and pongs take well under 1 KiB. */
export const HANDSHAKE_MAX_BYTES = 16 * 1024;

export interface AdmissionOptions {
  /** How long a connection has to authenticate (ms). */
  readonly deadlineMs: number;
  /** Told why a connection was cut off (address and reason, never content). */
  readonly refuse: (address: string, why: string) => void;
}

interface Pending {
  readonly raw: Socket;
  readonly timer: ReturnType<typeof setTimeout>;
  bytes: number;
  /** The upgraded stream and its byte counter, once upgraded. */
  counted?: { stream: Duplex; onData: (chunk: Buffer) => void };
}

function keyOf(s: { remoteAddress?: string; remotePort?: number }): string | undefined {
  return s.remoteAddress === undefined || s.remotePort === undefined ? undefined : `${s.remoteAddress}\u0000${s.remotePort}`;
}

export class Admission {
  private readonly pending = new Map<string, Pending>();
  /** Every TCP connection open, authenticated or not (to destroy what a closing handshake leaves). */
  private readonly all = new Set<Socket>();
  private closed = false;

  constructor(
    server: HttpServer,
    private readonly options: AdmissionOptions,
  ) {
    // 'connection' is the raw TCP socket, with or without TLS over it.
    server.on('connection', (raw: Socket) => this.admit(raw));
    server.on('upgrade', (req: IncomingMessage, stream: Duplex) => this.count(req, stream));
  }

  private admit(raw: Socket): void {
    const key = keyOf(raw);
    if (key === undefined) return;
    if (this.closed) {
      raw.destroy();
      return;
    }
    this.all.add(raw);
    raw.once('close', () => this.all.delete(raw));
    const timer = setTimeout(() => this.cut(key, `no handshake within ${this.options.deadlineMs} ms`), this.options.deadlineMs);
    this.pending.set(key, { raw, timer, bytes: 0 });
    raw.once('close', () => this.forget(key));
  }

  private count(req: IncomingMessage, stream: Duplex): void {
    const key = keyOf(req.socket);
    const p = key === undefined ? undefined : this.pending.get(key);
    if (key === undefined || p === undefined) return;
    const add = (n: number): void => {
      p.bytes += n;
      if (p.bytes > HANDSHAKE_MAX_BYTES) this.cut(key, `more than ${HANDSHAKE_MAX_BYTES} bytes before the handshake completed`);
    };
    // engine.io's 'upgrade' listener ran first and 'ws' attached its own reader; this one only
    // counts. `head` ('ws' puts it back into the stream) is counted when it is read again.
    const onData = (chunk: Buffer): void => add(chunk.byteLength);
    p.counted = { stream, onData };
    stream.on('data', onData);
  }

  /** The connection under this request authenticated: no deadline and no byte budget any more. */
  authenticated(req: IncomingMessage): void {
    const key = keyOf(req.socket);
    if (key !== undefined) this.forget(key);
  }

  private cut(key: string, why: string): void {
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.forget(key);
    this.options.refuse(p.raw.remoteAddress ?? 'an unknown address', why);
    p.raw.destroy();
  }

  private forget(key: string): void {
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    p.counted?.stream.off('data', p.counted.onData);
  }

  /** Destroys every connection that has not authenticated, and any that opens from now on. */
  closeAll(): void {
    this.closed = true;
    for (const [key, p] of [...this.pending]) {
      this.forget(key);
      p.raw.destroy();
    }
  }

  /** Destroys every connection still open (a peer that never finishes a WebSocket close, a stopped process). */
  destroyAll(): void {
    this.closeAll();
    for (const raw of this.all) raw.destroy();
  }

  /** Connections still authenticating (for tests and diagnostics). */
  get size(): number {
    return this.pending.size;
  }
}
