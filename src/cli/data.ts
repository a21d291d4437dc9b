/** `deep-svdd data fetch`: download the datasets in their original formats. */
import { type Command, Option } from 'commander';
import { cifar10Source, fetchDataset, mnistSource } from '../data/fetch.js';
import { UserError } from '../util/errors.js';
import { refuseEmpty } from './values.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('get the datasets (see: deep-svdd data fetch --help)').exitOverride();
  data
    .command('fetch')
    .description('download MNIST or CIFAR-10 into --dir, check the MD5 sums and extract; an interrupted download resumes when run again')
    .argument('<dataset>', 'mnist or cifar10')
    .option('--dir <dir>', 'data folder to fill (what --data-dir of train reads)', 'data')
    .option('--url <url>', 'source instead of the official one, repeatable (tried in order): mnist: a base URL the four file names are appended to, or a file\'s URL; cifar10: the archive URL. http(s)://, file:// or a local path', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addOption(new Option('--format <format>', 'cifar10: python batches (cifar-10-batches-py/) or binary batches (cifar-10-batches-bin/)').choices(['python', 'binary']))
    .option('--force [value]', 'download again even when the data are already there (--force or --force 1)')
    .exitOverride()
    .action(async (dataset: string, opts: { dir: string; url: string[]; format?: 'python' | 'binary'; force?: boolean | string }) => {
      refuseEmpty(opts, { dir: ['--dir', 'the data folder, e.g. --dir data'], url: ['--url', 'a URL or a local path'] });
      if (dataset !== 'mnist' && dataset !== 'cifar10') throw new UserError(`unknown dataset '${dataset}': use 'deep-svdd data fetch mnist' or 'deep-svdd data fetch cifar10'`);
      if (opts.format !== undefined && dataset !== 'cifar10') throw new UserError(`--format applies to cifar10 only: drop it for ${dataset}`);
      const f = opts.force;
      if (f !== undefined && f !== true && f !== '1' && f !== '0') throw new UserError(`--force ${f} is invalid: use --force, --force 1 or --force 0 (put the dataset name first: data fetch ${dataset} --force)`);
      const urls = opts.url.length > 0 ? opts.url : undefined;
      const source = dataset === 'mnist' ? mnistSource(urls) : cifar10Source(opts.format ?? 'python', urls);
      await fetchDataset(source, { dir: opts.dir, force: f === true || f === '1' });
    });
}
