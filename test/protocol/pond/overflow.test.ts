import test from 'ava';
import { defaultWarningHandler, type OverflowWarning } from '../../../src/protocol/pond/overflow.js';
import { makePond, revealValues } from '../../helpers/float.js';

function collecting(fracBits: number): { warnings: OverflowWarning[]; prot: ReturnType<typeof makePond>['prot'] } {
  const warnings: OverflowWarning[] = [];
  const { prot } = makePond({ fracBits, onWarning: (w) => warnings.push(w) });
  return { warnings, prot };
}

test('a wrapped sum reveals near the encodable limit and warns, naming reveal and the bound', async (t) => {
  const { warnings, prot } = collecting(16);
  // 1.5 * 2^46 doubled is 1.5 * 2^47, past 2^47: it wraps to -2^46.
  const x = prot.definePrivateInput('inputter', () => [1.5 * 2 ** 46, 1]);
  const v = await revealValues(prot, x.add(x));
  t.is(v[0], -(2 ** 46), 'the sum wrapped silently');
  t.is(warnings.length, 1);
  t.like(warnings[0], { operation: 'reveal', kind: 'encodable', boundLog2: 46, fracBits: 16 });
  t.deepEqual(warnings[0]!.shape, [2]);
  t.regex(warnings[0]!.message, /reveal: .*\|v\| >= 2\^46 .*16 fractional bits.*encodable limit 2\^47/);
  t.false(warnings[0]!.message.includes(String(2 ** 46)), 'the message carries no value');
});

test('a revealed value at the product bound 2^(62-2f) warns that products with it are not exact', async (t) => {
  const { warnings, prot } = collecting(20);
  // 2^22 is the product bound at 20 fractional bits.
  const x = prot.definePrivateInput('inputter', () => [3, 2 ** 11]);
  const v = await revealValues(prot, x.mul(x));
  t.is(v[1], 2 ** 22);
  t.is(warnings.length, 1);
  t.like(warnings[0], { operation: 'reveal', kind: 'product', boundLog2: 22, fracBits: 20 });
  t.regex(warnings[0]!.message, /product bound 2\^22/);
});

test('ordinary values reveal without a warning', async (t) => {
  const { warnings, prot } = collecting(16);
  const x = prot.definePrivateInput('inputter', () => [1e4, -(2 ** 29), 0.5]);
  const v = await revealValues(prot, x.mul(1));
  t.true(Math.abs(v[0]! - 1e4) < 1e-3);
  t.is(warnings.length, 0);
});

test('the default handler uses process.emitWarning, or console.warn without process', (t) => {
  const w: OverflowWarning = { operation: 'reveal', kind: 'product', boundLog2: 30, fracBits: 16, shape: [1], message: 'reveal: test' };
  const g = globalThis as { process?: unknown };
  const proc = process;
  const emitted: unknown[][] = [];
  const original = proc.emitWarning;
  proc.emitWarning = ((...args: unknown[]) => void emitted.push(args)) as typeof proc.emitWarning;
  try {
    defaultWarningHandler(w);
  } finally {
    proc.emitWarning = original;
  }
  t.deepEqual(emitted, [['reveal: test', { type: 'OverflowWarning', code: 'TFE_OVERFLOW' }]]);
  const warned: unknown[] = [];
  const warn = console.warn;
  console.warn = (m: unknown) => void warned.push(m);
  g.process = undefined;
  try {
    defaultWarningHandler(w);
  } finally {
    g.process = proc;
    console.warn = warn;
  }
  t.deepEqual(warned, ['OverflowWarning: reveal: test']);
});
