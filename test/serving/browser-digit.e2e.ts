/**
 * The browser-digit example in headless Chromium (npm run test:browser-digit,
 * after npm run build): the example's service and page are started as a user
 * starts them; the test draws real MNIST test digits on the page's pad with
 * mouse strokes, presses Predict, and checks each private prediction against
 * the plaintext model on the very image the page sent (its 28 x 28 grey
 * levels), and the probability bars against the logits.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadTfjs } from '../../src/models/node.js';
import { loadMnist } from '../../models/data.js';
import { startDemo, type Demo } from '../../examples/browser-digit/start.js';
import { describeRun, run } from '../helpers/exec.js';

tf.env().set('PROD', true);

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.TFE_CHROMIUM ?? '/usr/bin/chromium';
const MINUTE = 60_000;

interface PageResult {
  runs: number;
  input?: number[];
  logits?: number[];
  probabilities?: number[];
  prediction?: number;
  ms?: number;
  error?: string;
}

/** Draws a 28 x 28 digit with the mouse: one horizontal stroke per run of bright pixels in each row. */
async function draw(page: Page, pixels: Float32Array): Promise<void> {
  const box = await page.locator('#pad').boundingBox();
  if (box === null) throw new Error('the pad is not visible');
  const scale = box.width / 28;
  const at = (x: number, y: number): [number, number] => [box.x + (x + 0.5) * scale, box.y + (y + 0.5) * scale];
  for (let y = 0; y < 28; y++) {
    let x = 0;
    while (x < 28) {
      if (pixels[y * 28 + x] < 0.5) {
        x++;
        continue;
      }
      const start = x;
      while (x < 28 && pixels[y * 28 + x] >= 0.5) x++;
      await page.mouse.move(...at(start, y));
      await page.mouse.down();
      await page.mouse.move(...at(x - 1, y), { steps: Math.max(1, x - start) });
      await page.mouse.up();
    }
  }
}

test('a person drawing real MNIST digits on the page gets the private prediction the plaintext model gives, with its probabilities', async (t) => {
  const ensured = await run(process.execPath, [path.join(REPO, 'scripts/ensure-chromium.mjs')], { cwd: REPO, timeoutMs: 10 * MINUTE });
  t.is(ensured.code, 0, describeRun('ensure-chromium', ensured));
  const lines: string[] = [];
  let demo: Demo | undefined;
  let browser: Browser | undefined;
  try {
    demo = await startDemo({ port: 0, log: (l) => lines.push(l) });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: MINUTE });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    await page.goto(demo.url, { timeout: MINUTE });
    await page.waitForFunction(() => (globalThis as { tfeDigitReady?: boolean }).tfeDigitReady !== undefined, undefined, { timeout: 2 * MINUTE });
    t.true(await page.evaluate(() => (globalThis as { tfeDigitReady?: boolean }).tfeDigitReady === true), await page.locator('#status').innerText());

    const plain = await loadTfjs('models/mnist-mlp');
    const { test: digits } = loadMnist();
    // The first held-out digit of each class.
    const picks = Array.from({ length: 10 }, (_, label) => digits.labels.indexOf(label));
    let rightLabel = 0;
    for (const [n, k] of picks.entries()) {
      await page.click('#clear');
      await draw(page, digits.pixels.subarray(k * 784, (k + 1) * 784));
      await page.click('#predict');
      await page.waitForFunction((runs) => ((globalThis as { tfeDigit?: PageResult }).tfeDigit?.runs ?? 0) > runs, n, { timeout: MINUTE });
      const r = await page.evaluate(() => (globalThis as unknown as { tfeDigit: PageResult }).tfeDigit);
      t.is(r.error, undefined);
      const want = tf.tidy(() => (plain.predict(tf.tensor(r.input!, [1, 784])) as tf.Tensor).dataSync());
      const wantClass = want.indexOf(Math.max(...want));
      t.is(r.prediction, wantClass, `digit ${digits.labels[k]}: the private prediction is the plaintext model's on the page's image`);
      t.true(r.logits!.every((v, i) => Math.abs(v - want[i]) < 0.05), `digit ${digits.labels[k]}: logits within 0.05 of plaintext`);
      // The bars show the softmax of the logits, the largest on the prediction.
      const bars = await page.locator('#chart li').evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.probability)));
      t.true(Math.abs(bars.reduce((a, b) => a + b, 0) - 1) < 1e-6);
      t.is(bars.indexOf(Math.max(...bars)), r.prediction as number);
      t.is(await page.locator('#answer').innerText(), String(r.prediction));
      if (r.prediction === digits.labels[k]) rightLabel += 1;
      t.log(`digit ${digits.labels[k]}: predicted ${r.prediction} (${(100 * r.probabilities![r.prediction!]).toFixed(0)}%) in ${r.ms!.toFixed(0)} ms`);
    }
    t.true(rightLabel >= 8, `${rightLabel} of 10 drawn digits recognised as their label`);
    t.deepEqual(problems, []);
  } catch (e) {
    t.log(lines.slice(-40).join('\n'));
    throw e;
  } finally {
    await browser?.close();
    await demo?.close();
  }
});
