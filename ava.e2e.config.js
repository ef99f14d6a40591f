// ava configuration of the end-to-end checks that build, pack and bundle the
// package (npm run test:package, npm run test:browser, npm run test:browser-digit): slow, so kept out of
// `npm test`, whose configuration is the "ava" key of package.json.
export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx', '--conditions=tfe-source'],
  files: ['test/package/**/*.test.ts', 'test/browser/**/*.test.ts', 'test/serving/**/*.e2e.ts'],
  timeout: '10m',
  workerThreads: false,
};
