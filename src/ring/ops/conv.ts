/**
 * 2-D convolution and pooling windows in tfjs layout (NHWC input, HWIO
 * filter), by im2col: each output pixel's receptive field becomes one row, so a
 * convolution is one matrix product with the filter seen as (kh*kw*c) x out.
 *
 * Dilation is a strided im2col (the padded image read through one strided
 * view), not a kernel with zeros inserted: the patches and the filter keep
 * kh*kw entries whatever the dilation, so the products, the Beaver masks of a
 * private filter and the triples are those of the undilated convolution.
 */
import { check, checkShape } from '../../errors.js';
import { kernels, type Arena, type KernelExports } from '../kernels.js';
import { RingTensor } from '../ring-tensor.js';
import { fmt, sizeOf, stridesOf, type Shape } from '../shape.js';
import { matmul, matmulInArena } from './matmul.js';
import { add } from './elementwise.js';
import { gather, pad, reshape, slice, transpose } from './movement.js';
import { copyStrided } from './strided.js';
import { sum } from './reduce.js';

/** Padding modes of tfjs: 'valid' (no padding) and 'same' (output = ceil(input / stride)). */
export type Padding = 'valid' | 'same';

/** Output size and padding of a window sliding over an NHWC image. */
export interface WindowGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  /** Gaps between kernel taps (1: none). */
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** Normalises `n` or `[h, w]`. */
export function pair(v: number | readonly [number, number], what: string, op: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  check(p.length === 2 && p.every((x) => Number.isInteger(x) && x >= 1), () => `${op}: ${what} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  return p;
}

/** Geometry as tfjs computes it (tf.conv2d / tf.avgPool): a dilated kernel spans (k - 1) d + 1 pixels. */
export function windowGeometry(
  inputShape: Shape,
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
  op: string,
  dilations: readonly [number, number] = [1, 1],
): WindowGeometry {
  checkShape(inputShape.length === 4, () => `${op}: input must be rank 4 (NHWC), got ${fmt(inputShape)}`);
  check(padding === 'valid' || padding === 'same', () => `${op}: padding must be 'valid' or 'same', got '${String(padding)}'`);
  const [batch, inHeight, inWidth, channels] = inputShape;
  const [kernelHeight, kernelWidth] = kernel;
  const [strideHeight, strideWidth] = strides;
  const [dilationHeight, dilationWidth] = dilations;
  const spanHeight = (kernelHeight - 1) * dilationHeight + 1;
  const spanWidth = (kernelWidth - 1) * dilationWidth + 1;
  let outHeight: number, outWidth: number, padTop: number, padLeft: number;
  if (padding === 'same') {
    outHeight = Math.ceil(inHeight / strideHeight);
    outWidth = Math.ceil(inWidth / strideWidth);
    padTop = Math.floor(Math.max((outHeight - 1) * strideHeight + spanHeight - inHeight, 0) / 2);
    padLeft = Math.floor(Math.max((outWidth - 1) * strideWidth + spanWidth - inWidth, 0) / 2);
  } else {
    checkShape(
      spanHeight <= inHeight && spanWidth <= inWidth,
      () => `${op}: window ${spanHeight}x${spanWidth} is larger than the input ${inHeight}x${inWidth} with 'valid' padding`,
    );
    outHeight = Math.ceil((inHeight - spanHeight + 1) / strideHeight);
    outWidth = Math.ceil((inWidth - spanWidth + 1) / strideWidth);
    padTop = 0;
    padLeft = 0;
  }
  return { batch, inHeight, inWidth, channels, kernelHeight, kernelWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, outHeight, outWidth, padTop, padLeft };
}

function im2colInArena(arena: Arena, k: KernelExports, px: number, g: WindowGeometry): number {
  const rows = g.batch * g.outHeight * g.outWidth;
  const cols = g.kernelHeight * g.kernelWidth * g.channels;
  const out = arena.alloc(rows * cols);
  k.im2col(px, out, g.batch, g.inHeight, g.inWidth, g.channels, g.kernelHeight, g.kernelWidth,
    g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.outHeight, g.outWidth);
  return out;
}

/**
 * Patches of `x` (NHWC) as rows: shape [batch*outH*outW, kh*kw*c], zero where
 * the window covers padding.
 */
export function im2col(x: RingTensor, g: WindowGeometry): RingTensor {
  const rows = g.batch * g.outHeight * g.outWidth;
  const cols = g.kernelHeight * g.kernelWidth * g.channels;
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1) return im2colDilated(x, g);
  const data = kernels().run((arena, k) => arena.take(im2colInArena(arena, k, arena.put(x.data), g), rows * cols));
  return new RingTensor([rows, cols], data);
}

/**
 * The dilated im2col: the image zero-padded so that every tap is inside it,
 * then read as [batch, outH, outW, kh, kw, c] through one strided view
 * (strides s * row for output rows, d * row for kernel rows).
 */
function im2colDilated(x: RingTensor, g: WindowGeometry): RingTensor {
  const spanH = (g.kernelHeight - 1) * g.dilationHeight + 1;
  const spanW = (g.kernelWidth - 1) * g.dilationWidth + 1;
  const padBottom = Math.max(0, (g.outHeight - 1) * g.strideHeight + spanH - g.inHeight - g.padTop);
  const padRight = Math.max(0, (g.outWidth - 1) * g.strideWidth + spanW - g.inWidth - g.padLeft);
  const xp = pad(x, [[0, 0], [g.padTop, padBottom], [g.padLeft, padRight], [0, 0]]);
  const [, hp, wp, c] = xp.shape;
  const dims = [g.batch, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, c];
  const n = sizeOf(dims);
  const rows = g.batch * g.outHeight * g.outWidth;
  if (n === 0) return RingTensor.zeros([rows, g.kernelHeight * g.kernelWidth * c]);
  const strides = [hp * wp * c, g.strideHeight * wp * c, g.strideWidth * c, g.dilationHeight * wp * c, g.dilationWidth * c, 1];
  const data = kernels().run((arena, k) => {
    const src = arena.put(xp.data);
    const dst = arena.alloc(n);
    copyStrided(arena, k, src, 0, strides, dst, 0, stridesOf(dims), dims);
    return arena.take(dst, n);
  });
  return new RingTensor([rows, g.kernelHeight * g.kernelWidth * c], data);
}

/** Options of the ring's `conv2d` (tf.conv2d's). */
export interface Conv2dOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
  /** Gaps between kernel taps (tf.conv2d's dilations; default 1). */
  dilations?: number | readonly [number, number];
}

/** Geometry of conv2d(x, filter): the filter is HWIO. */
export function conv2dGeometry(xShape: Shape, filterShape: Shape, options: Conv2dOptions = {}): WindowGeometry {
  checkShape(filterShape.length === 4, () => `conv2d: filter must be rank 4 (HWIO), got ${fmt(filterShape)}`);
  checkShape(
    xShape.length === 4 && xShape[3] === filterShape[2],
    () => `conv2d: input ${fmt(xShape)} (NHWC) and filter ${fmt(filterShape)} (HWIO) disagree on input channels`,
  );
  return windowGeometry(xShape, [filterShape[0], filterShape[1]], pair(options.strides ?? 1, 'strides', 'conv2d'), options.padding ?? 'valid', 'conv2d', pair(options.dilations ?? 1, 'dilations', 'conv2d'));
}

/** tf.conv2d over the ring: NHWC input, HWIO filter. */
export function conv2d(x: RingTensor, filter: RingTensor, options: Conv2dOptions = {}): RingTensor {
  const g = conv2dGeometry(x.shape, filter.shape, options);
  const outChannels = filter.shape[3];
  const rows = g.batch * g.outHeight * g.outWidth;
  const cols = g.kernelHeight * g.kernelWidth * g.channels;
  const shape = [g.batch, g.outHeight, g.outWidth, outChannels];
  if (rows === 0 || outChannels === 0) return RingTensor.zeros(shape);
  if (g.dilationHeight !== 1 || g.dilationWidth !== 1) return reshape(matmul(im2colDilated(x, g), reshape(filter, [cols, outChannels])), shape);
  const data = kernels().run((arena, k) => {
    const patches = im2colInArena(arena, k, arena.put(x.data), g);
    const pf = arena.put(filter.data);
    return arena.take(matmulInArena(arena, k, patches, cols, pf, outChannels, rows, cols, outChannels), rows * outChannels);
  });
  return new RingTensor(shape, data);
}

/** Geometry of depthwiseConv2d(x, filter): the filter is [kh, kw, inChannels, multiplier]. */
export function depthwiseGeometry(xShape: Shape, filterShape: Shape, options: Conv2dOptions = {}): WindowGeometry {
  checkShape(filterShape.length === 4, () => `depthwiseConv2d: filter must be rank 4 [kh, kw, in, multiplier], got ${fmt(filterShape)}`);
  checkShape(
    xShape.length === 4 && xShape[3] === filterShape[2],
    () => `depthwiseConv2d: input ${fmt(xShape)} (NHWC) and filter ${fmt(filterShape)} disagree on input channels`,
  );
  return windowGeometry(xShape, [filterShape[0], filterShape[1]], pair(options.strides ?? 1, 'strides', 'depthwiseConv2d'), options.padding ?? 'valid', 'depthwiseConv2d', pair(options.dilations ?? 1, 'dilations', 'depthwiseConv2d'));
}

/**
 * tf.depthwiseConv2d: each input channel c is convolved with its own filters
 * [kh, kw, c, m]; output channel c * multiplier + m. im2col, then one batched
 * matmul over channels.
 */
export function depthwiseConv2d(x: RingTensor, filter: RingTensor, options: Conv2dOptions = {}): RingTensor {
  const g = depthwiseGeometry(x.shape, filter.shape, options);
  const mult = filter.shape[3];
  const rows = g.batch * g.outHeight * g.outWidth;
  const window = g.kernelHeight * g.kernelWidth;
  const c = g.channels;
  const shape = [g.batch, g.outHeight, g.outWidth, c * mult];
  if (rows === 0 || c * mult === 0) return RingTensor.zeros(shape);
  // patches [rows, window, c] -> [c, rows, window]; filter [window, c, m] -> [c, window, m]
  const patches = transpose(reshape(im2col(x, g), [rows, window, c]), [2, 0, 1]);
  const f = transpose(reshape(filter, [window, c, mult]), [1, 0, 2]);
  const out = matmul(patches, f); // [c, rows, m]
  return reshape(transpose(out, [1, 0, 2]), shape);
}

/**
 * Sum over each pooling window (padding contributes zeros): the linear part of
 * average pooling. Output NHWC.
 */
export function sumPool2d(x: RingTensor, g: WindowGeometry): RingTensor {
  const patches = im2col(x, g);
  const windows = reshape(patches, [g.batch * g.outHeight * g.outWidth, g.kernelHeight * g.kernelWidth, g.channels]);
  return reshape(sum(windows, 1), [g.batch, g.outHeight, g.outWidth, g.channels]);
}

/**
 * Number of input pixels (not padding) under each output window, row-major
 * [outH, outW]: the divisor tfjs uses for average pooling with 'same' padding.
 */
export function windowCounts(g: WindowGeometry): Float64Array {
  const counts = new Float64Array(g.outHeight * g.outWidth);
  const span = (o: number, stride: number, pad: number, kernel: number, size: number): number => {
    const start = o * stride - pad;
    return Math.min(start + kernel, size) - Math.max(start, 0);
  };
  for (let oy = 0; oy < g.outHeight; oy++) {
    const h = span(oy, g.strideHeight, g.padTop, g.kernelHeight, g.inHeight);
    for (let ox = 0; ox < g.outWidth; ox++) {
      counts[oy * g.outWidth + ox] = h * span(ox, g.strideWidth, g.padLeft, g.kernelWidth, g.inWidth);
    }
  }
  return counts;
}

/**
 * The adjoint of im2col: rows of patches [batch*outH*outW, kh*kw*c] summed
 * back into an NHWC image (each input pixel gets the sum of the patch entries
 * that read it; padding positions are dropped). One strided placement per
 * kernel offset: the offset's column block is spread out by the strides and
 * added into a canvas that covers the padded input.
 */
export function col2im(cols: RingTensor, g: WindowGeometry): RingTensor {
  const { batch: b, outHeight: oh, outWidth: ow, channels: c, kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw } = g;
  checkShape(
    cols.shape.length === 2 && cols.shape[0] === b * oh * ow && cols.shape[1] === kh * kw * c,
    () => `col2im: expected patches of shape [${b * oh * ow},${kh * kw * c}], got ${fmt(cols.shape)}`,
  );
  const { dilationHeight: dh, dilationWidth: dw } = g;
  const spanH = (oh - 1) * sh + 1;
  const spanW = (ow - 1) * sw + 1;
  // The canvas: padded input rows and columns, at least as large as the input behind the padding.
  const canvasH = Math.max((oh - 1) * sh + (kh - 1) * dh + 1, g.padTop + g.inHeight);
  const canvasW = Math.max((ow - 1) * sw + (kw - 1) * dw + 1, g.padLeft + g.inWidth);
  const blocks = reshape(cols, [b, oh, ow, kh, kw, c]);
  let acc = RingTensor.zeros([b, canvasH, canvasW, c]);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      let block = reshape(slice(blocks, [0, 0, 0, ky, kx, 0], [b, oh, ow, 1, 1, c]), [b, oh, ow, c]);
      if (sh > 1 || sw > 1) {
        // Spread by the strides: zeros between the outputs' pixels.
        const spread = pad(reshape(block, [b, oh, 1, ow, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
        block = slice(reshape(spread, [b, oh * sh, ow * sw, c]), [0, 0, 0, 0], [b, spanH, spanW, c]);
      }
      // Kernel tap (ky, kx) reads input rows ky * dilation apart from the window's corner.
      acc = add(acc, pad(block, [[0, 0], [ky * dh, canvasH - ky * dh - spanH], [kx * dw, canvasW - kx * dw - spanW], [0, 0]]));
    }
  }
  return slice(acc, [0, g.padTop, g.padLeft, 0], [b, g.inHeight, g.inWidth, c]);
}

/** The gradient of conv2d with respect to its input: dy [b, oh, ow, out] and the HWIO filter give [b, h, w, in]. Bilinear in (dy, filter). */
export function conv2dBackpropInput(dy: RingTensor, filter: RingTensor, g: WindowGeometry): RingTensor {
  const [kh, kw, ci, co] = filter.shape;
  const rows = g.batch * g.outHeight * g.outWidth;
  const cols = matmul(reshape(dy, [rows, co]), transpose(reshape(filter, [kh * kw * ci, co])));
  return col2im(cols, g);
}

/** The gradient of conv2d with respect to its filter: x [b, h, w, in] and dy [b, oh, ow, out] give HWIO. Bilinear in (x, dy). */
export function conv2dBackpropFilter(x: RingTensor, dy: RingTensor, g: WindowGeometry, filterShape: Shape): RingTensor {
  const rows = g.batch * g.outHeight * g.outWidth;
  const co = filterShape[3];
  return reshape(matmul(transpose(im2col(x, g)), reshape(dy, [rows, co])), filterShape);
}

/** The gradient of depthwiseConv2d with respect to its input. Bilinear in (dy, filter). */
export function depthwiseConv2dBackpropInput(dy: RingTensor, filter: RingTensor, g: WindowGeometry): RingTensor {
  const [kh, kw, c, m] = filter.shape;
  const rows = g.batch * g.outHeight * g.outWidth;
  const window = kh * kw;
  const d = transpose(reshape(dy, [rows, c, m]), [1, 0, 2]); // [c, rows, m]
  const f = transpose(reshape(filter, [window, c, m]), [1, 2, 0]); // [c, m, window]
  const cols = transpose(matmul(d, f), [1, 2, 0]); // [rows, window, c]
  return col2im(reshape(cols, [rows, window * c]), g);
}

/** The gradient of depthwiseConv2d with respect to its filter. Bilinear in (x, dy). */
export function depthwiseConv2dBackpropFilter(x: RingTensor, dy: RingTensor, g: WindowGeometry, filterShape: Shape): RingTensor {
  const [kh, kw, c, m] = filterShape;
  const rows = g.batch * g.outHeight * g.outWidth;
  const window = kh * kw;
  const patches = transpose(reshape(im2col(x, g), [rows, window, c]), [2, 1, 0]); // [c, window, rows]
  const d = transpose(reshape(dy, [rows, c, m]), [1, 0, 2]); // [c, rows, m]
  return reshape(transpose(matmul(patches, d), [1, 0, 2]), filterShape); // [window, c, m]
}

/** Options of the ring's `conv2dTranspose`. */
export interface Conv2dTransposeOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
  /**
   * Output height and width; default tf.layers.conv2dTranspose's: in * stride
   * ('same') or in * stride + max(kernel - stride, 0) ('valid').
   */
  outputSize?: readonly [number, number];
}

/** Output shape and the geometry of the forward convolution it transposes (from the output to the input). */
export function conv2dTransposeGeometry(xShape: Shape, filterShape: Shape, options: Conv2dTransposeOptions = {}): { readonly outShape: number[]; readonly forward: WindowGeometry } {
  checkShape(filterShape.length === 4, () => `conv2dTranspose: filter must be rank 4 [kh, kw, out, in], got ${fmt(filterShape)}`);
  checkShape(
    xShape.length === 4 && xShape[3] === filterShape[3],
    () => `conv2dTranspose: input ${fmt(xShape)} (NHWC) and filter ${fmt(filterShape)} ([kh, kw, out, in]) disagree on input channels`,
  );
  const [batch, h, w] = xShape;
  const [kh, kw, outChannels] = filterShape;
  const [sh, sw] = pair(options.strides ?? 1, 'strides', 'conv2dTranspose');
  const padding = options.padding ?? 'valid';
  const length = (n: number, s: number, k: number): number => (padding === 'same' ? n * s : n * s + Math.max(k - s, 0));
  const [oh, ow] = options.outputSize ?? [length(h, sh, kh), length(w, sw, kw)];
  const forward = windowGeometry([batch, oh, ow, outChannels], [kh, kw], [sh, sw], padding, 'conv2dTranspose');
  checkShape(
    forward.outHeight === h && forward.outWidth === w,
    () => `conv2dTranspose: an output of ${oh}x${ow} does not convolve back to the input's ${h}x${w} with kernel ${kh}x${kw}, strides ${sh}x${sw} and '${padding}' padding`,
  );
  return { outShape: [batch, oh, ow, outChannels], forward };
}

