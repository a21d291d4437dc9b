/**
 * The dataset registry: every dataset deep-svdd knows, one entry each (dataset-spec.ts says what an entry holds).
 * Adding a dataset is its file, which exports its entry, and one line here; test/unit/registries.test.ts checks
 * every entry. --dataset's choices and help, `data fetch`, class parsing and a run's defaults come from here.
 */
import { CIFAR10_DATASET } from './cifar10.js';
import { type DatasetSpec } from './dataset-spec.js';
import { FMNIST_DATASET } from './fmnist.js';
import { FOLDER_DATASET } from './folder.js';
import { GTSRB_DATASET } from './gtsrb.js';
import { MNIST_DATASET } from './mnist.js';
import { ODDS_DATASETS } from './odds.js';
import { TABLE_DATASET } from './tables.js';
import { UserError } from '../util/errors.js';

export const DATASET_LIST: readonly DatasetSpec[] = [
  MNIST_DATASET,
  CIFAR10_DATASET,
  FMNIST_DATASET,
  GTSRB_DATASET,
  FOLDER_DATASET,
  TABLE_DATASET,
  ...ODDS_DATASETS,
];

export const DATASETS: Readonly<Record<string, DatasetSpec>> = Object.fromEntries(DATASET_LIST.map((d) => [d.name, d]));
export const DATASET_NAMES: readonly string[] = DATASET_LIST.map((d) => d.name);

/** The entry of --dataset NAME, or a one-line error listing the known ones. */
export function datasetSpec(name: string): DatasetSpec {
  const spec = Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
  if (!spec) throw new UserError(`--dataset ${name} is not known: use ${DATASET_NAMES.join(', ')}`);
  return spec;
}
