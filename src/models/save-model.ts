/**
 * The `file://` router of shares for Node: `file://<folder>` saves each
 * server's shares as `<folder>/<server>.tfeshares` (save-shares.ts).
 * Registered by importing 'tfjs-encrypted/node' (models/node.ts).
 */
import { loadShares, saveShares, type SavableModel } from './save-shares.js';
import { registerSharesRouter, sharesHandler, type SharesIOHandler, type SharesSaveResult } from './shares-router.js';

const SCHEME = 'file://';

/** A handler writing and reading share files in `folder` on this machine. */
export function fileShares(folder: string): SharesIOHandler {
  return {
    save: async (model) => ({ written: await saveShares(model, folder), dateSaved: new Date() }),
    load: (model) => loadShares(model, folder),
  };
}

/** Accepts `file://<folder>` URLs. */
export const fileSharesRouter = (url: string): SharesIOHandler | undefined => (url.startsWith(SCHEME) && url.length > SCHEME.length ? fileShares(url.slice(SCHEME.length)) : undefined);

registerSharesRouter(fileSharesRouter);

/**
 * Saves a built private model's shares, like tfjs `model.save(url)`: every
 * process of the program calls it; each server writes ONLY its own shares; a
 * process that holds no shares (not a server) writes nothing and resolves
 * with `written: []`. Optimizer state is not saved.
 */
export async function saveModel(model: SavableModel, target: string | SharesIOHandler): Promise<SharesSaveResult> {
  return sharesHandler(target).save(model);
}

/**
 * Loads saved shares into a built model of the same architecture: every
 * process calls it; each server reads only its own file and refuses another
 * server's file or a file of another architecture or saving (ModelFileError).
 */
export async function loadModelShares(model: SavableModel, target: string | SharesIOHandler): Promise<void> {
  return sharesHandler(target).load(model);
}
