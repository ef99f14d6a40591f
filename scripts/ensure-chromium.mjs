// Makes sure Debian's Chromium is installed for `npm run test:browser` (CI
// runs as root on a fresh machine): apt-get update once, then install it. No
// browser is downloaded from anywhere else; playwright-core drives this one.
// Prints the executable's path.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.TFE_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    console.error(`ensure-chromium: ${CHROMIUM} is missing; install Debian's chromium package (apt-get install chromium) or set TFE_CHROMIUM`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  console.error('ensure-chromium: installing Debian\'s chromium package');
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (!existsSync(CHROMIUM)) {
    console.error(`ensure-chromium: the chromium package is installed but ${CHROMIUM} does not exist; set TFE_CHROMIUM`);
    process.exit(1);
  }
}
console.log(CHROMIUM);
