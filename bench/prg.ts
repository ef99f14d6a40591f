/**
 * The seeded PRG: time to expand one stream of n words, on node:crypto (the
 * default in Node: an ECB cipher kept per key below SMALL_WORDS words, a CTR
 * cipher per stream above) and on WebCrypto (what browsers run; here Node's
 * own WebCrypto), round-robin, median of ROUNDS. Each call expands a fresh
 * stream of one key, as the protocol does.
 *
 * Also runs against an older checkout whose Prg had no backends (its column
 * is then node:crypto only), to compare the code before and after a change:
 *   npx tsx --conditions=tfe-source bench/prg.ts
 *
 * Run: npm run bench:prg
 */
import * as crypto from '../src/crypto/index.js';
import { fmtMs, interleaved, machine, table, type Contender } from './util.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const SIZES = [16, 1024, 8192, 65_536, 1 << 20, 1 << 23];
/** Calls per timed run, so that short streams take a measurable time. */
const callsFor = (n: number): number => Math.max(1, Math.floor(2 ** 20 / n));

const seed = Uint8Array.from({ length: 16 }, (_, i) => i * 11);
type Backend = ConstructorParameters<typeof crypto.Prg>[1];
const backends: Record<string, Backend> = { 'node:crypto': undefined };
if (typeof crypto.webCryptoBackend === 'function') backends.webcrypto = crypto.webCryptoBackend();

console.log(`Prg.words(stream, n): median over ${ROUNDS} interleaved rounds of one call per fresh stream; us per call and MB/s`);
console.log(`${machine()}\n`);
const rows: string[][] = [];
for (const n of SIZES) {
  const calls = callsFor(n);
  const contenders: Record<string, Contender> = {};
  for (const [name, backend] of Object.entries(backends)) {
    const prg = new crypto.Prg(seed, backend);
    let stream = 0n;
    contenders[name] = async () => {
      for (let c = 0; c < calls; c++) await prg.words(stream++, n);
    };
  }
  const ms = await interleaved(contenders, ROUNDS, 2);
  const cells = Object.keys(backends).flatMap((name) => {
    const us = (ms[name] * 1000) / calls;
    return [us < 100 ? us.toFixed(2) : fmtMs(us), ((8 * n) / us).toFixed(0)];
  });
  rows.push([String(n), ...cells]);
}
table(['words', ...Object.keys(backends).flatMap((b) => [`${b} us`, `${b} MB/s`])], rows);
