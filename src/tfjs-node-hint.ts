/**
 * tfjs's pure-JavaScript CPU backend prints, the first time an instance stores
 * a tensor in Node, a hint to install @tensorflow/tfjs-node
 * (`MathBackendCPU.write`, through tfjs's `warn`, which is silent while the
 * `PROD` flag is set: the switch tfjs's maintainers point to). That hint is
 * noise in every process of this library: our secure computation does not
 * run on tfjs's backends, and tfjs-node needs a native TensorFlow.
 *
 * Setting `PROD` for good would also silence every other tfjs warning of the
 * user's program. Instead, the CPU backend is registered again, through
 * tfjs's public registry API, with a factory that lets each new instance
 * store and drop one empty tensor while `PROD` is set, then restores the
 * flag: the hint is spent, nothing else changes. Only in Node, and only while
 * no CPU backend instance exists yet (one that exists has printed the hint
 * or will; it is left alone). If tfjs changes so that this fails, the hint
 * simply shows again.
 */
import * as tf from '@tensorflow/tfjs';

let installed = false;

/** Spends the first-use hint of a fresh CPU backend with tfjs's warnings muted. */
function spendHint(backend: tf.KernelBackend): void {
  const env = tf.env();
  const prod = env.getBool('PROD');
  env.set('PROD', true);
  try {
    backend.disposeData(backend.write(new Float32Array(0), [0], 'float32'));
  } finally {
    env.set('PROD', prod);
  }
}

/** Installs the quiet CPU backend factory (once per process). */
export function quietTfjsNodeHint(): void {
  if (installed) return;
  installed = true;
  try {
    if (!tf.env().getBool('IS_NODE')) return;
    const engine = tf.engine();
    const entry = engine.registryFactory.cpu;
    if (entry === undefined || 'cpu' in engine.registry) return;
    const { factory, priority } = entry;
    tf.removeBackend('cpu');
    tf.registerBackend(
      'cpu',
      () => {
        const backend = factory();
        if (backend instanceof tf.KernelBackend) spendHint(backend);
        return backend;
      },
      priority,
    );
  } catch {
    // tfjs's registry is not what this expects: leave it as it is (the hint may show).
  }
}
