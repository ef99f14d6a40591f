import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as ring from '../../../src/ring/index.js';
import { seededRandom } from '../../../src/crypto/index.js';
import { FixedPointRangeError, UnknownPlayerError, ValueError } from '../../../src/errors.js';
import { TestRng } from '../../helpers/random.js';
import { makePond, maxAbsDiff, quantize, revealValues } from '../../helpers/float.js';
import { sharesOf } from '../../../src/protocol/index.js';
import * as tfe from '../../../src/index.js';

tf.env().set('PROD', true);
const rng = new TestRng(10);

test('input then reveal returns the encoded input exactly, on several shapes and magnitudes', async (t) => {
  const { prot } = makePond();
  const cases: Array<{ shape: number[]; values: Float64Array }> = [
    { shape: [1], values: Float64Array.of(0) },
    { shape: [], values: Float64Array.of(-3.25) },
    { shape: [3, 4], values: rng.floats(12, -10, 10) },
    { shape: [2, 3, 5], values: rng.floats(30, -1e6, 1e6) },
    // zeros, +-1 unit, and magnitudes near the encodable edge 2^47
    { shape: [8], values: Float64Array.of(0, -0, 2 ** -16, -(2 ** -16), 2 ** 46, -(2 ** 46), 2 ** 47 - 1, -(2 ** 47) + 1) },
  ];
  for (const c of cases) {
    const x = prot.definePrivateInput('inputter', () => c.values, { shape: c.shape });
    const got = await prot.revealFloat64(x, 'result-receiver');
    t.deepEqual(got?.shape, c.shape);
    t.is(maxAbsDiff(got!.values, quantize(c.values)), 0, `shape ${JSON.stringify(c.shape)}`);
  }
});

test('inputs accept tf.Tensor, nested arrays, numbers and typed arrays; async providers need a shape', async (t) => {
  const { prot } = makePond();
  const a = prot.definePrivateInput('inputter', () => tf.tensor2d([[1, 2], [3, 4]]));
  t.deepEqual(a.shape, [2, 2]);
  t.deepEqual(Array.from(await revealValues(prot, a)), [1, 2, 3, 4]);
  const b = prot.definePrivateInput('inputter', async () => [[5], [6]], { shape: [2, 1] });
  t.deepEqual(Array.from(await revealValues(prot, b)), [5, 6]);
  const c = prot.definePrivateInput('inputter', () => 7);
  t.deepEqual(c.shape, []);
  t.deepEqual(Array.from(await revealValues(prot, c)), [7]);
  t.throws(() => prot.definePrivateInput('inputter', async () => [1]), { instanceOf: ValueError, message: /provider is async.*shape/ });
  // A declared shape that the value does not have is an error on the owner, surfaced at reveal.
  const d = prot.definePrivateInput('inputter', async () => [1, 2, 3], { shape: [2] });
  await t.throwsAsync(prot.reveal(d, 'result-receiver'), { message: /shape \[3\] but shape \[2\] was declared/ });
  // Non-rectangular nested arrays
  t.throws(() => prot.definePrivateInput('inputter', () => [[1, 2], [3]] as number[][]), { message: /not rectangular/ });
});

