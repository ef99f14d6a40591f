/**
 * Share files: one server's additive shares of a model's weights, on that
 * server's disk only (the other server's shares never come near it). Written
 * by `tfe share-model` on each server and read back when a server restarts;
 * the same format serves any model whose weights are secret-shared.
 *
 * Layout (all integers little-endian):
 *
 *     bytes 0-7     magic "TFESHARE"
 *     bytes 8-11    u32 format version (1)
 *     bytes 12-15   u32 byte length H of the header
 *     H bytes       header, UTF-8 JSON (below)
 *     0-7 bytes     zeros, so that the data starts at a multiple of 8
 *     data          each weight's share as u64 words, row-major, in header order
 *
 * Header:
 *
 *     { "format": "tfjs-encrypted/shares", "version": 1,
 *       "holder": "server0",                 this file's holder; no one else loads it
 *       "shareIndex": 0,                     x = share0 + share1 mod 2^64
 *       "holders": ["server0", "server1"],   both holders, in share order
 *       "model": { "name": "mnist_mlp", "fracBits": 16,
 *                  "topology": { ...tfjs modelTopology... },
 *                  "weights": [{ "name": "dense1/0", "shape": [784, 128] }, ...],
 *                  "fingerprint": "<sha-256 hex of name, fracBits, topology, weights>",
 *                  "sharingId": "<32 hex: one sharing of the weights>" },
 *       "createdAt": "2026-11-26T10:00:00.000Z",
 *       "digest": "<sha-256 hex of the data>" }
 *
 * The fingerprint names the architecture (never the weight values: after
 * private training nobody knows them); the sharing id tells two sharings of
 * one model apart, so that a share of one never meets a share of another.
 * Both servers' files of one sharing carry the same fingerprint and sharing
 * id. Reading checks the magic, the version, the header's schema, the holder,
 * the data's length and its digest; every failure is a ModelFileError naming
 * the file and what was expected (never a value).
 */
import { createHash } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { randomSeed } from '../crypto/index.js';
import { check, ModelFileError } from '../errors.js';
import { RingTensor, sizeOf } from '../ring/index.js';

const MAGIC = 'TFESHARE';
export const SHARE_FILE_VERSION = 1;
const PREFIX = 16;
const MAX_HEADER_BYTES = 16 * 2 ** 20;

const playerName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a player name');
const hex = (bytes: number): z.ZodString => z.string().regex(new RegExp(`^[0-9a-f]{${2 * bytes}}$`), `expected ${bytes} bytes as lowercase hex`);
const dim = z.int().min(1).max(2 ** 31);

const WeightSpec = z.strictObject({ name: z.string().min(1).max(256), shape: z.array(dim).max(8) });

/** What identifies a shared model: its architecture, weight shapes and encoding. */
export const SharedModelSpec = z.strictObject({
  name: z.string().min(1).max(256),
  fracBits: z.int().min(0).max(31),
  /**
   * The architecture the model is rebuilt from: a tfjs `modelTopology`
   * (written by `tfe share-model` and by `saveShares` alike).
   */
  topology: z.json(),
  weights: z.array(WeightSpec).max(10_000),
});
export type SharedModelSpec = z.infer<typeof SharedModelSpec>;

const Header = z.strictObject({
  format: z.literal('tfjs-encrypted/shares'),
  version: z.literal(SHARE_FILE_VERSION),
  holder: playerName,
  shareIndex: z.union([z.literal(0), z.literal(1)]),
  holders: z.tuple([playerName, playerName]),
  model: SharedModelSpec.extend({ fingerprint: hex(32), sharingId: hex(16) }),
  createdAt: z.string().max(64),
  digest: hex(32),
});
export type ShareFileHeader = z.infer<typeof Header>;

/** A model spec with the fingerprint and sharing id of one sharing. */
export type SharedModel = ShareFileHeader['model'];

/** One holder's shares of a model, as read from or written to a share file. */
export interface ShareFile {
  readonly header: ShareFileHeader;
  /** The holder's share of each weight, in header order. */
  readonly shares: readonly RingTensor[];
}

/** SHA-256 (hex) of the architecture: name, fracBits, topology and weight specs, as canonical JSON. */
export function modelFingerprint(spec: SharedModelSpec): string {
  return createHash('sha256').update(canonicalJson({ name: spec.name, fracBits: spec.fracBits, topology: spec.topology, weights: spec.weights })).digest('hex');
}

/** A fresh sharing id (16 random bytes as hex). */
export function newSharingId(): string {
  return Buffer.from(randomSeed()).toString('hex');
}

/** The spec with its fingerprint and a sharing id. */
export function sharedModel(spec: SharedModelSpec, sharingId: string): SharedModel {
  return { ...spec, fingerprint: modelFingerprint(spec), sharingId };
}

