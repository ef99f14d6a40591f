/**
 * socket.io's packet encoding, with one shortcut for the data path and a gate
 * for strangers.
 *
 * The shortcut: a chunk event whose only argument is one binary buffer
 * travels as that buffer alone, one WebSocket message. socket.io's own
 * encoding sends a binary event as two messages (a JSON header with a
 * placeholder, then the buffer); on these machines each message is a `writev`
 * of tens of microseconds, and a private inference sends hundreds of small
 * frames. Every other packet (control messages, acknowledgements,
 * multi-buffer chunks) is encoded as socket.io does. The receiver recognises a
 * bare chunk by the chunk magic, when no binary attachments of a socket.io
 * packet are pending.
 *
 * The gate: until the connection has authenticated ({@link admitDecoder}),
 * its decoder accepts only short text packets (the handshake's). Binary data,
 * a bare chunk or a packet announcing attachments, closes the connection at
 * once: socket.io's own decoder would hold the announced attachments until
 * the last one came (ten of 16 MiB each), for anyone who can reach the port.
 * Afterwards the peer is bounded too: text packets are short (control
 * messages), and one packet's attachments (the parts of one chunk) may not
 * add up to more than a chunk.
 */
import { Emitter } from '@socket.io/component-emitter';
import { Decoder as SioDecoder, Encoder as SioEncoder, PacketType, type Packet } from 'socket.io-parser';
import { ProtocolError } from '../errors.js';
import { CHUNK_MAGIC } from './chunk.js';
import { EVENTS } from './handshake.js';

/** The socket.io event of data chunks. */
const CHUNK_EVENT = EVENTS.chunk;
/** Longest text packet before authentication: a hello or a proof is a few hundred bytes. */
export const MAX_HANDSHAKE_TEXT = 4096;
/** Longest text packet afterwards: control messages (an abort's text is at most 2000 characters). */
const MAX_TEXT = 64 * 1024;

export interface WireParserLimits {
  /** Most binary attachments one packet may announce (the parts of a chunk). */
  readonly maxAttachments: number;
  /** Most bytes the attachments of one packet may add up to (one chunk with its header). */
  readonly maxAttachmentBytes: number;
  /** Told why a connection that had not authenticated was cut off. */
  readonly onRefused: (why: string) => void;
}

function binary(x: unknown): x is Uint8Array | ArrayBuffer {
  return x instanceof Uint8Array || x instanceof ArrayBuffer;
}

function startsWithMagic(x: Uint8Array | ArrayBuffer): boolean {
  const b = x instanceof Uint8Array ? x : new Uint8Array(x);
  return b.byteLength >= 4 && new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) === CHUNK_MAGIC;
}

class Encoder extends SioEncoder {
  override encode(packet: Packet): unknown[] {
    const data: unknown = packet.data;
    if (
      (packet.type === PacketType.EVENT || packet.type === PacketType.BINARY_EVENT) &&
      packet.id === undefined &&
      packet.nsp === '/' &&
      Array.isArray(data) &&
      data.length === 2 &&
      data[0] === CHUNK_EVENT &&
      binary(data[1]) &&
      startsWithMagic(data[1])
    ) {
      return [data[1]];
    }
    return super.encode(packet);
  }
}

interface DecoderEvents {
  decoded: (packet: Packet) => void;
}

/** One connection's decoder; created by socket.io, admitted by the transport once the peer authenticated. */
export class GatedDecoder extends Emitter<Record<never, never>, Record<never, never>, DecoderEvents> {
  private readonly inner: SioDecoder;
  /** Binary attachments still owed to the socket.io packet being reconstructed, and their bytes so far. */
  private owed = 0;
  private owedBytes = 0;
  /** Set once the peer authenticated: where its violations are reported. */
  private admitted: ((why: string) => void) | undefined;

  constructor(private readonly limits: WireParserLimits) {
    super();
    this.inner = new SioDecoder({ maxAttachments: limits.maxAttachments });
    this.inner.on('decoded', (packet: Packet) => this.emitReserved('decoded', packet));
  }

  /** The peer authenticated: binary data may flow; later violations go to `onViolation`. Undefined gates it again. */
  admit(onViolation: ((why: string) => void) | undefined): void {
    this.admitted = onViolation;
  }

  add(obj: unknown): void {
    if (typeof obj === 'string') {
      const max = this.admitted === undefined ? MAX_HANDSHAKE_TEXT : MAX_TEXT;
      if (obj.length > max) this.refuse(`a text packet of ${obj.length} characters (at most ${max} ${this.admitted === undefined ? 'before the handshake' : 'for a control message'})`);
      // A binary event or ack announces its attachments: "51-[...]".
      const m = /^[56](\d+)-/.exec(obj);
      if (m !== null && this.admitted === undefined) this.refuse('binary data before the handshake (a packet announcing attachments)');
      this.owed = m === null ? 0 : Number(m[1]);
      this.owedBytes = 0;
      this.inner.add(obj);
      return;
    }
    if (this.admitted === undefined) this.refuse('binary data before the handshake');
    if (this.owed > 0) {
      this.owed -= 1;
      this.owedBytes += binary(obj) ? obj.byteLength : 0;
      if (this.owedBytes > this.limits.maxAttachmentBytes) this.refuse(`a packet's attachments exceed ${this.limits.maxAttachmentBytes} bytes (one chunk)`);
      this.inner.add(obj);
      return;
    }
    if (binary(obj) && startsWithMagic(obj)) {
      this.emitReserved('decoded', { type: PacketType.EVENT, nsp: '/', data: [CHUNK_EVENT, obj] });
      return;
    }
    this.inner.add(obj); // socket.io reports what it makes of anything else
  }

  /** Throws, which makes socket.io close the connection ("parse error"), after saying why. */
  private refuse(why: string): never {
    (this.admitted ?? this.limits.onRefused)(why);
    this.destroy();
    throw new ProtocolError(why);
  }

  destroy(): void {
    this.owed = 0;
    this.owedBytes = 0;
    this.inner.destroy();
  }
}

/** The parser to give socket.io's server and client (option `parser`): one decoder per connection, gated. */
export function wireParser(limits: WireParserLimits): { Encoder: typeof Encoder; Decoder: new () => GatedDecoder } {
  return {
    Encoder,
    Decoder: class extends GatedDecoder {
      constructor() {
        super(limits);
      }
    },
  };
}

/**
 * Admits the decoder of an authenticated connection. socket.io keeps each
 * connection's decoder in a field of its own (the server's `Client`, the
 * client's `Manager`) and offers no accessor: this reads that field, and
 * returns false (the connection stays gated: binary data is refused, loudly)
 * if socket.io ever moves it. `undefined` gates the decoder again.
 */
export function admitDecoder(holder: unknown, onViolation: ((why: string) => void) | undefined): boolean {
  const decoder = typeof holder === 'object' && holder !== null ? (holder as { decoder?: unknown }).decoder : undefined;
  if (!(decoder instanceof GatedDecoder)) return false;
  decoder.admit(onViolation);
  return true;
}
