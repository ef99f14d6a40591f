/**
 * The browser-digit example in one command (`npm run example:browser-digit`):
 * a prediction service on this machine (three `tfe serve` processes: two
 * servers and the crypto producer, on 127.0.0.1), the model owner sharing
 * models/mnist-mlp once (`tfe share-model`), and a tiny static server for the
 * page next to them. Open the printed address, draw a digit, press Predict.
 *
 * The static server serves the page, the browser bundle built by
 * `npm run build` (dist/browser/tfjs-encrypted.js), tfjs's ES module, and
 * /config.json: the two servers' client endpoints. PORT changes its port
 * (default 8080).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
// The launcher's port picker: ports no other process takes before the players bind them.
import { freePorts } from '../../src/cli/free-ports.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = path.resolve(HERE, '../..');
const TFE = path.join(REPO, 'bin/tfe.js');
const BUNDLE = path.join(REPO, 'dist/browser/tfjs-encrypted.js');
const TFJS = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json')), 'dist/tf.fesm.min.js');

export interface Demo {
  /** The page's address. */
  readonly url: string;
  /** The two servers' client endpoints. */
  readonly servers: readonly [string, string];
  /** Stops the static server and the service's processes. */
  close(): Promise<void>;
}

export interface DemoOptions {
  /** Port of the page (0: any free one). */
  readonly port?: number;
  readonly log?: (line: string) => void;
}

/** Starts everything; resolves once the model is shared and the page is served. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!existsSync(BUNDLE)) throw new Error(`${path.relative(REPO, BUNDLE)} is missing: run npm run build first`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-browser-digit-'));
  const children: ChildProcess[] = [];
  let server: Server | undefined;
  const close = async (): Promise<void> => {
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    await Promise.all(children.map((c) => new Promise((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve(undefined);
      c.once('exit', resolve);
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 5_000).unref();
    })));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = await freePorts(6);
    const names = ['server0', 'server1', 'crypto-producer', 'model-owner'];
    const hostmap = {
      players: names.map((name, i) => ({ name, host: '127.0.0.1', port: ports[i] })),
      serving: { clients: { server0: ports[4], server1: ports[5] }, sharesDir: 'shares', inputRange: [0, 1] },
    };
    const hostmapFile = path.join(dir, 'hostmap.json');
    writeFileSync(hostmapFile, JSON.stringify(hostmap, null, 2), { mode: 0o600 });
    // A fresh secret for the players of this demo, in their environment only.
    const env = { ...process.env, TFE_SECRET: randomBytes(32).toString('hex'), TFE_SECRET_FILE: '' };
    const run = (label: string, args: string[]): ChildProcess => {
      const child = spawn(process.execPath, [TFE, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
      for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => log(`[${label}] ${line}`));
      children.push(child);
      return child;
    };
    for (const name of names.slice(0, 3)) run(name, ['serve', '--config', hostmapFile, '--name', name]);
    const owner = run('model-owner', ['share-model', '--model', path.join(REPO, 'models/mnist-mlp'), '--config', hostmapFile, '--name', 'model-owner']);
    const code = await new Promise<number | null>((resolve) => owner.once('exit', resolve));
    if (code !== 0) throw new Error(`tfe share-model exited with code ${code}`);

    const servers = [`http://127.0.0.1:${ports[4]}`, `http://127.0.0.1:${ports[5]}`] as const;
    const files: Record<string, [string, string]> = {
      '/': [path.join(HERE, 'index.html'), 'text/html; charset=utf-8'],
      '/app.js': [path.join(HERE, 'app.js'), 'text/javascript'],
      '/tfjs-encrypted.js': [BUNDLE, 'text/javascript'],
      '/tfjs-encrypted.js.map': [`${BUNDLE}.map`, 'application/json'],
      '/tf.js': [TFJS, 'text/javascript'],
    };
    const config = JSON.stringify({ servers });
    server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (url === '/config.json') return void res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(config);
      const file = files[url];
      if (url === '/favicon.ico') return void res.writeHead(204).end();
      if (file === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(file[0]));
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(options.port ?? 8080, '127.0.0.1', () => resolve());
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return { url, servers, close };
  } catch (e) {
    await close();
    throw e;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const demo = await startDemo({ port: Number(process.env.PORT ?? 8080) });
  console.log(`\nopen ${demo.url} and draw a digit (Ctrl-C stops the demo)\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void demo.close().then(() => process.exit(0));
    });
  }
}
