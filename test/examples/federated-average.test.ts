import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('the federated-average demo prints the private and plaintext averages, which agree', async (t) => {
  const { stdout } = await run(process.execPath, ['--import=tsx', '--conditions=tfe-source', 'examples/federated-average/main.ts'], { timeout: 120_000 });
  const rows = stdout.split('\n').filter((l) => /^\s+\d+\s+-?\d+\.\d+\s+-?\d+\.\d+\s*$/.test(l));
  t.is(rows.length, 10);
  for (const r of rows) {
    const [, priv, plain] = r.trim().split(/\s+/).map(Number);
    // The printed values have 6 decimals; the private average is within a few 2^-16 of float64.
    t.true(Math.abs(priv - plain) < 5e-5, r);
  }
  t.regex(stdout, /max \|private - plaintext\| = \d\.\d+e-\d/);
});
