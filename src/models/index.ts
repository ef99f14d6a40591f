/** Models: tfe.sequential and conversion from tfjs (loading from disk: node.ts). */
export { Sequential, sequential, type SequentialArgs, type ModelBuildOptions, type ModelWeightProvider, type PredictOptions, type SummaryRow } from './sequential.js';
export { fromTfjs, SUPPORTED_TFJS_LAYERS, type FromTfjsOptions } from './from-tfjs.js';
