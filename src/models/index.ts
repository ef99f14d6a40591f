/** Models: tfe.sequential, tfe.model (functional), conversion from tfjs, loading tfjs models from disk. */
export { Sequential, sequential, type SequentialArgs } from './sequential.js';
export { Functional, model, type FunctionalArgs, type FunctionalConfig } from './functional.js';
export type { ModelGraph } from './tfjs-architecture.js';
export type { LayersModel, ModelInputs, ModelTensor, ModelBuildOptions, ModelWeightProvider, PredictOptions, SummaryRow, ModelConfig, LayerEntry } from './model.js';
export { fromTfjs, SUPPORTED_TFJS_LAYERS, type FromTfjsOptions } from './from-tfjs.js';
export { History, type CallbackArgs, type Logs } from './training/history.js';
export { losses, LOSSES, type LossIdentifier, type LossSpec } from './training/losses.js';
export { train, Optimizer, SGDOptimizer, MomentumOptimizer, AdamOptimizer, type VariableGrad } from './training/optimizers.js';
export { METRICS, type MetricIdentifier, type ModelCompileArgs, type ModelFitArgs, type ModelEvaluateArgs, type TrainableModel } from './training/trainer.js';
export type { CheckWeights } from './training/weight-check.js';
