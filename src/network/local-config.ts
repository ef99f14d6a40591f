/**
 * `LocalConfig`: the configuration a program names its players with. In a
 * plain process every player runs here, linked in memory (tests, notebooks,
 * browsers). Started by the `tfe` command, the same program runs unchanged
 * as one player of a multi-process run: the environment names the hostmap and
 * the player, and `LocalConfig` returns that player's RemoteConfig.
 *
 * This file is browser-safe: the `tfe` side (reading the environment and the
 * hostmap, sockets) lives in `tfe-environment.ts`, which installs itself here
 * when Node code loads it (the `tfe` command and `tfjs-encrypted/node` do).
 */
import { ConfigError } from '../errors.js';
import { InProcessConfig, type Config, type ConfigOptions } from './config.js';

/** What `tfe`'s environment makes of a LocalConfig: a configuration, or undefined outside a `tfe` run. */
export type TfeLocalConfig = (names: readonly string[], options: ConfigOptions) => Config | undefined;

let underTfe: TfeLocalConfig | undefined;

/** Installs the `tfe` side (called once by tfe-environment.ts). */
export function setTfeLocalConfig(fn: TfeLocalConfig): void {
  underTfe = fn;
}

/** Variables that `tfe run` / `tfe player` set; none in a browser. */
function startedByTfe(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return (env?.TFE_HOSTMAP ?? '') !== '' || (env?.TFE_DISCOVER ?? '') !== '';
}

/**
 * A configuration of the players `names`: all in this process, or this
 * process's player of a `tfe` run (as tf-encrypted's `LocalConfig`).
 *
 * @example
 * const config = tfe.LocalConfig(['server0', 'server1', 'crypto-producer', 'inputter', 'result-receiver']);
 */
export function LocalConfig(names: readonly string[], options: ConfigOptions = {}): Config {
  if (underTfe !== undefined) {
    const config = underTfe(names, options);
    if (config !== undefined) return config;
  } else if (startedByTfe()) {
    // Running every player here would compute in every process: refuse instead.
    throw new ConfigError(
      "LocalConfig: this process was started by tfe (TFE_HOSTMAP or TFE_DISCOVER is set), but the tfe side of this copy of tfjs-encrypted is not loaded; run the program with the tfe command of the tfjs-encrypted it imports",
    );
  }
  return new InProcessConfig(names, options);
}
