/** Models: tfe.sequential, tfe.model (functional), conversion from tfjs, loading tfjs models from disk. */
export { Sequential, sequential, type SequentialArgs } from './sequential.js';
export { Functional, model, type FunctionalArgs, type FunctionalConfig } from './functional.js';
export type { LayersModel, ModelInputs, ModelTensor, ModelBuildOptions, ModelWeightProvider, PredictOptions, SummaryRow, ModelConfig, LayerEntry } from './model.js';
export { fromTfjs, SUPPORTED_TFJS_LAYERS, type FromTfjsOptions } from './from-tfjs.js';
export { fileSystem, loadTfjsModelFromFile, loadTfjsModelFromFile as loadTfjs, MODEL_JSON, WEIGHTS_BIN } from './io.js';
