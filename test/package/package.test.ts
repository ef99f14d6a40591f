/**
 * The package as a user gets it (npm run test:package): `npm pack` (which
 * builds dist/ through the package's own prepare/prepack), then a fresh
 * project outside the repository installs the tarball with @tensorflow/tfjs,
 * and there
 * (a) plain `node` runs an ESM program computing a private matmul in one
 *     process, within 1e-3 of tfjs's plaintext product (16 products of
 *     values encoded to 2^-17, plus one unit of truncation, 2^-16, stay below
 *     5e-4), printing nothing of tfjs's tfjs-node hint;
 * (b) `require()` of both entries works from CommonJS;
 * (c) `tsc --noEmit` with module/moduleResolution node16 type-checks a
 *     program using both entries' types (skipLibCheck, as any project using
 *     tfjs needs: its @webgpu/types clash with TypeScript's DOM library);
 * (d) the `tfe` command runs a program with one process per player.
 */
import test from 'ava';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRun, run } from '../helpers/exec.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./consumer/', import.meta.url));
const repoPackage = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const MINUTE = 60_000;

let project = '';
let packedFiles: string[] = [];

test.before(async () => {
  project = mkdtempSync(path.join(os.tmpdir(), 'tfe-package-'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: REPO, timeoutMs: 10 * MINUTE });
  if (pack.code !== 0) throw new Error(describeRun('npm pack', pack));
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(describeRun('npm pack made no tarball', pack));
  // The JSON report is the last thing npm pack prints (the build's output comes first).
  const report = JSON.parse(pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1)) as Array<{ files: Array<{ path: string }> }>;
  packedFiles = report[0].files.map((f) => f.path);
  for (const f of ['matmul.mjs', 'require.cjs', 'run.mjs', 'check.ts', 'tsconfig.json']) copyFileSync(path.join(CONSUMER, f), path.join(project, f));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'tfe-consumer', private: true, type: 'module' }, null, 2));
  const deps = [`./${tarball}`, `@tensorflow/tfjs@${repoPackage.devDependencies['@tensorflow/tfjs']}`, `@types/node@${repoPackage.devDependencies['@types/node']}`];
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...deps], { cwd: project, timeoutMs: 10 * MINUTE });
  if (install.code !== 0) throw new Error(describeRun('npm install of the tarball', install));
});

test.after.always(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

test('the tarball holds both built entry points with their types, and no tests', (t) => {
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/node.d.ts', 'dist/ring/wasm/kernels.generated.js', 'dist/cli/main.js', 'bin/tfe.js', 'package.json', 'README.md']) {
    t.true(packedFiles.includes(f), `${f} is packed`);
  }
  t.deepEqual(packedFiles.filter((f) => f.startsWith('test/') || f.startsWith('node_modules/')), []);
});

test('(a) plain node: an ESM program computes a private matmul in one process, within 1e-3 of the plaintext product, without the tfjs-node hint', async (t) => {
  const r = await run(process.execPath, ['matmul.mjs'], { cwd: project, timeoutMs: 2 * MINUTE });
  t.is(r.code, 0, describeRun('node matmul.mjs', r));
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as { shape: number[]; maxErr: number; backend: string };
  t.deepEqual(out.shape, [8, 4]);
  t.true(out.maxErr <= 1e-3, `max |private - plaintext| = ${out.maxErr}`);
  t.is(out.backend, 'cpu', 'the hint belongs to the CPU backend: it was in use');
  t.notRegex(r.stdout + r.stderr, /tfjs-node|TensorFlow\.js in Node\.js/);
});

test('(b) require() of tfjs-encrypted and tfjs-encrypted/node works from CommonJS; internals are not exported', async (t) => {
  const r = await run(process.execPath, ['require.cjs'], { cwd: project, timeoutMs: 2 * MINUTE });
  t.is(r.code, 0, describeRun('node require.cjs', r));
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
  t.deepEqual(out, { values: [4, -3.5, 7], remoteConfig: 'function', loadTfjs: 'function', sameProtocol: true, internals: [] });
});

test('(c) tsc --noEmit with module/moduleResolution node16 type-checks a program using both entry points', async (t) => {
  const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, timeoutMs: 3 * MINUTE });
  t.is(r.code, 0, describeRun('tsc -p tsconfig.json', r));
});

test('(d) the tfe command of the installed package runs a program with one process per player', async (t) => {
  const tfe = path.join(project, 'node_modules', '.bin', 'tfe');
  const help = await run(tfe, ['help'], { cwd: project, timeoutMs: MINUTE });
  t.is(help.code, 0, describeRun('tfe help', help));
  t.regex(help.stdout, /tfe run .*script\.ts/);
  const r = await run(tfe, ['run', 'run.mjs'], { cwd: project, timeoutMs: 3 * MINUTE });
  t.is(r.code, 0, describeRun('tfe run run.mjs', r));
  t.regex(r.stdout, /^\[result-receiver\] RESULT \[7,10,15,22\]$/m);
  t.notRegex(r.stdout + r.stderr, /tfjs-node|TensorFlow\.js in Node\.js/);
});
