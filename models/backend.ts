/**
 * The tfjs backend the training scripts run on. The pure-JS 'cpu' backend
 * trains the CNN at about 3 images per second here (its convolution gradients
 * are naive loops), so the scripts use the WebAssembly backend (XNNPACK, SIMD),
 * which lacks one training kernel, `Conv2DBackpropFilter` (the gradient of a
 * convolution with respect to its filter). {@link useWasmBackend} registers it,
 * composed of the wasm backend's own Transpose and Conv2D kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

// tfjs prints a hint about tfjs-node on first use in Node; it cannot be installed here.
tf.env().set('PROD', true);

/** Switches tfjs to the wasm backend, with the filter gradient of conv2d registered. */
export async function useWasmBackend(): Promise<void> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js'));
  setWasmPaths(`${dist}/`);
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  }
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Switches tfjs to the pure-JS cpu backend (what the tests use). */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

function runWasmKernel(name: string, args: KernelArgs): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend: kernel ${name} is not registered`);
  return kernel.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/**
 * dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh + kh, ow + kw, ci] * dy[b, oh, ow, co]
 * (stride 1, valid padding, NHWC), which is itself a valid convolution:
 * the input x transposed to [ci, h, w, b] (batch <-> channels) convolved with
 * dy transposed to a filter [oh, ow, b, co] gives [ci, kh, kw, co].
 * Only the case the scripts' models use is supported; others throw.
 */
function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs;
  const attrs = (args.attrs ?? {}) as { strides?: number | number[]; pad?: unknown; dataFormat?: string; dilations?: number | number[] };
  const ones = (v: number | number[] | undefined): boolean => v === undefined || (Array.isArray(v) ? v.every((s) => s === 1) : v === 1);
  if (!ones(attrs.strides) || attrs.pad !== 'valid' || (attrs.dataFormat ?? 'NHWC') !== 'NHWC' || !ones(attrs.dilations)) {
    throw new Error(`Conv2DBackpropFilter on wasm: only stride 1, valid padding, NHWC and no dilation are supported (got ${JSON.stringify(attrs)})`);
  }
  const backend = args.backend as tf.KernelBackend;
  const xT = runWasmKernel('Transpose', { inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
  const dyT = runWasmKernel('Transpose', { inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
  const conv = runWasmKernel('Conv2D', {
    inputs: { x: xT, filter: dyT },
    backend,
    attrs: { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
  });
  const dw = runWasmKernel('Transpose', { inputs: { x: conv }, backend, attrs: { perm: [1, 2, 0, 3] } });
  for (const t of [xT, dyT, conv]) backend.disposeData(t.dataId);
  return dw;
}
