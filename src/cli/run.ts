/**
 * `tfe run script.ts`: every player of the script's `LocalConfig` in its own
 * process on loopback. The launcher learns the player names by running the
 * script once in discovery mode, takes a free port per player, writes a
 * hostmap (readable by this user only) and a fresh secret (passed in the
 * environment), starts `tfe player` for each name with its output prefixed by
 * the name, and exits non-zero if any player fails. When one fails, the
 * others are stopped at once (SIGTERM: they tell their peers and exit; SIGKILL
 * after a grace period), and the temporary folder is removed in every case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError } from '../errors.js';
import { checkPlayerNames } from '../network/node.js';
import { freePorts } from './free-ports.js';
import { withHugePages } from './malloc-env.js';

export interface RunArgs {
  readonly script: string;
  readonly scriptArgs: readonly string[];
  /** After the first player fails and the others are told to stop (SIGTERM), how long before they are killed (ms). */
  readonly killAfterMs: number;
}

/** How to start this CLI again in a child process (same Node flags, same entry file). */
function cliCommand(args: readonly string[]): [string, string[]] {
  return [process.execPath, [...process.execArgv, process.argv[1], ...args]];
}

/** Collects a child's output line by line with a prefix, so players' lines never interleave mid-line. */
function prefixLines(child: ChildProcess, label: string): Promise<void> {
  const pipe = (from: NodeJS.ReadableStream | null, to: NodeJS.WriteStream): Promise<void> =>
    new Promise((resolve) => {
      if (from === null) return resolve();
      const rl = createInterface({ input: from, crlfDelay: Infinity });
      rl.on('line', (line) => to.write(`[${label}] ${line}\n`));
      rl.on('close', () => resolve());
    });
  return Promise.all([pipe(child.stdout, process.stdout), pipe(child.stderr, process.stderr)]).then(() => undefined);
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Runs the script in discovery mode and returns its LocalConfig's player names. */
async function discoverPlayers(script: string, dir: string): Promise<string[]> {
  const out = path.join(dir, 'players.json');
  const [cmd, args] = cliCommand(['discover', script, out]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TFE_HOSTMAP: '', TFE_PLAYER: '' } });
  const output = prefixLines(child, 'discover');
  const { code } = await exited(child);
  await output;
  let names: unknown;
  try {
    names = (JSON.parse(readFileSync(out, 'utf8')) as { players?: unknown }).players;
  } catch {
    throw new ConfigError(`could not learn the players of ${script}: it must create a tfe.LocalConfig before anything else fails (discovery exited with ${code})`);
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new ConfigError(`discovery of ${script} returned no list of names`);
  checkPlayerNames(names as string[], 'tfe run');
  return names as string[];
}

export async function runCommand(args: RunArgs): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-run-'));
  const children = new Map<string, ChildProcess>();
  const forward = (signal: NodeJS.Signals): void => {
    for (const c of children.values()) c.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const names = await discoverPlayers(args.script, dir);
    const ports = await freePorts(names.length);
    const hostmapFile = path.join(dir, 'hostmap.json');
    const hostmap = { players: names.map((name, i) => ({ name, host: '127.0.0.1', port: ports[i] })), session: `run-${randomBytes(8).toString('hex')}` };
    writeFileSync(hostmapFile, JSON.stringify(hostmap, null, 2), { mode: 0o600 });
    // A fresh secret for this run, in the children's environment only.
    const env = withHugePages({ ...process.env, TFE_SECRET: randomBytes(32).toString('hex'), TFE_SECRET_FILE: '' });
    console.error(`tfe run: ${names.length} players on 127.0.0.1 (${names.map((n, i) => `${n}:${ports[i]}`).join(', ')})`);

    let killTimer: ReturnType<typeof setTimeout> | undefined;
    let stopping = false;
    const results = await Promise.all(
      names.map(async (name) => {
        const [cmd, cliArgs] = cliCommand(['player', '--config', hostmapFile, '--name', name, args.script, ...args.scriptArgs]);
        const child = spawn(cmd, cliArgs, { stdio: ['ignore', 'pipe', 'pipe'], env });
        children.set(name, child);
        const output = prefixLines(child, name);
        const r = await exited(child);
        children.delete(name);
        if (r.code !== 0 && !stopping) {
          // The computation failed: the others stop now (they tell their peers the root cause and
          // exit), rather than each discovering it within its timeout.
          stopping = true;
          console.error(`tfe run: ${name} exited with code ${r.code ?? r.signal}; stopping the other players`);
          forward('SIGTERM');
          killTimer = setTimeout(() => forward('SIGKILL'), args.killAfterMs);
          killTimer.unref();
        }
        await output;
        return { name, ...r };
      }),
    );
    clearTimeout(killTimer);
    const failed = results.filter((r) => r.code !== 0);
    // A player ended by the signal sent to stop it may have been exiting by itself already (the
    // signal then lands during its exit): either way it was stopped because another one failed.
    const how = (r: (typeof results)[number]): string =>
      r.signal === null ? `exited with code ${r.code}` : stopping && (r.signal === 'SIGTERM' || r.signal === 'SIGKILL') ? `was stopped (${r.signal})` : `was ended by ${r.signal}`;
    for (const r of failed) console.error(`tfe run: ${r.name} ${how(r)}`);
    if (failed.length === 0) console.error(`tfe run: all ${names.length} players finished`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    rmSync(dir, { recursive: true, force: true });
  }
}
