/**
 * The `tfe` command.
 *
 *   tfe run script.ts [args...]                                   every player of the script's LocalConfig, one process each, on loopback
 *   tfe player --config hostmap.json --name server0 script.ts     this machine's player of a hostmap
 *   tfe hostmap --players a,b,... --hosts h0,h1,...                a deployment: hostmap, secret, TLS certificates
 *   tfe serve --config hostmap.json --name server0                a player of a prediction service (serve.ts)
 *   tfe share-model --model DIR --config hostmap.json --name NAME  share a model with its servers once (share-model.ts)
 *
 * The shared secret of `tfe player` comes from TFE_SECRET or TFE_SECRET_FILE
 * (never the command line); `tfe run` makes a fresh one.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { TfeError } from '../errors.js';
import { discoverCommand, playerCommand } from './player.js';
import { tunePlayerHeap } from './heap.js';
import { HOSTMAP_USAGE, hostmapCommand } from './hostmap.js';
import { runCommand } from './run.js';
import { serveCommand, SERVE_USAGE } from './serve.js';
import { shareModelCommand, SHARE_MODEL_USAGE } from './share-model.js';
import { describeError, exitWhenIdle } from './script.js';

export const USAGE = `usage:
  tfe run [--kill-after MS] script.ts [args...]
      runs every player of the script's tfe.LocalConfig as its own process on 127.0.0.1;
      when one fails the others are stopped, and killed MS ms later (default 5000)
  tfe player --config hostmap.json --name NAME script.ts [args...]
      runs the script as player NAME of the hostmap; the shared secret comes from
      TFE_SECRET or TFE_SECRET_FILE (never from the command line)
${HOSTMAP_USAGE}
${SERVE_USAGE}
${SHARE_MODEL_USAGE}`;

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const { values, positionals } = parseArgs({ args: rest, options: { 'kill-after': { type: 'string' } }, allowPositionals: true, strict: true });
        if (positionals.length === 0) return usage('tfe run: which script?');
        const killAfterMs = Number(values['kill-after'] ?? 5_000);
        if (!(killAfterMs > 0)) return usage('tfe run: --kill-after must be a positive number of milliseconds');
        return await runCommand({ script: positionals[0], scriptArgs: positionals.slice(1), killAfterMs });
      }
      case 'player': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { config: { type: 'string' }, name: { type: 'string' }, secret: { type: 'string' } },
          allowPositionals: true,
          strict: true,
        });
        if (values.secret !== undefined) return usage('tfe player: never pass the secret on the command line (other users can read it); set TFE_SECRET or TFE_SECRET_FILE');
        if (values.config === undefined || values.name === undefined || positionals.length === 0) return usage('tfe player: needs --config, --name and a script');
        process.argv = [process.argv[0], positionals[0], ...positionals.slice(1)];
        tunePlayerHeap();
        return await playerCommand({ config: values.config, name: values.name, script: positionals[0] });
      }
      case 'hostmap':
        return await hostmapCommand(rest);
      case 'serve':
        tunePlayerHeap();
        return await serveCommand(rest);
      case 'share-model':
        return await shareModelCommand(rest);
      case 'discover':
        if (rest.length !== 2) return usage('tfe discover: internal command, needs a script and an output file');
        return await discoverCommand(rest[0], rest[1]);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return usage(`tfe: unknown command '${command}'`);
    }
  } catch (e) {
    console.error(`tfe: ${e instanceof TfeError ? e.message : describeError(e)}`);
    return 1;
  }
}

function usage(message: string): number {
  console.error(`${message}\n${USAGE}`);
  return 2;
}

// Entry point when run directly (a source checkout runs this file with tsx).
// No top-level await: tfjs-encrypted/node re-exports this module, and
// require() of an ES module graph fails if any module of it awaits at top level.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2)).then((code) => exitWhenIdle(code, process.env.TFE_PLAYER || 'tfe'));
}
