/**
 * The dealer window (PondOptions.dealerWindow): a program that issues a long
 * chain at once keeps the crypto producer within the window of the servers,
 * in one process and with each player on its own sockets; without the window
 * the dealer runs hundreds of operations ahead. Results and counted traffic
 * do not depend on the pacing.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as tfe from '../../../src/index.js';
import { RemoteConfig } from '../../../src/network/node.js';
import { CONTROL_STEP, type MessageKey, type Payload, type TrafficKind, type Transport } from '../../../src/network/index.js';
import { seededRandom } from '../../../src/crypto/index.js';
import { Pond, type PondOptions } from '../../../src/protocol/index.js';
import { loopbackHostmap, TEST_SECRET } from '../../helpers/net.js';
import { PLAYERS } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

tf.env().set('PROD', true);
const ROLES = { servers: ['server0', 'server1'] as const, cryptoProducer: 'crypto-producer' };
const DEPTH = 30;
const rng = new TestRng(90);
const X = rng.floats(4 * 8, -1, 1);
const W = rng.floats(8 * 8, -0.4, 0.4);

/** What the players sent, in order: the dealer's requests, the servers' online messages and acknowledgements. */
class Log {
  /** Largest lead of the dealer over server0's last online message, in op ids. */
  maxLead = 0;
  /** Dealer sends whose op was beyond what the servers had acknowledged plus the window. */
  violations = 0;
  acks = [0, 0];
  dealerSends = 0;
  /** Messages to the crypto producer that are not empty acknowledgements. */
  toDealer = 0;
  private lastOnline = 0;

  constructor(private readonly window: number | undefined) {}

  watch(transport: Transport): void {
    const send = transport.send.bind(transport);
    transport.send = (from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind): void => {
      if (to === 'crypto-producer' && !(kind === 'control' && payload.length === 0 && key.op === 0)) this.toDealer += 1;
      this.record(from, key, kind);
      send(from, to, key, payload, kind);
    };
  }

  private record(from: string, key: MessageKey, kind: TrafficKind): void {
    if (kind === 'control') {
      this.acks[from === 'server0' ? 0 : 1] = key.step - CONTROL_STEP;
    } else if (from === 'server0' && kind === 'online') {
      this.lastOnline = Math.max(this.lastOnline, key.op);
    } else if (from === 'crypto-producer' && kind === 'preprocessing' && key.op > 1) {
      this.dealerSends += 1;
      this.maxLead = Math.max(this.maxLead, key.op - this.lastOnline);
      if (this.window !== undefined) {
        const every = Math.max(1, Math.floor(this.window / 8));
        if (Math.min(...this.acks) * every < key.op - this.window) this.violations += 1;
      }
    }
  }
}

/** A chain of DEPTH dense+relu steps issued at once, revealed to the result receiver. */
interface Chain {
  readonly depth: number;
  readonly rows: number;
  readonly width: number;
  readonly x: Float64Array;
  readonly w: Float64Array;
}
const SMALL: Chain = { depth: DEPTH, rows: 4, width: 8, x: X, w: W };

async function chain(prot: Pond, c: Chain = SMALL): Promise<Float64Array | undefined> {
  const x = prot.definePrivateInput('inputter', () => c.x, { shape: [c.rows, c.width] });
  const w = prot.definePrivateInput('inputter', () => c.w, { shape: [c.width, c.width] });
  let y = x;
  for (let i = 0; i < c.depth; i++) y = y.matmul(w).add(0.25).relu();
  const out = await prot.revealFloat64(y, 'result-receiver');
  await prot.flush();
  return out?.values;
}

/** A plaintext float64 reference of the chain. */
function reference(c: Chain = SMALL): Float64Array {
  const n = c.width;
  let y = Float64Array.from(c.x);
  for (let i = 0; i < c.depth; i++) {
    const z = new Float64Array(c.rows * n);
    for (let r = 0; r < c.rows; r++) for (let j = 0; j < n; j++) {
      let s = 0.25;
      for (let k = 0; k < n; k++) s += y[r * n + k] * c.w[k * n + j];
      z[r * n + j] = Math.max(0, s);
    }
    y = z;
  }
  return y;
}

function options(window: number | false): PondOptions {
  return { dealerWindow: window, randomness: (p) => seededRandom('dealer-window-test', p) };
}

async function inProcess(window: number | false): Promise<{ values: Float64Array; log: Log; bytes: number; rounds: number }> {
  const config = new tfe.InProcessConfig(PLAYERS);
  const log = new Log(window === false ? undefined : window);
  log.watch(config.transport);
  const prot = new Pond(config, ROLES, options(window));
  const values = await chain(prot);
  const { totalBytes, rounds } = prot.traffic();
  await config.close();
  return { values: values!, log, bytes: totalBytes, rounds };
}

