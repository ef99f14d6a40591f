/** The Pond protocol: two servers and a crypto producer. */
export { Pond, type PondRoles, type PondOptions } from './pond.js';
export { PondPrivateVariable } from './variable.js';
export { PondPublicTensor, PondPrivateTensor, PondMaskedTensor, sharesOf, type PondTensor, type PondSecretTensor } from './tensors.js';
export type { TruncationMode } from './context.js';
export { defaultWarningHandler, type OverflowWarning, type OverflowWarningHandler, type OverflowBoundKind } from './overflow.js';
