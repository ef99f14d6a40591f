import test from 'ava';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalConfig, parseHostmap, RemoteConfig } from '../../src/network/node.js';
import { ConfigError } from '../../src/errors.js';
import { loopbackHostmap, TEST_SECRET } from '../helpers/net.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-hostmap-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown): string => {
  const f = path.join(dir, name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};

test('the structured hostmap and tf-encrypted flat one both parse, in order', (t) => {
  const structured = parseHostmap({
    players: [
      { name: 'server0', host: '10.0.0.10', port: 4440 },
      { name: 'server1', host: 'server1.example', port: 4441, bind: '0.0.0.0' },
    ],
    tls: { cert: 'c.pem', key: 'k.pem', ca: 'ca.pem' },
    session: 'run-1',
    timeoutMs: 5000,
  });
  t.deepEqual(structured.players.map((p) => p.name), ['server0', 'server1']);
  t.is(structured.players[1].bind, '0.0.0.0');
  t.is(structured.tls?.ca, 'ca.pem');
  const flat = parseHostmap({ server0: '10.0.0.10:4440', server1: '[::1]:4441', 'crypto-producer': 'localhost:4442' });
  t.deepEqual(flat.players, [
    { name: 'server0', host: '10.0.0.10', port: 4440 },
    { name: 'server1', host: '::1', port: 4441 },
    { name: 'crypto-producer', host: 'localhost', port: 4442 },
  ]);
});

test('an invalid hostmap is a ConfigError naming the field and what was expected', (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [[1, 2], /expected a JSON object, got an array/],
    [{ players: [{ name: 'a', host: 'h', port: 1 }, { name: 'b', host: 'h', port: 70000 }] }, /players\[1\]\.port: expected a port from 1 to 65535/],
    [{ players: [{ name: 'a', host: 'h', port: 1 }, { name: 'b', port: 2 }] }, /players\[1\]\.host: expected a host name or address/],
    [{ players: [{ name: 'a', host: 'h', port: 1 }, { name: 'a', host: 'h', port: 2 }] }, /players\[1\]\.name: player name 'a' appears twice/],
    [{ players: [{ name: 'a', host: 'h', port: 1 }, { name: 'b', host: 'h', port: 1 }] }, /players\[1\]: address h:1 is used by two players/],
    [{ players: [{ name: 'a b', host: 'h', port: 1 }, { name: 'b', host: 'h', port: 2 }] }, /players\[0\]\.name: expected 1-64 characters/],
    [{ players: [{ name: 'a', host: 'h', port: 1 }] }, /players: expected at least 2 players/],
    [{ players: [{ name: 'a', host: 'h', port: 1 }, { name: 'b', host: 'h', port: 2 }], tls: { cert: 'c' } }, /tls\.key: expected the path of a PEM private key/],
    [{ players: [{ name: 'a', host: 'h', port: 1 }, { name: 'b', host: 'h', port: 2 }], secret: 'oops' }, /Unrecognized key: "secret"/],
    [{ server0: 'localhost', server1: 'localhost:1' }, /server0: expected "host:port" with a port from 1 to 65535, got "localhost"/],
    [{ server0: 'localhost:4440' }, /at least 2 players/],
  ];
  for (const [value, re] of cases) {
    const e = t.throws(() => parseHostmap(value, 'hm.json'), { instanceOf: ConfigError }, JSON.stringify(value));
    t.regex(e!.message, /^invalid hostmap hm\.json: /);
    t.regex(e!.message, re, JSON.stringify(value));
  }
});

