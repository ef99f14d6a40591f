/**
 * Merge layers of functional models, as tfjs-layers' (tf.layers.add, ...):
 * several inputs, one output. Elementwise merges broadcast like tfjs (equal
 * ranks, dimensions equal or 1); add, subtract and concatenate are free
 * (local on shares), average adds one truncation, multiply a Beaver product
 * per extra input, maximum and minimum an exact comparison per extra input
 * (a balanced tree, so the rounds grow with log2 of the inputs).
 */
import { check, NotImplementedError, ShapeError, ValueError } from '../errors.js';
import type { PrivateTensor } from '../protocol/api/index.js';
import { fmtLayerShape, Layer, type CallOptions, type LayerArgs, type LayerConfig, type LayerShape } from './layer.js';

/** The base of merge layers: two or more inputs (exactly two for subtract and dot). */
export abstract class Merge extends Layer {
  /** Inputs the layer takes: at least `min`, at most `max`. */
  protected readonly arity: { readonly min: number; readonly max: number } = { min: 2, max: Infinity };

  protected override checkInputCount(n: number): void {
    const { min, max } = this.arity;
    if (n < min || n > max) {
      const want = max === min ? `exactly ${min}` : `at least ${min}`;
      throw new ValueError(`${this.name} (${this.className}): takes a list of ${want} inputs, got ${n}`);
    }
  }

  computeOutputShape(inputShape: LayerShape): LayerShape {
    return this.outputShapeFor([inputShape]);
  }

  override outputShapeFor(inputShapes: readonly LayerShape[]): LayerShape {
    this.checkInputCount(inputShapes.length);
    return this.mergeShapes(inputShapes);
  }

  /** The output shape of valid inputs (their count is checked). */
  protected abstract mergeShapes(shapes: readonly LayerShape[]): LayerShape;

  protected call(x: PrivateTensor): PrivateTensor {
    // Never reached: apply checks the input count first.
    this.checkInputCount(1);
    return x;
  }

  protected abstract override callMany(xs: readonly PrivateTensor[], options: CallOptions): PrivateTensor;

  protected where(): string {
    return `${this.name} (${this.className})`;
  }
}

/** tfjs's elementwise merge shape: equal ranks, each dimension equal or 1 (broadcast). */
function broadcastLayerShapes(shapes: readonly LayerShape[], where: string): LayerShape {
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) throw new ShapeError(`${where}: inputs must have equal ranks, got ${shapes.map(fmtLayerShape).join(', ')}`);
  return shapes[0].map((_, i) => {
    const dims = shapes.map((s) => s[i]);
    if (i === 0) return null;
    const known = dims.filter((d): d is number => d !== null && d !== 1);
    if (known.some((d) => d !== known[0])) throw new ShapeError(`${where}: inputs cannot be broadcast together: ${shapes.map(fmtLayerShape).join(', ')}`);
    if (known.length > 0) return known[0];
    return dims.some((d) => d === null) ? null : 1;
  });
}

