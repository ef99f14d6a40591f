/**
 * `Placed<T>`: a value that lives on one player. It is materialised only in the
 * process where that player runs; elsewhere it is a handle with no value.
 * Every protocol operation is written once, as what each player does, and the
 * parts of players that are not local are simply skipped.
 */
import { ProtocolError } from '../errors.js';

export class Placed<T> {
  private constructor(
    readonly player: string,
    private readonly promise: Promise<T> | undefined,
  ) {}

  /** A value computed on `player` in this process. */
  static local<T>(player: string, promise: Promise<T>): Placed<T> {
    // Mark as handled: failures surface where the value is awaited, and the
    // protocol's tracker records them for flush(); no unhandled rejections.
    promise.catch(() => undefined);
    return new Placed(player, promise);
  }

  /** A value that exists only in another process. */
  static remote<T>(player: string): Placed<T> {
    return new Placed<T>(player, undefined);
  }

  get isLocal(): boolean {
    return this.promise !== undefined;
  }

  /** The value; only callable where the player is local. */
  value(): Promise<T> {
    if (this.promise === undefined) {
      throw new ProtocolError(`a value placed on '${this.player}' was read in a process where '${this.player}' does not run`);
    }
    return this.promise;
  }
}
