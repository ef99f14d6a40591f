/**
 * The round trip a link really has, for bench/wan.ts: `echo.ts server HOST
 * PORT` echoes what it reads; `echo.ts client HOST PORT N` sends 8 bytes and
 * waits for them back, N times, and prints the median and 90th percentile in
 * ms as JSON (`ECHO {"medianMs":...,"p90Ms":...}`).
 */
import { connect, createServer } from 'node:net';

const [mode, host, portText, countText] = process.argv.slice(2);
const port = Number(portText);

if (mode === 'server') {
  const server = createServer({ noDelay: true }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => s.destroy());
  });
  server.listen(port, host, () => console.log('READY'));
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'client') {
  const socket = connect({ host, port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const times: number[] = [];
  for (let i = 0; i < Number(countText); i++) {
    const t0 = performance.now();
    socket.write(Buffer.alloc(8, i));
    let got = 0;
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer): void => {
        got += d.byteLength;
        if (got >= 8) {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
    });
    times.push(performance.now() - t0);
  }
  socket.end();
  times.sort((a, b) => a - b);
  console.log(`ECHO ${JSON.stringify({ medianMs: times[Math.floor(times.length / 2)], p90Ms: times[Math.floor(times.length * 0.9)] })}`);
} else {
  console.error('usage: echo.ts server HOST PORT | echo.ts client HOST PORT N');
  process.exit(2);
}
