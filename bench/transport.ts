/**
 * Players in separate processes, on loopback, in one run:
 *
 * 1. Throughput (MB/s) for 1, 8 and 64 MiB tensors, each direction of a pair
 *    of players: the socket.io transport (dialer -> listener and back) against
 *    a raw `net` TCP socket with the same framing (frame parts written as they
 *    are, reassembled into fresh memory and decoded). A transfer is timed from
 *    the send to a small acknowledgement from the receiver (one round trip of
 *    a small message is included, as a protocol would see it).
 * 2. Small-message round trip (median microseconds), both transports.
 * 3. Private matmul n x n (default 512) with every player in its own process,
 *    against the same in one process and against tfjs plaintext (cpu, wasm).
 *
 * Run: npm run bench:transport   (SIZES=512, REPS=... to change)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as tfe from 'tfjs-encrypted/node';
import { decodeFrame, encodeFrameParts, frameByteLength } from '../src/network/frame.js';
import type * as network from '../src/network/index.js';
import { fmtMs, interleaved, machine, table, timeMs, useBackend } from './util.js';
import { sharesOf } from '../src/protocol/index.js';

const SECRET = 'bench-secret-not-for-production';
const MIB = 2 ** 20;
const TENSOR_MIB = [1, 8, 64];
const REPS = Number(process.env.REPS ?? 15);
const PINGS = Number(process.env.PINGS ?? 2000);
const N = Number(process.env.SIZE ?? 512);
const MATMUL_ROUNDS = Number(process.env.ROUNDS ?? 9);
const self = fileURLToPath(import.meta.url);

type Hostmap = { players: Array<{ name: string; host: string; port: number }> };

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = createServer();
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
      return s;
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function child(args: string[], env: Record<string, string> = {}): ChildProcess {
  const c = spawn(process.execPath, [...process.execArgv, self, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  return c;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const words = (mib: number): network.WireTensor => ({ shape: [(mib * MIB) / 8], data: new BigUint64Array((mib * MIB) / 8).fill(0x0123456789abcdefn) });
const ACK: network.WireTensor = { shape: [1], data: BigUint64Array.of(1n) };

// ------------------------------------------------------------------ channels

/** One side of a link between the two benchmark processes. */
interface Channel {
  send(payload: network.Payload): void;
  receive(expect: network.WireTensor): Promise<unknown>;
}

/** The socket.io transport; both sides number their messages alike. */
function socketChannel(config: tfe.RemoteConfig, me: string, peer: string): Channel {
  let sent = 0;
  let received = 0;
  return {
    send: (payload) => config.transport.send(me, peer, { op: ++sent, step: 0 }, payload, 'online'),
    receive: (x) => config.transport.receive(me, peer, { op: ++received, step: 0 }, [{ dtype: 'u64', shape: [...x.shape] }]),
  };
}

/** Length-prefixed frames over a raw socket, reassembled into fresh memory and decoded as the transport does. */
class RawChannel implements Channel {
  private pending: Array<(f: network.Frame) => void> = [];
  private ready: network.Frame[] = [];
  private buf: Uint8Array | undefined;
  private filled = 0;
  private head = Buffer.alloc(0);

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
  }

  send(payload: network.Payload): void {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(frameByteLength(payload)));
    this.socket.cork();
    this.socket.write(len);
    for (const p of encodeFrameParts({ op: 1, step: 0 }, payload)) this.socket.write(p);
    this.socket.uncork();
  }

  receive(): Promise<network.Frame> {
    const f = this.ready.shift();
    if (f !== undefined) return Promise.resolve(f);
    return new Promise((resolve) => this.pending.push(resolve));
  }

  private onData(d: Buffer): void {
    let at = 0;
    while (at < d.length) {
      if (this.buf === undefined) {
        const need = 8 - this.head.length;
        this.head = Buffer.concat([this.head, d.subarray(at, at + need)]);
        at += Math.min(need, d.length - at);
        if (this.head.length < 8) return;
        this.buf = new Uint8Array(Number(this.head.readBigUInt64LE(0)));
        this.head = Buffer.alloc(0);
        this.filled = 0;
      }
      const take = Math.min(this.buf.byteLength - this.filled, d.length - at);
      this.buf.set(d.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.buf.byteLength) {
        const frame = decodeFrame(this.buf, Number.MAX_SAFE_INTEGER, true);
        this.buf = undefined;
        const w = this.pending.shift();
        if (w !== undefined) w(frame);
        else this.ready.push(frame);
      }
    }
  }
}

// ------------------------------------------------------------------ the schedule both sides run

type Measured = { mbps: Record<string, number>; rttUs: Record<string, number> };

