/**
 * A macrotask after the current one, once the current tick's microtasks are
 * done: setImmediate in Node, a zero timer elsewhere (browsers).
 */
export const nextTask: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);
