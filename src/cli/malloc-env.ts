/**
 * The environment of the players `tfe run` starts: glibc's malloc asked to
 * back its large blocks with transparent huge pages (GLIBC_TUNABLES
 * glibc.malloc.hugetlb=1, glibc 2.35 and later). A player allocates and frees
 * tensors of megabytes at every step, and each fresh block otherwise pays a
 * page fault per 4 KiB on first touch (an Adam batch of network A: about a
 * quarter of its time; BENCHMARKS.md). glibc reads tunables only when a
 * process starts, so only processes we spawn get it; musl, macOS and Windows
 * ignore the variable.
 */

/** The tunable this module adds. */
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';

/**
 * `env` with {@link HUGE_PAGES_TUNABLE} appended to GLIBC_TUNABLES, on Linux;
 * unchanged elsewhere or when GLIBC_TUNABLES already sets glibc.malloc.hugetlb
 * (the user's choice, `=0` to opt out, stands).
 */
export function withHugePages(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (platform !== 'linux') return env;
  const current = env.GLIBC_TUNABLES ?? '';
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(current)) return env;
  return { ...env, GLIBC_TUNABLES: current === '' ? HUGE_PAGES_TUNABLE : `${current}:${HUGE_PAGES_TUNABLE}` };
}
