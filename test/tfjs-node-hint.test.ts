/**
 * Importing tfjs-encrypted spends tfjs's "install tfjs-node" hint of the CPU
 * backend without muting anything else: a fresh Node process that imports it
 * and then uses tfjs prints nothing, and tfjs's PROD flag is as before.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { describeRun, run } from './helpers/exec.js';

const INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const HINT = /tfjs-node|TensorFlow\.js in Node\.js/;

/** A fresh process: optionally imports tfjs-encrypted, then stores and reads a tensor on tfjs's CPU backend. */
function program(importLibrary: boolean): string {
  return [
    "import * as tf from '@tensorflow/tfjs';",
    importLibrary ? `await import(${JSON.stringify(INDEX)});` : '',
    'const data = tf.tensor([1, 2, 3]).mul(2).dataSync();',
    "console.log(JSON.stringify({ backend: tf.getBackend(), prod: tf.env().getBool('PROD'), sum: data.reduce((a, b) => a + b, 0) }));",
  ].join('\n');
}

const runProgram = (importLibrary: boolean) =>
  run(process.execPath, ['--import=tsx', '--conditions=tfe-source', '--input-type=module', '-e', program(importLibrary)], { cwd: fileURLToPath(new URL('..', import.meta.url)), timeoutMs: 60_000 });

test("after importing tfjs-encrypted, tfjs's CPU backend prints no tfjs-node hint, and PROD stays off", async (t) => {
  const r = await runProgram(true);
  t.is(r.code, 0, describeRun('program', r));
  t.deepEqual(JSON.parse(r.stdout.trim()), { backend: 'cpu', prod: false, sum: 12 });
  t.notRegex(r.stderr + r.stdout, HINT);
});

test('without tfjs-encrypted the same program prints the hint (what the test above guards against)', async (t) => {
  const r = await runProgram(false);
  t.is(r.code, 0, describeRun('program', r));
  t.regex(r.stderr + r.stdout, HINT);
});
