/**
 * `tfe player --config hostmap.json --name NAME script.ts`: runs the program
 * as one player of a hostmap. The program's `tfe.LocalConfig(names)` (or
 * `tfe.RemoteConfig.load(...)`) then connects to the other players. The shared
 * secret comes from TFE_SECRET or TFE_SECRET_FILE, never the command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { checkSecretFile, parseHostmap } from '../network/node.js';
import { runScript } from './script.js';

export interface PlayerArgs {
  readonly config: string;
  readonly name: string;
  readonly script: string;
}

/** Checks the hostmap, the name and that a secret is available, before the program starts. */
export function preparePlayer(args: PlayerArgs): void {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(args.config, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read hostmap ${args.config}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const hostmap = parseHostmap(value, args.config);
  const names = hostmap.players.map((p) => p.name);
  if (!names.includes(args.name)) {
    throw new ConfigError(`--name ${args.name}: not a player of ${args.config}, which lists ${names.map((n) => `'${n}'`).join(', ')}`);
  }
  const env = process.env;
  if (!env.TFE_SECRET && !env.TFE_SECRET_FILE && hostmap.secretFile === undefined) {
    throw new ConfigError('no shared secret: set TFE_SECRET or TFE_SECRET_FILE (the secret is never passed on the command line)');
  }
  if (!env.TFE_SECRET) {
    const file = env.TFE_SECRET_FILE || (hostmap.secretFile === undefined ? undefined : path.resolve(path.dirname(path.resolve(args.config)), hostmap.secretFile));
    if (file !== undefined) checkSecretFile(file, `tfe player ${args.name}`);
  }
  if (!existsSync(args.script)) throw new ConfigError(`script ${args.script} does not exist`);
  env.TFE_HOSTMAP = path.resolve(args.config);
  env.TFE_PLAYER = args.name;
}

export async function playerCommand(args: PlayerArgs): Promise<number> {
  preparePlayer(args);
  return runScript(args.script, args.name);
}

/** `tfe discover script out.json` (internal): the program's LocalConfig writes its names to `out` and exits. */
export async function discoverCommand(script: string, out: string): Promise<number> {
  process.env.TFE_DISCOVER = out;
  const code = await runScript(script, 'discover');
  if (code === 0) console.error(`tfe: ${script} finished without creating a tfe.LocalConfig, so its players are unknown`);
  return 2;
}
