/**
 * socket.io's packet encoding, with one shortcut for the data path: a chunk
 * event whose only argument is one binary buffer travels as that buffer
 * alone, one WebSocket message. socket.io's own encoding sends a binary event
 * as two messages (a JSON header with a placeholder, then the buffer); on
 * these machines each message is a `writev` of tens of microseconds, and a
 * private inference sends hundreds of small frames. Every other packet
 * (control messages, acknowledgements, multi-buffer chunks) is encoded as
 * socket.io does. The receiver recognises a bare chunk by the chunk magic,
 * when no binary attachments of a socket.io packet are pending.
 */
import { Emitter } from '@socket.io/component-emitter';
import { Decoder as SioDecoder, Encoder as SioEncoder, PacketType, type Packet } from 'socket.io-parser';
import { CHUNK_MAGIC } from './chunk.js';
import { EVENTS } from './handshake.js';

/** The socket.io event of data chunks. */
const CHUNK_EVENT = EVENTS.chunk;

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

class Decoder extends Emitter<Record<never, never>, Record<never, never>, DecoderEvents> {
  private readonly inner = new SioDecoder();
  /** Binary attachments still owed to the socket.io packet being reconstructed. */
  private owed = 0;

  constructor() {
    super();
    this.inner.on('decoded', (packet: Packet) => this.emitReserved('decoded', packet));
  }

  add(obj: unknown): void {
    if (typeof obj === 'string') {
      // A binary event or ack announces its attachments: "51-[...]".
      const m = /^[56](\d+)-/.exec(obj);
      this.owed = m === null ? 0 : Number(m[1]);
      this.inner.add(obj);
      return;
    }
    if (this.owed > 0) {
      this.owed -= 1;
      this.inner.add(obj);
      return;
    }
    if (binary(obj) && startsWithMagic(obj)) {
      this.emitReserved('decoded', { type: PacketType.EVENT, nsp: '/', data: [CHUNK_EVENT, obj] });
      return;
    }
    this.inner.add(obj); // socket.io reports what it makes of anything else
  }

  destroy(): void {
    this.inner.destroy();
  }
}

/** The parser to give socket.io's server and client (option `parser`). */
export const wireParser = { Encoder, Decoder };
