import test from 'ava';
import { randomFillSync } from 'node:crypto';
import { InMemoryTransport, RemoteConfig, type RemoteConfigOptions, type WireTensor } from '../../src/network/node.js';
import { encodeFrame } from '../../src/network/frame.js';
import { splitFrame, sessionTag } from '../../src/network/chunk.js';
import { EVENTS, PROTOCOL_VERSION } from '../../src/network/handshake.js';
import { failureOrigin, FixedPointRangeError, PeerLostError, ProtocolError, ShapeError } from '../../src/errors.js';
import { loopbackHostmap, TEST_SECRET } from '../helpers/net.js';
import { rogue } from '../helpers/rogue.js';

const u64 = (shape: number[]): { dtype: 'u64'; shape: number[] } => ({ dtype: 'u64', shape });
const tensor = (n: number, fill = 7n): WireTensor => ({ shape: [n], data: new BigUint64Array(n).fill(fill) });
/** Distinct words, so that a misplaced byte range shows. */
const pattern = (n: number, seed: number): WireTensor => {
  const data = new BigUint64Array(n);
  const w = new Uint32Array(data.buffer);
  for (let i = 0; i < w.length; i++) w[i] = (i + seed) * 2654435761;
  return { shape: [n], data };
};

interface Cluster {
  configs: RemoteConfig[];
  logs: string[];
  hostmap: Awaited<ReturnType<typeof loopbackHostmap>>;
  close(): Promise<void>;
}

/** Players `names` of one hostmap, all in this process but linked by real sockets. */
async function cluster(names: string[], start: readonly string[] = names, options: RemoteConfigOptions = {}): Promise<Cluster> {
  const hostmap = await loopbackHostmap(names);
  const logs: string[] = [];
  const configs = start.map((name) =>
    RemoteConfig.fromObject(hostmap, { name, secret: TEST_SECRET, timeoutMs: 5000, log: (m) => logs.push(`${name}: ${m}`), ...options }),
  );
  return { configs, logs, hostmap, close: async () => void (await Promise.all(configs.map((c) => c.destroy()))) };
}

test('frames cross sockets matched by (from, to, op, step) in any order, and bytes are counted as in memory', async (t) => {
  const { configs, logs, close } = await cluster(['a', 'b', 'c']);
  const byName = new Map(configs.map((c) => [c.name, c.transport]));
  const memory = new InMemoryTransport(['a', 'b', 'c'], 1000);
  const sends: Array<[string, string, { op: number; step: number }, WireTensor[]]> = [
    ['a', 'b', { op: 2, step: 0 }, [tensor(5, 1n)]],
    ['c', 'b', { op: 1, step: 3 }, [tensor(2, 2n), { shape: [16], data: new Uint8Array(16).fill(9) }]],
    ['b', 'a', { op: 1, step: 0 }, [tensor(1, 3n)]],
    // one chunk in several socket messages (decoded in place), then larger than one 16 MiB chunk (reassembled)
    ['a', 'c', { op: 3, step: 0 }, [pattern(700_000, 4), tensor(3, 7n)]],
    ['c', 'a', { op: 4, step: 0 }, [pattern(2_200_000, 6)]],
    ['a', 'b', { op: 1, step: 0 }, [tensor(3, 5n)]],
  ];
  for (const [from, to, key, payload] of sends) {
    byName.get(from)!.send(from, to, key, payload, 'online');
    memory.send(from, to, key, payload, 'online');
  }
  // Received in the reverse order of sending: early frames wait in the mailbox.
  for (const [from, to, key, payload] of [...sends].reverse()) {
    const got = await byName.get(to)!.receive(to, from, key, payload.map((p) => ({ dtype: p.data instanceof BigUint64Array ? 'u64' : 'u8', shape: [...p.shape] })));
    const bytes = (d: BigUint64Array | Uint8Array): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    t.true(got.every((g, i) => bytes(g.data).equals(bytes(payload[i].data))));
  }
  const sum = (k: 'bytes' | 'messages'): Record<string, number> => Object.assign({}, ...configs.map((c) => c.transport.counters.snapshot()[k]));
  t.deepEqual(sum('bytes'), memory.counters.snapshot().bytes);
  t.deepEqual(sum('messages'), memory.counters.snapshot().messages);
  t.deepEqual(logs, []);
  await close();
});

