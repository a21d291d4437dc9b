/**
 * The names `--backend` and `--device` accept, and the check of a device string. Free of TF.js, so that option
 * validation (src/config) can use it without loading a backend; select.ts does the choosing.
 */
import { UserError } from '../util/errors.js';

export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isGpuDevice(device: string): boolean {
  return /^(gpu\d*|cuda(:\d+)?)$/i.test(device);
}

export function validateDevice(device: string): void {
  if (device !== 'cpu' && !isGpuDevice(device)) {
    throw new UserError(`--device ${device} is not known: use cpu, gpu, gpu0 or cuda`);
  }
}
