import test from 'ava';
import { ConfigError } from '../../src/errors.js';
import { tunePlayerHeap } from '../../src/cli/heap.js';
import { spawnCli } from '../helpers/players.js';

test('TFE_HEAP_GROWING_PERCENT: integers from 0 to 1000 are accepted, anything else is a clear error', (t) => {
  for (const value of [undefined, '', '0', '100', '1000']) t.notThrows(() => tunePlayerHeap({ TFE_HEAP_GROWING_PERCENT: value }), `value ${value}`);
  for (const value of ['-1', '1001', '2.5', 'lots', '1e9']) {
    const e = t.throws(() => tunePlayerHeap({ TFE_HEAP_GROWING_PERCENT: value }), { instanceOf: ConfigError });
    t.is(e?.message, `TFE_HEAP_GROWING_PERCENT must be an integer from 0 to 1000, got '${value}'`);
  }
  // 0 is V8's own default: the tests after this one in this worker see no change.
  tunePlayerHeap({ TFE_HEAP_GROWING_PERCENT: '0' });
});

test('tfe serve and tfe player apply the heap policy first: a bad TFE_HEAP_GROWING_PERCENT stops them with its message', async (t) => {
  const env = { TFE_HEAP_GROWING_PERCENT: 'lots', TFE_SECRET: 'x'.repeat(64) };
  const runs = [
    spawnCli(t, ['serve', '--config', 'no-such-hostmap.json', '--name', 'server0'], env, 'serve'),
    spawnCli(t, ['player', '--config', 'no-such-hostmap.json', '--name', 'server0', 'no-such-script.ts'], env, 'player'),
  ];
  for (const run of runs) {
    const { code } = await run.exit;
    t.is(code, 1, `${run.name}: ${run.stderr}`);
    t.regex(run.stderr, /tfe: TFE_HEAP_GROWING_PERCENT must be an integer from 0 to 1000, got 'lots'/, run.name);
  }
});
