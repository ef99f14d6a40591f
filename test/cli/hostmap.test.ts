import test from 'ava';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PeerLostError } from '../../src/errors.js';
import { parseHostmapArgs, writeDeployment } from '../../src/cli/hostmap.js';
import { RemoteConfig } from '../../src/network/node.js';
import { freePorts } from '../helpers/net.js';
import { NODE_ARGS, spawnCli } from '../helpers/players.js';
import { averageRows } from '../helpers/output.js';

const run = promisify(execFile);
const ULP = 2 ** -16;

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-hostmap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Generates a deployment in-process, as `tfe hostmap` does. */
async function deploy(out: string, players: string[], hosts: string, ports: number[]): Promise<void> {
  await writeDeployment(parseHostmapArgs(['--players', players.join(','), '--hosts', hosts, '--ports', ports.join(','), '--out', out, '--days', '2']));
}

/** No secret from the test's environment: the players must take the one the hostmap names. */
const NO_ENV_SECRET = { TFE_SECRET: undefined, TFE_SECRET_FILE: undefined, TFE_HOSTMAP: undefined, TFE_PLAYER: undefined };

test('tfe hostmap writes one folder per player: the same hostmap, its own key and certificate for its host, one CA and one secret', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'deploy');
  const r = spawnCli(t, ['hostmap', '--players', 'server0,server1,crypto-producer', '--hosts', '10.213.9.1,server1.example.org,::1', '--ports', '4440', '--out', out]);
  t.is((await r.exit).code, 0, r.stderr);
  t.regex(r.stdout, /3 players, session deploy-[0-9a-f]{16}, certificates valid for 365 days/);
  t.regex(r.stdout, /server1 +server1\.example\.org:4440 /);
  const read = (p: string, f: string): string => readFileSync(path.join(out, p, f), 'utf8');
  const hostmap = read('server0', 'hostmap.json');
  t.deepEqual(JSON.parse(hostmap).players, [
    { name: 'server0', host: '10.213.9.1', port: 4440 },
    { name: 'server1', host: 'server1.example.org', port: 4440 },
    { name: 'crypto-producer', host: '::1', port: 4440 },
  ]);
  t.deepEqual(JSON.parse(hostmap).tls, { cert: 'cert.pem', key: 'key.pem', ca: 'ca.pem' });
  t.is(JSON.parse(hostmap).secretFile, 'secret');
  const ca = new X509Certificate(read('server0', 'ca.pem'));
  t.true(ca.ca);
  const secret = read('server0', 'secret').trim();
  t.regex(secret, /^[0-9a-f]{64}$/);
  const keys = new Set<string>();
  for (const [p, host] of [['server0', '10.213.9.1'], ['server1', 'server1.example.org'], ['crypto-producer', '::1']]) {
    t.is(read(p, 'hostmap.json'), hostmap, `${p}: the same hostmap`);
    t.is(read(p, 'ca.pem'), ca.toString(), `${p}: the same CA`);
    t.is(read(p, 'secret').trim(), secret, `${p}: the same secret`);
    const cert = new X509Certificate(read(p, 'cert.pem'));
    t.true(cert.verify(ca.publicKey), `${p}: signed by the CA`);
    t.false(cert.ca);
    t.is(host.includes('.example.') ? cert.checkHost(host) : cert.checkIP(host), host, `${p}: names its host`);
    t.is(cert.subjectAltName, host.includes('.example.') ? `DNS:${host}` : `IP Address:${host === '::1' ? '0:0:0:0:0:0:0:1' : host}`);
    t.is(cert.checkHost('server1.example.org') !== undefined, p === 'server1', `${p}: names no other host`);
    keys.add(read(p, 'key.pem'));
    t.is(statSync(path.join(out, p, 'key.pem')).mode & 0o777, 0o600, `${p}: key readable by its owner only`);
    t.is(statSync(path.join(out, p, 'secret')).mode & 0o777, 0o600, `${p}: secret readable by its owner only`);
    t.is(statSync(path.join(out, p)).mode & 0o777, 0o700);
  }
  t.is(keys.size, 3, 'every player has its own key');
  t.false(r.stdout.includes(secret), 'the secret is never printed');
});

test('every player of a generated deployment loads it with RemoteConfig and they talk over TLS; a certificate of another deployment is refused', async (t) => {
  const dir = tempDir(t);
  const names = ['server0', 'server1', 'crypto-producer'];
  const ports = await freePorts(3);
  await deploy(path.join(dir, 'a'), names, 'localhost', ports); // DNS subjectAltName
  await deploy(path.join(dir, 'b'), names, 'localhost', ports); // the same addresses, another CA and secret
  const logs: string[] = [];
  const load = (deployment: string, name: string, connectTimeoutMs = 30_000): RemoteConfig =>
    RemoteConfig.load(path.join(dir, deployment, name, 'hostmap.json'), { name, timeoutMs: 20_000, connectTimeoutMs, log: (m) => void logs.push(`${name}: ${m}`) });
  const saved = { ...process.env };
  for (const k of Object.keys(NO_ENV_SECRET)) delete process.env[k];
  t.teardown(() => Object.assign(process.env, saved));
  const configs = names.map((n) => load('a', n));
  await Promise.all(configs.map((c) => c.ready()));
  for (const [i, from] of names.entries()) {
    const to = names[(i + 1) % 3];
    configs[i].transport.send(from, to, { op: 1, step: i }, [{ shape: [2], data: BigUint64Array.of(BigInt(i), 7n) }], 'online');
    const [got] = await configs[(i + 1) % 3].transport.receive(to, from, { op: 1, step: i }, [{ dtype: 'u64', shape: [2] }]);
    t.deepEqual(Array.from(got.data as BigUint64Array), [BigInt(i), 7n], `${from} -> ${to}`);
  }
  await Promise.all(configs.map((c) => c.close()));
  // server1 of deployment b dials server0 of deployment a: TLS fails (unknown CA) before any handshake message.
  const a0 = load('a', 'server0');
  const b1 = load('b', 'server1', 1500);
  t.teardown(() => Promise.all([a0.destroy(), b1.destroy()]).then(() => undefined));
  await t.throwsAsync(b1.ready(), { instanceOf: PeerLostError, message: /never connected: could not connect to it/ });
  // Not a refusal by the secret handshake (another session and secret): the TLS connection itself never came up.
  t.true(logs.some((l) => /^server1: gave up on 'server0': never connected: could not connect to it/.test(l)), logs.join('\n'));
  t.false(logs.some((l) => /refused|failed the handshake|could not prove/.test(l)), logs.join('\n'));
});

