#!/usr/bin/env node
// Executes every notebooks/*.ipynb in a fresh tslab kernel (jupyter nbconvert)
// into a temp folder, fails when a cell fails, and checks each executed
// notebook shows a plot (an image/svg+xml output or html with <svg).
// Installs jupyter (Debian, as root) and the tslab kernel when missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', ...opts });
const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'pipe' }).status === 0;

if (!ok('jupyter', ['nbconvert', '--version'])) {
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', 'jupyter-notebook', 'jupyter-nbconvert']);
}
// `jupyter kernelspec` is missing on some installs: then install the kernel (idempotent).
const kernels = spawnSync('jupyter', ['kernelspec', 'list'], { encoding: 'utf8' }).stdout ?? '';
if (!/^\s*tslab\s/m.test(kernels)) run('npx', ['tslab', 'install', '--python=/usr/bin/python3']);
run('npm', ['run', 'build']);
// tslab's compiler resolves 'tfjs-encrypted' in node_modules only (no package
// self-reference): link the checkout there, as a user's install would have it.
if (!existsSync('node_modules/tfjs-encrypted')) symlinkSync('..', 'node_modules/tfjs-encrypted', 'dir');

const dir = 'notebooks';
const out = mkdtempSync(join(tmpdir(), 'tfe-notebooks-'));
let failed = false;
try {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort()) {
    const started = Date.now();
    const r = spawnSync('jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tslab',
      '--ExecutePreprocessor.timeout=180', '--output-dir', out, join(dir, name)], { stdio: 'inherit' });
    if (r.status !== 0) { console.error(`notebooks: ${name} failed (a cell raised an error)`); failed = true; continue; }
    const executed = JSON.parse(readFileSync(join(out, name), 'utf8'));
    const hasSvg = executed.cells.some((c) => (c.outputs ?? []).some((o) => o.data && ('image/svg+xml' in o.data
      || String([].concat(o.data['text/html'] ?? []).join('')).includes('<svg'))));
    if (!hasSvg) { console.error(`notebooks: ${name} shows no SVG plot`); failed = true; continue; }
    console.log(`notebooks: ${name} ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
