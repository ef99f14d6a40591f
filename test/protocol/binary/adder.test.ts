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
