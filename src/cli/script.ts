/**
 * Running a user's program inside a `tfe` process: import it, wait for its
 * top-level code, then close the configurations it left open (orderly on
 * success; at once on failure, so that peers see this player as lost and fail
 * with a PeerLostError instead of waiting for it).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { closeOpenConfigs, destroyOpenConfigs } from '../network/node.js';

/** How long a finished process may take to exit by itself before it is ended. */
const EXIT_GRACE_MS = 3_000;

/** A one-line description of an error: its class and message, never its data. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `non-error value thrown (${typeof e})`;
}

/**
 * Runs `script` as this process's program and returns the exit code. `label`
 * prefixes messages (the player name).
 */
export async function runScript(script: string, label: string): Promise<number> {
  let failure: unknown;
  const onRejection = (e: unknown): void => {
    failure ??= e;
  };
  process.on('unhandledRejection', onRejection);
  try {
    await import(pathToFileURL(path.resolve(script)).href);
  } catch (e) {
    failure ??= e;
  }
  if (failure === undefined) {
    await closeOpenConfigs();
  } else {
    console.error(`tfe ${label}: failed: ${describeError(failure)}`);
    if (process.env.TFE_DEBUG === '1' && failure instanceof Error && failure.stack !== undefined) console.error(failure.stack);
    await destroyOpenConfigs(failure instanceof Error ? failure : new Error(describeError(failure)));
  }
  return failure === undefined ? 0 : 1;
}

/**
 * Lets the process exit by itself with `code`; if something still holds it
 * open after a grace period, says so and ends it, so that nothing hangs.
 */
export function exitWhenIdle(code: number, label: string): void {
  process.exitCode = code;
  setTimeout(() => {
    console.error(`tfe ${label}: the process did not exit by itself ${EXIT_GRACE_MS} ms after the program ended; ending it`);
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
}
