/** Players: plain records, as in tf-encrypted's configs. */

/** One participant of a computation. */
export interface Player {
  /** Unique name, e.g. 'server0'. */
  readonly name: string;
  /** Position in the configuration (fixes who dials whom across processes). */
  readonly index: number;
  /** Where the player listens, for multi-process configurations. */
  readonly host?: string;
  readonly port?: number;
}
