/**
 * Which {@link CryptoBackend} runs: `node:crypto` wherever Node's
 * `process.getBuiltinModule` offers it (Node >= 20.16, Deno, Bun), WebCrypto
 * everywhere else (browsers). Chosen once, at the first use.
 *
 * Why at run time rather than with an `imports` map or from the node entry
 * (docs/architecture.md, "Randomness"): one build serves every platform, no
 * `node:` import appears in any module (bundlers for the browser have nothing
 * to stub, and need no export condition), every tool (tsx, tsc, esbuild,
 * webpack, plain Node on dist/) resolves the same files, the choice needs no
 * top-level await (so `require()` of the package works), and a program that
 * imports only `tfjs-encrypted` in Node still gets the fast path.
 */
import { type CryptoBackend } from './backend.js';
import { nodeCryptoBackend, type NodeCryptoModule } from './node-backend.js';
import { webCryptoBackend } from './webcrypto-backend.js';

/** Node's `process`, as far as this file uses it; absent in browsers. */
interface ProcessWithBuiltins {
  getBuiltinModule?(id: string): unknown;
}

let chosen: CryptoBackend | undefined;

/** `node:crypto` if the runtime offers it without an import, else undefined. */
export function builtinNodeCrypto(): NodeCryptoModule | undefined {
  const proc = (globalThis as { process?: ProcessWithBuiltins }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return undefined;
  let mod: unknown;
  try {
    mod = proc.getBuiltinModule('node:crypto');
  } catch {
    // A runtime that refuses the module (a permission model, a partial Node emulation): WebCrypto then.
    return undefined;
  }
  return mod === undefined || mod === null ? undefined : (mod as NodeCryptoModule);
}

/** The backend of this runtime: node:crypto in Node, WebCrypto elsewhere. */
export function defaultCryptoBackend(): CryptoBackend {
  if (chosen === undefined) {
    const node = builtinNodeCrypto();
    chosen = node === undefined ? webCryptoBackend() : nodeCryptoBackend(node);
  }
  return chosen;
}
