/** Reverse-mode differentiation over a protocol's op table: a tape, a backward rule per op, tfjs-style gradient functions. */
export { Tape, recordOps } from './tape.js';
export { backprop } from './backprop.js';
export { GRAD_RULES, type GradRule, type ArgGrads } from './rules.js';
export { grad, grads, valueAndGrads, variableGrads } from './grads.js';
export { unbroadcast } from './util.js';
