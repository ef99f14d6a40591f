import test from 'ava';
import { abortMessage, Control, failMessage, originError, travellingText } from '../../src/network/control.js';
import { ConfigError, failureOrigin, FixedPointRangeError, PeerLostError, ShapeError, ValueError } from '../../src/errors.js';

const NAN_INPUT = 'definePrivateInput: element 3 of a tensor of shape [10] is NaN; fixed-point values must satisfy |x| < 2^47 (about 1.407e+14) with 16 fractional bits';

test('what travels of an error names shapes and operations, never element positions or values', (t) => {
  const fixed = travellingText(new FixedPointRangeError(NAN_INPUT));
  t.is(fixed, 'FixedPointRangeError: definePrivateInput: a tensor of shape [10] holds a value that is NaN, infinite or outside the fixed-point range (the detail stays with the player that raised it)');
  const value = travellingText(new ValueError('relu: element 17 of the public input is outside the domain; expected x > 0'));
  t.is(value, 'ValueError: relu: an invalid value (the detail stays with the player that raised it)');
  t.notRegex(fixed + value, /element|17|\b3\b/);
  // Errors of other origins carry anyone's words: only their class travels.
  t.is(travellingText(new TypeError('my provider saw 0.8312 and gave up')), 'TypeError (its message stays with the player that raised it)');
  t.is(travellingText(new Error('secret: 42')), 'Error (its message stays with the player that raised it)');
  // Structural errors travel whole.
  t.is(travellingText(new ShapeError('matmul: inner dimensions 3 and 4 differ')), 'ShapeError: matmul: inner dimensions 3 and 4 differ');
  t.is(travellingText(new ConfigError('Pond: servers must be two distinct player names')), 'ConfigError: Pond: servers must be two distinct player names');
});

test('abort and fail messages carry the origin (player, operation, kind, text); a peer passes a received origin on unchanged', (t) => {
  const local = new FixedPointRangeError(NAN_INPUT);
  const abort = abortMessage('inputter', 3, local);
  t.true(Control.safeParse(abort).success);
  t.deepEqual(abort, {
    type: 'abort',
    op: 3,
    origin: { player: 'inputter', op: 3, code: 'fixed_point_range', text: `'inputter' failed in operation 3: ${travellingText(local)}` },
  });
  // The same error failing the program later: its operation is remembered.
  const fail = failMessage('inputter', local);
  t.deepEqual(fail, { type: 'fail', origin: abort.type === 'abort' ? abort.origin : undefined });
  // server0 receives the abort; the typed error it rebuilds keeps the origin...
  const rebuilt = originError(abort.type === 'abort' ? abort.origin : (undefined as never));
  t.true(rebuilt instanceof FixedPointRangeError);
  t.is(rebuilt.message, `'inputter' failed in operation 3: ${travellingText(local)}`);
  // ...and when server0 fails because of it, in operation 9, it reports the same root cause.
  t.deepEqual(failMessage('server0', rebuilt), fail);
  t.deepEqual(abortMessage('server0', 9, rebuilt), { type: 'abort', op: 9, origin: failureOrigin(rebuilt)! });
});

test('a loss starts with the player lost; a message that breaks the schema is refused', (t) => {
  const m = failMessage('server0', new PeerLostError('server1', "'server1' sent nothing to 'server0' for operation 4 step 0 within 5000 ms"));
  t.is(m.type === 'fail' ? m.origin.player : '', 'server1');
  t.false(Control.safeParse({ type: 'fail', origin: { player: 'a b', op: 0, code: 'x', text: '' } }).success);
  t.false(Control.safeParse({ type: 'abort', op: 1, code: 'shape', message: 'the version 1 form' }).success);
  t.false(Control.safeParse({ type: 'fail', origin: { player: 'a', op: 0, code: 'x', text: 'y'.repeat(2001) } }).success);
});
