/**
 * Hand-driven peers for tests: a socket.io client that speaks the handshake
 * itself (wrong secret, unknown name, malformed messages after a successful
 * handshake), a raw engine.io connection that sends whatever a test wants
 * before any handshake, a silent TCP connection, and a listener that
 * pretends to be a player without knowing the secret.
 */
import { createConnection, type Socket as NetSocket } from 'node:net';
import { createServer, type Server as HttpServer } from 'node:http';
import { Socket as EngineSocket } from 'engine.io-client';
import { Server as IoServer } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { EVENTS, freshNonce, PROTOCOL_VERSION, prove } from '../../src/network/handshake.js';

export interface RogueOptions {
  readonly port: number;
  readonly name: string;
  /** The secret the rogue proves with. */
  readonly secret: string;
  /** Whom it believes it dials (the listener's name). */
  readonly listener: string;
  readonly session?: string;
  readonly version?: number;
  /** Answer the listener's challenge (default true); false leaves the handshake half done. */
  readonly answer?: boolean;
}

/** Connects; resolves with the socket when welcomed, or with the refusal reason. */
export function rogue(o: RogueOptions): Promise<{ socket: Socket; welcomed: boolean; reason?: string }> {
  const nonce = freshNonce();
  const session = o.session ?? 'default';
  const version = o.version ?? PROTOCOL_VERSION;
  const socket = io(`http://127.0.0.1:${o.port}`, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: false,
    auth: { name: o.name, session, version, nonce },
  });
  return new Promise((resolve) => {
    socket.on('connect_error', (e) => resolve({ socket, welcomed: false, reason: e.message }));
    socket.on(EVENTS.refused, (m: { reason: string }) => resolve({ socket, welcomed: false, reason: m.reason }));
    socket.on(EVENTS.challenge, (c: { nonce: string }) => {
      if (o.answer === false) return resolve({ socket, welcomed: false, reason: 'challenged' });
      const t = { session, version, dialer: o.name, listener: o.listener, dialerNonce: nonce, listenerNonce: c.nonce };
      socket.emit(EVENTS.proof, { proof: prove(Buffer.from(o.secret), 'dialer', t) });
    });
    socket.on(EVENTS.welcome, () => resolve({ socket, welcomed: true }));
    socket.on('disconnect', () => resolve({ socket, welcomed: false, reason: 'disconnected' }));
  });
}

/** A raw engine.io WebSocket connection to a player: no socket.io handshake, messages of the test's choosing. */
export interface RawEngine {
  send(data: string | Buffer): void;
  /** Resolves with the reason when the connection closes. */
  readonly closed: Promise<string>;
  close(): void;
}

export async function rawEngine(port: number): Promise<RawEngine> {
  const socket = new EngineSocket(`ws://127.0.0.1:${port}`, { path: '/socket.io/', transports: ['websocket'], upgrade: false });
  const closed = new Promise<string>((resolve) => socket.on('close', (reason: string) => resolve(reason)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { send: (data) => void socket.send(data), closed, close: () => void socket.close() };
}

/** A TCP connection that never sends a byte; `closed` resolves when the other side closes it. */
export async function silentConnection(port: number): Promise<{ socket: NetSocket; closed: Promise<void> }> {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed };
}

/**
 * A listener on `port` that claims to be a player without knowing the
 * secret: it welcomes every dialer at once, skipping the challenge, and
 * records the events it receives.
 */
export async function impostorListener(port: number): Promise<{ events: string[]; close(): Promise<void> }> {
  const http: HttpServer = createServer();
  const server = new IoServer(http, { transports: ['websocket'] });
  const events: string[] = [];
  server.on('connection', (socket) => {
    socket.onAny((event: string) => void events.push(event));
    socket.emit(EVENTS.welcome);
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  return {
    events,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.disconnectSockets(true);
        http.closeAllConnections();
      }),
  };
}
