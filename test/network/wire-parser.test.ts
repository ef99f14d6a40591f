import test from 'ava';
import { PacketType, type Packet } from 'socket.io-parser';
import { CHUNK_MAGIC } from '../../src/network/chunk.js';
import { EVENTS } from '../../src/network/handshake.js';
import { wireParser } from '../../src/network/wire-parser.js';

function chunkBuffer(n: number): Buffer {
  const b = Buffer.alloc(n);
  b.writeUInt32LE(CHUNK_MAGIC, 0);
  return b;
}

function decodeAll(messages: unknown[]): Packet[] {
  const d = new wireParser.Decoder();
  const out: Packet[] = [];
  d.on('decoded', (p: Packet) => out.push(p));
  for (const m of messages) d.add(m);
  return out;
}

test('a single-buffer chunk event is one binary message and decodes back', (t) => {
  const enc = new wireParser.Encoder();
  const buf = chunkBuffer(40);
  const msgs = enc.encode({ type: PacketType.EVENT, nsp: '/', data: [EVENTS.chunk, buf] });
  t.is(msgs.length, 1);
  t.is(msgs[0], buf);
  const [p] = decodeAll(msgs);
  t.is(p.type, PacketType.EVENT);
  t.deepEqual(p.data[0], EVENTS.chunk);
  t.is((p.data[1] as Buffer).byteLength, 40);
});

test('other packets keep socket.io encoding, binary attachments included, and interleave safely with bare chunks', (t) => {
  const enc = new wireParser.Encoder();
  const control = enc.encode({ type: PacketType.EVENT, nsp: '/', data: [EVENTS.control, { type: 'bye' }], id: 3 });
  t.is(typeof control[0], 'string');
  // A multi-buffer chunk (header + parts) uses socket.io's binary event; its
  // attachments may themselves begin with the chunk magic.
  const multi = enc.encode({ type: PacketType.EVENT, nsp: '/', data: [EVENTS.chunk, chunkBuffer(32), chunkBuffer(8)] });
  t.true(multi.length === 3 && typeof multi[0] === 'string');
  const bare = enc.encode({ type: PacketType.EVENT, nsp: '/', data: [EVENTS.chunk, chunkBuffer(16)] });
  const packets = decodeAll([...control, ...multi, ...bare]);
  t.is(packets.length, 3);
  t.deepEqual(packets[0].data, [EVENTS.control, { type: 'bye' }]);
  t.is(packets[0].id, 3);
  t.is(packets[1].data.length, 3, 'the binary event gets both of its attachments back');
  t.is((packets[2].data[1] as Buffer).byteLength, 16);
});

test('a chunk event without the magic, or with an acknowledgement, is not taken for a bare chunk', (t) => {
  const enc = new wireParser.Encoder();
  t.is(enc.encode({ type: PacketType.EVENT, nsp: '/', data: [EVENTS.chunk, Buffer.alloc(8)] }).length, 2);
  t.is(enc.encode({ type: PacketType.EVENT, nsp: '/', data: [EVENTS.chunk, chunkBuffer(8)], id: 1 }).length, 2);
  t.is(enc.encode({ type: PacketType.EVENT, nsp: '/other', data: [EVENTS.chunk, chunkBuffer(8)] }).length, 2);
});
