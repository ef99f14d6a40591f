/** Secure protocols on placed values. */
export { Pond, PondPrivateVariable, PondPublicTensor, PondPrivateTensor, PondMaskedTensor } from './pond/index.js';
export type { PondRoles, PondOptions, PrivateInputOptions, VariableOptions, InputProvider, PondTensor, PondSecretTensor, Operand, PoolOptions, TruncationMode } from './pond/index.js';
export { Placed } from './placed.js';
export { Runtime } from './runtime.js';
export type { TripleSource, MaskShares, BilinearOp, TruncationShares, ServerPair, OwnedAnds, OwnedPair, RandomBits } from './dealer/triple-source.js';
export { OnlineTripleSource } from './dealer/online.js';
export type { TensorLike, NestedArray, Float64Values } from './tensor-like.js';
