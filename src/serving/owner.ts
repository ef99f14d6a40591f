/**
 * How a model owner hands each server its shares, once (`tfe share-model`):
 * the owner, a player of the hostmap but not of the service, connects to the
 * `/owner` namespace of each server's client endpoint and proves that it
 * holds the hostmap's secret with the players' handshake (its hello, the
 * server's challenge and proof, its proof). It then sends that server, and
 * only that server, its share of every weight, in chunks, each acknowledged;
 * the server checks the model spec (fingerprint, holders, its own share
 * index, sizes), writes its share file and answers.
 *
 *     tfe:upload {model, shareIndex, totalBytes, chunks}   -> ack {ok, message}
 *     tfe:upload-chunk (index, bytes)                      -> ack {ok, message}   (in order)
 *     tfe:upload-commit                                    -> ack {ok, message}
 */
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { describeIssue, EVENTS, freshNonce, Hello, PROTOCOL_VERSION, Proof, prove, verify, type Transcript } from '../network/handshake.js';
import { shareFilePath } from '../models/save-shares.js';
import { modelFingerprint, readShareFile, writeShareFile, type ShareFile, type SharedModel } from '../models/shares-io.js';
import { SharedModelSchema } from './mesh.js';
import { RingTensor, sizeOf } from '../ring/index.js';
import type { ServingSettings } from './settings.js';

export const OWNER_NAMESPACE = '/owner';
export const OWNER_EVENTS = { upload: 'tfe:upload', chunk: 'tfe:upload-chunk', commit: 'tfe:upload-commit' } as const;
/** Bytes of share data per chunk. */
export const CHUNK_BYTES = 1 << 20;

export const UploadMeta = z.strictObject({
  model: SharedModelSchema,
  shareIndex: z.union([z.literal(0), z.literal(1)]),
  totalBytes: z.int().min(0).max(2 ** 40),
  chunks: z.int().min(0).max(2 ** 22),
});
export type UploadMeta = z.infer<typeof UploadMeta>;

export const UploadAck = z.strictObject({ ok: z.boolean(), message: z.string().max(2000) });
export type UploadAck = z.infer<typeof UploadAck>;

/** Where a server keeps its share file: `<sharesDir>/<server>.tfeshares`, the name `saveShares` uses too. */
export function servedShareFile(settings: ServingSettings, name: string): string {
  return shareFilePath(settings.sharesDir, name);
}

export interface OwnerEndpointOptions {
  readonly settings: ServingSettings;
  /** This server. */
  readonly name: string;
  readonly secret: Uint8Array;
  readonly session: string;
  readonly log: (message: string) => void;
  /** Called with the file once it is written and read back. */
  readonly stored: (file: ShareFile) => void;
}

