/**
 * Exact tensors over Z_(2^64) and their kernels. Knows nothing of players,
 * networks or protocols.
 */
export { RingTensor } from './ring-tensor.js';
export { type Shape, fmt, sizeOf, stridesOf, shapesEqual, broadcastShapes, normalizeAxis, resolveReshape, assertValidShape } from './shape.js';
export { add, sub, mul, neg, and, or, xor, not, shr, shrLogical, shl } from './ops/elementwise.js';
export { reshape, expandDims, broadcastTo, transpose, transposeShape, checkPermutation, slice, sliceShape, concat, concatShape, pad, padShape, tile, gather } from './ops/movement.js';
export { sum, reducedShape, reductionAxes } from './ops/reduce.js';
export { packBitRows, packBits, unpackBits } from './ops/bits.js';
export { andShifted, injectDot, selectMulAdd, truncateOpened, xorOfProducts, type ShiftedFactor } from './ops/fused.js';
export { matmul, matmulShape, STRASSEN_MIN } from './ops/matmul.js';
export {
  type Padding,
  type WindowGeometry,
  type Conv2dOptions,
  type Conv2dTransposeOptions,
  pair,
  conv2dTranspose,
  conv2dTransposeGeometry,
  windowGeometry,
  conv2dGeometry,
  conv2d,
  depthwiseGeometry,
  depthwiseConv2d,
  im2col,
  sumPool2d,
  windowCounts,
  col2im,
  conv2dBackpropInput,
  conv2dBackpropFilter,
  depthwiseConv2dBackpropInput,
  depthwiseConv2dBackpropFilter,
} from './ops/conv.js';
export {
  DEFAULT_FRAC_BITS,
  checkFracBits,
  encodableBound,
  productBound,
  describeRange,
  encode,
  decode,
  encodeScalar,
} from './fixed-point.js';
