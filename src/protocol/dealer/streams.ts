/**
 * PRG stream ids and message steps used by dealer-assisted protocols. A stream
 * id is (operation id, tag, slot): every triple names an independent stream
 * of a PRG key, and the {@link StreamLedger} of each key's holder refuses to
 * expand one twice, so no two values ever reuse pseudo-randomness.
 */
import type { Prg } from '../../crypto/index.js';
import { check, StreamReuseError } from '../../errors.js';

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
  fssR: 20,
  fssTop: 21,
  fssSeed: 22,
} as const;
export type StreamTag = (typeof Stream)[keyof typeof Stream];

const TAG_NAMES = new Map<number, string>(Object.entries(Stream).map(([name, tag]) => [tag, name]));

/** Op ids fit in the 48 bits above tag and slot. */
const MAX_OP = 2 ** 48;

/** Checks the fields of a stream id: distinct triples must give distinct ids. */
function checkStream(op: number, tag: number, slot: number): void {
  check(Number.isInteger(op) && op >= 0 && op < MAX_OP, () => `streamId: op id must be an integer in [0, 2^48), got ${op}`);
  check(Number.isInteger(tag) && tag >= 1 && tag < 256, () => `streamId: tag must be an integer in [1, 256), got ${tag}`);
  check(Number.isInteger(slot) && slot >= 0 && slot < 256, () => `streamId: slot must be an integer in [0, 256), got ${slot}`);
}

/**
 * 128-bit CTR blocks hold (stream id || counter). The stream id is the op id
 * (48 bits), the tag and a slot (several values of one kind in one op), 8
 * bits each.
 */
export function streamId(op: number, tag: StreamTag, slot = 0): bigint {
  checkStream(op, tag, slot);
  return (BigInt(op) << 16n) | (BigInt(tag) << 8n) | BigInt(slot);
}

/** Consecutive op ids that share one block of the ledger. */
const OPS_PER_BLOCK = 1024;
/** Tags below this have a bit each in an op's word (slot 0 only). */
const WORD_TAGS = 32;

/**
 * The streams of one PRG key that one holder has expanded. Memory: op ids
 * are dense (one counter per configuration), so the common stream, slot 0 of
 * a tag below 32, is one bit of a 32-bit word per op, in blocks of 1024
 * consecutive ops allocated on first use: at most 4 bytes per op id, whatever
 * the number of its streams (4 KiB per 1024 ops). Other streams (slots above
 * 0: several masks or products of one kind in one op) are small integers in
 * a set per block, about 20-40 bytes each. Nothing is ever forgotten: a stream
 * taken an hour ago must still be refused. Sets and maps stay small (one map
 * entry per 1024 ops), far from V8's limit of 2^24 entries per collection.
 */
export class StreamLedger {
  private readonly words = new Map<number, Uint32Array>();
  private readonly others = new Map<number, Set<number>>();
  private taken = 0;

  /** `holder` names the key's holder in errors (e.g. "server0's dealer key"). */
  constructor(readonly holder: string) {}

  /** Records stream (op, tag, slot); a StreamReuseError if it was recorded before. */
  take(op: number, tag: StreamTag, slot: number): void {
    checkStream(op, tag, slot);
    const block = Math.floor(op / OPS_PER_BLOCK);
    const offset = op % OPS_PER_BLOCK;
    let fresh: boolean;
    if (slot === 0 && tag < WORD_TAGS) {
      let words = this.words.get(block);
      if (words === undefined) this.words.set(block, (words = new Uint32Array(OPS_PER_BLOCK)));
      const bit = 1 << tag;
      fresh = (words[offset] & bit) === 0;
      words[offset] |= bit;
    } else {
      let set = this.others.get(block);
      if (set === undefined) this.others.set(block, (set = new Set()));
      const key = offset * 65536 + tag * 256 + slot;
      fresh = !set.has(key);
      set.add(key);
    }
    if (!fresh) throw new StreamReuseError(this.holder, op, TAG_NAMES.get(tag) ?? String(tag), slot);
    this.taken++;
  }

  /** Streams recorded so far. */
  get size(): number {
    return this.taken;
  }

  /** Blocks allocated (words and sets), for tests of the memory bound. */
  get blocks(): number {
    return this.words.size + this.others.size;
  }
}

/**
 * One holder's PRG key with its ledger: the only way protocol code expands a
 * stream, so no stream of a key is ever expanded twice by the same holder.
 * The dealer expanding a server's stream that the server also expands is not
 * a reuse: they are two holders of one key, each with its own PrgStreams.
 */
export class PrgStreams {
  private readonly ledger: StreamLedger;

  constructor(
    private readonly prg: Prg,
    holder: string,
  ) {
    this.ledger = new StreamLedger(holder);
  }

  /** `n` words of stream (op, tag, slot); rejects with a StreamReuseError the second time. */
  async words(op: number, tag: StreamTag, slot: number, n: number): Promise<BigUint64Array> {
    this.ledger.take(op, tag, slot);
    return this.prg.words(streamId(op, tag, slot), n);
  }

  /** Streams expanded so far. */
  get size(): number {
    return this.ledger.size;
  }
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
