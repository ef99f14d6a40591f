/**
 * The model owner's side of sharing a model once (`tfe share-model`): read
 * the tfjs model, take the values `fromTfjs` would share, split each weight
 * into two fresh additive shares (CSPRNG), and hand each server its own share
 * over its `/owner` endpoint (see owner.ts). The owner then leaves; the
 * servers keep their shares in their share files.
 */
import type * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { ConfigError, ServingError } from '../errors.js';
import { randomWords } from '../crypto/index.js';
import { loadTfjs } from '../models/node.js';
import { newSharingId, sharedModel, type SharedModel } from '../models/shares-io.js';
import { Challenge, EVENTS, freshNonce, PROTOCOL_VERSION, prove, verify, type Transcript } from '../network/handshake.js';
import { RingTensor, sub } from '../ring/index.js';
import { captureWeights } from './model.js';
import { CHUNK_BYTES, describeModel, OWNER_EVENTS, OWNER_NAMESPACE, UploadAck, type UploadMeta } from './owner.js';
import { resolveSecret } from './secret.js';
import { readServingFile, servingSettings, type ServingSettings } from './settings.js';

export interface ShareModelOptions {
  /** The tfjs model: a directory holding model.json, a model.json, or a tf.LayersModel. */
  readonly model: string | tf.LayersModel;
  /** The hostmap (file or object) with the service's players and this owner. */
  readonly config: string | Record<string, unknown>;
  /** This owner's player name in the hostmap. */
  readonly name: string;
  /** The hostmap's secret; default TFE_SECRET, TFE_SECRET_FILE or the hostmap's secretFile. */
  readonly secret?: string | Uint8Array;
  /** Fractional bits of the encoding (default 16). */
  readonly fracBits?: number;
  /** How long each step may take (ms, default 30000). */
  readonly timeoutMs?: number;
  readonly log?: (message: string) => void;
}

export interface ShareModelResult {
  readonly model: SharedModel;
  /** Bytes of shares each server received. */
  readonly bytesPerServer: number;
  /** Where each server wrote its share file (paths on the servers). */
  readonly files: readonly string[];
}

/** Loads the settings of `config` (a hostmap file or object). */
export function settingsOf(config: string | Record<string, unknown>): ServingSettings {
  if (typeof config === 'string') {
    const { raw, baseDir } = readServingFile(config);
    return servingSettings(raw, config, baseDir);
  }
  return servingSettings(config, 'object', process.cwd());
}

/** Shares `options.model` with the servers of the hostmap (see the module comment). */
export async function shareModel(options: ShareModelOptions): Promise<ShareModelResult> {
  const settings = settingsOf(options.config);
  const { servers } = settings.roles;
  const log = options.log ?? ((): void => undefined);
  if (!settings.hostmap.players.some((p) => p.name === options.name)) throw new ConfigError(`share-model: '${options.name}' is not a player of the hostmap`);
  if ([...servers, settings.roles.cryptoProducer].includes(options.name)) throw new ConfigError(`share-model: '${options.name}' is a serving player; the model owner must be another player of the hostmap`);
  const secret = resolveSecret(options.secret, settings.hostmap, settings.baseDir);
  const plain = typeof options.model === 'string' ? await loadTfjs(options.model) : options.model;
  const { spec, weights } = await captureWeights(plain, options.fracBits);
  const model = sharedModel(spec, newSharingId());
  // Fresh additive shares: server 0 gets r, server 1 gets w - r, for every weight.
  const r = weights.map((w) => new RingTensor(w.shape, randomWords(w.size)));
  const halves = [r, weights.map((w, j) => sub(w, r[j]))];
  log(`sharing ${describeModel(model)}: ${weights.length} weights with ${servers.join(' and ')}`);
  const files = await Promise.all(
    servers.map((server, i) => upload({ settings, server, owner: options.name, secret, timeoutMs: options.timeoutMs ?? 30_000 }, model, i as 0 | 1, halves[i])),
  );
  const bytesPerServer = weights.reduce((n, w) => n + w.size * 8, 0);
  return { model, bytesPerServer, files };
}

interface UploadTarget {
  readonly settings: ServingSettings;
  readonly server: string;
  readonly owner: string;
  readonly secret: Uint8Array;
  readonly timeoutMs: number;
}

