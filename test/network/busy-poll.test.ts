import test from 'ava';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../../src/errors.js';
import { BusyPoll, checkBusyPollUs, MAX_BUSY_POLL_US } from '../../src/network/busy-poll.js';
import { parseHostmap, RemoteConfig } from '../../src/network/node.js';
import { loopbackHostmap, TEST_SECRET } from '../helpers/net.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Share of the time the event loop was busy during `ms`: near 1 while
 * something keeps it turning, near 0 while it sleeps in the poll phase.
 */
async function utilization(ms: number): Promise<number> {
  const before = performance.eventLoopUtilization();
  await sleep(ms);
  return performance.eventLoopUtilization(performance.eventLoopUtilization(), before).utilization;
}

test('a budget is a whole number of microseconds from 0 to the maximum; anything else is a ConfigError naming busyPollUs', (t) => {
  t.is(checkBusyPollUs(0, 'x'), 0);
  t.is(checkBusyPollUs(MAX_BUSY_POLL_US, 'x'), MAX_BUSY_POLL_US);
  for (const bad of [-1, 1.5, MAX_BUSY_POLL_US + 1, Number.NaN, Infinity]) {
    const e = t.throws(() => checkBusyPollUs(bad, 'RemoteConfig'), { instanceOf: ConfigError });
    t.regex(e.message, /^RemoteConfig: busyPollUs must be a whole number of microseconds from 0 \(off\) to 100000, got /);
  }
});

test.serial('polling keeps the event loop turning while a receive waits, and stops at the end of its budget', async (t) => {
  const poll = new BusyPoll(150_000, () => true);
  poll.start();
  t.true(poll.active);
  t.true((await utilization(60)) > 0.6, 'the loop turns while polling');
  await sleep(150);
  t.false(poll.active, 'stopped 150 ms after the last start');
  t.true((await utilization(60)) < 0.4, 'the loop sleeps again');
});

test.serial('polling stops as soon as nothing waits, and a budget of 0 never starts', async (t) => {
  let waiting = true;
  const poll = new BusyPoll(1_000_000 - 1, () => waiting);
  poll.start();
  await sleep(5);
  waiting = false;
  await sleep(5);
  t.false(poll.active);
  const off = new BusyPoll(0, () => true);
  off.start();
  t.false(off.active);
  t.true((await utilization(60)) < 0.4);
});

test.serial("a player with the hostmap's busyPollUs polls while waiting on a peer, one without sleeps; the message is received either way", async (t) => {
  for (const busyPollUs of [MAX_BUSY_POLL_US, 0]) {
    const hostmap = { ...(await loopbackHostmap(['a', 'b'])), busyPollUs };
    const [a, b] = ['a', 'b'].map((name) => RemoteConfig.fromObject(hostmap, { name, secret: TEST_SECRET, timeoutMs: 5000, log: () => {} }));
    try {
      // Connected first: the handshake's own traffic would keep the loop busy.
      b.transport.send('b', 'a', { op: 1, step: 0 }, [{ shape: [1], data: BigUint64Array.of(1n) }], 'online');
      await a.transport.receive('a', 'b', { op: 1, step: 0 }, [{ dtype: 'u64', shape: [1] }]);
      await sleep(50);
      const received = a.transport.receive('a', 'b', { op: 2, step: 0 }, [{ dtype: 'u64', shape: [1] }]);
      const busy = await utilization(80);
      if (busyPollUs > 0) t.true(busy > 0.6, `polling: the loop was busy ${busy.toFixed(2)} of the wait`);
      else t.true(busy < 0.4, `sleeping: the loop was busy ${busy.toFixed(2)} of the wait`);
      b.transport.send('b', 'a', { op: 2, step: 0 }, [{ shape: [1], data: BigUint64Array.of(7n) }], 'online');
      t.is((await received)[0].data[0], 7n);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  }
});

test('busyPollUs out of range is refused in a hostmap and in the RemoteConfig options, naming the field', async (t) => {
  const players = (await loopbackHostmap(['a', 'b'])).players;
  t.throws(() => parseHostmap({ players, busyPollUs: -5 }, 'hostmap.json'), { instanceOf: ConfigError, message: /busyPollUs: expected 0 \(off\) or a positive number of microseconds/ });
  t.throws(() => parseHostmap({ players, busyPollUs: 2.5 }, 'hostmap.json'), { instanceOf: ConfigError, message: /busyPollUs: expected a whole number of microseconds/ });
  t.throws(() => new RemoteConfig(parseHostmap({ players }), { name: 'a', secret: TEST_SECRET, busyPollUs: 10 ** 6 }), { instanceOf: ConfigError, message: /RemoteConfig: busyPollUs must be/ });
});
