/** `deep-svdd setup tensorflow`: build the native backend (src/native/setup.ts) into the user cache. */
import { Argument, type Command } from 'commander';
import { setupTensorflow, TENSORFLOW_VERSION } from '../native/setup.js';
import { refuseEmpty } from './values.js';

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('set up an optional backend: `setup tensorflow` builds @tensorflow/tfjs-node against TensorFlow\'s PyPI wheel, into the user cache ($DEEP_SVDD_CACHE, else $XDG_CACHE_HOME/deep-svdd, else ~/.cache/deep-svdd)')
    .addArgument(new Argument('<backend>', 'the backend to set up').choices(['tensorflow']))
    .option('--gpu', 'build TensorFlow\'s CUDA backend (pip package `tensorflow`; needs an NVIDIA GPU, CUDA 12 and cuDNN) instead of the CPU one')
    .option('--wheel <file>', 'use this TensorFlow wheel (tensorflow_cpu-…whl or tensorflow-…whl) instead of downloading one with pip')
    .option('--tensorflow-dir <dir>', 'use an installed TensorFlow: its package folder (…/site-packages/tensorflow), which has the libraries and include/')
    .option('--python <cmd>', 'the Python whose pip downloads (and unpacks) the wheel', 'python3')
    .option('--tensorflow-version <v>', 'TensorFlow version pip downloads', TENSORFLOW_VERSION)
    .option('--nodedir <dir>', 'prefix of Node\'s headers, <dir>/include/node (default: where this Node is installed)')
    .option('--force', 'rebuild even if the cache has this build')
    .exitOverride()
    .action(async (_backend: string, opts: { gpu?: boolean; wheel?: string; tensorflowDir?: string; python: string; tensorflowVersion: string; nodedir?: string; force?: boolean }) => {
      refuseEmpty(opts, {
        wheel: ['--wheel', 'the TensorFlow wheel file'], tensorflowDir: ['--tensorflow-dir', 'the tensorflow/ folder of an installed TensorFlow'],
        python: ['--python', 'the Python command'], tensorflowVersion: ['--tensorflow-version', 'a TensorFlow version, e.g. 2.21.0'],
        nodedir: ['--nodedir', 'the prefix of Node\'s headers'],
      });
      const log = (l: string) => process.stderr.write(`deep-svdd setup: ${l}\n`);
      const r = await setupTensorflow({
        gpu: Boolean(opts.gpu), wheel: opts.wheel, tensorflowDir: opts.tensorflowDir, python: opts.python,
        tensorflowVersion: opts.tensorflowVersion, nodedir: opts.nodedir, force: Boolean(opts.force), log,
      });
      const what = `TensorFlow ${r.manifest.tensorflow} (${r.manifest.variant}) for @tensorflow/tfjs-node ${r.manifest.tfjsNode}`;
      log(r.reused
        ? `${what} is already set up in ${r.dir} (checked in ${r.seconds.toFixed(1)} s; --force rebuilds it)`
        : `${what} set up in ${r.dir} in ${r.seconds.toFixed(0)} s: \`--backend tensorflow\` uses it${r.manifest.variant === 'gpu' ? ' with --device gpu' : ''}`);
    });
}
