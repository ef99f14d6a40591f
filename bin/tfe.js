#!/usr/bin/env node
// The `tfe` command. An installed package (under node_modules) runs the built
// CLI (dist/) and loads TypeScript programs with tsx; a source checkout runs
// the TypeScript CLI with tsx and the 'tfe-source' export condition, so that
// 'tfjs-encrypted' means src/ (its dist/, built by npm install, may be stale).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli/main.js', import.meta.url);
const installed = fileURLToPath(import.meta.url).split(path.sep).includes('node_modules');
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (existsSync(fileURLToPath(dist)) && (installed || !existsSync(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(dist.href);
  const { exitWhenIdle } = await import(new URL('../dist/cli/script.js', import.meta.url).href);
  exitWhenIdle(await main(process.argv.slice(2)), process.env.TFE_PLAYER || 'tfe');
} else {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=tfe-source', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}
