/** Models in Node: everything of index.ts plus saving and loading tfjs models on the file system. */
export * from './index.js';
export { fileSystem, loadTfjsModelFromFile, loadTfjsModelFromFile as loadTfjs, MODEL_JSON, WEIGHTS_BIN } from './io.js';
export { saveShares, loadShares, shareFilePath, type SavableModel } from './save-shares.js';
export { fileShares, fileSharesRouter, saveModel, loadModelShares, loadModelShares as load } from './save-model.js';
export { registerSharesRouter, sharesHandler, type SharesIOHandler, type SharesRouter, type SharesSaveResult } from './shares-router.js';
