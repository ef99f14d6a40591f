import * as tfe from 'tfjs-encrypted';
const config = tfe.LocalConfig(['a', 'b']);
const tr = config.transport;
const me = config.isLocal('a') ? 'a' : 'b';
const payload = [{ shape: [1], data: new BigUint64Array(1) }];
const N = 3000;
let op = 1_000;
let t0 = 0; let c0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  if (i === 500) { t0 = performance.now(); c0 = process.cpuUsage(); }
  const key = { op: op++, step: 0 };
  if (me === 'a') { tr.send('a', 'b', key, payload, 'online'); await tr.receive('a', 'b', key, [{ dtype: 'u64', shape: [1] }]); }
  else { await tr.receive('b', 'a', key, [{ dtype: 'u64', shape: [1] }]); tr.send('b', 'a', key, payload, 'online'); }
}
const c = process.cpuUsage(c0);
console.log(me, 'round trip', ((performance.now() - t0) * 1000 / (N - 500)).toFixed(0), 'us wall,', ((c.user + c.system) / (N - 500)).toFixed(0), 'us cpu');
await config.close();
