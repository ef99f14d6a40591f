/**
 * Operation ids: a counter that every player advances the same way, because
 * every player runs the same program and takes an id for each protocol
 * operation in program order. Messages are matched by id, so no negotiation is
 * ever needed.
 */
export class OpIdCounter {
  private value = 0;

  /** The next id (1, 2, 3, ...; 0 is reserved for setup). */
  next(): number {
    this.value += 1;
    return this.value;
  }

  /** The last id handed out. */
  get current(): number {
    return this.value;
  }
}
