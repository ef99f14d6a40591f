/** Pond's op table: one entry per op of the interface, checked complete by the compiler. */
import { arithmeticOps } from './arithmetic.js';
import { convolutionOps } from './convolution.js';
import { nonlinearOps } from './nonlinear.js';
import type { PondOpTable } from './types.js';

export const POND_OPS: PondOpTable = { ...arithmeticOps, ...nonlinearOps, ...convolutionOps };
export type { PondOp, PondOpTable, PondArgs, CostContext } from './types.js';
