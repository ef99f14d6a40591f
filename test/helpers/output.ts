/** Parsing what the examples print, to compare runs. */

/** The table rows of the federated-average example, [i, private, plaintext] (a player-name prefix is ignored). */
export function averageRows(out: string): number[][] {
  return out
    .split('\n')
    .map((l) => l.replace(/^\[[\w.-]+\] /, ''))
    .filter((l) => /^\s+\d+\s+-?\d+\.\d+\s+-?\d+\.\d+\s*$/.test(l))
    .map((l) => l.trim().split(/\s+/).map(Number));
}
