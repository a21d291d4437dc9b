/** `deep-svdd data fetch`: download the datasets in their original formats. */
import { type Command, Option } from 'commander';
import { fetchDataset } from '../data/fetch.js';
import { DATASET_LIST } from '../data/registry.js';
import { UserError } from '../util/errors.js';
import { refuseEmpty } from './values.js';

/** What `data fetch` can download, by the name it takes: the registry's entries with published files. */
const FETCHABLE = new Map(DATASET_LIST.flatMap((d) => (d.fetch ? [[d.fetch.as ?? d.name, d] as const] : [])).reverse());

export function registerData(program: Command): void {
  const names = [...FETCHABLE.keys()].reverse();
  const data = program.command('data').description('get the datasets (see: deep-svdd data fetch --help)').exitOverride();
  data
    .command('fetch')
    .description(`download ${names.join(', ')} into --dir, check the MD5 sums and extract; an interrupted download resumes when run again`)
    .argument('<dataset>', names.join(', '))
    .option('--dir <dir>', 'data folder to fill (what --data-dir of train reads; default data/, for odds data/odds/, for fashion-mnist data/fashion-mnist/)')
    .option('--url <url>', 'source instead of the official one, repeatable (tried in order): mnist, fashion-mnist: a base URL the four file names are appended to, or a file\'s URL; cifar10: the archive URL. http(s)://, file:// or a local path', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addOption(new Option('--format <format>', 'cifar10: python batches (cifar-10-batches-py/) or binary batches (cifar-10-batches-bin/)').choices(['python', 'binary']))
    .option('--force [value]', 'download again even when the data are already there (--force or --force 1)')
    .exitOverride()
    .action(async (dataset: string, opts: { dir?: string; url: string[]; format?: 'python' | 'binary'; force?: boolean | string }) => {
      refuseEmpty(opts, { dir: ['--dir', 'the data folder, e.g. --dir data'], url: ['--url', 'a URL or a local path'] });
      const spec = FETCHABLE.get(dataset);
      if (!spec?.fetch) throw new UserError(`unknown dataset '${dataset}': use ${names.map((n) => `'deep-svdd data fetch ${n}'`).join(', ')}`);
      if (opts.format !== undefined && !spec.fetch.formats) throw new UserError(`--format applies to ${[...FETCHABLE.keys()].filter((n) => FETCHABLE.get(n)?.fetch?.formats).join(', ')} only: drop it for ${dataset}`);
      const f = opts.force;
      if (f !== undefined && f !== true && f !== '1' && f !== '0') throw new UserError(`--force ${f} is invalid: use --force, --force 1 or --force 0 (put the dataset name first: data fetch ${dataset} --force)`);
      const urls = opts.url.length > 0 ? opts.url : undefined;
      const source = spec.fetch.source(urls, opts.format);
      await fetchDataset(source, { dir: opts.dir ?? (spec.defaultDir || 'data'), force: f === true || f === '1' });
    });
}
