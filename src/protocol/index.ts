/** Secure protocols on placed values: the interface (api/) and Pond. */
export * from './api/index.js';
export { Pond, PondPrivateVariable, PondPublicTensor, PondPrivateTensor, PondMaskedTensor, sharesOf, DEFAULT_DEALER_WINDOW, MIN_DEALER_WINDOW } from './pond/index.js';
export type { PondRoles, PondOptions, PondTensor, PondSecretTensor, TruncationMode, ComparisonMethod, OverflowWarning, OverflowWarningHandler, OverflowBoundKind } from './pond/index.js';
export type { AdderBits } from './binary/adder.js';
export { Placed } from './placed.js';
export { Runtime } from './runtime.js';
export { Progress } from './progress.js';
export type { TripleSource, MaskShares, BilinearOp, TruncationShares, ServerPair, OwnedAnds, OwnedPair, RandomBits, ComparisonKeys } from './dealer/triple-source.js';
export { OnlineTripleSource } from './dealer/online.js';
export { PreprocessedTripleSource, correctionKey, type BundleShare } from './dealer/preprocessed.js';
export type { DealerKeys } from './dealer/online.js';
