import test from 'ava';
import { FixedPointRangeError, PeerLostError, ShapeError } from '../../../src/errors.js';
import { makePond } from '../../helpers/float.js';
import { TestRng } from '../../helpers/random.js';
import { sharesOf } from '../../../src/protocol/index.js';

const rng = new TestRng(30);

test('a server lost in the middle of a private matmul makes reveal and flush fail with PeerLostError', async (t) => {
  const { config, prot } = makePond({}, 5_000);
  const x = prot.definePrivateInput('inputter', () => rng.floats(64 * 64, -1, 1), { shape: [64, 64] });
  const w = prot.definePrivateVariable(rng.floats(64 * 64, -1, 1)).reshape([64, 64]);
  await Promise.all([...sharesOf(x), ...sharesOf(w)].map((s) => s.value()));
  const y = x.matmul(w);
  config.transport.disconnect('server1');
  const started = Date.now();
  const e = await t.throwsAsync(prot.reveal(y, 'result-receiver'), { instanceOf: PeerLostError });
  t.is((e as PeerLostError).peer, 'server1');
  await t.throwsAsync(prot.flush(), { instanceOf: PeerLostError });
  t.true(Date.now() - started < 5_000, 'fails at once, well within the timeout');
});

test('a silent crypto producer is reported within the timeout, naming it and the operation', async (t) => {
  const { config, prot } = makePond({}, 300);
  // The dealer's keys reach the servers at setup; then it goes quiet.
  const x = prot.definePrivateInput('inputter', () => [1, 2, 3]);
  await Promise.all(sharesOf(x).map((s) => s.value()));
  config.transport.silence('crypto-producer');
  const started = Date.now();
  const e = await t.throwsAsync(prot.reveal(x.mul(x), 'result-receiver'), { instanceOf: PeerLostError });
  t.regex(e!.message, /'crypto-producer' sent nothing to 'server1' for operation \d+ step 1[67] within 300 ms/);
  t.true(Date.now() - started < 3_000);
});

test('a failed op fails its dependents with the original cause, not later independent reveals', async (t) => {
  const { prot } = makePond({}, 5_000);
  const bad = prot.definePrivateInput('inputter', () => [Number.NaN]);
  const first = await t.throwsAsync(prot.reveal(bad.mul(bad), 'result-receiver'), { instanceOf: FixedPointRangeError });
  t.regex(first!.message, /definePrivateInput: element 0 .* is NaN/);
  // A dependent op fails with the same cause.
  await t.throwsAsync(prot.reveal(bad.add(1), 'result-receiver'), { instanceOf: FixedPointRangeError, message: first!.message });
  // An op that throws at once (shape mismatch) poisons nothing either.
  const ok = prot.definePrivateInput('inputter', () => [2, 3]);
  t.throws(() => ok.matmul(ok), { instanceOf: ShapeError });
  const v = await prot.revealFloat64(ok.mul(ok), 'result-receiver');
  t.deepEqual(Array.from(v!.values), [4, 9]);
});
