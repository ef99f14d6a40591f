/** The Pond protocol: two servers and a crypto producer. */
export { Pond } from './pond.js';
export type { PondRoles, PondOptions } from './options.js';
export { DEFAULT_DEALER_WINDOW, MIN_DEALER_WINDOW } from './options.js';
export { PondPrivateVariable } from './variable.js';
export { PondPublicTensor, PondPrivateTensor, PondMaskedTensor, sharesOf, type PondTensor, type PondSecretTensor } from './tensors.js';
export type { ComparisonMethod, TruncationMode } from './context.js';
export { defaultWarningHandler, type OverflowWarning, type OverflowWarningHandler, type OverflowBoundKind } from './overflow.js';
