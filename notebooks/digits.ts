/**
 * Real MNIST digits for the notebooks, read from the `mnist` package's digit
 * files (`<dir>/0.json` ... `9.json`, grey levels in [0, 1]). Image i of the
 * result is the (i / 10)-th image of label i mod 10, so every class appears.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `count` images as flat row-major pixels (count x 784) and their labels. */
export interface Digits {
  readonly pixels: Float32Array;
  readonly labels: number[];
}

/** Reads `count` digits from `dir` (pass `offset` to take images after the first `offset` per class). */
export function loadDigits(dir: string, count: number, offset = 0): Digits {
  const files = [...Array(10).keys()].map((label) => {
    const parsed = JSON.parse(readFileSync(join(dir, `${label}.json`), 'utf8')) as { data: number[] };
    return parsed.data;
  });
  const pixels = new Float32Array(count * 784);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 10, k = offset + Math.floor(i / 10);
    pixels.set(files[label].slice(k * 784, (k + 1) * 784), i * 784);
    labels.push(label);
  }
  return { pixels, labels };
}
