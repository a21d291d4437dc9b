/**
 * The parts of TF.js's wasm backend that our kernels use: its heap, where a tensor's values start in it, and
 * allocation of an output. Views must be taken after the last allocation: an allocation may grow (and so replace)
 * the heap's buffer.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';

export type WasmBackendLike = tf.KernelBackend & {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
};

/** Byte offset of a tensor's values in the wasm heap. */
export function heapOffset(backend: WasmBackendLike, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** A float32 view of a tensor's values in the wasm heap. */
export function heapF32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, t), t.shape.reduce((a, b) => a * b, 1));
}
