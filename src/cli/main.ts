#!/usr/bin/env node
/**
 * deep-svdd command line: one module per command (train, baseline, score, export, sweep + report, data, setup). Every user error ends as one
 * line on stderr and a non-zero exit code, never a stack trace (set DEEP_SVDD_DEBUG=1 to see one).
 */
import { Command, CommanderError } from 'commander';
import { DivergenceError, UserError } from '../util/errors.js';
import { PACKAGE_VERSION } from '../util/version.js';
import { registerBaseline } from './baseline.js';
import { registerData } from './data.js';
import { registerExport } from './export.js';
import { registerScore } from './score.js';
import { registerSetup } from './setup.js';
import { registerSweep } from './sweep.js';
import { registerTrain } from './train.js';

function fail(e: unknown): never {
  const err = e as Error;
  if (process.env.DEEP_SVDD_DEBUG) console.error(err.stack);
  if (e instanceof UserError) {
    process.stderr.write(`deep-svdd: ${err.message}\n`);
    process.exit(e.exitCode);
  }
  if (e instanceof DivergenceError) {
    process.stderr.write(`deep-svdd: ${err.message}\n`);
    process.exit(3);
  }
  if (e instanceof CommanderError) process.exit(e.exitCode);
  const first = String(err?.message ?? e).split('\n')[0];
  process.stderr.write(`deep-svdd: internal error: ${first} (set DEEP_SVDD_DEBUG=1 for details, and please report it)\n`);
  process.exit(1);
}

const program = new Command();
program
  .name('deep-svdd')
  .description('Deep SVDD one-class anomaly detection (Ruff et al., ICML 2018) on TensorFlow.js')
  .version(PACKAGE_VERSION)
  .showSuggestionAfterError(true)
  // commander's own errors (unknown option, bad choice) as one line, like every other error
  .configureOutput({ outputError: (str, write) => write(`deep-svdd: ${str.replace(/^error:\s*/, '').trim().replace(/\s*\n\s*/g, ' ')}\n`) })
  .exitOverride();
registerTrain(program);
registerBaseline(program);
registerScore(program);
registerExport(program);
registerSweep(program);
registerData(program);
registerSetup(program);

program.parseAsync(process.argv).catch(fail);
