import test from 'ava';
import { PacketType, type Packet } from 'socket.io-parser';
import { CHUNK_MAGIC } from '../../src/network/chunk.js';
import { EVENTS } from '../../src/network/handshake.js';
import { wireParser as makeWireParser } from '../../src/network/wire-parser.js';

const refusals: string[] = [];
const wireParser = makeWireParser({ maxAttachments: 64, maxAttachmentBytes: 1024, onRefused: (why) => void refusals.push(why) });

function chunkBuffer(n: number): Buffer {
  const b = Buffer.alloc(n);
  b.writeUInt32LE(CHUNK_MAGIC, 0);
  return b;
}

function decodeAll(messages: unknown[]): Packet[] {
  const d = new wireParser.Decoder();
  d.admit((why) => {
    throw new Error(`unexpected violation: ${why}`);
  });
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

test('before admission a decoder takes only short text: binary data or an announcement of attachments throws, and says why', (t) => {
  refusals.length = 0;
  const enc = new wireParser.Encoder();
  const fresh = (): InstanceType<typeof wireParser.Decoder> => new wireParser.Decoder();
  const hello = fresh();
  const got: Packet[] = [];
  hello.on('decoded', (p: Packet) => got.push(p));
  hello.add(enc.encode({ type: PacketType.CONNECT, nsp: '/', data: { name: 'b' } })[0]);
  t.is(got.length, 1, 'a hello passes');
  t.throws(() => fresh().add(chunkBuffer(40)), { message: /binary data before the handshake/ });
  t.throws(() => fresh().add('51-["tfe:chunk",{"_placeholder":true,"num":0}]'), { message: /announcing attachments/ });
  t.throws(() => fresh().add(`0${JSON.stringify({ pad: 'x'.repeat(5000) })}`), { message: /text packet of 5\d{3} characters/ });
  t.is(refusals.length, 3);
});

test('after admission one packet may not announce more than a chunk of attachments', (t) => {
  const d = new wireParser.Decoder();
  const violations: string[] = [];
  d.admit((why) => void violations.push(why));
  d.add('52-["tfe:chunk",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
  d.add(Buffer.alloc(600));
  t.throws(() => d.add(Buffer.alloc(600)), { message: /attachments exceed 1024 bytes/ });
  t.is(violations.length, 1);
});
