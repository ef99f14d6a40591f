/**
 * Running a user's program inside a `tfe` process, under one rule: when the
 * computation fails anywhere, this player exits non-zero, printing the root
 * cause (the first failure, by player and operation).
 *
 * The program is imported and awaited; then the configurations it left open
 * are closed, which waits until every peer has finished too. Meanwhile the
 * program is abandoned at once when the computation fails elsewhere (a peer
 * said it failed, or was lost: never connected, refused, disconnected,
 * silent) or when the process is told to stop (SIGTERM, SIGINT): the
 * configurations are destroyed, telling peers the root cause, and the
 * process exits without waiting for the program.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { failureOrigin, StoppedError } from '../errors.js';
import { closeOpenConfigs, destroyOpenConfigs, watchOpenConfigs } from '../network/node.js';

/** How long a finished process may take to exit by itself before it is ended. */
const EXIT_GRACE_MS = 3_000;

/** Set when the program was left running because the computation failed: the process exits at once. */
let abandoned = false;

/** A one-line description of an error: its class and message, never its data. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `non-error value thrown (${typeof e})`;
}

/**
 * What player `self` prints of the failure `e`: the root cause as peers
 * report it when the failure started elsewhere, else its own error in full
 * (the detail that never travels), with the operation when known.
 */
export function describeFailure(e: unknown, self: string): string {
  const origin = failureOrigin(e);
  if (origin !== undefined && origin.player !== self) return origin.text;
  return `${origin !== undefined && origin.op > 0 ? `in operation ${origin.op}: ` : ''}${describeError(e)}`;
}

/**
 * Runs `script` as this process's program and returns the exit code. `label`
 * names this player in messages.
 */
export async function runScript(script: string, label: string): Promise<number> {
  let failure: unknown;
  let wake = (): void => undefined;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  const failed = (e: unknown): void => {
    if (failure !== undefined) return;
    failure = e;
    wake();
  };
  const stop = (signal: NodeJS.Signals): void => {
    // Told to stop while already failing (tfe run stops everyone once one player fails): the
    // root cause is printed; what is left (telling peers still connecting) is not waited for.
    if (failure !== undefined) process.exit(1);
    failed(new StoppedError(`'${label}' was stopped by ${signal} before its program finished`));
  };
  process.on('unhandledRejection', failed);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const unwatch = watchOpenConfigs(failed);
  let finished = false;
  const program = import(pathToFileURL(path.resolve(script)).href).then(
    () => void (finished = true),
    (e: unknown) => {
      finished = true;
      failed(e);
    },
  );
  try {
    await Promise.race([program, woken]);
    // Closing waits until every peer has finished too (and rejects if one failed).
    if (failure === undefined) await Promise.race([closeOpenConfigs().catch(failed), woken]);
    if (failure === undefined) return 0;
    console.error(`tfe ${label}: failed: ${describeFailure(failure, label)}`);
    if (process.env.TFE_DEBUG === '1' && failure instanceof Error && failure.stack !== undefined) console.error(failure.stack);
    await destroyOpenConfigs(failure instanceof Error ? failure : new Error(describeError(failure)));
    abandoned = !finished;
    return 1;
  } finally {
    unwatch();
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/**
 * Lets the process exit by itself with `code`; if something still holds it
 * open after a grace period, says so and ends it, so that nothing hangs. A
 * program abandoned because the computation failed is not waited for.
 */
export function exitWhenIdle(code: number, label: string): void {
  process.exitCode = code;
  if (abandoned) process.exit(code);
  // Told to stop while finishing: nothing is left to do but exit.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(code));
  setTimeout(() => {
    console.error(`tfe ${label}: the process did not exit by itself ${EXIT_GRACE_MS} ms after the program ended; ending it`);
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
}
