// Import boundaries of docs/architecture.md: each folder of src/ imports only
// from the folders below it. errors.ts is the bottom of every layer.
const LAYERS = ['ring', 'crypto', 'network', 'protocol', 'autodiff', 'layers', 'models', 'serving', 'cli'];

const forbidden = LAYERS.map((layer, i) => ({
  name: `${layer}-imports-below-only`,
  comment: `src/${layer} may import only from the layers below it: ${LAYERS.slice(0, i).join(', ') || '(none)'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i).filter((l) => l !== layer).join('|')})/` },
}));

forbidden.push({
  name: 'errors-imports-nothing',
  severity: 'error',
  from: { path: '^src/errors\\.ts$' },
  to: { path: '^src/' },
});
// Autodiff, layers and models program against the protocol interface
// (src/protocol/api), never against a protocol's implementation.
forbidden.push({
  name: 'layers-models-use-the-protocol-interface',
  comment: 'src/autodiff, src/layers and src/models may import from src/protocol only its interface, src/protocol/api/',
  severity: 'error',
  from: { path: '^src/(autodiff|layers|models)/' },
  to: { path: '^src/protocol/(?!api/)' },
});
// No cycle of any kind, type-only imports included.
forbidden.push({
  name: 'no-circular',
  severity: 'error',
  from: {},
  to: { circular: true },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: 'src/ring/wasm/kernels\\.generated\\.ts' },
  },
};
