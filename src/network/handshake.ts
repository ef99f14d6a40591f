/**
 * The handshake that opens a connection between two players. The dialer
 * sends a hello (its name, the session id, the protocol version and a fresh
 * nonce) with the socket.io connection request; the listener checks it, then
 * proves that it holds the shared secret by an HMAC over both nonces (the
 * challenge); the dialer checks that proof and answers with its own; the
 * listener checks it and welcomes the dialer. Proofs carry a role label, so
 * one side's proof can never be replayed as the other's; the secret itself
 * never travels and no refusal reason mentions it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Version of the wire protocol (handshake, chunks, frames, control messages). */
export const PROTOCOL_VERSION = 2;

/** socket.io event names. */
export const EVENTS = {
  challenge: 'tfe:challenge',
  proof: 'tfe:proof',
  welcome: 'tfe:welcome',
  refused: 'tfe:refused',
  chunk: 'tfe:chunk',
  control: 'tfe:control',
} as const;

const NONCE_BYTES = 32;
const hex = (bytes: number): z.ZodString => z.string().regex(new RegExp(`^[0-9a-f]{${2 * bytes}}$`), `expected ${bytes} bytes as lowercase hex`);

/** Player names on the wire: as {@link checkPlayerNames} allows. */
export const playerName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of letters, digits, _ . -');
/** Session ids: short printable tokens. */
export const sessionId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected 1-128 characters of letters, digits, _ . : -');

/** Sent by the dialer with the connection request (socket.io `auth`). */
export const Hello = z.strictObject({
  name: playerName,
  session: sessionId,
  version: z.int().min(0).max(1_000_000),
  nonce: hex(NONCE_BYTES),
});
export type Hello = z.infer<typeof Hello>;

/** The listener's answer: who it is, its nonce, and its proof of the secret. */
export const Challenge = z.strictObject({ name: playerName, nonce: hex(NONCE_BYTES), proof: hex(32) });
export type Challenge = z.infer<typeof Challenge>;

/** The dialer's proof of the secret. */
export const Proof = z.strictObject({ proof: hex(32) });

/** Why a connection was refused (never holds a secret). */
export const Refusal = z.strictObject({ reason: z.string().max(500) });

export function freshNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

/** What a proof binds: both names, both nonces, session and version. */
export interface Transcript {
  readonly session: string;
  readonly version: number;
  readonly dialer: string;
  readonly listener: string;
  readonly dialerNonce: string;
  readonly listenerNonce: string;
}

/** HMAC-SHA256 of the transcript under the secret, labelled by the prover's role. */
export function prove(secret: Uint8Array, role: 'dialer' | 'listener', t: Transcript): string {
  const fields = ['tfjs-encrypted/handshake', role, t.session, String(t.version), t.dialer, t.listener, t.dialerNonce, t.listenerNonce];
  return createHmac('sha256', secret).update(fields.join('\u0000')).digest('hex');
}

/** Checks a proof in constant time. */
export function verify(secret: Uint8Array, role: 'dialer' | 'listener', t: Transcript, proof: string): boolean {
  const want = Buffer.from(prove(secret, role, t), 'hex');
  const got = Buffer.from(proof, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** First issue of a failed zod parse, as `field: problem`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.length === 0 ? 'message' : issue.path.map(String).join('.');
  return `${path}: ${issue.message}`;
}