test('a frame of many tensors crosses: one chunk event may carry more parts than socket.io allows attachments by default (10)', async (t) => {
  const { configs: [a, b], logs, close } = await cluster(['a', 'b']);
  const payload = Array.from({ length: 20 }, (_, i) => pattern(5000, i)); // 800 KB: sent as views, not bundled
  b.transport.send('b', 'a', { op: 1, step: 0 }, payload, 'online');
  const got = await a.transport.receive('a', 'b', { op: 1, step: 0 }, payload.map(() => u64([5000])));
  t.true(got.every((g, i) => (g.data as BigUint64Array)[17] === payload[i].data[17]));
  t.deepEqual(logs, []);
  await close();
});

// Serial: the transfer and its checks hold this process's event loop for seconds, which would
// starve the other tests of this file of their 5 s timeouts. The timeout here allows a loaded machine.
test.serial('a 512 MiB tensor passes between two players', async (t) => {
  const { configs: [a, b], close } = await cluster(['a', 'b'], ['a', 'b'], { timeoutMs: 60_000 });
  await Promise.all([a.ready(), b.ready()]);
  const n = 2 ** 26; // 64 Mi words = 512 MiB
  const data = new BigUint64Array(n);
  randomFillSync(data);
  const started = Date.now();
  b.transport.send('b', 'a', { op: 1, step: 0 }, [{ shape: [n], data }], 'online');
  const [got] = await a.transport.receive('a', 'b', { op: 1, step: 0 }, [u64([n])]);
  t.log(`512 MiB b -> a in ${Date.now() - started} ms`);
  t.is(got.data.byteLength, 2 ** 29);
  t.true(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(data.buffer)));
  await close();
});

test('abort travels to peers, whose receives of that operation fail at once with the typed cause', async (t) => {
  const { configs: [a, b], close } = await cluster(['a', 'b']);
  const waiting = b.transport.receive('b', 'a', { op: 4, step: 1 }, [u64([1])]);
  const other = b.transport.receive('b', 'a', { op: 5, step: 0 }, [u64([1])]);
  a.transport.abort('a', 4, new ShapeError('matmul: inner dimensions 3 and 4 differ'));
  const e = await t.throwsAsync(waiting, { instanceOf: ShapeError });
  t.is(e!.message, "'a' failed in operation 4: ShapeError: matmul: inner dimensions 3 and 4 differ");
  t.deepEqual(failureOrigin(e), { player: 'a', op: 4, code: 'shape', text: e!.message }, 'the root cause, by player and operation');
  await t.throwsAsync(b.transport.receive('b', 'a', { op: 4, step: 2 }, [u64([1])]), { instanceOf: ShapeError });
  a.transport.abort('a', 6, new PeerLostError('c', "lost 'c'"));
  const lost = await t.throwsAsync(b.transport.receive('b', 'a', { op: 6, step: 0 }, [u64([1])]), { instanceOf: PeerLostError, message: /lost 'c'/ });
  t.is((lost as PeerLostError).peer, 'c', 'a loss starts with the player lost');
  a.transport.send('a', 'b', { op: 5, step: 0 }, [tensor(1)], 'online');
  t.is((await other).length, 1, 'other operations go on');
  await close();
});

