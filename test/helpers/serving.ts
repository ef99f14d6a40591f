/** A prediction service on loopback for tests: a hostmap with a serving section, and its players in this process. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts, TEST_SECRET } from './net.js';
import { serve, type ServeOptions, type ServingPlayer } from '../../src/serving/node.js';

export const SERVING_NAMES = ['server0', 'server1', 'crypto-producer'] as const;

export interface ServiceFiles {
  readonly dir: string;
  readonly hostmap: string;
  readonly urls: readonly [string, string];
}

/** A fresh folder with a hostmap of the three serving players and a model owner, on free loopback ports. */
export async function serviceFiles(t: { teardown(fn: () => void): void }, serving: Record<string, unknown> = {}): Promise<ServiceFiles> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-service-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ports = await freePorts(6);
  const names = [...SERVING_NAMES, 'model-owner'];
  const hostmap = {
    players: names.map((name, i) => ({ name, host: '127.0.0.1', port: ports[i] })),
    serving: { clients: { server0: ports[4], server1: ports[5] }, sharesDir: 'shares', timeoutMs: 10_000, ...serving },
  };
  const file = path.join(dir, 'hostmap.json');
  writeFileSync(file, JSON.stringify(hostmap, null, 2));
  return { dir, hostmap: file, urls: [`http://127.0.0.1:${ports[4]}`, `http://127.0.0.1:${ports[5]}`] };
}

/** The three serving players in this process (`perPlayer`: options of one player only); closed when the test ends. */
export async function startService(
  t: { teardown(fn: () => Promise<void>): void },
  files: ServiceFiles,
  options: Partial<ServeOptions> = {},
  logs: string[] = [],
  perPlayer: Partial<Record<(typeof SERVING_NAMES)[number], Partial<ServeOptions>>> = {},
): Promise<ServingPlayer[]> {
  const players = await Promise.all(SERVING_NAMES.map((name) => serve({ config: files.hostmap, name, secret: TEST_SECRET, log: (m) => logs.push(`${name}: ${m}`), ...options, ...perPlayer[name] })));
  t.teardown(async () => void (await Promise.all(players.map((p) => p.close()))));
  return players;
}