test('tfe player runs the federated average with a generated hostmap (one process per player, TLS, the hostmap\'s secret file) as one process does', async (t) => {
  const dir = tempDir(t);
  const names = ['server0', 'server1', 'crypto-producer', 'inputter-0', 'inputter-1', 'inputter-2', 'inputter-3', 'inputter-4', 'result-receiver'];
  await deploy(path.join(dir, 'deploy'), names, '127.0.0.1', await freePorts(names.length));
  const script = 'examples/federated-average/main.ts';
  const players = names.map((n) => spawnCli(t, ['player', '--config', path.join(dir, 'deploy', n, 'hostmap.json'), '--name', n, script], NO_ENV_SECRET, n));
  const [codes, single] = await Promise.all([Promise.all(players.map((p) => p.exit)), run(process.execPath, [...NODE_ARGS, script], { timeout: 120_000 })]);
  codes.forEach((c, i) => t.is(c.code, 0, `${names[i]}: ${players[i].stderr}`));
  for (const p of players) t.notRegex(p.stderr, /refused|rejected|lost|did not exit by itself/, p.name);
  const many = averageRows(players[names.indexOf('result-receiver')].stdout);
  const one = averageRows(single.stdout);
  t.is(many.length, 10);
  many.forEach((row, i) => {
    t.is(row[2], one[i][2], 'the same plaintext average');
    t.true(Math.abs(row[1] - one[i][1]) <= 2 * ULP + 1e-6, `row ${i}: ${row[1]} vs ${one[i][1]}`); // stochastic rounding: one unit either way
  });
});

test('tfe hostmap rejects bad arguments with a message naming the option and what was expected', async (t) => {
  const dir = tempDir(t);
  const full = path.join(dir, 'full');
  mkdirSync(full);
  writeFileSync(path.join(full, 'something'), '');
  const cases: Array<[string[], RegExp]> = [
    [[], /needs --players and --hosts/],
    [['--players', 'a,b'], /needs --players and --hosts/],
    [['--players', 'a', '--hosts', 'h'], /--players needs at least 2 players, got 1/],
    [['--players', 'a,a', '--hosts', 'h'], /player name 'a' appears twice/],
    [['--players', 'a,b c', '--hosts', 'h'], /player name "b c" must be 1-64 characters/],
    [['--players', 'a,b,c', '--hosts', 'h1,h2'], /--hosts needs one value for all players or one per player \(3\), got 2/],
    [['--players', 'a,b', '--hosts', 'h1,'], /--hosts has an empty item/],
    [['--players', 'a,b', '--hosts', 'bad_host!,h'], /host of 'a', "bad_host!", is neither an IP address nor a DNS name/],
    [['--players', 'a,b', '--hosts', '10.0.0.300,h'], /host of 'a', "10\.0\.0\.300", is neither/],
    [['--players', 'a,b', '--hosts', 'h', '--ports', '4440'], /'a' and 'b' would both listen on h:4440; give them different hosts or --ports/],
    [['--players', 'a,b', '--hosts', 'h', '--ports', '4440,70000'], /--ports: expected ports from 1 to 65535, got "70000"/],
    [['--players', 'a,b', '--hosts', 'h', '--ports', '1,x'], /--ports: expected ports from 1 to 65535, got "x"/],
    [['--players', 'a,b', '--hosts', 'h1,h2', '--bind', 'any'], /--bind: address of 'a', "any", is not an IP address/],
    [['--players', 'a,b', '--hosts', 'h1,h2', '--days', '0'], /--days: expected whole days from 1 to 3650, got "0"/],
    [['--players', 'a,b', '--hosts', 'h1,h2', '--session', 'a b'], /--session: expected 1-128 characters/],
    [['--players', 'a,b', '--hosts', 'h1,h2', '--frobnicate'], /tfe hostmap: Unknown option '--frobnicate'/],
    [['--players', 'a,b', '--hosts', 'h1,h2', 'extra'], /tfe hostmap: Unexpected argument 'extra'/],
    [['--players', 'a,b', '--hosts', 'h1,h2', '--out', full], /full already exists and is not empty; choose another --out/],
  ];
  for (const [args, re] of cases) {
    await t.throwsAsync(async () => writeDeployment(parseHostmapArgs(args)), { message: re }, args.join(' '));
  }
  // Through the command: exit code 1, the message on stderr, nothing written.
  const r = spawnCli(t, ['hostmap', '--players', 'a,b', '--hosts', 'h', '--out', path.join(dir, 'x')]);
  t.is((await r.exit).code, 1);
  t.regex(r.stderr, /^tfe: tfe hostmap: 'a' and 'b' would both listen on h:4440/);
  t.throws(() => statSync(path.join(dir, 'x')), { code: 'ENOENT' });
  t.deepEqual(readFileSync(path.join(full, 'something'), 'utf8'), '', 'an existing folder is left alone');
});
