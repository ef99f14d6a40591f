import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HUGE_PAGES_TUNABLE, withHugePages } from '../../src/cli/malloc-env.js';

test('withHugePages appends the tunable on Linux and leaves a user-set hugetlb, other tunables and other platforms alone', (t) => {
  t.is(withHugePages({ A: '1' }, 'linux').GLIBC_TUNABLES, HUGE_PAGES_TUNABLE);
  t.is(withHugePages({ A: '1' }, 'linux').A, '1');
  t.is(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux').GLIBC_TUNABLES, `glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}`);
  for (const own of ['glibc.malloc.hugetlb=0', 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2']) {
    const env = { GLIBC_TUNABLES: own };
    t.is(withHugePages(env, 'linux'), env, own);
  }
  const env = { GLIBC_TUNABLES: '' };
  t.is(withHugePages(env, 'darwin'), env);
  t.is(withHugePages({}, 'win32').GLIBC_TUNABLES, undefined);
});

/** Whether the kernel gives transparent huge pages to memory that asks for them (`madvise` or `always`). */
function thpAvailable(): boolean {
  try {
    return !readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').includes('[never]');
  } catch {
    return false;
  }
}

test('a process started with withHugePages has its large buffers on huge pages (Linux with THP)', (t) => {
  if (process.platform !== 'linux' || !thpAvailable()) {
    t.pass('no transparent huge pages here');
    return;
  }
  // 64 MiB from malloc (Buffer.alloc), touched, then the process's AnonHugePages.
  const probe = `const b = Buffer.alloc(64 << 20, 1); const m = /AnonHugePages:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/smaps_rollup', 'utf8')); console.log(m ? m[1] : -1, b[12345]);`;
  const huge = (env: NodeJS.ProcessEnv): number => Number(spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' }).stdout.split(' ')[0]);
  const base = { ...process.env, GLIBC_TUNABLES: '' };
  const withTunable = huge(withHugePages(base, 'linux'));
  t.true(withTunable >= 32 * 1024, `AnonHugePages ${withTunable} kB with ${HUGE_PAGES_TUNABLE}`);
  t.log(`AnonHugePages: ${huge(base)} kB without, ${withTunable} kB with`);
});
