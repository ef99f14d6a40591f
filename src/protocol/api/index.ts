/** The protocol interface: what layers and models import (and nothing else of src/protocol). */
export type {
  TensorKind,
  OpRunner,
  TensorCore,
  PublicTensor,
  PrivateTensor,
  MaskedTensor,
  Tensor,
  SecretTensor,
  Operand,
  Result,
  Result2,
  PoolOptions,
  SigmoidMethod,
  SigmoidOptions,
  ExpOptions,
  InvSqrtOptions,
  Coefficient,
  OpSignatures,
  OpName,
  OpParams,
  OpResult,
  ProtocolOps,
  OpRecord,
  OpRecorder,
  OpCost,
} from './ops.js';
export { NO_COST, addCosts } from './ops.js';
export { SecureTensorBase, installFluentOps } from './tensor.js';
export type { Protocol, CostEstimator, PrivateVariable, InputProvider, PrivateInputOptions, VariableOptions } from './protocol.js';
export { isProtocol } from './protocol.js';
export { Held } from './held.js';
export type { TensorLike, NestedArray, Float64Values } from './tensor-like.js';
