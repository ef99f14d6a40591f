import test from 'ava';
import { ProtocolError } from '../../../src/errors.js';
import { RemoteConfig } from '../../../src/network/node.js';
import { Pond, PreprocessedTripleSource, sharesOf, type BundleShare, type ComparisonMethod, type PrivateTensor } from '../../../src/protocol/index.js';
import * as ring from '../../../src/ring/index.js';
import { randomWords } from '../../../src/crypto/index.js';
import { loopbackHostmap, TEST_SECRET } from '../../helpers/net.js';
import { matmul64, maxAbsDiff } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

const NAMES = ['server0', 'server1', 'crypto-producer'] as const;
const rng = new TestRng(71);

interface Player {
  config: RemoteConfig;
  prot: Pond;
  source: PreprocessedTripleSource;
}

/** The three players, each with its own configuration and Pond, linked by sockets in this process. */
async function players(t: { teardown(fn: () => Promise<void>): void }, comparison: ComparisonMethod = 'adder'): Promise<Player[]> {
  const hostmap = await loopbackHostmap([...NAMES]);
  const out = NAMES.map((name) => {
    const config = RemoteConfig.fromObject(hostmap, { name, secret: TEST_SECRET, timeoutMs: 10_000, log: () => undefined });
    let source: PreprocessedTripleSource | undefined;
    const prot = new Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, {
      tripleSource: (rt, servers, dealer, random) => (source = new PreprocessedTripleSource(rt, servers, dealer, random)),
      comparison,
    });
    return { config, prot, source: source as unknown as PreprocessedTripleSource };
  });
  t.teardown(async () => void (await Promise.all(out.map((p) => p.config.destroy()))));
  return out;
}

/** Additive shares of `values` (as fixed point) for the two servers. */
function share(values: Float64Array, shape: number[]): [ring.RingTensor, ring.RingTensor] {
  const x = ring.encode(values, shape);
  const r = new ring.RingTensor(shape, randomWords(x.size));
  return [r, ring.sub(x, r)];
}

const W_SHAPE = [12, 6];

/** The batch program: relu(x W) times a second private factor, plus a truncation, comparisons and products. */
function program(prot: Pond, w: PrivateTensor, x: PrivateTensor): PrivateTensor {
  const h = x.matmul(w).relu();
  return h.mul(h).sub(h);
}

function plaintext(x: Float64Array, w: Float64Array, rows: number): Float64Array {
  const h = matmul64(x, w, rows, W_SHAPE[0], W_SHAPE[1]).map((v) => Math.max(v, 0));
  return h.map((v) => v * v - v);
}

for (const comparison of ['adder', 'fss'] as const) {
test(`${comparison}: a bundle dealt ahead serves a batch on the servers with no message from the dealer, and agrees with plaintext`, async (t) => {
  const ps = await players(t, comparison);
  const wValues = rng.floats(W_SHAPE[0] * W_SHAPE[1], -1, 1);
  const [w0, w1] = share(wValues, W_SHAPE);
  const weights = ps.map((p) => p.prot.definePrivateVariable(p.prot.privateFromShares(W_SHAPE, (i) => (i === 0 ? w0 : w1))));
  // Setup, in step on all three players: one online batch opens the weights' mask.
  const warm = ps.map((p, j) => program(p.prot, weights[j], p.prot.privateFromShares([2, 12], () => ring.RingTensor.zeros([2, 12]))));
  await Promise.all(ps.slice(0, 2).map((p, j) => p.prot.revealFloat64(warm[j], 'server0')));

  for (const rows of [2, 2, 3]) {
    // The dealer deals a batch of `rows` on a placeholder input.
    const dealerSent = ps[2].prot.traffic().totalBytes;
    const halves = await ps[2].source.dealBundle(() => {
      program(ps[2].prot, weights[2], ps[2].prot.privateFromShares([rows, 12], () => Promise.reject(new Error('never runs on the dealer'))));
    });
    t.is(ps[2].prot.traffic().totalBytes, dealerSent, 'dealing a bundle sends nothing by itself');
    // Server 0's half is a seed, plus the comparison keys' shared corrections with fss.
    t.is(halves[0].corrections.size, comparison === 'adder' ? 0 : 1);
    t.true(halves[1].corrections.size > 0);

    const xValues = rng.floats(rows * 12, -2, 2);
    const [x0, x1] = share(xValues, [rows, 12]);
    const before = ps[2].prot.traffic().totalBytes;
    const outs = ps.slice(0, 2).map((p, j) => p.source.useBundle(Promise.resolve(halves[j]), () => program(p.prot, weights[j], p.prot.privateFromShares([rows, 12], (i) => (i === 0 ? x0 : x1)))));
    const [got] = await Promise.all(ps.slice(0, 2).map((p, j) => p.prot.revealFloat64(outs[j].result, 'server0')));
    await Promise.all(outs.map((o) => o.verified));
    t.is(ps[2].prot.traffic().totalBytes, before, 'the dealer sends nothing while the servers compute');
    t.true(maxAbsDiff(got!.values, plaintext(xValues, wValues, rows)) < 1e-2);
  }
});
}

test('a bundle dealt for another batch size is refused with a ProtocolError', async (t) => {
  const ps = await players(t);
  const [w0, w1] = share(rng.floats(W_SHAPE[0] * W_SHAPE[1], -1, 1), W_SHAPE);
  const weights = ps.map((p) => p.prot.definePrivateVariable(p.prot.privateFromShares(W_SHAPE, (i) => (i === 0 ? w0 : w1))));
  const warm = ps.map((p, j) => program(p.prot, weights[j], p.prot.privateFromShares([1, 12], () => ring.RingTensor.zeros([1, 12]))));
  await Promise.all(ps.slice(0, 2).map((p, j) => p.prot.revealFloat64(warm[j], 'server0')));
  const halves: readonly BundleShare[] = await ps[2].source.dealBundle(() => void program(ps[2].prot, weights[2], ps[2].prot.privateFromShares([1, 12], () => ring.RingTensor.zeros([1, 12]))));
  // The servers run a batch of 4 rows (other shapes) on the bundle of a batch of 1.
  const outs = ps.slice(0, 2).map((p, j) => p.source.useBundle(Promise.resolve(halves[j]), () => p.prot.privateFromShares([4, 12], () => ring.RingTensor.zeros([4, 12])).matmul(weights[j]).relu()));
  const e = await t.throwsAsync(sharesOf(outs[1].result)[1].value(), { instanceOf: ProtocolError });
  t.regex(e!.message, /preprocessed batch: request \d+ slot \d+ expects corrections \[4,6\]/);
  for (const o of outs) {
    const v = await t.throwsAsync(o.verified, { instanceOf: ProtocolError });
    t.regex(v!.message, /dealt for \d+ dealer requests, the batch made \d+/);
  }
  const nested = ps[0].source;
  t.throws(() => nested.useBundle(Promise.resolve(halves[0]), () => nested.useBundle(Promise.resolve(halves[0]), () => 0)), { instanceOf: ProtocolError, message: /cannot nest/ });
});
