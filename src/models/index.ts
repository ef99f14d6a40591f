/** Models: tfe.sequential and conversion from tfjs (loading from disk: node.ts). */
export { Sequential, sequential, type SequentialArgs, type ModelBuildOptions, type ModelWeightProvider, type PredictOptions, type SummaryRow } from './sequential.js';
export { fromTfjs, SUPPORTED_TFJS_LAYERS, type FromTfjsOptions } from './from-tfjs.js';
export { History, type CallbackArgs, type Logs } from './training/history.js';
export { losses, LOSSES, type LossIdentifier, type LossSpec } from './training/losses.js';
export { train, Optimizer, SGDOptimizer, MomentumOptimizer, AdamOptimizer, type VariableGrad } from './training/optimizers.js';
export { METRICS, type MetricIdentifier, type ModelCompileArgs, type ModelFitArgs, type ModelEvaluateArgs, type TrainableModel } from './training/trainer.js';
