import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';

// The committed notebooks are valid JSON with their outputs stripped, so that
// diffs show code only and `npm run notebooks` is what executes them.
const dir = new URL('../notebooks/', import.meta.url);
const names = readdirSync(dir).filter((f) => f.endsWith('.ipynb'));

test('there are notebooks', (t) => {
  t.true(names.length >= 1);
});

for (const name of names) {
  test(`${name} is valid JSON with stripped outputs`, (t) => {
    const nb = JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as { cells: { cell_type: string; outputs?: unknown[]; execution_count?: unknown }[]; metadata: { kernelspec?: { name?: string } } };
    t.is(nb.metadata.kernelspec?.name, 'tslab');
    for (const cell of nb.cells) {
      if (cell.cell_type !== 'code') continue;
      t.deepEqual(cell.outputs, [], `${name}: a code cell has outputs`);
      t.is(cell.execution_count, null, `${name}: a code cell has an execution_count`);
    }
  });
}
