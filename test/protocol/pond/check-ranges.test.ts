import test from 'ava';
import { OverflowError } from '../../../src/errors.js';
import { makePond, revealValues } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';

const rng = new TestRng(41);

test('checkRanges fails 2^20 * 2^20 (which reveals 0 without it) with an OverflowError naming op, shapes and bound', async (t) => {
  const plain = makePond({}).prot;
  const a = plain.definePrivateInput('inputter', () => [2 ** 20, 1]);
  t.deepEqual(Array.from(await revealValues(plain, a.mul(a))), [0, 1], 'without the check the product wraps to 0');

  const { prot } = makePond({ checkRanges: true });
  const x = prot.definePrivateInput('inputter', () => [2 ** 20, 1]);
  const e = await t.throwsAsync(revealValues(prot, x.mul(x)), { instanceOf: OverflowError });
  t.is((e as OverflowError).operation, 'mul');
  t.is((e as OverflowError).boundLog2, 15);
  t.regex(e!.message, /mul: an operand \(shapes \[2\], \[2\]\) has an element with \|x\| >= 2\^15; with 16 fractional bits/);
  // Dependents fail with it; an independent product still works.
  await t.throwsAsync(revealValues(prot, x.mul(x).add(1)), { instanceOf: OverflowError });
  const y = prot.definePrivateInput('inputter', () => [3, -4]);
  t.deepEqual(Array.from(await revealValues(prot, y.mul(y))), [9, 16]);
});

test('checkRanges passes a dense layer within range and agrees with float64 (tolerance 1e-3)', async (t) => {
  const { prot } = makePond({ checkRanges: true });
  const xs = rng.floats(4 * 8, -1, 1);
  const ws = rng.floats(8 * 3, -1, 1);
  const x = prot.definePrivateInput('inputter', () => xs, { shape: [4, 8] });
  const w = prot.definePrivateVariable(ws).reshape([8, 3]);
  const got = await revealValues(prot, x.matmul(w).relu());
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 8; k++) s += xs[i * 8 + k]! * ws[k * 3 + j]!;
      t.true(Math.abs(got[i * 3 + j]! - Math.max(0, s)) < 1e-3, `element ${i},${j}`);
    }
  }
});

test('checkRanges catches a product with an operand past the bound at 20 fractional bits', async (t) => {
  const { prot } = makePond({ fracBits: 20, checkRanges: true });
  const x = prot.definePrivateInput('inputter', () => rng.floats(6, -1, 1), { shape: [2, 3] });
  const w = prot.definePrivateVariable([1, 2, 3, 5000, 5, 6]).reshape([3, 2]);
  const e = await t.throwsAsync(revealValues(prot, x.matmul(w)), { instanceOf: OverflowError });
  t.regex(e!.message, /matmul: an operand \(shapes \[2, 3\], \[3, 2\]\) .*2\^11; with 20 fractional bits/);
});
