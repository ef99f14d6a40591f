/**
 * Pond's transposed convolution as an op-table entry: a Beaver product whose
 * bilinear op is the ring's conv2dTranspose, so the masks opened are those of
 * the input and the filter (not of the input spread with zeros, which would
 * open stride^2 times more words) and the dealer's triple is
 * conv2dTranspose(a, b). Cost: the product's (masks to open, c1 of the
 * output, one truncation of the output).
 */
import * as ring from '../../../ring/index.js';
import { conv2dTransposeGeometry, type Conv2dTransposeOptions } from '../../../ring/index.js';
import type { BilinearOp } from '../../dealer/triple-source.js';
import { product } from '../bilinear.js';
import { productCost } from './arithmetic.js';
import type { PondOpTable } from './types.js';

/** conv2dTranspose with fixed options: input NHWC, filter [kh, kw, out, in]. */
function conv2dTransposeOp(options: Conv2dTransposeOptions): BilinearOp {
  return {
    name: 'conv2dTranspose',
    outShape: (x, f) => conv2dTransposeGeometry(x, f, options).outShape,
    apply: (x, f) => ring.conv2dTranspose(x, f, options),
  };
}

export const convolutionOps = {
  conv2dTranspose: {
    run: (ctx, x, f, options = {}) => product(ctx, x, f, conv2dTransposeOp(options)),
    cost: (cc, out, x, f) => productCost(cc, out, x, f),
  },
} satisfies Pick<PondOpTable, 'conv2dTranspose'>;
