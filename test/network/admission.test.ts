/**
 * What a connection may do before and after it authenticates: a stranger gets
 * a few seconds and a few kilobytes for the handshake and nothing more; an
 * authenticated peer may not make a player hold more than a bounded number of
 * bytes it has not asked for; closing never waits for strangers.
 */
import test from 'ava';
import { RemoteConfig, type RemoteConfigOptions } from '../../src/network/node.js';
import { encodeFrame } from '../../src/network/frame.js';
import { splitFrame, sessionTag } from '../../src/network/chunk.js';
import { EVENTS } from '../../src/network/handshake.js';
import { PeerLostError } from '../../src/errors.js';
import { loopbackHostmap, TEST_SECRET } from '../helpers/net.js';
import { impostorListener, rawEngine, rogue, silentConnection } from '../helpers/rogue.js';

const u64 = (shape: number[]): { dtype: 'u64'; shape: number[] } => ({ dtype: 'u64', shape });

/** Resolves with 'timeout' if `p` has not settled after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function players(names: string[], start: readonly string[], options: RemoteConfigOptions = {}) {
  const hostmap = await loopbackHostmap(names);
  const logs: string[] = [];
  const configs = start.map((name) =>
    RemoteConfig.fromObject(hostmap, { name, secret: TEST_SECRET, timeoutMs: 30_000, log: (m) => logs.push(`${name}: ${m}`), ...options }),
  );
  await Promise.all(configs.map((c) => c.transport.port()));
  return { configs, logs, hostmap, destroy: async () => void (await Promise.all(configs.map((c) => c.destroy()))) };
}

test('a connection that has not completed the handshake within handshakeTimeoutMs is closed, and the reason is logged', async (t) => {
  // Long enough for the rogue's hello to be answered on a loaded machine.
  const { logs, hostmap, destroy } = await players(['a', 'b'], ['a'], { handshakeTimeoutMs: 1500 });
  t.teardown(destroy);
  const port = hostmap.players[0].port;
  const silent = await silentConnection(port); // not even an HTTP request
  const stalled = await rogue({ port, name: 'b', secret: TEST_SECRET, listener: 'a', answer: false }); // hello, then nothing
  t.is(stalled.reason, 'challenged');
  const disconnected = new Promise<void>((resolve) => stalled.socket.once('disconnect', () => resolve()));
  t.not(await within(silent.closed, 10_000), 'timeout', 'the silent TCP connection is closed');
  t.not(await within(disconnected, 10_000), 'timeout', 'the half-done handshake is closed');
  t.true(logs.some((l) => /^a: closed a connection from 127\.0\.0\.1: no handshake within 1500 ms/.test(l)), logs.join('\n'));
  silent.socket.destroy();
});

test('before authentication binary data is refused at once: a packet announcing attachments, or a bare buffer', async (t) => {
  // A long handshake deadline: only the refusal of binary data can close these connections in time.
  const { logs, hostmap, destroy } = await players(['a', 'b'], ['a'], { handshakeTimeoutMs: 60_000 });
  t.teardown(destroy);
  const port = hostmap.players[0].port;
  // The attack of issue 15: one packet announcing 10 attachments, then 16 MiB chunks that the
  // parser would hold until the tenth arrives.
  const announcer = await rawEngine(port);
  announcer.send(`510-["tfe:chunk",${Array.from({ length: 10 }, (_, num) => JSON.stringify({ _placeholder: true, num })).join(',')}]`);
  t.not(await within(announcer.closed, 10_000), 'timeout', 'closed on the announcement');
  // A bare buffer that looks like a chunk, far larger than a handshake.
  const bare = await rawEngine(port);
  const big = Buffer.alloc(4 * 2 ** 20);
  big.writeUInt32LE(0x31434654, 0);
  bare.send(big);
  t.not(await within(bare.closed, 10_000), 'timeout', 'closed on the buffer');
  // Text larger than any handshake message.
  const chatty = await rawEngine(port);
  chatty.send(`0${JSON.stringify({ padding: 'x'.repeat(200_000) })}`);
  t.not(await within(chatty.closed, 10_000), 'timeout', 'closed on the oversized text');
  t.true(logs.some((l) => /^a: refused a connection.*binary data before the handshake/.test(l)), logs.join('\n'));
});

test('before authentication a connection may send only a handshake\'s bytes: a large WebSocket message is cut off as it arrives', async (t) => {
  const { logs, hostmap, destroy } = await players(['a', 'b'], ['a'], { handshakeTimeoutMs: 60_000 });
  t.teardown(destroy);
  const { socket, closed } = await silentConnection(hostmap.players[0].port);
  t.teardown(() => socket.destroy());
  socket.write(
    'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve())); // 101 Switching Protocols
  // One binary WebSocket message of 8 MiB (masked with zeros), of which 'ws' would hold every byte
  // until the last: only the byte budget of the handshake can stop it.
  const header = Buffer.alloc(14);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(8n * 2n ** 20n, 2);
  socket.write(header);
  let sent = 0;
  while (sent < 2 ** 20 && !socket.destroyed) {
    socket.write(Buffer.alloc(64 * 1024));
    sent += 64 * 1024;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  t.not(await within(closed, 10_000), 'timeout', 'cut off');
  t.true(logs.some((l) => /^a: closed a connection from 127\.0\.0\.1: more than 16384 bytes before the handshake completed/.test(l)), logs.join('\n'));
});

test('close() destroys connections that never authenticated instead of waiting for them', async (t) => {
  // A long handshake deadline, so that only close() can end these connections.
  const { configs, hostmap, destroy } = await players(['a', 'b'], ['a', 'b'], { handshakeTimeoutMs: 60_000 });
  t.teardown(destroy);
  await Promise.all(configs.map((c) => c.ready()));
  const port = hostmap.players[0].port;
  const silent = await silentConnection(port);
  const stalled = await rogue({ port, name: 'b', secret: TEST_SECRET, listener: 'a', answer: false });
  t.not(await within(Promise.all(configs.map((c) => c.close())), 10_000), 'timeout', 'close() returns');
  t.not(await within(silent.closed, 5000), 'timeout');
  t.false(stalled.socket.connected);
});

test('an authenticated peer cannot make a player hold more than maxBufferedBytes of frames it has not asked for', async (t) => {
  const { configs: [a], logs, hostmap, destroy } = await players(['a', 'b', 'c'], ['a'], { maxFrameBytes: 2 ** 20, chunkBytes: 2 ** 16, maxBufferedBytes: 2 ** 21 });
  t.teardown(destroy);
  const port = hostmap.players[0].port;
  const tag = sessionTag('default');
  const frame = (op: number, words: number): Uint8Array => encodeFrame({ op, step: 0 }, [{ shape: [words], data: new BigUint64Array(words) }]);
  const send = (s: Awaited<ReturnType<typeof rogue>>['socket'], bytes: Uint8Array, seq: number): void => {
    for (const c of splitFrame(bytes, seq, tag, 2 ** 16)) s.emit(EVENTS.chunk, Buffer.concat([c.header, ...c.parts]));
  };
  // 'b' sends whole frames for future operations that nobody receives: 3 x 1 MiB > 2 MiB.
  const b = await rogue({ port, name: 'b', secret: TEST_SECRET, listener: 'a' });
  t.true(b.welcomed, b.reason);
  const early = a.transport.receive('a', 'b', { op: 1, step: 0 }, [u64([2 ** 17 - 8])]);
  for (let op = 1; op <= 4; op++) send(b.socket, frame(op, 2 ** 17 - 8), op);
  t.is((await early)[0].shape[0], 2 ** 17 - 8, 'a frame someone waits for is not held');
  const lostB = a.transport.receive('a', 'b', { op: 9, step: 0 }, [u64([1])]);
  await t.throwsAsync(lostB, { instanceOf: PeerLostError, message: /dropped: .*more than 2097152 bytes/ });
  t.is(a.transport.linkState('b'), 'lost');
  // 'c' starts a frame larger than what it may hold and stops half way.
  const c = await rogue({ port, name: 'c', secret: TEST_SECRET, listener: 'a' });
  t.true(c.welcomed, c.reason);
  const bigFrame = frame(1, 3 * 2 ** 17 - 8); // 3 MiB declared, limit 2 MiB
  const [first] = splitFrame(bigFrame, 1, tag, 2 ** 16);
  c.socket.emit(EVENTS.chunk, Buffer.concat([first.header, ...first.parts]));
  await t.throwsAsync(a.transport.receive('a', 'c', { op: 1, step: 0 }, [u64([1])]), { instanceOf: PeerLostError, message: /dropped/ });
  t.true(logs.some((l) => /^a: dropped 'b': /.test(l)), logs.join('\n'));
  t.true(logs.some((l) => /^a: dropped 'c': /.test(l)), logs.join('\n'));
  b.socket.disconnect();
  c.socket.disconnect();
});

test('refusals are logged at a bounded rate; the rest are counted in one line', async (t) => {
  const { configs: [a], logs, hostmap, destroy } = await players(['a', 'b'], ['a']);
  t.teardown(destroy);
  const port = hostmap.players[0].port;
  const attempts = 60;
  const refused = await Promise.all(Array.from({ length: attempts }, () => rogue({ port, name: 'b', secret: TEST_SECRET, listener: 'a', version: 99 })));
  t.true(refused.every((r) => !r.welcomed));
  for (const r of refused) r.socket.disconnect();
  await a.destroy();
  const lines = logs.filter((l) => /refused a connection/.test(l));
  t.true(lines.length <= 20, `${lines.length} refusal lines`);
  const summary = logs.find((l) => /further refusals? (was|were) not logged/.test(l));
  t.truthy(summary, logs.join('\n'));
  t.is(lines.length + Number(/(\d+) further/.exec(summary ?? '')?.[1] ?? 0), attempts, 'every refusal is either logged or counted');
});

test('a dialer never opens a link to a listener that welcomes it without proving the secret', async (t) => {
  const hostmap = await loopbackHostmap(['a', 'b']);
  const impostor = await impostorListener(hostmap.players[0].port);
  t.teardown(() => impostor.close());
  const logs: string[] = [];
  const b = RemoteConfig.fromObject(hostmap, { name: 'b', secret: TEST_SECRET, timeoutMs: 2000, log: (m) => void logs.push(m) });
  t.teardown(() => b.destroy());
  b.transport.send('b', 'a', { op: 1, step: 0 }, [{ shape: [4], data: new BigUint64Array(4).fill(42n) }], 'online');
  await t.throwsAsync(b.ready(), { instanceOf: PeerLostError });
  t.not(b.transport.linkState('a'), 'open');
  t.false(impostor.events.includes(EVENTS.chunk), `the impostor received: ${impostor.events.join(', ')}`);
});
