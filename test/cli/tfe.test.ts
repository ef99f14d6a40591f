import test from 'ava';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NODE_ARGS, spawnCli } from '../helpers/players.js';
import { TEST_SECRET } from '../helpers/net.js';

const run = promisify(execFile);
const ULP = 2 ** -16;

/** The table rows of the federated-average example: [i, private, plaintext]. */
function averageRows(out: string): number[][] {
  return out
    .split('\n')
    .map((l) => l.replace(/^\[result-receiver\] /, ''))
    .filter((l) => /^\s+\d+\s+-?\d+\.\d+\s+-?\d+\.\d+\s*$/.test(l))
    .map((l) => l.trim().split(/\s+/).map(Number));
}

test('tfe run runs the federated-average example as nine processes and prints the same average as one process', async (t) => {
  const bin = path.resolve('bin/tfe.js');
  const [multi, single] = await Promise.all([
    run(process.execPath, [bin, 'run', 'examples/federated-average/main.ts'], { timeout: 120_000 }),
    run(process.execPath, [...NODE_ARGS, 'examples/federated-average/main.ts'], { timeout: 120_000 }),
  ]);
  t.regex(multi.stderr, /tfe run: 9 players on 127\.0\.0\.1 \(server0:\d+, server1:\d+, crypto-producer:\d+, inputter-0:\d+, .*result-receiver:\d+\)/);
  t.regex(multi.stderr, /tfe run: all 9 players finished/);
  t.notRegex(multi.stderr, /did not exit by itself|lost|refused|rejected/);
  const many = averageRows(multi.stdout);
  const one = averageRows(single.stdout);
  t.is(many.length, 10);
  t.true(multi.stdout.split('\n').filter((l) => l.trim() !== '').every((l) => l.startsWith('[result-receiver] ')), 'output is prefixed by the player name');
  many.forEach((row, i) => {
    t.is(row[2], one[i][2], 'the same plaintext average');
    // Truncation rounds stochastically (see docs/architecture.md): at most one unit of 2^-16 either way.
    t.true(Math.abs(row[1] - one[i][1]) <= 2 * ULP + 1e-6, `row ${i}: ${row[1]} vs ${one[i][1]}`);
    t.true(Math.abs(row[1] - row[2]) < 1e-4);
  });
});

test('tfe run exits non-zero when a player fails; the others exit non-zero too, naming the root cause', async (t) => {
  const r = spawnCli(t, ['run', 'test/fixtures/failing-program.ts']);
  const { code } = await r.exit;
  t.is(code, 1);
  t.regex(r.stderr, /\[server1\] tfe server1: failed: Error: server1 crashed on purpose/);
  for (const p of ['server0', 'crypto-producer', 'inputter']) {
    // The cause reaches every peer; only the class of an error the library did not raise travels.
    t.regex(r.stderr, new RegExp(`\\[${p}\\] tfe ${p}: failed: 'server1' failed( in operation \\d+)?: Error \\(its message stays with the player that raised it\\)`), p);
    t.regex(r.stderr, new RegExp(`tfe run: ${p} (exited with code 1|was stopped \\(SIGTERM\\))`));
  }
  t.false(r.stderr.replace(/\[server1\][^\n]*/g, '').includes('crashed on purpose'), "the error's own text stays with server1");
  t.regex(r.stderr, /tfe run: server1 (exited with code 1|was stopped \(SIGTERM\))/);
  t.notRegex(r.stderr, /did not exit by itself|SIGKILL/);
});

test('tfe run says so when a script creates no LocalConfig', async (t) => {
  const r = spawnCli(t, ['run', 'test/fixtures/no-config-program.ts']);
  t.is((await r.exit).code, 1);
  t.regex(r.stderr, /finished without creating a tfe\.LocalConfig/);
  t.regex(r.stderr, /tfe: could not learn the players of test\/fixtures\/no-config-program\.ts/);
});

test('tfe player checks its arguments, the hostmap and the secret before running anything', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hostmap = path.join(dir, 'hostmap.json');
  writeFileSync(hostmap, JSON.stringify({ server0: 'localhost:4440', server1: 'localhost:4441' }));
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ players: [{ name: 'server0', host: 'localhost', port: 4440 }, { name: 'server1', host: 'localhost', port: 70000 }] }));
  const script = 'test/fixtures/no-config-program.ts';
  const noSecret = { TFE_SECRET: '', TFE_SECRET_FILE: '' };
  const looseSecret = path.join(dir, 'secret');
  writeFileSync(looseSecret, 'hunter2hunter2hunter2');
  chmodSync(looseSecret, 0o644);
  const cases: Array<[string[], NodeJS.ProcessEnv, number, RegExp]> = [
    [[], {}, 2, /usage:/],
    [['frobnicate'], {}, 2, /unknown command 'frobnicate'/],
    [['player', '--config', hostmap, '--name', 'server0', '--secret', 'hunter2hunter2hunter2', script], {}, 2, /never pass the secret on the command line/],
    [['player', '--name', 'server0', script], {}, 2, /needs --config, --name and a script/],
    [['player', '--config', hostmap, '--name', 'server0', script], noSecret, 1, /no shared secret: set TFE_SECRET or TFE_SECRET_FILE/],
    [['player', '--config', hostmap, '--name', 'server7', script], { TFE_SECRET: TEST_SECRET }, 1, /--name server7: not a player of .*hostmap\.json, which lists 'server0', 'server1'/],
    [['player', '--config', bad, '--name', 'server0', script], { TFE_SECRET: TEST_SECRET }, 1, /invalid hostmap .*bad\.json: players\[1\]\.port: expected a port from 1 to 65535/],
    [['run'], {}, 2, /tfe run: which script\?/],
    [['player', '--config', hostmap, '--name', 'server0', script], { TFE_SECRET: '', TFE_SECRET_FILE: looseSecret }, 1, /the secret file .*secret can be read or written by other users \(mode 0644\); run: chmod 600 /],
  ];
  await Promise.all(
    cases.map(async ([args, env, code, re]) => {
      const r = spawnCli(t, args, env);
      t.is((await r.exit).code, code, args.join(' '));
      t.regex(r.stderr + r.stdout, re, args.join(' '));
      t.false((r.stderr + r.stdout).includes('hunter2'), 'the secret is never echoed');
    }),
  );
});
