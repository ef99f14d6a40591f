/**
 * Elementwise products that use the mask a truncation left on an operand
 * (src/protocol/pond/mask-parts.ts) instead of opening a new one: the same
 * values as float64 on every combination (part masks on one or both sides,
 * squares, broadcasting, a truncation of two terms), one round per product of
 * a chain, and the mask really is the truncation's.
 */
import test from 'ava';
import * as tfe from '../../../src/index.js';
import type { Pond } from '../../../src/protocol/index.js';
import { RoundDepth } from '../../helpers/depth.js';
import { makePond, maxAbsDiff, quantize, revealValues } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

const rng = new TestRng(57);
const ULP = 2 ** -16;

const mul = (a: Float64Array, b: Float64Array): Float64Array => a.map((v, i) => v * b[i % b.length]);

/** A private tensor that is a truncation's result: x * 1 after a product with a private one (values of x, within 1 ULP). */
function truncated(prot: Pond, values: Float64Array, shape: number[]): tfe.protocol.Tensor {
  const x = prot.definePrivateInput('inputter', () => values, { shape });
  const one = prot.definePrivateInput('inputter', () => new Float64Array(values.length).fill(1), { shape });
  return x.mul(one);
}

test('products with truncated operands agree with float64: one or both sides, squares, broadcasting, two-term truncations', async (t) => {
  const { prot, config } = makePond();
  const a = quantize(rng.floats(24, -3, 3));
  const b = quantize(rng.floats(24, -3, 3));
  const row = quantize(rng.floats(6, -2, 2));
  const ta = truncated(prot, a, [4, 6]);
  const tb = truncated(prot, b, [4, 6]);
  const fresh = prot.definePrivateInput('inputter', () => b, { shape: [4, 6] });
  const trow = truncated(prot, row, [6]);
  // mul by a real: a truncation of two terms (scalar.ts), four mask parts.
  const scaled = ta.mul(0.3);
  const cases: Array<[string, tfe.protocol.Tensor, Float64Array, number]> = [
    ['truncated * fresh', ta.mul(fresh), mul(a, b), 3],
    ['truncated * truncated', ta.mul(tb), mul(a, b), 4],
    ['square of a truncated value', ta.square(), mul(a, a), 4],
    ['truncated * itself (mul)', tb.mul(tb), mul(b, b), 4],
    ['broadcast row, both truncated', ta.mul(trow), mul(a, row), 4],
    ['two-term truncation * truncated', scaled.mul(tb), mul(a.map((v) => 0.3 * v), b), 6],
    ['a chain: ((a b) a) b', ta.mul(tb).mul(ta).mul(tb), mul(mul(mul(a, b), a), b), 12],
  ];
  for (const [name, y, want, ulps] of cases) {
    const got = await revealValues(prot, y);
    const err = maxAbsDiff(got, want);
    t.true(err <= ulps * ULP * Math.max(1, ...Array.from(want, Math.abs)), `${name}: max error ${err}`);
  }
  await config.close();
});

test('a chain of products of truncated values takes one round per product: the truncation opens, nothing else does', async (t) => {
  const config = new tfe.InProcessConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
  const prot = new tfe.protocol.Pond(config, { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' });
  const values = quantize(rng.floats(12, 0.9, 1.1));
  const x = truncated(prot, values, [3, 4]);
  await Promise.all(tfe.protocol.sharesOf(x).map((s) => s.value()));
  const before = prot.traffic();
  const depth = new RoundDepth(config.transport);
  // x^2, x^4, x^8, x^16: four squarings.
  let y = x;
  for (let k = 0; k < 4; k++) y = y.square();
  const waves = await depth.waves(Promise.all(tfe.protocol.sharesOf(y).map((s) => s.value())));
  t.is(waves, 4, 'four squarings, one round each (two each when every result was masked afresh)');
  const after = prot.traffic();
  t.is(after.rounds - before.rounds, 4);
  t.is(after.bytes['server0->server1'] - before.bytes['server0->server1'], after.bytes['server1->server0'] - before.bytes['server1->server0'], 'both servers send the same');
  const got = await revealValues(prot, y);
  const want = values.map((v) => v ** 16);
  t.true(maxAbsDiff(got, want) < 40 * ULP, `x^16 within 40 ULP (${maxAbsDiff(got, want)})`);
  await config.close();
});

test('adding or subtracting a public value keeps the mask: a Newton step y (2 - x y) opens nothing once y and x are masked', async (t) => {
  const { prot, config } = makePond();
  const xs = quantize(rng.floats(12, 0.5, 2));
  const ys = quantize(rng.floats(12, 0.4, 1));
  const x = prot.definePrivateInput('inputter', () => xs, { shape: [3, 4] });
  const y = truncated(prot, ys, [3, 4]);
  const half = prot.definePublicVariable([[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]]);
  // x gets its (regular) mask here; y keeps its truncation's.
  await revealValues(prot, x.mul(y));
  const before = prot.traffic().rounds;
  const xy = x.mul(y);
  const step = y.mul(prot.sub(2, xy));
  const plus = xy.add(0.25).mul(y);
  const minus = xy.sub(half).mul(xy);
  await Promise.all([step, plus, minus].flatMap((v) => tfe.protocol.sharesOf(v).map((s) => s.value())));
  t.is(prot.traffic().rounds - before, 4, 'four truncations and no opening: x y, y (2 - x y), (x y + 1/4) y, (x y - 1/2) x y');
  const xy64 = mul(xs, ys);
  const close = (got: Float64Array, want: Float64Array): boolean => maxAbsDiff(got, want) <= 6 * ULP * Math.max(1, ...Array.from(want, Math.abs));
  t.true(close(await revealValues(prot, step), ys.map((v, i) => v * (2 - xy64[i]))), 'y (2 - x y)');
  t.true(close(await revealValues(prot, plus), ys.map((v, i) => (xy64[i] + 0.25) * v)), '(x y + 1/4) y');
  t.true(close(await revealValues(prot, minus), xy64.map((v) => (v - 0.5) * v)), '(x y - 1/2) x y');
  await config.close();
});

test('with local truncation nothing changes: every product opens its operands as before', async (t) => {
  const { prot, config } = makePond({ truncation: 'local' });
  const values = quantize(rng.floats(12, -2, 2));
  const x = truncated(prot, values, [3, 4]);
  await Promise.all(tfe.protocol.sharesOf(x).map((s) => s.value()));
  const before = prot.traffic().rounds;
  const y = x.square();
  await Promise.all(tfe.protocol.sharesOf(y).map((s) => s.value()));
  t.is(prot.traffic().rounds - before, 1, 'the opening of x (local truncation: no round)');
  t.true(maxAbsDiff(await revealValues(prot, y), values.map((v) => v * v)) < 8 * ULP);
  await config.close();
});
