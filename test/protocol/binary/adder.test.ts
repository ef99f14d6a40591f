/**
 * The adder on chosen share pairs: the sign of x0 + x1 mod 2^64 where carries
 * run the whole word (random shares make long carry chains rare), against
 * BigInt arithmetic.
 */
import test from 'ava';
import { Placed, PondPrivateTensor } from '../../../src/protocol/index.js';
import { RingTensor } from '../../../src/ring/index.js';
import { makePond, revealValues } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

const M = (1n << 64n) - 1n;
const rng = new TestRng(77);

/** Share pairs whose sum carries through k bits, for every k, and the extremes. */
function sharePairs(): Array<[bigint, bigint]> {
  const pairs: Array<[bigint, bigint]> = [
    [0n, 0n], [M, 1n], [1n, M], [M, M], [1n << 63n, 1n << 63n], [(1n << 63n) - 1n, 1n], [1n, (1n << 63n) - 1n],
    [(1n << 63n) - 1n, 0n], [0n, 1n << 63n], [M, 0n], [0n, M], [0x5555555555555555n, 0xaaaaaaaaaaaaaaabn],
  ];
  for (let k = 0; k < 64; k++) {
    // a = r with its low k bits set, b = 1 (+ a random top part): the carry runs k bits.
    const low = (1n << BigInt(k)) - 1n;
    const a = (rng.u64() & ~low & M) | low;
    pairs.push([a, 1n], [1n, a], [a, (rng.u64() << BigInt(k + 1)) & M | 1n]);
  }
  for (let i = 0; i < 200; i++) {
    const a = rng.u64();
    pairs.push([a, (M - a + BigInt(rng.int(5)) - 2n) & M]); // sums near 0 (mod 2^64): carries into bit 63
  }
  return pairs;
}

test('isNegative of x0 + x1 is exact for carries of every length, extremes included', async (t) => {
  const { prot } = makePond();
  const pairs = sharePairs();
  const shape = [pairs.length];
  const tensor = (k: 0 | 1): RingTensor => new RingTensor(shape, BigUint64Array.from(pairs.map((p) => p[k])));
  const x = new PondPrivateTensor(prot, shape, [Placed.local('server0', Promise.resolve(tensor(0))), Placed.local('server1', Promise.resolve(tensor(1)))], prot.fracBits);
  const got = await revealValues(prot, prot.isNegative(x));
  const want = pairs.map(([a, b]) => Number(((a + b) & M) >> 63n));
  t.deepEqual(Array.from(got), want);
  t.true(want.includes(0) && want.includes(1));
});

/** Shares of the signed ring integers `xs` whose server-0 share is each of `firsts` in turn (carry patterns across bit 31 and 32). */
function sharesOf(xs: readonly bigint[]): Array<[bigint, bigint]> {
  const firsts = [0n, M, 0xffffffffn, 0x80000000n, 0x7fffffffn, 1n << 32n, 0xffffffff00000000n];
  return xs.map((x, i) => {
    const a = i % 3 === 0 ? rng.u64() : firsts[i % firsts.length];
    return [a, (x - a) & M];
  });
}

async function relu32(xs: readonly bigint[]): Promise<number[]> {
  return relu32Shares(sharesOf(xs));
}

async function relu32Shares(pairs: ReadonlyArray<readonly [bigint, bigint]>): Promise<number[]> {
  const { prot } = makePond({ reluBits: 32 });
  const shape = [pairs.length];
  const tensor = (k: 0 | 1): RingTensor => new RingTensor(shape, BigUint64Array.from(pairs.map((p) => p[k])));
  const x = new PondPrivateTensor(prot, shape, [Placed.local('server0', Promise.resolve(tensor(0))), Placed.local('server1', Promise.resolve(tensor(1)))], 0);
  return Array.from(await revealValues(prot, prot.relu(x)));
}

test('relu on 32-bit lanes is exact for |x| < 2^31 units, whatever the shares, for odd and even sizes', async (t) => {
  const edges = [0n, 1n, -1n, 2n, -2n, (1n << 31n) - 1n, -(1n << 31n), -(1n << 31n) + 1n, 1n << 30n, -(1n << 30n), 0xffffn, -0x10000n];
  const xs = [...edges];
  for (let i = 0; i < 301; i++) xs.push(BigInt(rng.int(2 ** 31)) * (rng.int(2) === 0 ? 1n : -1n));
  for (const n of [xs.length, xs.length - 1, 1]) {
    const part = xs.slice(0, n);
    const got = await relu32(part);
    t.deepEqual(got, part.map((x) => Number(x > 0n ? x : 0n)), `n = ${n}`);
  }
});

test('relu on 32-bit lanes: a carry out of lane 0 never enters lane 1', async (t) => {
  // Value k shares a word with value k + L. Lane 0's shares generate a carry at bit g and
  // propagate it through bit 31 (2^32 - 2^g plus 2^g - 2^32 + 1: x = 1), for g at every level of
  // the adder; lane 1's shares propagate through every bit (-1 = 0 + M, 2^31 - 1 = 0 +
  // (2^31 - 1)), so a carry leaking across bit 32 would flip lane 1's sign.
  const gens = [0, 1, 2, 3, 5, 7, 11, 15, 16, 23, 24, 29, 30, 31];
  const lane0 = gens.map((g): [bigint, bigint] => [(1n << 32n) - (1n << BigInt(g)), ((1n << BigInt(g)) - (1n << 32n) + 1n) & M]);
  const lane1 = gens.map((_, i): [bigint, bigint] => (i % 2 === 0 ? [0n, M] : [0n, (1n << 31n) - 1n]));
  const want = [...gens.map(() => 1), ...gens.map((_, i) => (i % 2 === 0 ? 0 : 2 ** 31 - 1))];
  t.deepEqual(await relu32Shares([...lane0, ...lane1]), want);
});

test('relu on 32-bit lanes beyond 2^31 units follows the sign of x mod 2^32, as documented', async (t) => {
  const xs = [1n << 31n, (1n << 32n) + 5n, -(1n << 31n) - 1n, -(1n << 32n) - 5n];
  const got = await relu32(xs);
  // 2^31 and -2^32 - 5 read as negative (zeroed); 2^32 + 5 and -2^31 - 1 as positive (kept).
  t.deepEqual(got, [0, 2 ** 32 + 5, -(2 ** 31) - 1, 0]);
});
