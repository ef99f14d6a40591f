/**
 * `tfe serve --config hostmap.json --name server0|server1|crypto-producer`:
 * one long-running player of a prediction service, until SIGINT or SIGTERM.
 * The shared secret comes from TFE_SECRET or TFE_SECRET_FILE (never the
 * command line); the client token from the hostmap's serving.clientTokenFile
 * or TFE_CLIENT_TOKEN.
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { serve } from '../serving/node.js';

export const SERVE_USAGE = `  tfe serve --config hostmap.json --name NAME [--shares-dir DIR] [--max-batch N] [--max-wait-ms MS]
            [--sizes 1,4,16,32] [--queue N] [--pipeline N] [--comparison adder|fss] [--nice N]
      runs NAME (a server or the crypto producer of the hostmap's serving section) until
      stopped; servers answer clients on their client endpoint and keep their shares in DIR;
      the crypto producer lowers its priority by N (default 10) so that dealing ahead yields;
      --comparison fss: relu in one round instead of four to six, for ~1 KB per element dealt ahead
      (the leading server's choice holds for all)`;

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`tfe serve: ${flag} must be a non-negative number, got '${value}'`);
  return n;
}

function comparisonOf(value: string): 'adder' | 'fss' {
  if (value !== 'adder' && value !== 'fss') throw new ConfigError(`tfe serve: --comparison must be 'adder' or 'fss', got '${value}'`);
  return value;
}

/** Runs `tfe serve` with `args` (after the command); resolves with the exit code once stopped. */
export async function serveCommand(args: readonly string[]): Promise<number> {
  tf.env().set('PROD', true);
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string' },
      name: { type: 'string' },
      secret: { type: 'string' },
      'shares-dir': { type: 'string' },
      'max-batch': { type: 'string' },
      'max-wait-ms': { type: 'string' },
      sizes: { type: 'string' },
      queue: { type: 'string' },
      pipeline: { type: 'string' },
      nice: { type: 'string' },
      comparison: { type: 'string' },
    },
    strict: true,
  });
  if (values.secret !== undefined) throw new ConfigError('tfe serve: never pass the secret on the command line (other users can read it); set TFE_SECRET or TFE_SECRET_FILE');
  if (values.config === undefined || values.name === undefined) throw new ConfigError('tfe serve: needs --config and --name');
  const name = values.name;
  const batch = {
    ...(values['max-batch'] === undefined ? {} : { maxBatch: int(values['max-batch'], '--max-batch') }),
    ...(values['max-wait-ms'] === undefined ? {} : { maxWaitMs: int(values['max-wait-ms'], '--max-wait-ms') }),
    ...(values.pipeline === undefined ? {} : { pipeline: int(values.pipeline, '--pipeline') }),
    ...(values.sizes === undefined ? {} : { sizes: values.sizes.split(',').map((s) => int(s.trim(), '--sizes') as number) }),
  };
  const player = await serve({
    config: values.config,
    name,
    ...(values['shares-dir'] === undefined ? {} : { sharesDir: values['shares-dir'] }),
    ...(values.queue === undefined ? {} : { preprocessingQueue: int(values.queue, '--queue') }),
    ...(values.comparison === undefined ? {} : { comparison: comparisonOf(values.comparison) }),
    batch,
    log: (m) => console.error(`tfe serve ${name}: ${m}`),
  });
  if (player.role === 'dealer') {
    // Dealing ahead is background work: on a shared machine it yields to the servers' queries.
    const nice = int(values.nice ?? '10', '--nice') as number;
    try {
      os.setPriority(Math.min(19, os.getPriority() + nice));
    } catch {
      console.error(`tfe serve ${name}: could not lower this process's priority by ${nice}`);
    }
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.error(`tfe serve ${name}: ${signal}: shutting down`);
  await player.close();
  return 0;
}
