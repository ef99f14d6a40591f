// The browser bundle of the built package (npm run build runs this after tsc):
// dist/browser/tfjs-encrypted.js, one ES module of the browser-safe entry
// (dist/index.js) with its dependencies (socket.io-client, zod), for a
// <script type="module"> or an import. @tensorflow/tfjs stays an import: the
// page maps it (an import map) to the one tfjs it uses itself, so tensors
// cross between the page and tfjs-encrypted (one tfjs, one Tensor class).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = await build({
  absWorkingDir: root,
  entryPoints: ['dist/index.js'],
  outfile: 'dist/browser/tfjs-encrypted.js',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  external: ['@tensorflow/tfjs'],
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)?.bytes ?? 0;
console.log(`build-browser: dist/browser/tfjs-encrypted.js (${(bytes / 1024).toFixed(0)} KiB; @tensorflow/tfjs external)`);