/** Serves model owners on `ns` (the `/owner` namespace of a client endpoint). */
export function serveOwners(ns: Namespace, o: OwnerEndpointOptions): void {
  const { settings, name, log } = o;
  const index = settings.roles.servers.indexOf(name) as 0 | 1;
  const serving = [...settings.roles.servers, settings.roles.cryptoProducer];
  let busy = false;
  ns.use((socket, next) => {
    const h = Hello.safeParse(socket.handshake.auth);
    let why: string | undefined;
    if (!h.success) why = `invalid hello: ${describeIssue(h.error)}`;
    else if (h.data.version !== PROTOCOL_VERSION) why = `protocol version ${h.data.version}; this server speaks ${PROTOCOL_VERSION}`;
    else if (h.data.session !== o.session) why = `session '${h.data.session}', not '${o.session}'`;
    else if (!settings.hostmap.players.some((p) => p.name === h.data.name)) why = `'${h.data.name}' is not a player of the hostmap`;
    else if (serving.includes(h.data.name)) why = `'${h.data.name}' is a serving player, not a model owner`;
    if (why === undefined) return next();
    log(`refused a model owner from ${socket.handshake.address}: ${why}`);
    next(Object.assign(new Error(why), { data: { refused: true } }));
  });
  ns.on('connection', (socket: Socket) => {
    const hello = Hello.parse(socket.handshake.auth);
    const nonce = freshNonce();
    const t: Transcript = { session: o.session, version: PROTOCOL_VERSION, dialer: hello.name, listener: name, dialerNonce: hello.nonce, listenerNonce: nonce };
    let welcomed = false;
    socket.once(EVENTS.proof, (m: unknown) => {
      const p = Proof.safeParse(m);
      if (!p.success || !verify(o.secret, 'dialer', t, p.data.proof)) {
        log(`refused model owner '${hello.name}': it could not prove the shared secret`);
        socket.emit(EVENTS.refused, { reason: 'could not prove the shared secret' });
        socket.disconnect(true);
        return;
      }
      welcomed = true;
      socket.emit(EVENTS.welcome);
    });
    socket.emit(EVENTS.challenge, { name, nonce, proof: prove(o.secret, 'listener', t) });

    let upload: { meta: UploadMeta; data: Uint8Array; next: number; at: number } | undefined;
    const reply = (ack: unknown, r: UploadAck): void => {
      if (typeof ack === 'function') (ack as (a: UploadAck) => void)(r);
    };
    socket.on(OWNER_EVENTS.upload, (meta: unknown, ack: unknown) => {
      if (!welcomed) return reply(ack, { ok: false, message: 'prove the shared secret first' });
      if (busy) return reply(ack, { ok: false, message: `'${name}' is storing another upload; try again` });
      const m = UploadMeta.safeParse(meta);
      if (!m.success) return reply(ack, { ok: false, message: `invalid upload: ${describeIssue(m.error)}` });
      const why = checkUpload(m.data, index);
      if (why !== undefined) return reply(ack, { ok: false, message: why });
      busy = true;
      upload = { meta: m.data, data: new Uint8Array(m.data.totalBytes), next: 0, at: 0 };
      reply(ack, { ok: true, message: 'ready' });
    });
    socket.on(OWNER_EVENTS.chunk, (i: unknown, bytes: unknown, ack: unknown) => {
      const b = bytes instanceof Uint8Array ? bytes : undefined;
      if (upload === undefined || i !== upload.next || b === undefined || upload.at + b.byteLength > upload.data.byteLength) {
        return reply(ack, { ok: false, message: 'unexpected chunk (not in order, too large, or no upload begun)' });
      }
      upload.data.set(b, upload.at);
      upload.at += b.byteLength;
      upload.next += 1;
      reply(ack, { ok: true, message: '' });
    });
    socket.on(OWNER_EVENTS.commit, async (ack: unknown) => {
      const u = upload;
      upload = undefined;
      if (u === undefined || u.at !== u.data.byteLength || u.next !== u.meta.chunks) {
        busy = false;
        return reply(ack, { ok: false, message: 'the upload is incomplete' });
      }
      try {
        const file = servedShareFile(settings, name);
        const words = new BigUint64Array(u.data.buffer, u.data.byteOffset, u.data.byteLength / 8);
        let at = 0;
        const shares = u.meta.model.weights.map((w) => {
          const n = sizeOf(w.shape);
          const t = new RingTensor(w.shape, words.subarray(at, at + n));
          at += n;
          return t;
        });
        await writeShareFile(file, { holder: name, shareIndex: index, holders: settings.roles.servers, model: u.meta.model }, shares);
        const stored = await readShareFile(file, name);
        log(`model owner '${hello.name}' shared ${describeModel(u.meta.model)}; this server's shares are in ${file}`);
        reply(ack, { ok: true, message: file });
        o.stored(stored);
      } catch (e) {
        reply(ack, { ok: false, message: `could not store the shares: ${(e as Error).message}` });
      } finally {
        busy = false;
      }
    });
  });
}

/** Why an upload cannot be taken, or undefined. */
function checkUpload(m: UploadMeta, index: 0 | 1): string | undefined {
  const { model } = m;
  if (modelFingerprint(model) !== model.fingerprint) return 'the model fingerprint does not match its spec';
  if (m.shareIndex !== index) return `this server holds share ${index}; the upload is share ${m.shareIndex}`;
  const bytes = model.weights.reduce((n, w) => n + sizeOf(w.shape) * 8, 0);
  if (bytes !== m.totalBytes) return `the model's ${model.weights.length} weights take ${bytes} bytes; the upload declares ${m.totalBytes}`;
  if (m.chunks !== Math.ceil(bytes / CHUNK_BYTES)) return `an upload of ${bytes} bytes comes in ${Math.ceil(bytes / CHUNK_BYTES)} chunks, not ${m.chunks}`;
  return undefined;
}

export function describeModel(m: SharedModel): string {
  return `model '${m.name}' (fingerprint ${m.fingerprint.slice(0, 12)}, sharing ${m.sharingId.slice(0, 8)})`;
}