/** What {@link writeShareFile} needs besides the shares. */
export interface ShareFileInfo {
  readonly holder: string;
  readonly shareIndex: 0 | 1;
  readonly holders: readonly [string, string];
  readonly model: SharedModel;
}

/**
 * Writes `shares` (one per weight of `info.model`, in order) as `info.holder`'s
 * share file at `file`, readable by this user only. The file appears whole or
 * not at all (written beside it, then renamed).
 */
export async function writeShareFile(file: string, info: ShareFileInfo, shares: readonly RingTensor[]): Promise<void> {
  const { model } = info;
  check(shares.length === model.weights.length, () => `writeShareFile: ${model.weights.length} weights in the spec, ${shares.length} shares given`);
  shares.forEach((s, i) => {
    const want = model.weights[i].shape;
    check(s.shape.length === want.length && s.shape.every((d, j) => d === want[j]), () => `writeShareFile: weight ${model.weights[i].name} has shape [${want.join(',')}], its share [${s.shape.join(',')}]`);
  });
  check(info.holders[info.shareIndex] === info.holder, () => `writeShareFile: holder '${info.holder}' is not holders[${info.shareIndex}]`);
  const data = shares.map((s) => new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength));
  const digest = createHash('sha256');
  for (const d of data) digest.update(d);
  const header: ShareFileHeader = Header.parse({
    format: 'tfjs-encrypted/shares',
    version: SHARE_FILE_VERSION,
    holder: info.holder,
    shareIndex: info.shareIndex,
    holders: [...info.holders],
    model,
    createdAt: new Date().toISOString(),
    digest: digest.digest('hex'),
  });
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(SHARE_FILE_VERSION, 8);
  prefix.writeUInt32LE(json.byteLength, 12);
  const pad = Buffer.alloc((8 - ((PREFIX + json.byteLength) % 8)) % 8);
  const tmp = `${file}.${Buffer.from(randomSeed()).toString('hex').slice(0, 12)}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writev([prefix, json, pad, ...data]);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw new ModelFileError(file, `cannot write the share file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  await handle.close();
  await rename(tmp, file);
}

/**
 * Reads a share file and checks that it belongs to `holder` (a server never
 * loads the other server's shares) and that it is whole.
 */
export async function readShareFile(file: string, holder: string): Promise<ShareFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ModelFileError(file, `cannot read the share file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const fail = (why: string): never => {
    throw new ModelFileError(file, why);
  };
  if (bytes.byteLength < PREFIX || bytes.toString('latin1', 0, 8) !== MAGIC) fail(`not a share file (expected the magic ${MAGIC})`);
  const version = bytes.readUInt32LE(8);
  if (version !== SHARE_FILE_VERSION) fail(`share file version ${version}; this version of tfjs-encrypted reads version ${SHARE_FILE_VERSION}`);
  const headerBytes = bytes.readUInt32LE(12);
  if (headerBytes > MAX_HEADER_BYTES || PREFIX + headerBytes > bytes.byteLength) fail(`the header length ${headerBytes} does not fit the file of ${bytes.byteLength} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8', PREFIX, PREFIX + headerBytes));
  } catch {
    fail('the header is not valid JSON');
  }
  const parsed = Header.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`invalid header: ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`);
  }
  const header = (parsed as { data: ShareFileHeader }).data;
  if (header.holder !== holder) fail(`this file holds the shares of '${header.holder}', not of '${holder}'; each server loads only its own share file`);
  if (header.holders[header.shareIndex] !== holder) fail(`holders[${header.shareIndex}] is '${header.holders[header.shareIndex]}', not the holder '${holder}'`);
  if (modelFingerprint(header.model) !== header.model.fingerprint) fail('the model fingerprint does not match the model described in the header');
  let at = PREFIX + headerBytes;
  at += (8 - (at % 8)) % 8;
  const words = header.model.weights.reduce((n, w) => n + sizeOf(w.shape), 0);
  if (bytes.byteLength - at !== words * 8) fail(`the data has ${bytes.byteLength - at} bytes; the ${header.model.weights.length} weights need ${words * 8}`);
  const data = bytes.subarray(at);
  if (createHash('sha256').update(data).digest('hex') !== header.digest) fail('the data does not match its digest (a damaged or altered file)');
  // Copy into aligned memory once: the file buffer's offset need not be a multiple of 8.
  const aligned = new BigUint64Array(words);
  new Uint8Array(aligned.buffer).set(data);
  let w = 0;
  const shares = header.model.weights.map((spec) => {
    const n = sizeOf(spec.shape);
    const t = new RingTensor(spec.shape, aligned.subarray(w, w + n));
    w += n;
    return t;
  });
  return { header, shares };
}

/** JSON with object keys sorted at every level, so equal values hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
