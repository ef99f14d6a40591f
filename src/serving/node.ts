/**
 * Private prediction service, everything (Node): the client, `serve()` for
 * the long-running servers and crypto producer, `shareModel()` for the model
 * owner, and the settings and share files they use.
 */
export * from './index.js';
export { serve, type ServeOptions } from './serve.js';
export { ServingPlayer, type ServingStatus, type PlayerOptions } from './server.js';
export { shareModel, type ShareModelOptions, type ShareModelResult } from './share-model.js';
export { servingSettings, readServingFile, type ServingSettings, type ServingOverrides, type BatchSettings } from './settings.js';
export { servedShareFile } from './owner.js';
export type { ModelInfo, ServingRoles } from './model.js';
export type { ServingRole } from './epoch.js';
export type { ClientEndpointAddress } from './settings.js';
export type { LeaderStats } from './leader.js';
export type { FollowerStats } from './follower.js';
export type { DealerStats } from './dealer.js';
