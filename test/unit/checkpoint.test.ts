/** src/io/checkpoint.ts resumeConflicts: a resumption is compared with its checkpoint by the run, not by spelling. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTrainConfig } from '../../src/config/build.js';
import { resumeConflicts, type CheckpointHeader } from '../../src/io/checkpoint.js';

test('resumeConflicts ignores the run folder\'s spelling and place, and path spellings; it names every other difference', () => {
  const cfg = (extra: Record<string, string>) => buildTrainConfig({ nEpochs: '3', dataDir: 'data', ...extra });
  const header = (c: ReturnType<typeof cfg>) => ({ config: c }) as unknown as CheckpointHeader;
  const then = header(cfg({ xpDir: 'k1' }));
  for (const xpDir of ['./k1/', 'k1', '/somewhere/else/k1', 'moved']) assert.deepEqual(resumeConflicts(cfg({ xpDir }), then), [], xpDir);
  assert.deepEqual(resumeConflicts(cfg({ xpDir: 'k1', dataDir: './data/' }), then), []);
  assert.deepEqual(resumeConflicts(cfg({ xpDir: 'k1', dataDir: 'other' }), then), ['--data-dir']);
  assert.deepEqual(resumeConflicts(cfg({ xpDir: 'k1', nEpochs: '4' }), then), ['--n-epochs']);
});
