import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../../src/cli/free-ports.js';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

test('ports are distinct, free, and below the range the kernel hands out for listen(0)', async (t) => {
  const ports = await freePorts(20);
  t.is(new Set(ports).size, 20);
  for (const p of ports) {
    t.true(p >= 1024 && p < ephemeralLow, `${p} is below ${ephemeralLow}`);
    t.true(await bindable(p), `${p} can be bound`);
  }
});

test('concurrent launchers never get the same port: each port stays reserved until its player binds it', async (t) => {
  const [a, b, c] = await Promise.all([freePorts(40), freePorts(40), freePorts(40)]);
  const all = [...a, ...b, ...c];
  t.is(new Set(all).size, all.length);
  // Reserved but not yet bound: another call still skips them.
  const later = await freePorts(40);
  t.deepEqual(later.filter((p) => all.includes(p)), []);
});

test('a port bound by a running player, or reserved by another launcher, is skipped; none left is a clear error', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-ports-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A span of 8 ports of the test's own, 3 of them bound (running players), 2 reserved by another launcher.
  const [lo] = await freePorts(1);
  const range = [lo - (lo % 8), lo - (lo % 8) + 8] as const;
  const bound = [range[0], range[0] + 3, range[0] + 6];
  const servers = await Promise.all(bound.map((p) => new Promise<Server | undefined>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(p, '127.0.0.1', () => resolve(s));
  })));
  t.teardown(() => Promise.all(servers.map((s) => new Promise((resolve) => (s === undefined ? resolve(undefined) : s.close(resolve))))));
  const busy = bound.filter((_, i) => servers[i] !== undefined);
  const reserved = [range[0] + 1, range[0] + 4].filter((p) => !busy.includes(p));
  for (const p of reserved) writeFileSync(path.join(dir, String(p)), 'another launcher');
  const free = Array.from({ length: 8 }, (_, i) => range[0] + i).filter((p) => !busy.includes(p) && !reserved.includes(p));
  // Ports of the span that other tests hold right now are skipped too: ask only for those still bindable.
  const bindableNow: number[] = [];
  for (const p of free) if (await bindable(p)) bindableNow.push(p);
  const ports = await freePorts(bindableNow.length, { range, dir });
  t.deepEqual([...ports].sort((a, b) => a - b), bindableNow);
  // Every port of the span is now bound or reserved.
  const error = await t.throwsAsync(freePorts(1, { range, dir }));
  t.regex(error.message, new RegExp(`could not find 1 free ports on 127.0.0.1 in ${range[0]}-${range[1] - 1}`));
});
