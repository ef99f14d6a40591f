/**
 * Starting players as real processes for tests: `tfe player` (the TypeScript
 * CLI through tsx) for each name of a loopback hostmap, with their output
 * collected, and every child killed when the test ends, pass or fail.
 */
import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loopbackHostmap, TEST_SECRET } from './net.js';

export const NODE_ARGS = ['--import=tsx', '--conditions=tfe-source'];
export const CLI = path.resolve('src/cli/main.ts');

export interface PlayerRun {
  readonly name: string;
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Exit code (null when ended by a signal) and when, once exited. */
  readonly exit: Promise<{ code: number | null; at: number }>;
}

/** Spawns a node child running the TypeScript CLI; it is killed when the test ends. */
export function spawnCli(t: ExecutionContext, args: string[], env: NodeJS.ProcessEnv = {}, name = 'cli'): PlayerRun {
  const child = spawn(process.execPath, [...NODE_ARGS, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const run: PlayerRun = {
    name,
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() }))),
  };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return run;
}

/**
 * Runs `script` as players of a fresh loopback hostmap of `names`, one `tfe
 * player` process each: those of `start` (default all), each with `env` and
 * its own `envOf[name]`.
 */
export async function startPlayers(
  t: ExecutionContext,
  script: string,
  names: readonly string[],
  env: NodeJS.ProcessEnv = {},
  start: readonly string[] = names,
  envOf: Record<string, NodeJS.ProcessEnv> = {},
): Promise<PlayerRun[] & { ports: number[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hostmap = path.join(dir, 'hostmap.json');
  const players = (await loopbackHostmap(names)).players;
  writeFileSync(hostmap, JSON.stringify({ players }));
  const runs = start.map((name) => spawnCli(t, ['player', '--config', hostmap, '--name', name, script], { TFE_SECRET: TEST_SECRET, ...env, ...envOf[name] }, name));
  return Object.assign(runs, { ports: players.map((p) => p.port) });
}

/**
 * Resolves, with the time it saw it, when `run` has printed a line matching `re`
 * on `stream` (stdout by default; polled every 10 ms); rejects if it exits first.
 */
export function waitForLine(run: PlayerRun, re: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<number> {
  let exited = false;
  void run.exit.then(() => (exited = true));
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (re.test(run[stream])) resolve(Date.now());
      else if (exited) reject(new Error(`${run.name} exited without printing ${re}: ${run.stderr.slice(-2000)}`));
      else setTimeout(check, 10);
    };
    check();
  });
}