test('in one process, the dealer stays within the window of both servers; without it, it deals the whole chain ahead', async (t) => {
  const free = await inProcess(false);
  const paced = await inProcess(32);
  const want = reference();
  const err = Math.max(...want.map((v, i) => Math.abs(v - paced.values[i])));
  t.true(err < 1e-3, `the chain is right (max error ${err})`);
  t.deepEqual(paced.values, free.values, 'the same seeded run gives the same result bit for bit with and without the window');
  t.is(paced.bytes, free.bytes, 'acknowledgements are not counted as traffic');
  t.is(paced.rounds, free.rounds);
  t.true(paced.log.dealerSends > 100, `the chain makes many dealer requests (${paced.log.dealerSends})`);
  t.is(paced.log.violations, 0, 'every dealer request waited for both servers to acknowledge op - window');
  t.is(paced.log.toDealer, 0, 'the crypto producer receives nothing but empty acknowledgements');
  t.true(paced.log.acks[0] > 10 && paced.log.acks[1] > 10, `both servers acknowledged (${paced.log.acks.join(', ')})`);
  t.true(paced.log.maxLead <= 32 + 16, `paced: the dealer led server0 by at most ${paced.log.maxLead} ops`);
  t.true(free.log.maxLead > 200, `free: the dealer led server0 by ${free.log.maxLead} ops`);
  t.log(`dealer lead over server0's online messages: ${paced.log.maxLead} ops with a window of 32, ${free.log.maxLead} without`);
});

test('with each player on its own sockets, acknowledgements travel as control frames and the paced run equals the one-process run', async (t) => {
  const window = 16;
  const one = await inProcess(window);
  const hostmap = await loopbackHostmap([...PLAYERS]);
  const log = new Log(window);
  const configs = PLAYERS.map((name) => RemoteConfig.fromObject(hostmap, { name, secret: TEST_SECRET, timeoutMs: 20_000, log: () => undefined }));
  t.teardown(async () => {
    await Promise.all(configs.map((c) => c.close()));
  });
  for (const c of configs) log.watch(c.transport);
  const results = await Promise.all(configs.map((c) => chain(new Pond(c, ROLES, options(window)))));
  const values = results[PLAYERS.indexOf('result-receiver')];
  t.deepEqual(values, one.values, 'bit for bit the one-process result');
  t.is(log.violations, 0);
  t.true(log.maxLead <= window + 16, `the dealer led server0 by at most ${log.maxLead} ops`);
});

test('on sockets, a result asked for when the work is issued arrives after several timeouts: receives wait while the sender makes progress', async (t) => {
  // Not much lower: five players share this process, and heartbeats must be answered within 3/4 of it.
  const timeoutMs = 2500;
  // Few ops (issuing them is quick) of heavy work (running them is not): 40
  // layers took 3.5-4.5 s on the CI machine, too close to 1.5 timeouts; 64 leave room.
  const n = 256;
  const long: Chain = { depth: 64, rows: 64, width: n, x: rng.floats(64 * n, -1, 1), w: rng.floats(n * n, -1.2 / Math.sqrt(n), 1.2 / Math.sqrt(n)) };
  const hostmap = await loopbackHostmap([...PLAYERS]);
  const configs = PLAYERS.map((name) => RemoteConfig.fromObject(hostmap, { name, secret: TEST_SECRET, timeoutMs, connectTimeoutMs: 30_000, log: () => undefined }));
  t.teardown(async () => {
    await Promise.all(configs.map((c) => c.close()));
  });
  await Promise.all(configs.map((c) => c.ready()));
  const started = Date.now();
  // The result receiver's receive of the output is made now, before any of the chain has run.
  const results = await Promise.all(configs.map((c) => chain(new Pond(c, ROLES, options(64)), long)));
  const elapsed = Date.now() - started;
  const values = results[PLAYERS.indexOf('result-receiver')]!;
  const want = reference(long);
  const err = want.reduce((m, v, i) => Math.max(m, Math.abs(v - values[i])), 0);
  t.true(err < 1e-2, `max error ${err}`);
  t.log(`${long.depth} layers of ${long.rows}x${n} by ${n}x${n} in ${elapsed} ms`);
  t.true(elapsed > 1.5 * timeoutMs, `the chain took ${elapsed} ms, more than one and a half timeouts of ${timeoutMs} ms`);
});

test('a dealer window that is not false or an integer of at least 16 is a clear error', (t) => {
  for (const bad of [0, 8, 15, 20.5, Number.POSITIVE_INFINITY, Number.NaN, '64' as unknown as number, true as unknown as number]) {
    const error = t.throws(() => new Pond(new tfe.InProcessConfig(PLAYERS), ROLES, { dealerWindow: bad }));
    t.regex(error.message, /dealerWindow must be false or an integer of at least 16 operations, got/, String(bad));
  }
  t.notThrows(() => new Pond(new tfe.InProcessConfig(PLAYERS), ROLES, { dealerWindow: 16 }));
});
