/**
 * A hand-driven socket.io client that speaks the handshake itself, to play a
 * broken or malicious peer in tests (wrong secret, unknown name, malformed
 * messages after a successful handshake).
 */
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
      const t = { session, version, dialer: o.name, listener: o.listener, dialerNonce: nonce, listenerNonce: c.nonce };
      socket.emit(EVENTS.proof, { proof: prove(Buffer.from(o.secret), 'dialer', t) });
    });
    socket.on(EVENTS.welcome, () => resolve({ socket, welcomed: true }));
    socket.on('disconnect', () => resolve({ socket, welcomed: false, reason: 'disconnected' }));
  });
}
