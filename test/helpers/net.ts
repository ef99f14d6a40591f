/** Loopback helpers for network tests: free ports, hostmaps, a fixed test secret. */
import { freePorts } from '../../src/cli/free-ports.js';

/** A secret for tests only. */
export const TEST_SECRET = 'test-secret-0123456789abcdef';

/** Free ports on 127.0.0.1, reserved against concurrent tests and launchers (see src/cli/free-ports.ts). */
export { freePorts };

/** A structured hostmap on loopback for `names`. */
export async function loopbackHostmap(names: readonly string[]): Promise<{ players: Array<{ name: string; host: string; port: number }> }> {
  const ports = await freePorts(names.length);
  return { players: names.map((name, i) => ({ name, host: '127.0.0.1', port: ports[i] })) };
}
