/**
 * Control messages between connected players (JSON, validated by zod before
 * use): `abort` tells peers that the sender's part of an operation failed, so
 * their receives of it fail at once; `fail` that the sender's whole program
 * failed (it is about to disconnect), so every receive from it fails with the
 * cause; `bye` says the sender's program is done and everything it sent is
 * ahead of the bye on the same connection.
 */
import { z } from 'zod';
import {
  ConfigError,
  FixedPointRangeError,
  NotImplementedError,
  PeerLostError,
  ProtocolError,
  ShapeError,
  TfeError,
  ValueError,
} from '../errors.js';

const MAX_MESSAGE = 2000;

export const Control = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('abort'),
    op: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** TfeError code of the cause, or 'error' for another error. */
    code: z.string().max(40),
    message: z.string().max(MAX_MESSAGE),
    /** For a PeerLostError: the peer it names. */
    peer: z.string().max(64).optional(),
  }),
  z.strictObject({
    type: z.literal('fail'),
    code: z.string().max(40),
    message: z.string().max(MAX_MESSAGE),
    peer: z.string().max(64).optional(),
  }),
  z.strictObject({ type: z.literal('bye') }),
]);
export type Control = z.infer<typeof Control>;

/** The abort message for a local failure (error messages never hold secrets, by the library's rules). */
export function abortMessage(op: number, error: Error): Control {
  const code = error instanceof TfeError ? error.code : 'error';
  const text = error instanceof TfeError ? error.message : `${error.name}: ${error.message}`;
  return { type: 'abort', op, code, message: text.slice(0, MAX_MESSAGE), ...(error instanceof PeerLostError ? { peer: error.peer } : {}) };
}

/** The fail message for a program that failed with `error`. */
export function failMessage(error: Error): Control {
  const m = abortMessage(0, error) as Extract<Control, { type: 'abort' }>;
  return { type: 'fail', code: m.code, message: m.message, ...(m.peer === undefined ? {} : { peer: m.peer }) };
}

/**
 * The error for receives from a peer whose program failed: a PeerLostError
 * (the peer is gone), naming the player whose loss started it when the cause
 * was itself a loss.
 */
export function failError(from: string, m: Extract<Control, { type: 'fail' }>): PeerLostError {
  if (m.code === 'peer_lost') return new PeerLostError(m.peer ?? from, m.message);
  return new PeerLostError(from, `'${from}' failed: ${m.message}`);
}

/** Rebuilds the typed error a peer reported, so that handlers can tell kinds apart. */
export function abortError(from: string, m: Extract<Control, { type: 'abort' }>): Error {
  switch (m.code) {
    case 'peer_lost':
      return new PeerLostError(m.peer ?? from, m.message);
    case 'value':
      return new ValueError(m.message);
    case 'shape':
      return new ShapeError(m.message);
    case 'fixed_point_range':
      return new FixedPointRangeError(m.message);
    case 'not_implemented':
      return new NotImplementedError(m.message);
    case 'config':
      return new ConfigError(m.message);
    default:
      return new ProtocolError(`'${from}' failed in operation ${m.op}: ${m.message}`);
  }
}