/** Pairwise reduction as a balanced tree (log2 depth for comparisons). */
function tree(xs: readonly PrivateTensor[], f: (a: PrivateTensor, b: PrivateTensor) => PrivateTensor): PrivateTensor {
  let level = [...xs];
  while (level.length > 1) {
    const next: PrivateTensor[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(f(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

abstract class Elementwise extends Merge {
  protected mergeShapes(shapes: readonly LayerShape[]): LayerShape {
    return broadcastLayerShapes(shapes, this.where());
  }
}

/** Sum of the inputs (free). */
export class Add extends Elementwise {
  static readonly className = 'Add';
  constructor(args: LayerArgs = {}) {
    super(args, Add.className);
  }
  get className(): string {
    return Add.className;
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    return tree(xs, (a, b) => a.add(b));
  }
}

/** First input minus the second (Keras's Subtract; free). */
export class Subtract extends Elementwise {
  static readonly className = 'Subtract';
  protected override readonly arity = { min: 2, max: 2 };
  constructor(args: LayerArgs = {}) {
    super(args, Subtract.className);
  }
  get className(): string {
    return Subtract.className;
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    return xs[0].sub(xs[1]);
  }
}

/** Elementwise product of the inputs: a Beaver product and a truncation per extra input. */
export class Multiply extends Elementwise {
  static readonly className = 'Multiply';
  constructor(args: LayerArgs = {}) {
    super(args, Multiply.className);
  }
  get className(): string {
    return Multiply.className;
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    return tree(xs, (a, b) => a.mul(b));
  }
}

/** Mean of the inputs: the sum (free) times the public 1/n (one truncation). */
export class Average extends Elementwise {
  static readonly className = 'Average';
  constructor(args: LayerArgs = {}) {
    super(args, Average.className);
  }
  get className(): string {
    return Average.className;
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    return tree(xs, (a, b) => a.add(b)).mul(1 / xs.length);
  }
}

/** Elementwise maximum, exact. */
export class Maximum extends Elementwise {
  static readonly className = 'Maximum';
  constructor(args: LayerArgs = {}) {
    super(args, Maximum.className);
  }
  get className(): string {
    return Maximum.className;
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    return tree(xs, (a, b) => a.maximum(b));
  }
}

/** Elementwise minimum, exact. */
export class Minimum extends Elementwise {
  static readonly className = 'Minimum';
  constructor(args: LayerArgs = {}) {
    super(args, Minimum.className);
  }
  get className(): string {
    return Minimum.className;
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    return tree(xs, (a, b) => a.minimum(b));
  }
}

export interface ConcatenateLayerArgs extends LayerArgs {
  /** The axis joined (default -1); not the batch axis. */
  axis?: number;
}

/** Joins the inputs along `axis` (free). */
export class Concatenate extends Merge {
  static readonly className = 'Concatenate';
  readonly axis: number;
  constructor(args: ConcatenateLayerArgs = {}) {
    super(args, Concatenate.className);
    this.axis = args.axis ?? -1;
    check(Number.isInteger(this.axis), () => `${this.where()}: axis must be an integer, got ${String(args.axis)}`);
  }
  get className(): string {
    return Concatenate.className;
  }
  private resolvedAxis(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    if (a <= 0 || a >= rank) throw new NotImplementedError(`${this.where()}: axis ${this.axis} is not supported for inputs of rank ${rank}; supported: 1 to ${rank - 1} or -1 to ${1 - rank} (not the batch axis)`);
    return a;
  }
  protected mergeShapes(shapes: readonly LayerShape[]): LayerShape {
    const rank = shapes[0].length;
    if (shapes.some((s) => s.length !== rank)) throw new ShapeError(`${this.where()}: inputs must have equal ranks, got ${shapes.map(fmtLayerShape).join(', ')}`);
    const a = this.resolvedAxis(rank);
    for (let i = 1; i < rank; i++) {
      if (i === a) continue;
      const dims = shapes.map((s) => s[i]).filter((d) => d !== null);
      if (dims.some((d) => d !== dims[0])) throw new ShapeError(`${this.where()}: inputs must agree on every dimension but axis ${a}, got ${shapes.map(fmtLayerShape).join(', ')}`);
    }
    const sizes = shapes.map((s) => s[a]);
    return shapes[0].map((d, i) => (i === 0 ? null : i === a ? (sizes.some((v) => v === null) ? null : sizes.reduce<number>((acc, v) => acc + (v as number), 0)) : (shapes.map((s) => s[i]).find((v) => v !== null) ?? d)));
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    return xs[0].concat(xs.slice(1), this.resolvedAxis(xs[0].rank));
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export interface DotLayerArgs extends LayerArgs {
  /** The axis (of both inputs) or the pair of axes summed over; not the batch axis. */
  axes: number | readonly [number, number];
  /**
   * L2-normalise both inputs along the axes first (cosine proximity): x times
   * invSqrt of its sum of squares, whose domain asks for squared norms in
   * [2^-8, 2^15).
   */
  normalize?: boolean;
}

/**
 * The batched dot product of two inputs, as tf.layers.dot (inputs of rank 2
 * or 3, as tfjs): rank 2, a product and a sum per sample; rank 3, a batched
 * matrix product.
 */
export class Dot extends Merge {
  static readonly className = 'Dot';
  protected override readonly arity = { min: 2, max: 2 };
  readonly axes: number | readonly [number, number];
  readonly normalize: boolean;
  constructor(args: DotLayerArgs) {
    super(args, Dot.className);
    const ok = (a: unknown): boolean => Number.isInteger(a);
    const axes = args.axes;
    if (!(ok(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every(ok)))) {
      throw new ValueError(`${this.where()}: axes must be an integer or a pair of integers, got ${JSON.stringify(axes)}`);
    }
    this.axes = typeof axes === 'number' ? axes : [axes[0], axes[1]];
    this.normalize = args.normalize ?? false;
  }
  get className(): string {
    return Dot.className;
  }
  /** The two axes, non-negative, checked. */
  private resolvedAxes(r1: number, r2: number): [number, number] {
    const raw: [number, number] = typeof this.axes === 'number' ? [this.axes, this.axes] : [this.axes[0], this.axes[1]];
    const a: [number, number] = [raw[0] < 0 ? raw[0] + r1 : raw[0], raw[1] < 0 ? raw[1] + r2 : raw[1]];
    if (r1 !== r2 || r1 < 2 || r1 > 3) throw new NotImplementedError(`${this.where()}: inputs of ranks ${r1} and ${r2} are not supported; supported: both of rank 2 or both of rank 3`);
    if (a[0] <= 0 || a[0] >= r1 || a[1] <= 0 || a[1] >= r2) throw new NotImplementedError(`${this.where()}: axes ${JSON.stringify(this.axes)} are not supported; supported: non-batch axes (1 to ${r1 - 1})`);
    return a;
  }
  protected mergeShapes(shapes: readonly LayerShape[]): LayerShape {
    const [s1, s2] = shapes;
    const [a1, a2] = this.resolvedAxes(s1.length, s2.length);
    if (s1[a1] !== null && s2[a2] !== null && s1[a1] !== s2[a2]) throw new ShapeError(`${this.where()}: dimension ${a1} of ${fmtLayerShape(s1)} and ${a2} of ${fmtLayerShape(s2)} differ`);
    const out = [...s1.filter((_, i) => i !== a1), ...s2.filter((_, i) => i !== a2 && i !== 0)];
    return out.length === 1 ? [null, 1] : [null, ...out.slice(1)];
  }
  protected callMany(xs: readonly PrivateTensor[]): PrivateTensor {
    let [x, y] = xs;
    const [a1, a2] = this.resolvedAxes(x.rank, y.rank);
    if (this.normalize) {
      x = x.mul(x.square().sum(a1, true).invSqrt());
      y = y.mul(y.square().sum(a2, true).invSqrt());
    }
    if (x.rank === 2) {
      // [b, n] . [b, n] over axis 1: one product and a sum per sample.
      return x.mul(y).sum(1, true);
    }
    // Rank 3: move the summed axis of x last and that of y to the middle, then a batched matmul.
    const xm = a1 === 2 ? x : x.transpose([0, 2, 1]);
    const ym = a2 === 1 ? y : y.transpose([0, 2, 1]);
    return xm.matmul(ym);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), axes: typeof this.axes === 'number' ? this.axes : [...this.axes], normalize: this.normalize };
  }
}
