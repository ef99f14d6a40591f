/**
 * A value that lives on one player: what a reveal to one player gives every
 * process of a program. Where the player runs it holds the value; elsewhere
 * reading it is a WrongPlayerError that names the player, instead of an
 * undefined that fails later far from the cause.
 */
import { WrongPlayerError } from '../../errors.js';

export class Held<T> {
  private constructor(
    /** The player the value lives on. */
    readonly player: string,
    private readonly here: readonly string[],
    private readonly content: { readonly value: T } | undefined,
  ) {}

  /** The value as held on `player` (in its process). */
  static on<T>(player: string, here: readonly string[], value: T): Held<T> {
    return new Held(player, here, { value });
  }

  /** A value held by `player` in another process. */
  static elsewhere<T>(player: string, here: readonly string[]): Held<T> {
    return new Held<T>(player, here, undefined);
  }

  /** Whether the value is in this process. */
  get isHere(): boolean {
    return this.content !== undefined;
  }

  /** The value; a WrongPlayerError naming its player in any other process. */
  get value(): T {
    if (this.content === undefined) throw new WrongPlayerError('this value', this.player, this.here);
    return this.content.value;
  }

  /** Runs `fn` with the value where it is held, and does nothing elsewhere (as defineOutput). */
  async use<R>(fn: (value: T) => R | Promise<R>): Promise<R | undefined> {
    return this.content === undefined ? undefined : fn(this.content.value);
  }
}
