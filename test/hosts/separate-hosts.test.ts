/**
 * Players on separate hosts: one network namespace per player, linked by a
 * bridge on the private subnet 10.213.0.0/24 (used by this test only), every
 * player on port 4440 of its own address, with the hostmap, secret and TLS
 * certificates for those addresses made by `tfe hostmap`. Each player runs as
 * `tfe player` inside its namespace; the results must match the same program
 * in one process.
 *
 * Runs as root only (`npm run test:hosts`, called by .ci/run; not part of
 * `npm test`); elsewhere every test is skipped and its title says why.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NODE_ARGS, CLI } from '../helpers/players.js';
import { averageRows } from '../helpers/output.js';
import { createHostNetwork, namespaceSupport, type HostNetwork } from './netns.js';

const run = promisify(execFile);
const ULP = 2 ** -16;
const SUBNET = '10.213.0';
const PLAYER_TIMEOUT_MS = 150_000;

const FEDERATED = ['server0', 'server1', 'crypto-producer', 'inputter-0', 'inputter-1', 'inputter-2', 'inputter-3', 'inputter-4', 'result-receiver'];
const MNIST = ['server0', 'server1', 'crypto-producer', 'model-owner', 'inputter', 'result-receiver'];

const unsupported = namespaceSupport();
if (unsupported !== undefined) console.error(`test/hosts: skipped: ${unsupported}`);
const hostTest = unsupported === undefined ? test.serial : (title: string) => test.skip(`${title} (skipped: ${unsupported})`, () => undefined);

let network: HostNetwork | undefined;
let dir = '';

test.before(() => {
  if (unsupported !== undefined) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-hosts-'));
  network = createHostNetwork('hosts', SUBNET, FEDERATED.length);
});

test.after.always(() => {
  network?.destroy();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** No secret or player from the test's environment: each player takes what its folder holds. */
const ENV = { ...process.env, TFE_SECRET: undefined, TFE_SECRET_FILE: undefined, TFE_HOSTMAP: undefined, TFE_PLAYER: undefined, TFE_SESSION: undefined };

interface Finished {
  readonly name: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `tfe hostmap` for `names` on the first hosts of the network, every player on port 4440. */
async function deployment(names: readonly string[], out: string): Promise<void> {
  const hosts = network!.hosts.slice(0, names.length).map((h) => h.address);
  await run(process.execPath, [...NODE_ARGS, CLI, 'hostmap', '--players', names.join(','), '--hosts', hosts.join(','), '--out', out], { timeout: 60_000 });
}

/** Runs `script` as every player, each with `tfe player` in its own namespace, and waits for all. */
async function runOnHosts(t: ExecutionContext, names: readonly string[], out: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<Finished[]> {
  return Promise.all(
    names.map((name, i) => {
      const [cmd, args] = network!.exec(network!.hosts[i], [process.execPath, ...NODE_ARGS, CLI, 'player', '--config', path.join(out, name, 'hostmap.json'), '--name', name, script]);
      const child = spawn(cmd, args, { env: { ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), PLAYER_TIMEOUT_MS);
      t.teardown(() => {
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      return new Promise<Finished>((resolve) =>
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve({ name, code, stdout, stderr });
        }),
      );
    }),
  );
}

function checkAllSucceeded(t: ExecutionContext, results: readonly Finished[]): void {
  for (const r of results) {
    t.is(r.code, 0, `${r.name} exited with ${r.code}:\n${r.stderr.slice(-3000)}`);
    t.notRegex(r.stderr, /refused|rejected|lost|did not exit by itself/, r.name);
  }
}

/** Every host sent and received at least `bytes` on its link: the players really talked across the bridge. */
function checkLinksCarried(t: ExecutionContext, count: number, before: Array<{ rx: number; tx: number }>, bytes: number): void {
  network!.hosts.slice(0, count).forEach((h, i) => {
    const now = network!.traffic(h);
    t.true(now.rx - before[i].rx >= bytes && now.tx - before[i].tx >= bytes, `${h.address}: ${now.rx - before[i].rx} bytes in, ${now.tx - before[i].tx} out`);
  });
}

hostTest('the federated average on nine hosts (one namespace each, TLS with tfe hostmap certificates for their addresses) equals the one-process run', async (t) => {
  const out = path.join(dir, 'federated');
  await deployment(FEDERATED, out);
  const script = 'examples/federated-average/main.ts';
  const before = network!.hosts.map((h) => network!.traffic(h));
  const [results, single] = await Promise.all([runOnHosts(t, FEDERATED, out, script), run(process.execPath, [...NODE_ARGS, script], { timeout: PLAYER_TIMEOUT_MS })]);
  checkAllSucceeded(t, results);
  checkLinksCarried(t, FEDERATED.length, before, 2000); // each player's TLS handshakes with eight others alone exceed this
  const many = averageRows(results[FEDERATED.indexOf('result-receiver')].stdout);
  const one = averageRows(single.stdout);
  t.is(many.length, 10);
  many.forEach((row, i) => {
    t.is(row[2], one[i][2], 'the same plaintext average');
    t.true(Math.abs(row[1] - one[i][1]) <= 2 * ULP + 1e-6, `row ${i}: ${row[1]} vs ${one[i][1]}`); // stochastic rounding: one unit either way
  });
});

hostTest('a private MNIST prediction (network A, 100 digits) on six hosts gives the accuracy of the one-process run', async (t) => {
  const out = path.join(dir, 'mnist');
  await deployment(MNIST, out);
  const script = 'examples/mnist-private-prediction/main.ts';
  const env = { IMAGES: '100', MODEL: 'mnist-mlp' };
  const before = network!.hosts.map((h) => network!.traffic(h));
  const [results, single] = await Promise.all([
    runOnHosts(t, MNIST, out, script, env),
    run(process.execPath, [...NODE_ARGS, script], { timeout: PLAYER_TIMEOUT_MS, env: { ...process.env, ...env } }),
  ]);
  checkAllSucceeded(t, results);
  checkLinksCarried(t, MNIST.length, before, 2000);
  const receiver = results[MNIST.indexOf('result-receiver')].stdout;
  const lines = (s: string): string[] => s.split('\n').filter((l) => /accuracy|same class/.test(l));
  t.is(lines(receiver).length, 3, receiver);
  t.deepEqual(lines(receiver), lines(single.stdout));
  t.regex(receiver, /same class as the plaintext model: 100\.0%/);
  // The weights crossed from the model owner's host to the servers' (about 118,000 private weights, 8 bytes each).
  const owner = MNIST.indexOf('model-owner');
  t.true(network!.traffic(network!.hosts[owner]).tx - before[owner].tx > 118_000 * 8, 'the model owner sent its shared weights');
});
