/** The thread policy (src/backend/thread-policy.ts): a run's threads per backend and a sweep's jobs × threads, by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobsWarning, NATIVE_INTEROP_THREADS, resolveThreads, runThreads, sweepThreads, SWEEP_THREADS_PER_JOB, wasmThreads, xnnpackThreadsFor } from '../../src/backend/thread-policy.js';
import { resolveThreads as selectResolve, wasmThreads as selectWasm } from '../../src/backend/select.js';
import { jobsWarning as sweepWarning } from '../../src/experiments/sweep.js';

test('one definition: select.ts and sweep.ts hand out the policy\'s functions', () => {
  assert.equal(selectResolve, resolveThreads);
  assert.equal(selectWasm, wasmThreads);
  assert.equal(sweepWarning, jobsWarning);
});

test('native: --threads N, every core under 0; TF_NUM_INTRAOP_THREADS wins; one inter-op thread unless TF_NUM_INTEROP_THREADS', () => {
  assert.deepEqual(runThreads({ backend: 'tensorflow', threads: 3, cores: 8 }), { threads: 3, interOp: 1, why: '--threads 3; inter-op 1' });
  assert.deepEqual(runThreads({ backend: 'tensorflow', threads: 0, cores: 8 }), { threads: 8, interOp: 1, why: '--threads 0 (auto): every core (8); inter-op 1' });
  assert.deepEqual(runThreads({ backend: 'tensorflow', threads: 3, cores: 8, env: { intraOp: '5', interOp: '2' } }), { threads: 5, interOp: 2, why: 'TF_NUM_INTRAOP_THREADS=5; inter-op 2' });
  // a value that is not a positive whole number is not a count: the policy's own numbers
  for (const bad of ['', ' ', '0', 'x', '2.5', '-1']) {
    assert.equal(runThreads({ backend: 'tensorflow', threads: 0, cores: 4, env: { intraOp: bad, interOp: bad } }).threads, 4, JSON.stringify(bad));
    assert.equal(runThreads({ backend: 'tensorflow', threads: 0, cores: 4, env: { interOp: bad } }).interOp, NATIVE_INTEROP_THREADS);
  }
});

test('wasm: --threads N, one under 0; XNNPACK gets them all except on the MNIST LeNet (1), or what the caller fixes', () => {
  assert.deepEqual(runThreads({ backend: 'wasm', threads: 0, cores: 16 }), { threads: 1, xnnpack: 1, why: '--threads 0 (auto): one thread on wasm' });
  assert.deepEqual(runThreads({ backend: 'wasm', threads: 4, cores: 16, net: 'cifar10_LeNet' }), { threads: 4, xnnpack: 4, why: '--threads 4' });
  assert.deepEqual(runThreads({ backend: 'wasm', threads: 4, cores: 16, net: 'mnist_LeNet' }), { threads: 4, xnnpack: 1, why: '--threads 4; XNNPACK 1 on mnist_LeNet' });
  assert.deepEqual(runThreads({ backend: 'wasm', threads: 0, cores: 16, net: 'mnist_LeNet' }), { threads: 1, xnnpack: 1, why: '--threads 0 (auto): one thread on wasm' });
  assert.deepEqual(runThreads({ backend: 'wasm', threads: 2, cores: 2, xnnpack: 1 }), { threads: 2, xnnpack: 1, why: '--threads 2; XNNPACK 1 as asked' });
  // XNNPACK never gets more than the run; 0 asked of it means every core, capped by the run
  assert.equal(runThreads({ backend: 'wasm', threads: 2, cores: 16, xnnpack: 8 }).xnnpack, 2);
  assert.equal(runThreads({ backend: 'wasm', threads: 3, cores: 16, xnnpack: 0 }).xnnpack, 3);
  // more threads than cores is the user's choice
  assert.equal(runThreads({ backend: 'wasm', threads: 8, cores: 2, net: 'fmnist_LeNet' }).threads, 8);
  assert.equal(runThreads({ backend: 'wasm', threads: 8, cores: 2, net: 'fmnist_LeNet' }).xnnpack, 8);
});

test('cpu: one thread whatever is asked', () => {
  for (const threads of [0, 1, 6]) assert.deepEqual(runThreads({ backend: 'cpu', threads, cores: 8 }), { threads: 1, why: 'the cpu backend runs on one thread' });
});

test('the small rules: resolveThreads, wasmThreads, xnnpackThreadsFor', () => {
  assert.equal(resolveThreads(3, 8), 3);
  assert.equal(resolveThreads(0, 8), 8);
  assert.equal(wasmThreads(0), 1);
  assert.equal(wasmThreads(5), 5);
  assert.equal(xnnpackThreadsFor('mnist_LeNet', 4), 1);
  assert.equal(xnnpackThreadsFor('cifar10_LeNet', 4), 4);
});

test('sweep: one thread per job and jobs to fill the cores by default; --threads and --jobs as given; a warning past the cores', () => {
  assert.equal(SWEEP_THREADS_PER_JOB, 1);
  assert.deepEqual(sweepThreads({ cores: 8 }), { threadsPerJob: 1, jobs: 8, warning: undefined, why: '8 jobs to fill 8 cores, 1 thread per job' });
  assert.deepEqual(sweepThreads({ cores: 8, threads: 3 }), { threadsPerJob: 3, jobs: 2, warning: undefined, why: '2 jobs to fill 8 cores, --threads 3' });
  assert.deepEqual(sweepThreads({ cores: 2, threads: 4 }).jobs, 1, 'at least one job');
  // --threads 0 (each run: every core on native) counts as one thread when filling the cores
  assert.deepEqual(sweepThreads({ cores: 4, threads: 0 }), { threadsPerJob: 0, jobs: 4, warning: undefined, why: '4 jobs to fill 4 cores, --threads 0' });
  const over = sweepThreads({ cores: 2, threads: 2, jobs: 3 });
  assert.equal(over.jobs, 3);
  assert.equal(over.why, '--jobs 3, --threads 2');
  assert.equal(over.warning, '[sweep] warning: --jobs 3 × --threads 2 asks for 6 cores but this machine has 2: the runs share them and each is slower (--jobs 1 fills them)');
  assert.equal(sweepThreads({ cores: 1 }).why, '1 job to fill 1 core, 1 thread per job');
});
