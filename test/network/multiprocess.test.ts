import test from 'ava';
import * as tfe from '../../src/index.js';
import { compareProgram, MATMUL, PLAYERS, type Report } from '../fixtures/pond-program.js';
import { startPlayers, waitForLine } from '../helpers/players.js';

const SCRIPT = 'test/fixtures/pond-program.ts';

function merge(reports: Report[]): Report {
  const out: Report = { shares: {}, values: {}, matmulBytes: {} };
  for (const r of reports) {
    Object.assign(out.shares, r.shares);
    Object.assign(out.values, r.values);
    for (const [pair, bytes] of Object.entries(r.matmulBytes)) {
      if (pair in out.matmulBytes) throw new Error(`${pair} counted by two processes`);
      out.matmulBytes[pair] = bytes;
    }
  }
  return out;
}

test('private matmul and conv2d across five processes equal the one-process run bit for bit, and bytes follow the formula', async (t) => {
  const players = await startPlayers(t, SCRIPT, PLAYERS, { TFE_TEST_SCENARIO: 'compare' });
  const local = new tfe.InProcessConfig(PLAYERS);
  const one = await compareProgram(local);
  await local.close();
  const exits = await Promise.all(players.map((p) => p.exit));
  players.forEach((p, i) => t.is(exits[i].code, 0, `${p.name}: ${p.stderr}`));
  const reports = players.map((p) => {
    const line = p.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    if (line === undefined) throw new Error(`${p.name} printed no report: ${p.stdout} ${p.stderr}`);
    return JSON.parse(line.slice('REPORT '.length)) as Report;
  });
  const many = merge(reports);
  t.deepEqual(Object.keys(many.shares).sort(), ['conv2d:0', 'conv2d:1', 'matmul:0', 'matmul:1']);
  t.deepEqual(many.shares, one.shares, 'shares of the results are identical bit for bit');
  t.deepEqual(many.values, one.values, 'revealed values are identical');
  t.deepEqual(many.matmulBytes, one.matmulBytes, 'each process counts what its players send; together they equal the one-process count');
  // The formula of test/protocol/pond/sharing.test.ts, from counters of separate processes.
  const [m, k, n] = MATMUL;
  const frame = (...shapes: number[][]): number => {
    const head = 24 + shapes.reduce((acc, s) => acc + 8 + 4 * s.length, 0);
    return Math.ceil(head / 8) * 8 + shapes.reduce((acc, s) => acc + 8 * s.reduce((p, q) => p * q, 1), 0);
  };
  const opened = frame([m, k], [k, n]);
  const truncOpen = frame([m, n]);
  t.is(many.matmulBytes['server0->server1'], opened + truncOpen);
  t.is(many.matmulBytes['server1->server0'], opened + truncOpen);
  t.is(many.matmulBytes['crypto-producer->server1'], frame([m, n]) + frame([m, n], [m, n]));
  t.false('crypto-producer->server0' in many.matmulBytes);
  t.is(Object.keys(many.matmulBytes).length, 3);
  for (const p of players) t.notRegex(p.stderr, /did not exit by itself|rejected|refused|lost/, `${p.name} stderr`);
});

test('killing a server in the middle of a private matmul makes every other player exit non-zero within the timeout, naming the loss', async (t) => {
  const timeoutMs = 5000;
  const players = await startPlayers(t, SCRIPT, PLAYERS, { TFE_TEST_SCENARIO: 'kill', TFE_TEST_TIMEOUT_MS: String(timeoutMs) });
  const server1 = players[1];
  await Promise.all(players.map((p) => waitForLine(p, /matmul-start/)));
  const killedAt = Date.now();
  server1.child.kill('SIGKILL');
  const others = players.filter((p) => p !== server1);
  const exits = await Promise.all(others.map((p) => p.exit));
  others.forEach((p, i) => {
    t.is(exits[i].code, 1, `${p.name} exits non-zero`);
    // The root cause: who lost server1, how, and in which operation.
    t.regex(p.stderr, new RegExp(`tfe ${p.name}: failed: '[\\w-]+' lost 'server1': disconnected: .*waiting for operation \\d+ step \\d+`), p.name);
    t.true(exits[i].at - killedAt < timeoutMs, `${p.name} exited ${exits[i].at - killedAt} ms after the kill`);
    t.notRegex(p.stderr, /did not exit by itself/);
  });
});