test('an error that travels to peers names the shape and operation, never which element was bad', async (t) => {
  const { configs: [a, b], close } = await cluster(['a', 'b']);
  const waiting = b.transport.receive('b', 'a', { op: 3, step: 0 }, [u64([1])]);
  a.transport.abort('a', 3, new FixedPointRangeError('definePrivateInput: element 7 of a tensor of shape [10] is NaN; fixed-point values must satisfy |x| < 2^47'));
  const e = await t.throwsAsync(waiting, { instanceOf: FixedPointRangeError });
  t.regex(e!.message, /definePrivateInput: a tensor of shape \[10\] holds a value that is NaN, infinite or outside the fixed-point range/);
  t.notRegex(e!.message, /element|\b7\b/);
  await close();
});

test('an orderly close delivers what was queued, waits until every peer has finished too, and is not taken for a loss', async (t) => {
  const { configs: [a, b], logs, close } = await cluster(['a', 'b']);
  // Sent before the connection is even up, then closed at once: the bye waits for delivery.
  a.transport.send('a', 'b', { op: 1, step: 0 }, [tensor(3)], 'online');
  a.transport.send('a', 'b', { op: 2, step: 0 }, [tensor(600_000)], 'online');
  let aClosed = false;
  const aClosing = a.close().then(() => void (aClosed = true));
  t.is((await b.transport.receive('b', 'a', { op: 2, step: 0 }, [u64([600_000])]))[0].shape[0], 600_000);
  t.is((await b.transport.receive('b', 'a', { op: 1, step: 0 }, [u64([3])]))[0].shape[0], 3);
  // Only a receive of something 'a' never sent fails, at once, saying why.
  await t.throwsAsync(b.transport.receive('b', 'a', { op: 3, step: 0 }, [u64([1])]), { instanceOf: PeerLostError, message: /'a' finished and closed; 'b' still waits for operation 3 step 0/ });
  // 'a' is done, but its close is a barrier: it waits for 'b' (which may still send to it).
  b.transport.send('b', 'a', { op: 4, step: 0 }, [tensor(2)], 'online');
  t.false(aClosed);
  t.is(a.transport.linkState('b'), 'open');
  await b.close();
  await aClosing;
  t.is(a.transport.linkState('b'), 'closed');
  t.is(b.transport.linkState('a'), 'closed');
  t.deepEqual(logs, []);
  await close();
});

test('a peer that disconnects makes pending and later receives fail at once, naming the peer and the operation', async (t) => {
  const { configs: [a, b, c], logs, close } = await cluster(['a', 'b', 'c']);
  await Promise.all(configs(a, b, c).map((x) => x.ready()));
  const pending = b.transport.receive('b', 'a', { op: 7, step: 0 }, [u64([1])]);
  const started = Date.now();
  await a.destroy(); // as if the process died: no bye
  const e = await t.throwsAsync(pending, { instanceOf: PeerLostError });
  t.is((e as PeerLostError).peer, 'a');
  t.regex(e!.message, /'b' lost 'a' \(disconnected: .*\) and cannot receive operation 7 step 0 from it/);
  await t.throwsAsync(c.transport.receive('c', 'a', { op: 8, step: 1 }, [u64([1])]), { instanceOf: PeerLostError, message: /operation 8 step 1/ });
  t.true(Date.now() - started < 2000, 'well within the 5 s timeout');
  t.true(logs.some((l) => /^b: lost 'a': disconnected: /.test(l)), logs.join('\n'));
  // b and c still talk
  c.transport.send('c', 'b', { op: 9, step: 0 }, [tensor(1)], 'online');
  t.is((await b.transport.receive('b', 'c', { op: 9, step: 0 }, [u64([1])])).length, 1);
  await close();
});

function configs(...cs: RemoteConfig[]): RemoteConfig[] {
  return cs;
}

