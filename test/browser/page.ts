/**
 * The browser side of the browser test, bundled by esbuild for the browser
 * from the built package: runs the seeded matmul (every share computed by
 * the ring's WebAssembly kernels, embedded in the bundle) and says which
 * randomness ran (it counts WebCrypto AES calls).
 */
import * as tfe from 'tfjs-encrypted';
import { seededMatmul, type MatmulResult } from './program.js';

export interface PageReport extends MatmulResult {
  /** crypto.subtle.encrypt calls during the run: the portable PRG at work. */
  encryptCalls: number;
  /** Whether `process` exists here (it must not: this is a browser). */
  hasProcess: boolean;
  /** What constructing a Pond with comparison: 'fss' said here (WebCrypto has no single-block AES). */
  fssRefusal: string;
}

function fssRefusal(): string {
  try {
    new tfe.protocol.Pond(tfe.LocalConfig(['server0', 'server1', 'crypto-producer']), { servers: ['server0', 'server1'], cryptoProducer: 'crypto-producer' }, { comparison: 'fss' });
    return 'accepted';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

async function run(seed: string): Promise<PageReport> {
  const subtle = globalThis.crypto.subtle;
  const encrypt = subtle.encrypt.bind(subtle);
  let encryptCalls = 0;
  subtle.encrypt = (...args: Parameters<SubtleCrypto['encrypt']>) => {
    encryptCalls++;
    return encrypt(...args);
  };
  try {
    const result = await seededMatmul(tfe, seed);
    return { ...result, encryptCalls, hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined', fssRefusal: fssRefusal() };
  } finally {
    subtle.encrypt = encrypt;
  }
}

(globalThis as { tfeRun?: typeof run }).tfeRun = run;
