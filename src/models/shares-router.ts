/**
 * Where a private model's shares are saved, as tf.io does it for plaintext
 * models: an IOHandler-like object (`save` / `load`), or a URL string that a
 * registered router turns into one. The browser-safe entry registers no router;
 * 'tfjs-encrypted/node' registers `file://` when imported.
 */
import { ValueError } from '../errors.js';
import type { Protocol } from '../protocol/api/index.js';
import type { ArchitectureModel } from './tfjs-architecture.js';

/** What saving needs of a built model (Sequential and Functional are). */
export interface SavableModel extends ArchitectureModel {
  readonly protocol: Protocol | undefined;
}

/** What saving reports, like tf.io.SaveResult (no byte counts: each server writes only its own file). */
export interface SharesSaveResult {
  /** The files (or locations) this process wrote; empty on a process that holds no shares. */
  readonly written: readonly string[];
  /** When the save finished, as tf.io's modelArtifactsInfo.dateSaved. */
  readonly dateSaved: Date;
}

/**
 * Saves and loads one model's shares, mirroring tf.io.IOHandler. Each process
 * writes and reads only its own shares.
 */
export interface SharesIOHandler {
  save(model: SavableModel): Promise<SharesSaveResult>;
  load(model: SavableModel): Promise<void>;
}

/** Turns a URL into a handler, or returns undefined when the URL is not its scheme. */
export type SharesRouter = (url: string) => SharesIOHandler | undefined;

/** Routers by registration order; a registry rather than protocol state (like tf.io's IORouterRegistry). */
const routers: SharesRouter[] = [];

/** Registers a router for `model.save(url)` / `loadShares(url)`, like tf.io.registerSaveRouter. */
export function registerSharesRouter(router: SharesRouter): void {
  if (!routers.includes(router)) routers.push(router);
}

/** The handler for `target`: itself if it is one, else the first router that accepts the URL. */
export function sharesHandler(target: string | SharesIOHandler): SharesIOHandler {
  if (typeof target !== 'string') return target;
  for (const r of routers) {
    const h = r(target);
    if (h !== undefined) return h;
  }
  throw new ValueError(
    `no handler saves or loads shares at '${target}': expected a SharesIOHandler or a 'file://<folder>' URL, which works once 'tfjs-encrypted/node' is imported (it registers the file:// router)`,
  );
}
