/**
 * The `tfe` side of {@link LocalConfig} (Node only). Environment, set by
 * `tfe run` / `tfe player`: TFE_HOSTMAP, TFE_PLAYER, TFE_SECRET or
 * TFE_SECRET_FILE, TFE_SESSION; TFE_DISCOVER (a file name) makes
 * `LocalConfig` write its player names there and end the process, which is
 * how `tfe run` learns them.
 *
 * Loading this module installs it into LocalConfig (the one module-level
 * effect of the Node side; `network/node.ts` loads it).
 */
import { writeFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { checkPlayerNames, type Config, type ConfigOptions } from './config.js';
import { setTfeLocalConfig } from './local-config.js';
import { RemoteConfig } from './remote-config.js';

/** This process's player of a `tfe` run, or undefined outside one. */
export function localConfigUnderTfe(names: readonly string[], options: ConfigOptions): Config | undefined {
  const env = process.env;
  if (env.TFE_DISCOVER !== undefined && env.TFE_DISCOVER !== '') {
    checkPlayerNames(names, 'LocalConfig');
    writeFileSync(env.TFE_DISCOVER, JSON.stringify({ players: names }));
    process.exit(0);
  }
  if (env.TFE_HOSTMAP === undefined || env.TFE_HOSTMAP === '') return undefined;
  checkPlayerNames(names, 'LocalConfig');
  const config = RemoteConfig.load(env.TFE_HOSTMAP, options);
  const listed = config.playerNames;
  const missing = names.filter((n) => !listed.includes(n));
  const extra = listed.filter((n) => !names.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    void config.destroy();
    const fmt = (xs: string[]): string => xs.map((x) => `'${x}'`).join(', ');
    throw new ConfigError(
      `LocalConfig: the program's players differ from the hostmap ${env.TFE_HOSTMAP}` +
        `${missing.length > 0 ? `; not in the hostmap: ${fmt(missing)}` : ''}${extra.length > 0 ? `; only in the hostmap: ${fmt(extra)}` : ''}`,
    );
  }
  return config;
}

setTfeLocalConfig(localConfigUnderTfe);