/**
 * tf.conv2dTranspose over the ring (the gradient of conv2d with respect to
 * its input): x spread on a grid of stride s with zeros between (one strided
 * copy into zeros), padded by kernel - 1 - the forward padding, then a
 * stride-1 'valid' convolution with the kernel flipped and its channel axes
 * swapped. Filter [kh, kw, outChannels, inChannels], as tfjs.
 */
export function conv2dTranspose(x: RingTensor, filter: RingTensor, options: Conv2dTransposeOptions = {}): RingTensor {
  const { outShape, forward: g } = conv2dTransposeGeometry(x.shape, filter.shape, options);
  const [batch, h, w, inChannels] = x.shape;
  const [kh, kw] = filter.shape;
  const [, oh, ow] = outShape;
  if (sizeOf(outShape) === 0 || sizeOf(x.shape) === 0) return RingTensor.zeros(outShape);
  const H = oh + kh - 1;
  const W = ow + kw - 1;
  const top = kh - 1 - g.padTop;
  const left = kw - 1 - g.padLeft;
  const spreadShape = [batch, H, W, inChannels];
  const n = sizeOf(spreadShape);
  const data = kernels().run((arena, k) => {
    const src = arena.put(x.data);
    const dst = arena.put(new BigUint64Array(n));
    copyStrided(arena, k, src, 0, stridesOf(x.shape), dst, (top * W + left) * inChannels, [H * W * inChannels, g.strideHeight * W * inChannels, g.strideWidth * inChannels, 1], [batch, h, w, inChannels]);
    return arena.take(dst, n);
  });
  const spread = new RingTensor(spreadShape, data);
  const reverse = (len: number): number[] => Array.from({ length: len }, (_, i) => len - 1 - i);
  const flipped = transpose(gather(gather(filter, reverse(kh), 0), reverse(kw), 1), [0, 1, 3, 2]);
  return conv2d(spread, flipped, { strides: 1, padding: 'valid' });
}
