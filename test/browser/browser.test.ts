/**
 * tfjs-encrypted in a browser (npm run test:browser): the built package is
 * bundled by esbuild for the browser, the bundle must import nothing of
 * Node, and headless Chromium (Debian's, driven by playwright-core; see
 * scripts/ensure-chromium.mjs) runs a seeded private computation (two
 * matmuls and a relu, test/browser/program.ts) with every player in the page. Its PRG is WebCrypto's AES-CTR; Node's is node:crypto. The
 * revealed values must be the same bits as the same seeded computation in
 * Node: truncation is stochastic rounding, so they depend on every PRG word.
 */
import test from 'ava';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import * as tfe from '../../src/index.js';
import { describeRun, run } from '../helpers/exec.js';
import type { PageReport } from './page.js';
import { plainResult, seededMatmul } from './program.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.TFE_CHROMIUM ?? '/usr/bin/chromium';
const MINUTE = 60_000;
const SEED = 'browser-test';

/** Imports of Node built-ins that a browser cannot satisfy, in any of the forms a bundle may keep them. */
const NODE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'](?:node:[\w/]+|(?:fs|path|crypto|http|https|net|os|child_process|url|util|worker_threads|stream|zlib)(?:\/[\w/]*)?)["']/;

let bundle = '';
let metafileInputs: string[] = [];
let externalImports: string[] = [];

test.before(async () => {
  // The bundle is made from dist/, as a user's bundler would see the package.
  const built = await run('npm', ['run', 'build'], { cwd: REPO, timeoutMs: 5 * MINUTE });
  if (built.code !== 0) throw new Error(describeRun('npm run build', built));
  const result = await build({
    entryPoints: [path.join(REPO, 'test/browser/page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0].text;
  metafileInputs = Object.keys(result.metafile.inputs);
  externalImports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.filter((imp) => imp.external === true).map((imp) => imp.path));
});

test('the browser bundle is made from the built package and leaves no import of Node built-ins', (t) => {
  t.true(metafileInputs.includes('dist/index.js'), 'tfjs-encrypted resolved to dist/index.js');
  t.deepEqual(metafileInputs.filter((f) => f.startsWith('src/') || f.startsWith('node:')), []);
  t.deepEqual(externalImports, []);
  t.false(NODE_IMPORT.test(bundle), `a Node import is left: ${NODE_IMPORT.exec(bundle)?.[0]}`);
  // Node-only modules are not in it at all.
  t.deepEqual(metafileInputs.filter((f) => /dist\/(node|models\/io|models\/node|network\/(node|remote-config|socket-transport|tfe-environment))\.js$/.test(f)), []);
  // The WebAssembly kernels travel inside the bundle.
  t.true(metafileInputs.includes('dist/ring/wasm/kernels.generated.js'));
});

test('headless Chromium runs the bundle: a seeded private relu(x w) v with the WebCrypto PRG reveals the same bits as Node', async (t) => {
  const ensured = await run(process.execPath, [path.join(REPO, 'scripts/ensure-chromium.mjs')], { cwd: REPO, timeoutMs: 10 * MINUTE });
  t.is(ensured.code, 0, describeRun('ensure-chromium', ensured));

  const html = '<!doctype html><meta charset="utf-8"><title>tfjs-encrypted</title><script type="module" src="/bundle.js"></script>';
  const server: Server = createServer((req, res) => {
    if (req.url === '/bundle.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (req.url === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: MINUTE });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    // 127.0.0.1 is a secure context, so WebCrypto's subtle API is there.
    await page.goto(`http://127.0.0.1:${port}/`, { timeout: MINUTE });
    await page.waitForFunction(() => typeof (globalThis as { tfeRun?: unknown }).tfeRun === 'function', undefined, { timeout: MINUTE });
    const inBrowser = await Promise.race([
      page.evaluate((seed) => (globalThis as unknown as { tfeRun: (s: string) => Promise<PageReport> }).tfeRun(seed), SEED),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the page did not finish in 2 minutes; ${problems.join('; ')}`)), 2 * MINUTE).unref()),
    ]);
    t.deepEqual(problems, []);
    t.false(inBrowser.hasProcess, 'a browser has no process object');
    t.true(inBrowser.encryptCalls > 0, 'the PRG ran on WebCrypto');
    t.regex(inBrowser.fssRefusal, /^ConfigError: Pond: comparisons by function secret sharing need node:crypto/, 'fss is refused at construction where there is no single-block AES');

    const inNode = await seededMatmul(tfe, SEED);
    t.deepEqual(inBrowser.shape, [6, 3]);
    t.is(inBrowser.bits, inNode.bits, 'the browser and Node reveal the same float64 bits');
    // Sanity: it is the product (16 fractional bits, stochastic rounding), and seeds matter.
    const plain = plainResult();
    t.true(inBrowser.values.every((v, i) => Math.abs(v - plain[i]) < 1e-3), 'within 1e-3 of the float64 result');
    t.not((await seededMatmul(tfe, `${SEED}-other`)).bits, inNode.bits, 'another seed rounds differently');
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
