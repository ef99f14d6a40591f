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

// tfjs-encrypted (src/index.ts) runs in browsers: nothing it reaches may be a
// Node built-in or a Node-only module (those are for src/node.ts).
forbidden.push({
  name: 'browser-entry-no-node',
  comment: 'src/index.ts must stay browser-safe: import Node built-ins only from modules that src/node.ts adds',
  severity: 'error',
  from: { path: '^src/index\\.ts$' },
  to: { reachable: true, path: ['^node:', '^(fs|path|crypto|http|https|net|os|url|util|child_process|readline)$', 'node_modules/(socket\\.io|engine\\.io|ws|tsx)/', '^src/node\\.ts$', '^src/cli/'] },
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
