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
  private lastOnline = 0;

  constructor(private readonly window: number | undefined) {}

  watch(transport: Transport): void {
    const send = transport.send.bind(transport);
    transport.send = (from: string, to: string, key: MessageKey, payload: Payload, kind: TrafficKind): void => {
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
async function chain(prot: Pond): Promise<Float64Array | undefined> {
  const x = prot.definePrivateInput('inputter', () => X, { shape: [4, 8] });
  const w = prot.definePrivateInput('inputter', () => W, { shape: [8, 8] });
  let y = x;
  for (let i = 0; i < DEPTH; i++) y = y.matmul(w).add(0.25).relu();
  const out = await prot.revealFloat64(y, 'result-receiver');
  await prot.flush();
  return out?.values;
}

/** A plaintext float64 reference of the chain. */
function reference(): Float64Array {
  let y = Float64Array.from(X);
  for (let i = 0; i < DEPTH; i++) {
    const z = new Float64Array(4 * 8);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 8; c++) {
      let s = 0.25;
      for (let k = 0; k < 8; k++) s += y[r * 8 + k] * W[k * 8 + c];
      z[r * 8 + c] = Math.max(0, s);
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

test('a dealer window that is not false or an integer of at least 16 is a clear error', (t) => {
  for (const bad of [0, 8, 15, 20.5, Number.POSITIVE_INFINITY, Number.NaN, '64' as unknown as number, true as unknown as number]) {
    const error = t.throws(() => new Pond(new tfe.InProcessConfig(PLAYERS), ROLES, { dealerWindow: bad }));
    t.regex(error.message, /dealerWindow must be false or an integer of at least 16 operations, got/, String(bad));
  }
  t.notThrows(() => new Pond(new tfe.InProcessConfig(PLAYERS), ROLES, { dealerWindow: 16 }));
});
