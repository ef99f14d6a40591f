import test from 'ava';
import { ConfigError } from '../../src/errors.js';
import { tunePlayerHeap } from '../../src/cli/heap.js';

test('TFE_HEAP_GROWING_PERCENT: integers from 0 to 1000 are accepted, anything else is a clear error', (t) => {
  for (const value of [undefined, '', '0', '100', '1000']) t.notThrows(() => tunePlayerHeap({ TFE_HEAP_GROWING_PERCENT: value }), `value ${value}`);
  for (const value of ['-1', '1001', '2.5', 'lots', '1e9']) {
    const e = t.throws(() => tunePlayerHeap({ TFE_HEAP_GROWING_PERCENT: value }), { instanceOf: ConfigError });
    t.is(e?.message, `TFE_HEAP_GROWING_PERCENT must be an integer from 0 to 1000, got '${value}'`);
  }
  // 0 is V8's own default: the tests after this one in this worker see no change.
  tunePlayerHeap({ TFE_HEAP_GROWING_PERCENT: '0' });
});
