/**
 * `LocalConfig`: the configuration a program names its players with. In a
 * plain process every player runs here, linked in memory (tests, notebooks).
 * Started by the `tfe` command, the same program runs unchanged as one player
 * of a multi-process run: the environment names the hostmap and the player,
 * and `LocalConfig` returns that player's {@link RemoteConfig}.
 *
 * Environment (set by `tfe run` / `tfe player`): TFE_HOSTMAP, TFE_PLAYER,
 * TFE_SECRET or TFE_SECRET_FILE, TFE_SESSION; TFE_DISCOVER (a file name) makes
 * `LocalConfig` write its player names there and end the process, which is how
 * `tfe run` learns them.
 */
import { writeFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { checkPlayerNames, InProcessConfig, type Config, type ConfigOptions } from './config.js';
import { RemoteConfig } from './remote-config.js';

/**
 * A configuration of the players `names`: all in this process, or this
 * process's player of a `tfe` run (as tf-encrypted's `LocalConfig`).
 *
 * @example
 * const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
 */
export function LocalConfig(names: readonly string[], options: ConfigOptions = {}): Config {
  const env = typeof process === 'undefined' ? {} : process.env;
  if (env.TFE_DISCOVER !== undefined && env.TFE_DISCOVER !== '') {
    checkPlayerNames(names, 'LocalConfig');
    writeFileSync(env.TFE_DISCOVER, JSON.stringify({ players: names }));
    process.exit(0);
  }
  if (env.TFE_HOSTMAP !== undefined && env.TFE_HOSTMAP !== '') {
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
  return new InProcessConfig(names, options);
}
