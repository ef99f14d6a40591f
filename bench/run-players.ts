/**
 * Runs a benchmark program (bench/programs/) in one process or as one process
 * per player (`tfe run`), and merges the `BENCH {json}` lines its processes
 * print: bytes summed over processes, rounds the largest, the time from the
 * process whose line carries it (one per program).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface RunResult {
  /** Median time of a run (ms). */
  readonly ms: number;
  /** 90th percentile (ms), when the program reports it. */
  readonly p90Ms?: number;
  readonly bytes: number;
  readonly rounds: number;
  /** CPU time (user + system, ms) per run summed over the processes, when every process reports it. */
  readonly cpuMs?: number;
}

interface BenchLine {
  players: string[];
  bytesPerRun: number;
  rounds: number;
  ms?: number;
  p90Ms?: number;
  cpuMsPerRun?: number;
}

/** Runs `program` of the checkout at `cwd` (default: this one; another lets a bench time an older checkout beside it). */
export async function runProgram(program: string, mode: 'one process' | 'processes', env: Record<string, string>, cwd = process.cwd()): Promise<RunResult> {
  const node = ['--import=tsx', '--conditions=tfe-source'];
  const args = mode === 'processes' ? [...node, path.resolve(cwd, 'src/cli/main.ts'), 'run', program] : [...node, program];
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${program} (${mode}) failed with code ${code}:\n${out.slice(-2000)}\n${err.slice(-2000)}`);
  return mergeBenchLines(out, `${program} (${mode})`);
}

/** Merges the `BENCH {json}` lines of every process of one run (their output concatenated); `label` names the run in errors. */
export function mergeBenchLines(out: string, label: string): RunResult {
  const lines = out.split('\n').map((l) => l.match(/BENCH (\{.*\})/)?.[1]).filter((l): l is string => l !== undefined).map((l) => JSON.parse(l) as BenchLine);
  const timed = lines.find((l) => l.ms !== undefined);
  if (timed?.ms === undefined) throw new Error(`${label}: no timing line in:\n${out.slice(-2000)}`);
  const cpuMs = lines.every((l) => l.cpuMsPerRun !== undefined) ? lines.reduce((a, l) => a + (l.cpuMsPerRun ?? 0), 0) : undefined;
  return { ms: timed.ms, p90Ms: timed.p90Ms, bytes: lines.reduce((a, l) => a + l.bytesPerRun, 0), rounds: Math.max(...lines.map((l) => l.rounds)), cpuMs };
}
