// AVA configuration of `npm run test:hosts` (tests with network namespaces, root only).
// `npm test` leaves test/hosts out (package.json); this runs only test/hosts, one file at a time.
export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx', '--conditions=tfe-source'],
  files: ['test/hosts/**/*.test.ts'],
  timeout: '5m',
  workerThreads: false,
  concurrency: 1,
};
