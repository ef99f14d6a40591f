/** Loopback helpers for network tests: free ports, hostmaps, a fixed test secret. */
import { createServer, type Server } from 'node:net';

/** A secret for tests only. */
export const TEST_SECRET = 'test-secret-0123456789abcdef';

/**
 * `n` distinct free TCP ports on 127.0.0.1: all probes stay open until every
 * port is known, so the ports differ; the OS does not hand them out again at once.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(s);
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no port');
    ports.push(a.port);
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A structured hostmap on loopback for `names`. */
export async function loopbackHostmap(names: readonly string[]): Promise<{ players: Array<{ name: string; host: string; port: number }> }> {
  const ports = await freePorts(names.length);
  return { players: names.map((name, i) => ({ name, host: '127.0.0.1', port: ports[i] })) };
}
