/** `deep-svdd export`: a saved model as a TF.js model plus a static page that scores images or table rows in the browser. */
import path from 'node:path';
import { type Command } from 'commander';
import { checkOutputFolder } from '../io/output-path.js';
import { UserError } from '../util/errors.js';
import { WEB_META_FILE } from '../web/meta.js';
import { refuseEmpty } from './values.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a saved model for the web: DIR/index.html scores images or table rows in the browser (no server, no network); DIR/model.json is the network in TF.js\'s format, DIR/deep-svdd.json c, R, the threshold and the preprocessing constants')
    .requiredOption('--model <dir>', 'the model/ folder of a finished run (<run>/model)')
    .requiredOption('--out <dir>', 'the folder to write (a new or empty one; an earlier export only with --force 1; never inside --model)')
    .option('--force [value]', 'replace the files of an earlier export in --out (--force or --force 1)')
    .exitOverride()
    .action(async (opts: { model: string; out: string; force?: boolean | string }) => {
      refuseEmpty(opts, { model: ['--model', 'the model/ folder of a finished run'], out: ['--out', 'the folder to write'] });
      const f = opts.force;
      if (f !== undefined && f !== true && f !== '1' && f !== '0') throw new UserError(`--force ${String(f)} is invalid: use --force, --force 1 or --force 0`);
      const force = f === true || f === '1';
      // the output rule (src/io/output-path.ts), before anything is read
      const rule = { option: '--out', force, inputs: [opts.model], example: 'web', marker: WEB_META_FILE };
      checkOutputFolder(opts.out, rule);
      const { exportModel } = await import('../experiments/export.js');
      const { selectBackend } = await import('../backend/select.js');
      await selectBackend({ backend: 'wasm', device: 'cpu', threads: 1 });
      const r = await exportModel({ modelDir: opts.model, out: opts.out, force });
      process.stderr.write(`deep-svdd: exported the ${r.meta.dataset} model (${r.meta.network.kind} ${r.meta.network.role}) to ${opts.out}: open ${path.join(opts.out, 'index.html')} in a browser; ${r.files.length} files\n`);
    });
}
