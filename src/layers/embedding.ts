/**
 * Embedding, as tf.layers.embedding: token ids [batch, ...] -> vectors
 * [batch, ..., outputDim] from a private table [inputDim, outputDim].
 *
 * Private ids (the usual case: the text is the inputter's secret) become
 * one-hot rows by exact equality with every id 0 .. inputDim-1 (one adder run
 * over ids x inputDim words), then one Beaver product with the table; the
 * one-hot bits are integers, so nothing is truncated. An id outside
 * [0, inputDim) or not an integer matches no row and gives a zero vector.
 *
 * Public ids (an owner who chooses to reveal them, for instance
 * `prot.definePublicVariable(await prot.reveal(ids))`, or ids every player
 * knows) take the same path in the clear: the one-hot is public, and the
 * product of a public 0/1 matrix with the shares is local, with no
 * communication at all.
 */
import * as tf from '@tensorflow/tfjs';
import { check, NotImplementedError, ShapeError, ValueError } from '../errors.js';
import { isProtocol, type PrivateTensor, type PublicTensor, type Tensor } from '../protocol/api/index.js';
import { fmtLayerShape, Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

export interface EmbeddingLayerArgs extends LayerArgs {
  /** Vocabulary size: ids are 0 .. inputDim-1. */
  inputDim: number;
  /** Size of each vector. */
  outputDim: number;
  /** Only false: masks are not propagated. */
  maskZero?: boolean;
  /** Length of the sequences (checked against the input when given). */
  inputLength?: number | readonly number[] | null;
}

export class Embedding extends Layer {
  static readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly inputLength: readonly number[] | undefined;
  /** The public ids 0 .. inputDim-1, one per protocol. */
  private readonly ranges = new WeakMap<object, PublicTensor>();

  constructor(args: EmbeddingLayerArgs) {
    super(args, Embedding.className);
    const where = `${this.name} (Embedding)`;
    check(Number.isInteger(args.inputDim) && args.inputDim > 0, () => `${where}: inputDim must be a positive integer, got ${String(args.inputDim)}`);
    check(Number.isInteger(args.outputDim) && args.outputDim > 0, () => `${where}: outputDim must be a positive integer, got ${String(args.outputDim)}`);
    if (args.maskZero === true) throw new NotImplementedError(`${where}: maskZero true is not supported; supported: false (masks are not propagated to later layers)`);
    const len = args.inputLength ?? undefined;
    const lens = len === undefined ? undefined : typeof len === 'number' ? [len] : [...len];
    check(lens === undefined || lens.every((d) => Number.isInteger(d) && d > 0), () => `${where}: inputLength must be a positive integer or a list of them, got ${JSON.stringify(args.inputLength)}`);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.inputLength = lens;
  }

  get className(): string {
    return Embedding.className;
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    if (inputShape.length < 2 || inputShape.slice(1).some((d) => d === null)) throw new ShapeError(`${this.name} (Embedding): input must be [batch, ...] ids with known dimensions, got ${fmtLayerShape(inputShape)}`);
    const rest = inputShape.slice(1) as number[];
    if (this.inputLength !== undefined && (rest.length !== this.inputLength.length || rest.some((d, i) => d !== this.inputLength?.[i]))) {
      throw new ShapeError(`${this.name} (Embedding): inputLength ${JSON.stringify(this.inputLength)} does not match the input ${fmtLayerShape(inputShape)}`);
    }
    return [...inputShape, this.outputDim];
  }

  override weightShapes(): number[][] {
    return [[this.inputDim, this.outputDim]];
  }

  protected override initialWeight(_index: number, shape: readonly number[]): tf.Tensor {
    // tfjs's default embeddingsInitializer.
    return tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }).apply([...shape]);
  }

  /** The public row [0, 1, ..., inputDim - 1], made once per protocol. */
  private range(x: Tensor): PublicTensor {
    const prot = x.protocol;
    if (!isProtocol(prot)) throw new ValueError(`${this.name} (Embedding): the ids are not a tensor of a tfe protocol`);
    let r = this.ranges.get(prot);
    if (r === undefined) {
      r = prot.definePublicVariable(tf.range(0, this.inputDim).reshape([1, this.inputDim]));
      this.ranges.set(prot, r);
    }
    return r;
  }

  /** One-hot rows of the ids times the table, back in the ids' shape. */
  private lookup(ids: Tensor): PrivateTensor {
    const table = this.weights[0];
    const oneHot = ids.reshape([ids.size, 1]).equal(this.range(ids));
    return oneHot.matmul(table).reshape([...ids.shape, this.outputDim]);
  }

  protected call(x: PrivateTensor): PrivateTensor {
    return this.lookup(x);
  }

  protected override callPublic(x: PublicTensor, _options: CallOptions): PrivateTensor {
    return this.lookup(x);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim, maskZero: false, inputLength: this.inputLength === undefined ? null : [...this.inputLength] };
  }
}
