/**
 * What training adds to a model, written once for Sequential and Functional:
 * compile, fit, evaluate, the trainable weights and giving the weights to
 * their owner. A model provides the forward pass (`apply`), its layers, its
 * protocol and its output shape.
 */
import type * as tf from '@tensorflow/tfjs';
import type { CallOptions, Layer, LayerShape } from '../../layers/index.js';
import type { PrivateTensor, PrivateVariable, Protocol } from '../../protocol/api/index.js';
import type { ModelGraph } from '../tfjs-architecture.js';
import { revealWeights } from '../to-tfjs.js';
import type { History, Logs } from './history.js';
import { compileModel, evaluate, fit, trainableWeights, type Compiled, type ModelCompileArgs, type ModelEvaluateArgs, type ModelFitArgs, type TrainableModel } from './trainer.js';

export abstract class TrainableLayersModel implements TrainableModel {
  abstract readonly name: string;
  abstract get layers(): readonly Layer[];
  /** The protocol the model is built on (undefined before build). */
  abstract get protocol(): Protocol | undefined;
  abstract get inputShape(): LayerShape | undefined;
  abstract get outputShape(): LayerShape;
  /** How the layers connect (a stack or a graph). */
  abstract get graph(): ModelGraph;
  /** The forward pass of the built model: training mode with `{ training: true }`. */
  abstract apply(x: PrivateTensor, options?: CallOptions): PrivateTensor;
  private compiled: Compiled | undefined;

  /** Sets the optimizer, the loss and the metrics for fit and evaluate (checked against the model's last activation). */
  compile(args: ModelCompileArgs): void {
    this.compiled = compileModel(this, args);
  }

  /** The weights fit updates (those of layers with `trainable` true). */
  get trainableWeights(): PrivateVariable[] {
    return trainableWeights(this);
  }

  /**
   * Trains on private x and y (see ModelFitArgs): returns the History, whose
   * logs hold the loss only in the process of `revealLossTo`.
   */
  fit(x: PrivateTensor, y: PrivateTensor, args: ModelFitArgs = {}): Promise<History> {
    return fit(this, this.compiled, x, y, args);
  }

  /** The mean loss and metrics on private x and y, revealed to `revealTo` (every player by default). */
  evaluate(x: PrivateTensor, y: PrivateTensor, args: ModelEvaluateArgs = {}): Promise<Logs> {
    return evaluate(this, this.compiled, x, y, args);
  }

  /** Each layer's weights revealed to `owner` (float32 tensors there, undefined in other processes). */
  revealWeights(owner: string): Promise<tf.Tensor[][] | undefined> {
    return revealWeights(this, owner);
  }
}