test.serial('RemoteConfig.load: name from TFE_PLAYER, secret from TFE_SECRET or a file, clear errors otherwise', async (t) => {
  const hm = file('hostmap.json', await loopbackHostmap(['a', 'b']));
  const env = { ...process.env };
  t.teardown(() => {
    process.env = env;
  });
  delete process.env.TFE_PLAYER;
  delete process.env.TFE_SECRET;
  delete process.env.TFE_SECRET_FILE;
  t.throws(() => RemoteConfig.load(hm), { instanceOf: ConfigError, message: /which player is this process\? Pass \{ name \} or set TFE_PLAYER/ });
  t.throws(() => RemoteConfig.load(hm, { name: 'zed' }), { message: /player 'zed' is not in the hostmap, which lists 'a', 'b'/ });
  t.throws(() => RemoteConfig.load(hm, { name: 'a' }), { message: /no shared secret\. Set TFE_SECRET or TFE_SECRET_FILE/ });
  process.env.TFE_SECRET = 'short';
  const e = t.throws(() => RemoteConfig.load(hm, { name: 'a' }), { message: /the shared secret from TFE_SECRET must be at least 16 bytes long/ });
  t.false(e!.message.includes('short'));
  delete process.env.TFE_SECRET;
  process.env.TFE_SECRET_FILE = path.join(dir, 'missing');
  t.throws(() => RemoteConfig.load(hm, { name: 'a' }), { message: /cannot read the secret file .*missing: ENOENT/ });
  process.env.TFE_SECRET_FILE = file('secret', `${TEST_SECRET}\n`);
  chmodSync(process.env.TFE_SECRET_FILE, 0o600);
  process.env.TFE_PLAYER = 'a';
  const a = RemoteConfig.load(hm);
  t.is(a.name, 'a');
  t.deepEqual(a.playerNames, ['a', 'b']);
  const b = RemoteConfig.load(hm, { name: 'b', secret: TEST_SECRET }); // the file's trailing newline is not part of the secret
  await Promise.all([a.ready(), b.ready()]);
  t.is(a.transport.linkState('b'), 'open');
  await Promise.all([a.close(), b.close()]);
  t.throws(() => RemoteConfig.load(path.join(dir, 'nope.json'), { name: 'a' }), { message: /cannot read hostmap .*nope\.json: ENOENT/ });
  t.throws(() => RemoteConfig.load(file('broken.json', '{ "server0": '), { name: 'a' }), { message: /hostmap .*broken\.json is not valid JSON/ });
});

test.serial('LocalConfig returns this process player of a tfe run, and says which names differ from the hostmap', async (t) => {
  const hm = file('local.json', await loopbackHostmap(['server0', 'server1', 'dealer']));
  const env = { ...process.env };
  t.teardown(() => {
    process.env = env;
  });
  process.env.TFE_HOSTMAP = hm;
  process.env.TFE_PLAYER = 'server1';
  process.env.TFE_SECRET = TEST_SECRET;
  const e = t.throws(() => LocalConfig(['server0', 'server1', 'crypto-producer']), { instanceOf: ConfigError });
  t.regex(e!.message, /the program's players differ from the hostmap .*local\.json; not in the hostmap: 'crypto-producer'; only in the hostmap: 'dealer'/);
  const c = LocalConfig(['server0', 'server1', 'dealer']);
  t.true(c instanceof RemoteConfig);
  t.true(c.isLocal('server1'));
  t.false(c.isLocal('server0'));
  await (c as RemoteConfig).destroy();
  process.env.TFE_HOSTMAP = '';
  t.false(LocalConfig(['x', 'y']) instanceof RemoteConfig, 'without TFE_HOSTMAP every player is in this process');
});

test.serial('a secret file that other users can read or write is refused, with the chmod that fixes it', (t) => {
  const env = { ...process.env };
  t.teardown(() => {
    process.env = env;
  });
  delete process.env.TFE_SECRET;
  const hostmap = { players: [{ name: 'a', host: '127.0.0.1', port: 1 }, { name: 'b', host: '127.0.0.1', port: 2 }] };
  const secret = file('loose-secret', TEST_SECRET);
  for (const mode of [0o644, 0o640, 0o604, 0o620]) {
    chmodSync(secret, mode);
    process.env.TFE_SECRET_FILE = secret;
    const e = t.throws(() => RemoteConfig.fromObject(hostmap, { name: 'a' }), { instanceOf: ConfigError }, mode.toString(8));
    t.regex(e!.message, new RegExp(`the secret file .*loose-secret can be read or written by other users \\(mode 0${mode.toString(8)}\\); run: chmod 600 .*loose-secret`));
    t.false(e!.message.includes(TEST_SECRET));
    // The same file named by the hostmap.
    delete process.env.TFE_SECRET_FILE;
    t.throws(() => RemoteConfig.load(file('with-secret-file.json', { ...hostmap, secretFile: 'loose-secret' }), { name: 'a' }), { message: /chmod 600/ });
  }
});