test('malformed messages from an authenticated peer are rejected and logged; honest traffic is not corrupted', async (t) => {
  // 'c' is played by a rogue that knows the secret; a and b are honest.
  const { configs: [a, b], logs, hostmap, close } = await cluster(['a', 'b', 'c'], ['a', 'b'], { maxFrameBytes: 2 ** 20, chunkBytes: 2 ** 16 });
  const r = await rogue({ port: hostmap.players[0].port, name: 'c', secret: TEST_SECRET, listener: 'a' });
  t.true(r.welcomed, r.reason);
  const tag = sessionTag('default');
  const chunk = (frame: Uint8Array, seq: number): Buffer[] => splitFrame(frame, seq, tag, 2 ** 16).map((c) => Buffer.concat([c.header, ...c.parts]));
  const good = (op: number): Uint8Array => encodeFrame({ op, step: 0 }, [{ shape: [2, 2], data: new BigUint64Array(4).fill(1n) }]);
  const badLength = good(1).slice();
  new DataView(badLength.buffer).setUint32(28, 24, true); // declares 24 bytes for a [2,2] u64 tensor
  const oversized = splitFrame(new Uint8Array(2 ** 20 + 8), 5, tag, 2 ** 16)[0];
  const cases: Array<[string, () => void, RegExp]> = [
    ['garbage', () => r.socket.emit(EVENTS.chunk, Buffer.from('not a frame at all, just some bytes that are long enough')), /rejected a message from 'c': chunk header has a bad magic number/],
    ['byte length vs shape', () => r.socket.emit(EVENTS.chunk, chunk(badLength, 1)[0]), /declares 24 bytes but shape \[2,2\] of u64 needs 32/],
    ['unknown operation id', () => r.socket.emit(EVENTS.chunk, chunk(good(2 ** 40), 2)[0]), /frame for unknown operation 1099511627776 step 0 \(this player is at operation 0; accepted: 1 to 1048576\)/],
    ['operation 0', () => r.socket.emit(EVENTS.chunk, chunk(good(0), 3)[0]), /frame for unknown operation 0 step 0/],
    ['oversized frame', () => r.socket.emit(EVENTS.chunk, Buffer.from(oversized.header), Buffer.from(oversized.parts[0])), /oversized frame: 1048584 bytes declared, the limit is 1048576/],
    ['other session', () => r.socket.emit(EVENTS.chunk, Buffer.concat([splitFrame(good(1), 6, sessionTag('other'), 1024)[0].header, good(1)])), /chunk belongs to another session/],
    ['text instead of bytes', () => r.socket.emit(EVENTS.chunk, 'hello'), /a chunk must be 1 to 64 binary buffers/],
    ['control message failing its schema', () => r.socket.emit(EVENTS.control, { type: 'abort', op: -1, code: 'x', message: 'm' }), /control message failed its schema: op: /],
    ['unknown control type', () => r.socket.emit(EVENTS.control, { type: 'shutdown-everyone' }), /control message failed its schema: type/],
    ['unexpected event', () => r.socket.emit('tfe:whatever', 1), /unexpected event "tfe:whatever"/],
  ];
  for (const [what, send, re] of cases) {
    const before = logs.length;
    send();
    for (let i = 0; i < 100 && logs.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    t.is(logs.length, before + 1, what);
    t.regex(logs[before] ?? '', re, what);
  }
  t.is(a.transport.rejected('c'), cases.length);
  t.is(a.transport.linkState('c'), 'open', 'the connection survives: the rogue is only ignored');
  // A well-formed frame from the same peer afterwards is accepted...
  r.socket.emit(EVENTS.chunk, chunk(good(1), 7)[0]);
  const [fromRogue] = await a.transport.receive('a', 'c', { op: 1, step: 0 }, [u64([2, 2])]);
  t.deepEqual(Array.from(fromRogue.data as BigUint64Array), [1n, 1n, 1n, 1n]);
  // ...and honest players are unaffected.
  b.transport.send('b', 'a', { op: 1, step: 0 }, [tensor(3, 11n)], 'online');
  t.deepEqual(Array.from((await a.transport.receive('a', 'b', { op: 1, step: 0 }, [u64([3])]))[0].data as BigUint64Array), [11n, 11n, 11n]);
  // A frame whose shape differs from what the receiver expects fails that receive only.
  r.socket.emit(EVENTS.chunk, chunk(good(2), 8)[0]);
  await t.throwsAsync(a.transport.receive('a', 'c', { op: 2, step: 0 }, [u64([3])]), { instanceOf: ProtocolError, message: /tensor 0 is u64 \[2,2\], expected u64 \[3\]/ });
  t.false(logs.some((l) => l.includes(TEST_SECRET)));
  r.socket.disconnect();
  await close();
});

test('connections are refused for an unknown name, a wrong secret, version or session, and a second claim to a name', async (t) => {
  const { configs: [a, b], logs, hostmap, close } = await cluster(['a', 'b', 'c'], ['a', 'b']);
  await b.transport.port();
  const port = hostmap.players[0].port;
  const wrongSecret = 'a-wrong-secret-of-enough-length';
  const cases: Array<[string, Parameters<typeof rogue>[0], RegExp]> = [
    ['unknown name', { port, name: 'mallory', secret: TEST_SECRET, listener: 'a' }, /unknown player 'mallory'; the hostmap knows 'a', 'b', 'c'/],
    ['wrong secret', { port, name: 'c', secret: wrongSecret, listener: 'a' }, /'c' could not prove it holds the shared secret/],
    ['wrong version', { port, name: 'c', secret: TEST_SECRET, listener: 'a', version: 99 }, new RegExp(`'c' speaks protocol version 99; this player speaks ${PROTOCOL_VERSION}`)],
    ['wrong session', { port, name: 'c', secret: TEST_SECRET, listener: 'a', session: 'yesterday' }, /'c' belongs to session 'yesterday', not 'default'/],
    ['wrong direction', { port: hostmap.players[1].port, name: 'a', secret: TEST_SECRET, listener: 'b' }, /'a' must not dial 'b'/],
  ];
  for (const [what, o, re] of cases) {
    const r = await rogue(o);
    t.false(r.welcomed, what);
    t.regex(r.reason ?? '', re, `${what}: the dialer is told why`);
    t.true(logs.some((l) => re.test(l) && /refused a connection from/.test(l)), `${what}: the reason is logged`);
    r.socket.disconnect();
  }
  await b.transport.port();
  while (a.transport.linkState('b') !== 'open') await new Promise((resolve) => setTimeout(resolve, 10));
  const second = await rogue({ port, name: 'b', secret: TEST_SECRET, listener: 'a' });
  t.false(second.welcomed);
  t.regex(second.reason ?? '', /a second connection claims to be 'b', which is already connected/);
  second.socket.disconnect();
  for (const l of logs) t.false(l.includes(TEST_SECRET) || l.includes(wrongSecret), `no secret in the log: ${l}`);
  // The honest link is intact.
  b.transport.send('b', 'a', { op: 1, step: 0 }, [tensor(1)], 'online');
  t.is((await a.transport.receive('a', 'b', { op: 1, step: 0 }, [u64([1])])).length, 1);
  await close();
});

test('a dialer whose peer holds another secret fails its receives at once with the reason, never hangs', async (t) => {
  const hostmap = await loopbackHostmap(['a', 'b']);
  const logs: string[] = [];
  const log = (m: string): void => void logs.push(m);
  const a = RemoteConfig.fromObject(hostmap, { name: 'a', secret: 'first-secret-0123456789', timeoutMs: 5000, log });
  const b = RemoteConfig.fromObject(hostmap, { name: 'b', secret: 'other-secret-0123456789', timeoutMs: 5000, log });
  const started = Date.now();
  await t.throwsAsync(b.transport.receive('b', 'a', { op: 1, step: 0 }, [u64([1])]), { instanceOf: PeerLostError, message: /refused: the player at .* could not prove that it is 'a' holding the shared secret/ });
  t.true(Date.now() - started < 2000);
  await t.throwsAsync(b.ready(), { instanceOf: PeerLostError });
  t.true(logs.some((l) => /could not prove that it is 'a' holding the shared secret/.test(l)));
  t.false(logs.some((l) => l.includes('0123456789')));
  await Promise.all([a.destroy(), b.destroy()]);
});