/**
 * The same program in both processes. `parent` is true in the process that
 * listens on both links (the socket.io listener and the TCP server). Each
 * direction is its own contest: socket.io and raw TCP alternate with the same
 * sender and receiver processes, REPS times after one warm-up, so load from
 * other processes hits both alike. (Interleaving all four links, as an earlier
 * version did, made each transfer pay for the other direction's garbage: every
 * 8 MiB received is external memory that triggers major GCs in the receiver,
 * and the ratios moved between 0.8 and 2.6 from run to run.) Then small round
 * trips, also alternating. Each process reports what it measured as the sender.
 */
async function schedule(parent: boolean, sio: Channel, raw: Channel): Promise<Measured> {
  const contests: Array<Array<[string, Channel, boolean]>> = [
    [
      ['socket.io dialer->listener', sio, false],
      ['raw TCP client->server', raw, false],
    ],
    [
      ['socket.io listener->dialer', sio, true],
      ['raw TCP server->client', raw, true],
    ],
  ];
  const times = new Map<string, number[]>();
  for (const mib of TENSOR_MIB) {
    const x = words(mib);
    for (const contenders of contests) {
      for (let r = 0; r < REPS + 1; r++) {
        for (const [name, ch, parentSends] of contenders) {
          if (parent === parentSends) {
            const t0 = performance.now();
            ch.send([x]);
            await ch.receive(ACK);
            if (r > 0) times.set(`${mib}:${name}`, [...(times.get(`${mib}:${name}`) ?? []), performance.now() - t0]);
          } else {
            await ch.receive(x);
            ch.send([ACK]);
          }
        }
      }
    }
  }
  const rtts = new Map<string, number[]>();
  for (let i = 0; i < PINGS; i++) {
    for (const [name, ch] of [['socket.io', sio], ['raw TCP', raw]] as const) {
      if (!parent) {
        const t0 = performance.now();
        ch.send([ACK]);
        await ch.receive(ACK);
        rtts.set(name, [...(rtts.get(name) ?? []), (performance.now() - t0) * 1000]);
      } else {
        await ch.receive(ACK);
        ch.send([ACK]);
      }
    }
  }
  const mbps: Record<string, number> = {};
  for (const [k, v] of times) mbps[k] = (Number(k.split(':')[0]) * MIB) / (median(v) / 1000) / 1e6;
  return { mbps, rttUs: Object.fromEntries([...rtts].map(([k, v]) => [k, median(v)])) };
}

// ------------------------------------------------------------------ private matmul across processes

const MATMUL_PLAYERS = ['server0', 'server1', 'crypto-producer', 'inputter'];

/** Every player runs this; server0 reports the median time of one private matmul (masking included). */
async function matmulProgram(config: tfe.Config, rounds: number): Promise<number> {
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const values = Float64Array.from({ length: N * N }, (_, i) => ((i * 7919) % 2000) / 100 - 10);
  const x = prot.definePrivateInput('inputter', () => values, { shape: [N, N] });
  const w = prot.definePrivateInput('inputter', () => values, { shape: [N, N] });
  await prot.flush();
  const times: number[] = [];
  for (let r = 0; r < rounds + 2; r++) {
    const t0 = performance.now();
    const z = x.add(0).matmul(w.add(0));
    for (const [i, s] of sharesOf(z).entries()) if (s.isLocal) await sharesOf(z)[i].value();
    if (!config.isLocal('server0') && !config.isLocal('server1')) continue;
    if (r >= 2) times.push(performance.now() - t0);
  }
  // The inputter and the dealer finish first; a reveal keeps everyone until the servers are done.
  await prot.reveal(x.sum(), 'inputter');
  await prot.flush();
  return times.length > 0 ? median(times) : 0;
}

// ------------------------------------------------------------------ roles

