/**
 * PRG stream ids and message steps used by dealer-assisted protocols. A stream
 * id is (operation id, tag): every (op, tag) pair names an independent stream
 * of a PRG key, so no two values ever reuse pseudo-randomness.
 */

/** Tags of PRG streams within one operation (values are part of the stream ids: never reuse one). */
export const Stream = {
  mask: 1,
  product: 2,
  truncR: 3,
  truncHigh: 4,
  truncTop: 5,
  input: 6,
  bitsR: 7,
  binaryMaskA: 9,
  binaryProduct: 11,
  ownedU: 15,
  ownedV: 16,
  ownedC: 17,
  bitsArith: 18,
  bitsProduct: 19,
} as const;
export type StreamTag = (typeof Stream)[keyof typeof Stream];

/**
 * 128-bit CTR blocks hold (stream id || counter). The stream id is the op id
 * (48 bits), the tag and a slot (several values of one kind in one op).
 */
export function streamId(op: number, tag: StreamTag, slot = 0): bigint {
  return (BigInt(op) << 16n) | (BigInt(tag) << 8n) | BigInt(slot);
}

/**
 * Message steps within one operation. Online exchanges between the servers use
 * small steps; the dealer's messages use their own so both can share an op id.
 */
export const Step = {
  open: 0,
  input: 2,
  reveal: 3,
  /** Public coins and barriers from the first server to every other player. */
  publicCoin: 4,
  sync: 5,
  /** Dealer messages: dealer + slot, slot < 16. */
  dealer: 16,
  setup: 32,
  /** Server exchanges of the binary adder levels: adder + level. */
  adder: 40,
  bits: 60,
} as const;
