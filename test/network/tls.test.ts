import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RemoteConfig } from '../../src/network/node.js';
import { PeerLostError } from '../../src/errors.js';
import { loopbackHostmap, TEST_SECRET } from '../helpers/net.js';

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A CA and one certificate for 127.0.0.1 signed by it, made with the openssl command. */
function makeCertificates(dir: string): { cert: string; key: string; ca: string } {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tfe test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'player.key', '-out', 'player.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  run('x509', '-req', '-in', 'player.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'player.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { cert: 'player.pem', key: 'player.key', ca: 'ca.pem' };
}

(hasOpenssl ? test : test.skip)('with tls in the hostmap players talk over mutually authenticated TLS; a player without TLS cannot join', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tls = makeCertificates(dir);
  const base = await loopbackHostmap(['a', 'b', 'c']);
  const hostmapFile = path.join(dir, 'hostmap.json');
  writeFileSync(hostmapFile, JSON.stringify({ ...base, tls })); // relative paths: resolved against the hostmap's folder
  const logs: string[] = [];
  const options = (name: string): { name: string; secret: string; timeoutMs: number; log: (m: string) => void } => ({ name, secret: TEST_SECRET, timeoutMs: 3000, log: (m) => void logs.push(`${name}: ${m}`) });
  const a = RemoteConfig.load(hostmapFile, options('a'));
  const b = RemoteConfig.load(hostmapFile, options('b'));
  b.transport.send('b', 'a', { op: 1, step: 0 }, [{ shape: [2], data: BigUint64Array.of(5n, 6n) }], 'online');
  const [got] = await a.transport.receive('a', 'b', { op: 1, step: 0 }, [{ dtype: 'u64', shape: [2] }]);
  t.deepEqual(Array.from(got.data as BigUint64Array), [5n, 6n]);
  // 'c' dials without TLS (plain hostmap): the TLS listeners never hear a valid request from it.
  const c = RemoteConfig.fromObject(base, { ...options('c'), connectTimeoutMs: 1500 });
  await t.throwsAsync(c.ready(), { instanceOf: PeerLostError, message: /'c' lost 'a': never connected: could not connect to it at/ });
  await t.throwsAsync(a.transport.receive('a', 'c', { op: 1, step: 0 }, [{ dtype: 'u64', shape: [1] }]), { instanceOf: PeerLostError });
  await Promise.all([a.destroy(), b.destroy(), c.destroy()]);
});
