/**
 * The dialing side of the socket transport: this player dials every player
 * listed before it in the hostmap, retrying until the peer listens. The
 * listener must prove the secret first (its challenge); only then does this
 * player prove it back, accept binary data and, once welcomed, use the
 * connection as the link to that peer. A welcome without that proof is a
 * failed handshake: nothing queued for the peer reaches an impostor.
 *
 * Throughput note: the dialer's WebSocket frames use an all-zero mask, which
 * `ws` skips instead of XOR-ing every byte. Masking exists to protect
 * browser-facing HTTP intermediaries from script-chosen bytes; between two
 * Node players it only costs time (it made dialer-to-listener traffic 2-7x
 * slower).
 */
import { NodeWebSocket } from 'engine.io-client';
import { io as dial, type Socket as ClientSocket } from 'socket.io-client';
import { CHUNK_HEADER_BYTES } from './chunk.js';
import { Challenge, describeIssue, EVENTS, freshNonce, PROTOCOL_VERSION, prove, Refusal, verify, type Transcript } from './handshake.js';
import type { HostEntry } from './hostmap.js';
import { CLOSE_GRACE_MS, type TlsMaterial } from './listener.js';
import { MAX_PARTS } from './inbound.js';
import type { PeerLink } from './peer-link.js';
import { admitDecoder, wireParser } from './wire-parser.js';

/**
 * The dialer's WebSocket: an all-zero mask (see the module comment), and a
 * close that waits at most CLOSE_GRACE_MS for the listener's answer (`ws`
 * waits 30 s by default, which a stopped listener would make this process
 * wait before it can exit).
 */
class UnmaskedWebSocket extends NodeWebSocket {
  override createSocket(uri: string, protocols: string | string[] | undefined, opts: Record<string, unknown>): unknown {
    return super.createSocket(uri, protocols, { ...opts, generateMask: (mask: Uint8Array) => mask.fill(0), closeTimeout: CLOSE_GRACE_MS });
  }
}

export interface DialerOptions {
  readonly self: string;
  readonly secret: Uint8Array;
  readonly session: string;
  readonly tls?: TlsMaterial;
  readonly chunkBytes: number;
  /** How long one attempt may take to open a connection (ms). */
  readonly attemptTimeoutMs: number;
  readonly log: (message: string) => void;
  /** Hands an authenticated socket to its link. */
  readonly attach: (link: PeerLink, socket: ClientSocket) => void;
}

export class Dialer {
  private readonly sockets: ClientSocket[] = [];
  private readonly parser: ReturnType<typeof wireParser>;

  constructor(private readonly o: DialerOptions) {
    this.parser = wireParser({
      maxAttachments: MAX_PARTS,
      maxAttachmentBytes: o.chunkBytes + CHUNK_HEADER_BYTES,
      onRefused: (why) => o.log(`a player this one dialed broke the handshake: ${why}`),
    });
  }

  /** Dials `peer` (retrying) until its link opens, is lost, or {@link Dialer.giveUp}. */
  dial(peer: HostEntry, link: PeerLink): void {
    const { self, secret, session, tls } = this.o;
    const host = peer.host.includes(':') ? `[${peer.host}]` : peer.host;
    let nonce = '';
    const socket = dial(`${tls === undefined ? 'http' : 'https'}://${host}:${peer.port}`, {
      forceNew: true,
      parser: this.parser,
      transports: [UnmaskedWebSocket],
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 1000,
      timeout: this.o.attemptTimeoutMs,
      perMessageDeflate: false,
      maxPayload: this.o.chunkBytes + CHUNK_HEADER_BYTES + 4096,
      ...(tls === undefined ? {} : { secure: true, cert: tls.cert, key: tls.key, ca: tls.ca, rejectUnauthorized: true }),
      auth: (cb: (data: object) => void) => {
        nonce = freshNonce();
        cb({ name: self, session, version: PROTOCOL_VERSION, nonce });
      },
    } as unknown as Parameters<typeof dial>[1]); // perMessageDeflate: false and maxPayload reach `ws`, which accepts them
    this.sockets.push(socket);
    const refused = (reason: string): void => {
      this.o.log(`'${peer.name}' at ${link.address} refused the connection: ${reason}`);
      link.lose(`refused by it: ${reason}`);
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
      const t: Transcript = { session, version: PROTOCOL_VERSION, dialer: self, listener: peer.name, dialerNonce: nonce, listenerNonce: c.data.nonce };
      if (c.data.name !== peer.name || !verify(secret, 'listener', t, c.data.proof)) {
        this.o.log(`the player at ${link.address} could not prove that it is '${peer.name}' holding the shared secret`);
        link.lose(`refused: the player at ${link.address} could not prove that it is '${peer.name}' holding the shared secret`);
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
      socket.emit(EVENTS.proof, { proof: prove(secret, 'dialer', t) });
      proven = true;
    });
    socket.on('disconnect', () => {
      // Before the welcome, socket.io may dial again, maybe reaching someone else: gated again.
      if (link.state === 'connecting') admitDecoder(socket.io, undefined);
    });
    socket.once(EVENTS.welcome, () => {
      if (!proven) {
        // Nothing may reach a listener that has not proved the secret: it could be anyone.
        this.o.log(`the player at ${link.address} welcomed '${self}' without proving that it is '${peer.name}' holding the shared secret`);
        link.lose(`refused: the player at ${link.address} welcomed '${self}' without proving that it is '${peer.name}' holding the shared secret`);
        socket.disconnect();
        return;
      }
      socket.io.reconnection(false); // a lost link stays lost: messages in flight are gone
      this.o.attach(link, socket);
      link.open(socket);
    });
  }

  /** Stops dialing peers not connected yet. */
  giveUp(): void {
    for (const s of this.sockets) if (!s.connected) s.disconnect();
  }

  /** Disconnects every socket. */
  close(): void {
    for (const s of this.sockets) s.disconnect();
  }
}