async function main(): Promise<void> {
  const [role, arg] = process.argv.slice(2);
  await useBackend('cpu'); // util.ts registers the wasm backend; reveal makes tf tensors

  if (role === '--peer') {
    const { hostmap, rawPort } = JSON.parse(arg) as { hostmap: Hostmap; rawPort: number };
    const config = tfe.RemoteConfig.fromObject(hostmap, { name: 'dialer', secret: SECRET, timeoutMs: 120_000 });
    const socket = createConnection({ host: '127.0.0.1', port: rawPort });
    await once(socket, 'connect');
    process.send?.(await schedule(false, socketChannel(config, 'dialer', 'listener'), new RawChannel(socket)));
    await config.close();
    socket.end();
    return;
  }
  if (role === '--matmul-player') {
    const config = tfe.RemoteConfig.fromObject(JSON.parse(process.env.BENCH_HOSTMAP ?? ''), { name: arg, secret: SECRET, timeoutMs: 120_000 });
    await matmulProgram(config, MATMUL_ROUNDS);
    await config.close();
    return;
  }

  console.log(`players in separate processes on 127.0.0.1; ${machine()}\n`);
  // This process listens on both links; the child dials both.
  const ports = await freePorts(2);
  const hostmap: Hostmap = { players: [{ name: 'listener', host: '127.0.0.1', port: ports[0] }, { name: 'dialer', host: '127.0.0.1', port: ports[1] }] };
  const config = tfe.RemoteConfig.fromObject(hostmap, { name: 'listener', secret: SECRET, timeoutMs: 120_000 });
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const peer = spawn(process.execPath, [...process.execArgv, self, '--peer', JSON.stringify({ hostmap, rawPort: (server.address() as { port: number }).port })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const peerExit = once(peer, 'exit');
  const theirs = new Promise<Measured>((resolve) => peer.once('message', (m) => resolve(m as Measured)));
  const [socket] = (await once(server, 'connection')) as [Socket];
  const mine = await schedule(true, socketChannel(config, 'listener', 'dialer'), new RawChannel(socket));
  const measured = { ...mine.mbps, ...(await theirs).mbps };
  const rtt = (await theirs).rttUs;
  await config.close();
  socket.destroy();
  server.close();
  await peerExit;

  console.log(`Throughput, MB/s (median of ${REPS}; in each direction socket.io and raw TCP alternate; each transfer timed to the receiver's acknowledgement)`);
  const cols = ['socket.io dialer->listener', 'socket.io listener->dialer', 'raw TCP client->server', 'raw TCP server->client'];
  table(
    ['tensor', ...cols, 'raw/socket.io (worse direction)'],
    TENSOR_MIB.map((mib) => {
      const v = cols.map((c) => measured[`${mib}:${c}`]);
      return [`${mib} MiB`, ...v.map((x) => x.toFixed(0)), Math.max(v[2] / v[0], v[3] / v[1]).toFixed(2)];
    }),
  );
  console.log(`\nSmall-message round trip (one u64 each way), median of ${PINGS}: socket.io ${rtt['socket.io'].toFixed(0)} us, raw TCP ${rtt['raw TCP'].toFixed(0)} us\n`);

  // Private matmul: four processes against one, against tfjs plaintext.
  const mports = await freePorts(MATMUL_PLAYERS.length);
  const mhostmap: Hostmap = { players: MATMUL_PLAYERS.map((name, i) => ({ name, host: '127.0.0.1', port: mports[i] })) };
  const others = MATMUL_PLAYERS.slice(1).map((name) => once(child(['--matmul-player', name], { BENCH_HOSTMAP: JSON.stringify(mhostmap) }), 'exit'));
  const mconfig = tfe.RemoteConfig.fromObject(mhostmap, { name: 'server0', secret: SECRET, timeoutMs: 120_000 });
  const multi = await matmulProgram(mconfig, MATMUL_ROUNDS);
  await mconfig.close();
  await Promise.all(others);

  const local = tfe.LocalConfig(MATMUL_PLAYERS);
  const one = await matmulProgram(local, MATMUL_ROUNDS);
  await local.close();
  await useBackend('wasm');
  await useBackend('cpu');
  const plain = tf.tensor2d(Float32Array.from({ length: N * N }, (_, i) => ((i * 7919) % 1000) / 1000), [N, N]);
  const tfjs = await interleaved({ cpu: () => tf.matMul(plain, plain).dataSync() }, MATMUL_ROUNDS);
  await tf.setBackend('wasm');
  const plainW = tf.tensor2d(Float32Array.from({ length: N * N }, (_, i) => ((i * 7919) % 1000) / 1000), [N, N]);
  const wasm = await timeMs(() => tf.matMul(plainW, plainW).dataSync(), MATMUL_ROUNDS);
  console.log(`Private matmul ${N} x ${N} by ${N} x ${N} (masking, triple, Beaver products, truncation), median ms of ${MATMUL_ROUNDS}; ratios to tfjs cpu`);
  table(
    ['private, 4 processes', 'private, 1 process', 'tfjs cpu (plaintext)', 'tfjs wasm (plaintext)'],
    [[`${fmtMs(multi)} (${(multi / tfjs.cpu).toFixed(2)}x)`, `${fmtMs(one)} (${(one / tfjs.cpu).toFixed(2)}x)`, fmtMs(tfjs.cpu), fmtMs(wasm)]],
  );
}

await main();
