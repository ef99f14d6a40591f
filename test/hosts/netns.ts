/**
 * Separate hosts on one machine: one Linux network namespace per host, each
 * with its own address on a private subnet, linked by veth pairs to a bridge
 * in a namespace of its own. Nothing is added to the machine's own network
 * namespace, and hosts reach only each other (no route leaves the subnet).
 *
 * Namespaces are named `tfe-<label>-<pid>-<n>` after the process that made
 * them, so a later run can tell leftovers of a dead run (removed, with any
 * process still inside) from those of a run still going (left alone).
 * Needs root and iproute2; {@link namespaceSupport} says why not otherwise.
 */
import { execFileSync } from 'node:child_process';

/** One simulated host. */
export interface Host {
  /** Network namespace name (for `ip netns exec`). */
  readonly ns: string;
  /** Its address on the subnet. */
  readonly address: string;
}

export interface HostNetwork {
  readonly hosts: readonly Host[];
  /** The namespace holding the bridge (and `bridgeAddress`, if one was asked for). */
  readonly bridge: Host;
  /** Command and arguments running `command` inside `host`'s namespace. */
  exec(host: Host, command: readonly string[]): [string, string[]];
  /** Bytes received and sent on `host`'s link so far. */
  traffic(host: Host): { rx: number; tx: number };
  /** Ends every process left in the namespaces and removes them (their links go with them). */
  destroy(): void;
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Why namespaces cannot be made here, or undefined when they can (tried for real). */
export function namespaceSupport(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root, as CI does)';
  const probe = `tfe-probe-${process.pid}`;
  try {
    ip('-V');
  } catch {
    return "the 'ip' command (iproute2) is missing: apt-get install -y iproute2";
  }
  try {
    ip('netns', 'add', probe);
    ip('-n', probe, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
    return undefined;
  } catch (e) {
    return `cannot make a network namespace with a veth pair here: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`;
  } finally {
    try {
      ip('netns', 'del', probe);
    } catch {
      // never made
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeNamespace(ns: string): void {
  try {
    for (const pid of ip('netns', 'pids', ns).split('\n').filter((l) => /^\d+$/.test(l.trim()))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  } catch {
    // no such namespace any more
  }
  try {
    ip('netns', 'del', ns);
  } catch {
    // already removed
  }
}

/** Removes namespaces of `label` left by runs whose process is gone. Returns their names. */
export function removeLeftovers(label: string): string[] {
  const pattern = new RegExp(`^tfe-${label}-(\\d+)-\\w+$`);
  const stale = ip('netns', 'list')
    .split('\n')
    .map((l) => l.trim().split(/\s/)[0])
    .filter((ns) => {
      const m = pattern.exec(ns ?? '');
      return m !== null && (Number(m[1]) === process.pid || !alive(Number(m[1])));
    });
  stale.forEach(removeNamespace);
  return stale;
}

/**
 * `count` hosts with addresses `${subnet}.11`, `.12`, ... (subnet is the first
 * three octets of a /24), after removing leftovers of earlier runs. On any
 * failure what was made is removed before the error is thrown.
 */
export function createHostNetwork(label: string, subnet: string, count: number, options: { bridgeAddress?: string } = {}): HostNetwork {
  if (!/^[a-z]{1,8}$/.test(label)) throw new Error(`label must be 1-8 lowercase letters, got ${label}`);
  removeLeftovers(label);
  const name = (n: string): string => `tfe-${label}-${process.pid}-${n}`;
  const bridge: Host = { ns: name('br'), address: options.bridgeAddress ?? '' };
  const hosts: Host[] = Array.from({ length: count }, (_, i) => ({ ns: name(String(i)), address: `${subnet}.${11 + i}` }));
  const made: string[] = [];
  const destroy = (): void => {
    for (const ns of made.splice(0)) removeNamespace(ns);
  };
  try {
    ip('netns', 'add', bridge.ns);
    made.push(bridge.ns);
    ip('-n', bridge.ns, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', bridge.ns, 'link', 'set', 'br0', 'up');
    if (options.bridgeAddress !== undefined) ip('-n', bridge.ns, 'addr', 'add', `${options.bridgeAddress}/24`, 'dev', 'br0');
    hosts.forEach((h, i) => {
      ip('netns', 'add', h.ns);
      made.push(h.ns);
      // Both ends are made inside namespaces: nothing appears in the machine's own.
      ip('-n', bridge.ns, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      ip('-n', bridge.ns, 'link', 'set', `v${i}`, 'master', 'br0', 'up');
      ip('-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
      ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
      ip('-n', h.ns, 'link', 'set', 'lo', 'up'); // a host's connections to its own address go through lo
    });
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    hosts,
    bridge,
    exec: (host, command) => ['ip', ['netns', 'exec', host.ns, ...command]],
    traffic: (host) => {
      const stats = JSON.parse(ip('-n', host.ns, '-s', '-j', 'link', 'show', 'eth0')) as Array<{ stats64: { rx: { bytes: number }; tx: { bytes: number } } }>;
      return { rx: stats[0].stats64.rx.bytes, tx: stats[0].stats64.tx.bytes };
    },
    destroy,
  };
}
