import test from 'ava';
import { ShapeError } from '../../../src/errors.js';
import { sharesOf } from '../../../src/protocol/index.js';
import * as ring from '../../../src/ring/index.js';
import { randomWords } from '../../../src/crypto/index.js';
import { makePond, revealValues } from '../../helpers/float.js';

test('privateFromShares: shares the servers hold become a private tensor, with no message, at the given scale', async (t) => {
  const { prot } = makePond();
  const x = ring.encode([1.5, -2, 3.25, 0], [2, 2]);
  const r = new ring.RingTensor([2, 2], randomWords(4));
  await prot.flush(); // the dealer's keys
  const before = prot.traffic().totalBytes;
  const p = prot.privateFromShares([2, 2], async (i) => (i === 0 ? r : ring.sub(x, r)));
  await Promise.all(sharesOf(p).map((s) => s.value()));
  t.is(prot.traffic().totalBytes, before);
  t.deepEqual([...(await revealValues(prot, p.add(1)))], [2.5, -1, 4.25, 1]);
  const scaled = prot.privateFromShares([1], (i) => (i === 0 ? ring.RingTensor.fill([1], 3n) : ring.RingTensor.zeros([1])), 0);
  t.is(scaled.fracBits, 0);
  t.deepEqual([...(await revealValues(prot, scaled))], [3]);
});

test('privateFromShares: a share of the wrong shape fails the tensor with a ShapeError naming both shapes', async (t) => {
  const { prot } = makePond();
  const p = prot.privateFromShares([3], () => ring.RingTensor.zeros([4]));
  const e = await t.throwsAsync(sharesOf(p)[0].value(), { instanceOf: ShapeError });
  t.regex(e!.message, /privateFromShares: server 0's share has shape \[4\], expected \[3\]/);
  t.throws(() => prot.privateFromShares([-1], () => ring.RingTensor.zeros([1])));
});