/** Connects to `server`'s owner endpoint, proves the secret, sends share `index` and commits; resolves with the server's file path. */
async function upload(target: UploadTarget, model: SharedModel, index: 0 | 1, shares: readonly RingTensor[]): Promise<string> {
  const { server } = target;
  const socket = await connectOwner(target);
  try {
    const bytes = new Uint8Array(shares.reduce((n, s) => n + s.data.byteLength, 0));
    let at = 0;
    for (const s of shares) {
      bytes.set(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength), at);
      at += s.data.byteLength;
    }
    const chunks = Math.ceil(bytes.byteLength / CHUNK_BYTES);
    const meta: UploadMeta = { model, shareIndex: index, totalBytes: bytes.byteLength, chunks };
    const ask = async (what: string, ...args: unknown[]): Promise<string> => {
      let reply: unknown;
      try {
        reply = await socket.timeout(target.timeoutMs).emitWithAck(...(args as [string, ...unknown[]]));
      } catch {
        throw new ServingError('timeout', `share-model: '${server}' did not acknowledge ${what} within ${target.timeoutMs} ms`);
      }
      const r = UploadAck.safeParse(reply);
      if (!r.success) throw new ServingError('failed', `share-model: '${server}' answered ${what} with a malformed acknowledgement`);
      if (!r.data.ok) throw new ServingError('failed', `share-model: '${server}' refused ${what}: ${r.data.message}`);
      return r.data.message;
    };
    await ask('the upload', OWNER_EVENTS.upload, meta);
    for (let c = 0; c < chunks; c++) await ask(`chunk ${c}`, OWNER_EVENTS.chunk, c, bytes.subarray(c * CHUNK_BYTES, Math.min((c + 1) * CHUNK_BYTES, bytes.byteLength)));
    return await ask('the commit', OWNER_EVENTS.commit);
  } finally {
    socket.disconnect();
  }
}

/** An authenticated socket to `server`'s owner endpoint. */
function connectOwner(target: UploadTarget): Promise<Socket> {
  const { settings, server, owner, secret } = target;
  const at = settings.endpoints[server];
  const session = settings.hostmap.session ?? 'default';
  const tls = settings.hostmap.tls;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  const nonce = freshNonce();
  const socket = io(`${tls === undefined ? 'http' : 'https'}://${host}:${at.port}${OWNER_NAMESPACE}`, {
    forceNew: true,
    transports: ['websocket'],
    // A server may still be starting: keep trying until the step's timeout.
    reconnection: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    timeout: target.timeoutMs,
    auth: { name: owner, session, version: PROTOCOL_VERSION, nonce },
    ...(tls === undefined ? {} : { ca: readFileSync(path.resolve(settings.baseDir, tls.ca), 'utf8'), rejectUnauthorized: true }),
  });
  return new Promise<Socket>((resolve, reject) => {
    const failed = (why: string): void => {
      clearTimeout(timer);
      socket.disconnect();
      reject(new ServingError('failed', `share-model: '${server}' at ${at.host}:${at.port}: ${why}`));
    };
    let lastError = '';
    const timer = setTimeout(() => failed(lastError === '' ? `no welcome within ${target.timeoutMs} ms` : `cannot connect within ${target.timeoutMs} ms (${lastError})`), target.timeoutMs);
    socket.on('connect_error', (e: Error & { data?: { refused?: unknown } }) => {
      if (e.data?.refused === true) failed(`refused: ${e.message}`);
      else lastError = e.message;
    });
    socket.on(EVENTS.refused, (m: { reason?: unknown }) => failed(`refused: ${typeof m?.reason === 'string' ? m.reason : 'no reason given'}`));
    socket.on(EVENTS.challenge, (m: unknown) => {
      const c = Challenge.safeParse(m);
      const t: Transcript = { session, version: PROTOCOL_VERSION, dialer: owner, listener: server, dialerNonce: nonce, listenerNonce: c.success ? c.data.nonce : '' };
      if (!c.success || c.data.name !== server || !verify(secret, 'listener', t, c.data.proof)) return failed(`the endpoint could not prove that it is '${server}' holding the shared secret`);
      socket.emit(EVENTS.proof, { proof: prove(secret, 'dialer', t) });
    });
    socket.on(EVENTS.welcome, () => {
      clearTimeout(timer);
      socket.io.reconnection(false);
      resolve(socket);
    });
  });
}
