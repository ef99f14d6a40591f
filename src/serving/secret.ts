/**
 * The hostmap's shared secret, for the service's own authentication (the
 * model owner proves it holds it). Same sources and rules as RemoteConfig's:
 * the option, TFE_SECRET, the file named by TFE_SECRET_FILE, the hostmap's
 * `secretFile`; never the command line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { Hostmap } from '../network/node.js';

const MIN_SECRET_BYTES = 16;

export function resolveSecret(given: string | Uint8Array | undefined, hostmap: Hostmap, baseDir: string, env: NodeJS.ProcessEnv = process.env): Uint8Array {
  let secret: Uint8Array;
  if (given !== undefined) secret = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
  else if (env.TFE_SECRET !== undefined && env.TFE_SECRET !== '') secret = Buffer.from(env.TFE_SECRET, 'utf8');
  else {
    const file = env.TFE_SECRET_FILE || (hostmap.secretFile === undefined ? undefined : path.resolve(baseDir, hostmap.secretFile));
    if (file === undefined) throw new ConfigError('no shared secret: set TFE_SECRET or TFE_SECRET_FILE (or secretFile in the hostmap); never pass it on the command line');
    try {
      secret = Buffer.from(readFileSync(file, 'utf8').replace(/\r?\n$/, ''), 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read the secret file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (secret.byteLength < MIN_SECRET_BYTES) throw new ConfigError(`the shared secret must be at least ${MIN_SECRET_BYTES} bytes long`);
  return secret;
}