test('an input owned by a server and a private variable are shared correctly', async (t) => {
  const { prot } = makePond();
  for (const owner of ['server0', 'server1']) {
    const x = prot.definePrivateInput(owner, () => [1.5, -2.5]);
    t.deepEqual(Array.from(await revealValues(prot, x)), [1.5, -2.5], owner);
  }
  const v = prot.definePrivateVariable([[1, 2]]);
  t.deepEqual(Array.from(await revealValues(prot, v)), [1, 2]);
  const w = prot.definePrivateVariable([[3, 4]], { owner: 'inputter' });
  v.assign(w.mul(2));
  t.deepEqual(Array.from(await revealValues(prot, v)), [6, 8]);
  t.throws(() => v.assign(prot.definePrivateVariable([1, 2, 3])), { message: /assign: value shape \[3\] differs from the variable's \[1,2\]/ });
});

test('a share alone reveals nothing: words look uniform and never equal the encoded secret', async (t) => {
  const { prot } = makePond();
  const n = 4096;
  // The worst case for leakage: a constant secret.
  const secret = 1.0;
  const encoded = ring.encode([secret], [])!.data[0];
  const x = prot.definePrivateInput('inputter', () => new Float64Array(n).fill(secret), { shape: [n] });
  const y = x.mul(prot.definePrivateInput('inputter', () => new Float64Array(n).fill(secret), { shape: [n] }));
  for (const tensor of [x, y]) {
    for (const i of [0, 1] as const) {
      const share = await sharesOf(tensor)[i].value();
      t.false(share.data.some((w) => w === encoded), `share ${i} contains the secret`);
      // Each of the 64 bit positions is set about half the time (5 sigma), and
      // the top byte is spread over its 256 values (chi-square, 255 dof, p ~ 1e-6).
      const ones = new Array<number>(64).fill(0);
      const buckets = new Array<number>(256).fill(0);
      for (const w of share.data) {
        for (let b = 0; b < 64; b++) if ((w >> BigInt(b)) & 1n) ones[b]++;
        buckets[Number(w >> 56n)]++;
      }
      const sigma = Math.sqrt(n / 4);
      t.true(ones.every((c) => Math.abs(c - n / 2) < 5 * sigma), `share ${i} bit balance`);
      const expected = n / 256;
      const chi2 = buckets.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
      t.true(chi2 < 380, `share ${i} chi-square ${chi2.toFixed(1)}`);
    }
  }
});

test('reveal to one player sends shares to that player only; the crypto producer hears nothing from the servers', async (t) => {
  const { prot } = makePond();
  const before = prot.traffic();
  const x = prot.definePrivateInput('inputter', () => rng.floats(64, -5, 5), { shape: [8, 8] });
  const y = x.matmul(x).mul(x).sum(0).mul(0.5);
  await prot.reveal(y, 'result-receiver');
  await prot.flush();
  const after = prot.traffic();
  for (const s of ['server0', 'server1', 'inputter', 'result-receiver']) {
    t.false(`${s}->crypto-producer` in after.bytes, `${s} sent to the crypto producer`);
  }
  t.true((after.bytes['server0->result-receiver'] ?? 0) > (before.bytes['server0->result-receiver'] ?? 0));
  t.false('server0->inputter' in after.bytes);
  t.false('crypto-producer->result-receiver' in after.bytes);
  t.true((after.bytes['crypto-producer->server1'] ?? 0) > 0);
});

test('unknown players and out-of-range inputs are clear errors', async (t) => {
  const { prot } = makePond();
  const e = t.throws(() => prot.definePrivateInput('alice', () => [1]), { instanceOf: UnknownPlayerError });
  t.regex(e!.message, /definePrivateInput: unknown player 'alice'; the configuration knows 'server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver'/);
  const x = prot.definePrivateInput('inputter', () => [1]);
  await t.throwsAsync(prot.reveal(x, 'bob'), { instanceOf: UnknownPlayerError, message: /reveal: unknown player 'bob'/ });
  await t.throwsAsync(prot.defineOutput('carol', x, () => undefined), { instanceOf: UnknownPlayerError });
  const big = prot.definePrivateInput('inputter', () => [2 ** 48], { shape: [1] });
  await t.throwsAsync(prot.reveal(big, 'result-receiver'), { instanceOf: FixedPointRangeError, message: /\|x\| < 2\^47/ });
  t.throws(() => prot.definePublicVariable([NaN]), { instanceOf: FixedPointRangeError, message: /NaN/ });
});

test('defineOutput runs the receiver on the output player with the value', async (t) => {
  const { prot } = makePond();
  const x = prot.definePrivateInput('inputter', () => [[1, 2, 3]]);
  let seen: number[] | undefined;
  await prot.defineOutput('result-receiver', x.mul(2), (v) => {
    seen = Array.from(v.dataSync());
  });
  t.deepEqual(seen, [2, 4, 6]);
});

test('one private matmul sends exactly the formula: both masks opened each way, c1 from the dealer, truncation', async (t) => {
  const { prot } = makePond();
  const [m, k, n] = [6, 10, 4];
  const x = prot.definePrivateInput('inputter', () => rng.floats(m * k, -1, 1), { shape: [m, k] });
  const w = prot.definePrivateInput('inputter', () => rng.floats(k * n, -1, 1), { shape: [k, n] });
  await Promise.all([...sharesOf(x), ...sharesOf(w)].map((s) => s.value()));
  const before = prot.traffic();
  const y = x.matmul(w);
  await Promise.all(sharesOf(y).map((s) => s.value()));
  const after = prot.traffic();
  const d = (pair: string): number => (after.bytes[pair] ?? 0) - (before.bytes[pair] ?? 0);
  // A frame is a 24-byte header, 8 + 4 * rank bytes per tensor descriptor (padded to 8), then 8 bytes per word.
  const frame = (...shapes: number[][]): number => {
    const head = 24 + shapes.reduce((acc, s) => acc + 8 + 4 * s.length, 0);
    return Math.ceil(head / 8) * 8 + shapes.reduce((acc, s) => acc + 8 * s.reduce((p, q) => p * q, 1), 0);
  };
  const opened = frame([m, k], [k, n]); // x - a and w - b, in one message
  const truncOpen = frame([m, n]); // z + 2^62 + r
  t.is(d('server0->server1'), opened + truncOpen);
  t.is(d('server1->server0'), opened + truncOpen);
  t.is(d('crypto-producer->server1'), frame([m, n]) + frame([m, n], [m, n])); // c1; then (r mod 2^63) >> f and top(r) corrections
  t.is(d('crypto-producer->server0'), 0, 'server 0 expands everything from its seed');
  t.is(after.rounds - before.rounds, 2, 'one round to open both masks, one for truncation');
});

test('a seeded randomness source makes runs reproducible bit for bit (tests only)', async (t) => {
  const run = async (seed: string): Promise<{ share: bigint[]; result: Float64Array }> => {
    const { prot } = makePond({ randomness: (p) => seededRandom(seed, p) });
    const x = prot.definePrivateInput('inputter', () => [[1.5, -2], [0.25, 3]]);
    const w = prot.definePrivateVariable([[0.1], [0.7]]);
    const y = x.matmul(w).mul(x.sum(1, true));
    const share = (await sharesOf(y)[0].value()).toBigInts();
    return { share, result: await revealValues(prot, y) };
  };
  const a = await run('alpha');
  const b = await run('alpha');
  const c = await run('beta');
  t.deepEqual(a.share, b.share);
  t.deepEqual(Array.from(a.result), Array.from(b.result));
  t.notDeepEqual(a.share, c.share);
});

test('a masked input arrives with its Beaver mask opened: same values, no opening before its first product', async (t) => {
  const { prot } = makePond();
  const v = rng.floats(4 * 6, -3, 3);
  const w = prot.definePrivateVariable(rng.floats(6 * 2, -1, 1), {}).reshape([6, 2]);
  w.mask(); // the weights' mask, opened once
  for (const owner of ['inputter', 'server1']) {
    const x = prot.definePrivateInput(owner, () => v, { shape: [4, 6], masked: true });
    t.deepEqual(Array.from(await revealValues(prot, x)), Array.from(quantize(v)));
    await prot.flush();
    const before = prot.traffic();
    const y = x.matmul(w);
    await Promise.all(sharesOf(y).map((s) => s.value()));
    await prot.flush();
    const after = prot.traffic();
    // only the truncation of the 4x2 product opens between the servers
    t.is((after.bytes['server0->server1'] ?? 0) - (before.bytes['server0->server1'] ?? 0), 40 + 4 * 2 * 8, owner);
  }
});

test('a revealed product has exactly the result precision: no low-order bits of the product before truncation', async (t) => {
  const { prot } = makePond();
  // x * 2^-16 is 1234.5678 / 65536 = 0.0188...: at 16 fractional bits the receiver must see a multiple of 2^-16.
  const x = prot.definePrivateInput('inputter', () => [1234.5678, -99.125, 7], { shape: [3] });
  const y = await revealValues(prot, x.mul(2 ** -16));
  for (const v of y) t.is(v * 2 ** 16, Math.round(v * 2 ** 16), `${v} has more than 16 fractional bits`);
  t.true(Math.abs(y[0] - 1234.5678 / 65536) <= 2 ** -16);
  // An average sum * 0.2 reveals the average at 16 bits, not the exact sum behind it.
  const s = prot.definePrivateInput('inputter', () => [3.3], { shape: [1] });
  const avg = await revealValues(prot, s.mul(0.2));
  t.is(avg[0] * 2 ** 16, Math.round(avg[0] * 2 ** 16));
});

test('revealOn gives a held value: readable on its player, a WrongPlayerError naming it anywhere else', async (t) => {
  const { prot } = makePond();
  const x = prot.definePrivateInput('inputter', () => [1.5, -2], { shape: [2] });
  const held = await prot.revealOn('result-receiver', x.mul(2));
  t.true(held.isHere);
  t.is(held.player, 'result-receiver');
  t.deepEqual(Array.from(held.value.dataSync()), [3, -4]);
  t.deepEqual(await held.use((v) => v.shape), [2]);
  // A process where the result receiver does not run (as under tfe run) gets the error, not undefined.
  const elsewhere = tfe.protocol.Held.elsewhere<number>('result-receiver', ['server0']);
  t.false(elsewhere.isHere);
  t.is(await elsewhere.use(() => 1), undefined);
  t.throws(() => elsewhere.value, { instanceOf: tfe.WrongPlayerError, message: /lives on 'result-receiver', but this process runs 'server0'/ });
});
