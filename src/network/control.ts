/**
 * Control messages between connected players (JSON, validated by zod before
 * use): `abort` tells peers that the sender's part of an operation failed, so
 * their receives of it fail at once; `fail` that the sender's whole program
 * failed (it is about to disconnect), so every receive from it fails; `bye`
 * says the sender's program is done and everything it sent is ahead of the
 * bye on the same connection; `progress` that the sender is still getting on
 * with the program (it sent frames to someone), so that receives from it wait
 * on (see `Mailbox.touch`).
 *
 * `abort` and `fail` carry the origin of the failure: the player where it
 * started, the operation, the kind of error and a text. A player that fails
 * because of a peer's failure passes the origin on unchanged, so every
 * player names the same root cause. The text travels to every peer, so it is
 * built to name shapes and operations only: errors whose messages may name an
 * element or a value (fixed-point range, bad values, anything not raised by
 * this library) travel as a generic text, their detail staying with the
 * player that raised them.
 */
import { z } from 'zod';
import {
  ConfigError,
  type FailureOrigin,
  failureOrigin,
  FixedPointRangeError,
  NotImplementedError,
  PeerLostError,
  ProtocolError,
  setFailureOrigin,
  ShapeError,
  StoppedError,
  TfeError,
  ValueError,
} from '../errors.js';
import { playerName } from './handshake.js';

const MAX_TEXT = 2000;

const Origin = z.strictObject({
  player: playerName,
  op: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** TfeError code of the cause, or 'error' for another error. */
  code: z.string().max(40),
  text: z.string().max(MAX_TEXT),
});

export const Control = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('abort'), op: z.int().min(0).max(Number.MAX_SAFE_INTEGER), origin: Origin }),
  z.strictObject({ type: z.literal('fail'), origin: Origin }),
  z.strictObject({ type: z.literal('bye') }),
  z.strictObject({ type: z.literal('progress') }),
]);
export type Control = z.infer<typeof Control>;

/** Error kinds whose messages name operations, players, shapes and settings only (by the library's rules). */
const STRUCTURAL = new Set(['shape', 'protocol', 'peer_lost', 'config', 'unknown_player', 'not_implemented', 'model_file', 'stopped']);

/** The operation a message names first ("matmul: ...", "dense_1 (Dense): ..."), if it looks like one. */
function context(message: string): string | undefined {
  return /^([A-Za-z_][\w.]{0,63}(?: \([A-Za-z]\w{0,31}\))?): /.exec(message)?.[1];
}

/** The shapes a message names ("shape [2,3]"): public, so they may travel. */
function shapes(message: string): string[] {
  return [...message.matchAll(/\bshapes? (\[\d*(?:,\d+)*\])/g)].map((m) => m[1]);
}

/**
 * What may travel of `error`: its class and message for structural kinds;
 * for the others its class, the operation and the shapes its message names,
 * and a generic description.
 */
export function travellingText(error: Error): string {
  const name = /^[A-Za-z]\w{0,40}$/.test(error.name) ? error.name : 'Error';
  if (error instanceof TfeError && STRUCTURAL.has(error.code)) return `${name}: ${error.message}`.slice(0, MAX_TEXT);
  if (!(error instanceof FixedPointRangeError || error instanceof ValueError)) {
    // Not a structural error of the library: its message is anyone's words, so none of it travels.
    return `${name} (its message stays with the player that raised it)`;
  }
  const op = context(error.message);
  const prefix = op === undefined ? '' : `${op}: `;
  const shape = shapes(error.message)[0];
  const detail = '(the detail stays with the player that raised it)';
  if (error instanceof FixedPointRangeError) {
    return `${name}: ${prefix}${shape === undefined ? 'a value' : `a tensor of shape ${shape} holds a value that`} is NaN, infinite or outside the fixed-point range ${detail}`;
  }
  return `${name}: ${prefix}an invalid value${shape === undefined ? '' : ` (a tensor of shape ${shape})`} ${detail}`;
}

/**
 * The origin of `error` as `self` reports it: the recorded origin when the
 * error came from a peer (or was reported before), else `self` in operation
 * `op` with the error's travelling text.
 */
export function originOf(self: string, op: number, error: Error): FailureOrigin {
  const known = failureOrigin(error);
  if (known !== undefined) return known;
  const code = error instanceof TfeError ? error.code : 'error';
  const text = `'${self}' failed${op > 0 ? ` in operation ${op}` : ''}: ${travellingText(error)}`.slice(0, MAX_TEXT);
  // A loss starts with the player lost.
  const player = error instanceof PeerLostError && playerName.safeParse(error.peer).success ? error.peer : self;
  const origin = { player, op, code, text };
  setFailureOrigin(error, origin);
  return origin;
}

/** The abort message for a failure of the local player in operation `op`. */
export function abortMessage(self: string, op: number, error: Error): Control {
  return { type: 'abort', op, origin: originOf(self, op, error) };
}

/** The fail message for a program that failed with `error`. */
export function failMessage(self: string, error: Error): Control {
  return { type: 'fail', origin: originOf(self, 0, error) };
}

/** Rebuilds the typed error of an origin, so that handlers can tell kinds apart; it keeps the origin. */
export function originError(origin: FailureOrigin): Error {
  let e: Error;
  switch (origin.code) {
    case 'value':
      e = new ValueError(origin.text);
      break;
    case 'shape':
      e = new ShapeError(origin.text);
      break;
    case 'fixed_point_range':
      e = new FixedPointRangeError(origin.text);
      break;
    case 'not_implemented':
      e = new NotImplementedError(origin.text);
      break;
    case 'config':
      e = new ConfigError(origin.text);
      break;
    case 'stopped':
      e = new StoppedError(origin.text);
      break;
    case 'peer_lost':
      e = new PeerLostError(origin.player, origin.text);
      break;
    default:
      e = new ProtocolError(origin.text);
  }
  setFailureOrigin(e, origin);
  return e;
}

/**
 * The error for receives from a peer whose program failed: a PeerLostError
 * (the peer is gone) whose message is the root cause.
 */
export function failError(from: string, origin: FailureOrigin): PeerLostError {
  const e = new PeerLostError(origin.code === 'peer_lost' ? origin.player : from, origin.text);
  setFailureOrigin(e, origin);
  return e;
}
