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
  | 'stream_reuse'
  | 'wrong_player'
  | 'serving'
  | 'stopped'
  | 'overflow';

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

/**
 * A secure range check (Pond's `checkRanges` debug option) found an operand
 * of a product past the bound that keeps the product exact.
 */
export class OverflowError extends TfeError {
  /** The operation whose operand was out of range. */
  readonly operation: string;
  /** The exponent e of the bound 2^e on each operand's magnitude. */
  readonly boundLog2: number;
  constructor(operation: string, shapes: readonly (readonly number[])[], boundLog2: number, fracBits: number) {
    super(
      'overflow',
      `${operation}: an operand (shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}) has an element with |x| >= 2^${boundLog2}; with ${fracBits} fractional bits operands must stay below 2^${boundLog2} for the product to stay exact (|x * y| < 2^${2 * boundLog2}). Scale the values down (see docs/precision.md)`,
    );
    this.operation = operation;
    this.boundLog2 = boundLog2;
  }
}

/**
 * Training's weight-range check (fit's `checkWeights`) found a weight of a
 * layer at or past `weightBound`: the updates left the range where products
 * stay exact (usually a learning rate too large).
 */
export class WeightRangeError extends TfeError {
  /** The layer with an out-of-range weight. */
  readonly layer: string;
  constructor(context: string, layer: string, bound: number, fracBits: number) {
    super(
      'overflow',
      `${context}: some weight of layer '${layer}' has |w| >= ${bound} after the update; with ${fracBits} fractional bits products with it may overflow silently. Lower the learning rate, or raise weightBound if the weights are meant to be this large (see docs/precision.md)`,
    );
    this.layer = layer;
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

/**
 * A PRG stream was requested a second time from the same key by the same
 * holder: its words would mask two values with one mask, which leaks their
 * difference. Always a bug in a protocol, never a user's input.
 */
export class StreamReuseError extends TfeError {
  readonly op: number;
  readonly tag: string;
  readonly slot: number;
  constructor(holder: string, op: number, tag: string, slot: number) {
    super('stream_reuse', `${holder}: PRG stream (op ${op}, tag ${tag}, slot ${slot}) requested twice; a stream masks one value only, reusing it would leak`);
    this.op = op;
    this.tag = tag;
    this.slot = slot;
  }
}

/**
 * A value that lives on one player was used in a process where that player
 * does not run (a revealed result read on every player of a program run
 * across processes): the message names the player that holds it.
 */
export class WrongPlayerError extends TfeError {
  readonly holder: string;
  constructor(what: string, holder: string, here: readonly string[]) {
    super('wrong_player', `${what} lives on '${holder}', but this process runs ${here.map((p) => `'${p}'`).join(', ') || 'no player'}; use it inside held.use(...) or where held.isHere is true`);
    this.holder = holder;
  }
}

/**
 * Why a prediction service refused or failed a query, or a client could not
 * use it: `reason` is machine-readable, the message names the server and
 * what was expected.
 */
export type ServingFailure =
  /** The server's queue is full: try again later. */
  | 'busy'
  /** No model yet, or the servers are (re)connecting to each other. */
  | 'unavailable'
  /** The query broke the rules: shape, size, encoding, a malformed message. */
  | 'invalid_query'
  /** The client's token was refused. */
  | 'unauthorized'
  /** A server disconnected, restarted or went silent while the query was pending. */
  | 'lost'
  /** No answer within the client's timeout. */
  | 'timeout'
  /** The two servers do not serve the same model, or not in the expected roles. */
  | 'mismatch'
  /** The servers could not compute the query (the message says why). */
  | 'failed';

export class ServingError extends TfeError {
  readonly reason: ServingFailure;
  constructor(reason: ServingFailure, message: string) {
    super('serving', message);
    this.reason = reason;
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
