/**
 * Typed errors of tfjs-encrypted. Every message names the operation, layer or
 * player concerned, what was expected and what came: shapes, dtypes and player
 * names only, never the content of a tensor, a share, a seed or a weight.
 *
 * @packageDocumentation
 */

/** Machine-readable kind of a {@link TfeError}. */
export type TfeErrorCode =
  | 'value'
  | 'shape'
  | 'fixed_point_range'
  | 'unknown_player'
  | 'not_implemented'
  | 'protocol'
  | 'peer_lost'
  | 'config'
  | 'model_file'
  | 'stopped';

/** Base class of every error this library throws on purpose. */
export class TfeError extends Error {
  readonly code: TfeErrorCode;
  constructor(code: TfeErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An argument has a wrong value or type (not a shape problem). */
export class ValueError extends TfeError {
  constructor(message: string) {
    super('value', message);
  }
}

/** Operand shapes do not fit the operation. */
export class ShapeError extends TfeError {
  constructor(message: string) {
    super('shape', message);
  }
}

/** A value cannot be represented in the fixed-point encoding. */
export class FixedPointRangeError extends TfeError {
  constructor(message: string) {
    super('fixed_point_range', message);
  }
}

/** A player name that the configuration does not know. */
export class UnknownPlayerError extends TfeError {
  readonly player: string;
  readonly known: readonly string[];
  constructor(context: string, player: string, known: readonly string[]) {
    super('unknown_player', `${context}: unknown player '${player}'; the configuration knows ${known.map((k) => `'${k}'`).join(', ')}`);
    this.player = player;
    this.known = known;
  }
}

/** A feature that this version does not support. */
export class NotImplementedError extends TfeError {
  constructor(message: string) {
    super('not_implemented', message);
  }
}

/** A message broke the protocol: malformed, unexpected or out of order. */
export class ProtocolError extends TfeError {
  constructor(message: string) {
    super('protocol', message);
  }
}

/** A peer disconnected or stayed silent past the timeout. */
export class PeerLostError extends TfeError {
  readonly peer: string;
  constructor(peer: string, message: string) {
    super('peer_lost', message);
    this.peer = peer;
  }
}

/** A configuration (hostmap, options) is invalid. */
export class ConfigError extends TfeError {
  constructor(message: string) {
    super('config', message);
  }
}

/**
 * A saved model's file is missing, unreadable, malformed or of the wrong size.
 * `file` is the path concerned.
 */
export class ModelFileError extends TfeError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('model_file', `${file}: ${message}`);
    this.file = file;
  }
}

/** The process was stopped (by a signal, or by `tfe run` after another player failed) before its program finished. */
export class StoppedError extends TfeError {
  constructor(message: string) {
    super('stopped', message);
  }
}

/**
 * Where a failure started, as players tell each other: the player, the
 * operation (0 when not known), the kind (a {@link TfeErrorCode}, or 'error'
 * for another error) and a text that may travel (shapes and operations,
 * never element positions or values).
 */
export interface FailureOrigin {
  readonly player: string;
  readonly op: number;
  readonly code: string;
  readonly text: string;
}

/** Origins of errors, recorded by the network when an error is reported to or by a peer. */
const origins = new WeakMap<Error, FailureOrigin>();

/** The origin recorded for `error`, if any: where the failure it reports started. */
export function failureOrigin(error: unknown): FailureOrigin | undefined {
  return error instanceof Error ? origins.get(error) : undefined;
}

/** Records where `error` started; the first record stands. */
export function setFailureOrigin(error: Error, origin: FailureOrigin): void {
  if (!origins.has(error)) origins.set(error, origin);
}

/** Throws a {@link ValueError} built lazily when `condition` is false. */
export function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new ValueError(message());
}

/** Throws a {@link ShapeError} built lazily when `condition` is false. */
export function checkShape(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new ShapeError(message());
}
