/**
 * socket.io and engine.io log through the `debug` package, and their
 * namespaces print every packet in full: frames (shares, seeds), hellos
 * (nonces) and proofs (HMACs). With DEBUG=* the output of a run was enough
 * to rebuild every input. Loading the socket transport switches those
 * namespaces off for good, whatever DEBUG says and whatever `debug.enable`
 * is called with later; other namespaces are untouched. The transport's own
 * log says what an operator needs (refusals, losses, rejected messages),
 * never content.
 *
 * Each library may resolve its own copy of `debug`, so every copy they load
 * is patched: `enabled` answers false for the silenced namespaces (no
 * formatting is even attempted), and `log` drops their lines, which covers an
 * instance that decided it was enabled before the patch.
 */
import { createRequire } from 'node:module';

/** socket.io:*, socket.io-parser, socket.io-client:*, engine, engine:*, engine.io-client:*. */
export const SILENCED_NAMESPACES = /^(socket\.io|engine)(\b|$)/;

/** The libraries whose `debug` copies are patched (the ones the socket transport loads). */
const LIBRARIES = ['socket.io', 'socket.io-parser', 'socket.io-adapter', 'engine.io', 'socket.io-client', 'engine.io-client'];

interface DebugModule {
  enabled: (namespace: string) => boolean;
  log: (this: { namespace?: unknown }, ...args: unknown[]) => unknown;
}

const PATCHED = Symbol.for('tfjs-encrypted/quiet-debug');

function isDebugModule(x: unknown): x is DebugModule & Record<symbol, unknown> {
  return typeof x === 'function' && typeof (x as { enabled?: unknown }).enabled === 'function' && typeof (x as { log?: unknown }).log === 'function';
}

function patch(mod: DebugModule & Record<symbol, unknown>): void {
  if (mod[PATCHED] === true) return;
  mod[PATCHED] = true;
  const enabled = mod.enabled;
  const log = mod.log;
  mod.enabled = (namespace: string): boolean => !SILENCED_NAMESPACES.test(namespace) && enabled(namespace);
  mod.log = function (this: { namespace?: unknown }, ...args: unknown[]): unknown {
    if (typeof this?.namespace === 'string' && SILENCED_NAMESPACES.test(this.namespace)) return undefined;
    return log.apply(this, args);
  };
}

/** Silences the socket.io and engine.io debug namespaces in this process (idempotent). */
export function silenceSocketDebug(): void {
  const here = createRequire(import.meta.url);
  for (const library of LIBRARIES) {
    let mod: unknown;
    try {
      mod = createRequire(here.resolve(library))('debug');
    } catch {
      continue; // not installed, or without debug: nothing to silence
    }
    if (isDebugModule(mod)) patch(mod);
  }
}

silenceSocketDebug();
