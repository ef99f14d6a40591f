/** The Pond protocol: two servers and a crypto producer. */
export { Pond, PondPrivateVariable, type PondRoles, type PondOptions, type PrivateInputOptions, type VariableOptions, type InputProvider } from './pond.js';
export {
  PondPublicTensor,
  PondPrivateTensor,
  PondMaskedTensor,
  type PondTensor,
  type PondSecretTensor,
  type Operand,
  type PoolOptions,
} from './tensors.js';
export type { TruncationMode } from './context.js';
