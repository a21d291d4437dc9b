/** The limits of the pickle reader (src/data/pickle.ts): 64-bit integers, bounded nesting, a conversion budget. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAX_KEY_BYTES, MAX_NESTING, PyBytes, PyDict, unpickle } from '../../src/data/pickle.js';
import { UserError } from '../../src/util/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const O = { kind: 'a test pickle', fix: 'write it again', gzipHint: 'gunzip it' };
const u8 = (...b: number[]) => Buffer.from(b);
const cat = (...p: Buffer[]) => Buffer.concat(p);
const le32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const rejects = (buf: Buffer, pattern: RegExp) =>
  assert.throws(() => unpickle(buf, 'f.pkl', O), (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes('\n'));

test('integers up to 64 bits are read (LONG1, LONG4, INT, LONG), longer ones refused', () => {
  assert.equal(unpickle(cat(u8(0x80, 2, 0x8a, 8), Buffer.from('ffffffffffffff7f', 'hex'), u8(0x2e)), 'f', O), 2n ** 63n - 1n);
  assert.equal(unpickle(cat(u8(0x80, 2, 0x8a, 2, 0xff, 0xff, 0x2e)), 'f', O), -1);
  assert.equal(unpickle(Buffer.from('L-9223372036854775808L\n.', 'latin1'), 'f', O), -(2n ** 63n));
  rejects(cat(u8(0x80, 2, 0x8a, 9), Buffer.alloc(9, 1), u8(0x2e)), /integer of 9 bytes at byte 2, longer than 64 bits/);
  rejects(cat(u8(0x80, 2, 0x8b), le32(200_000), Buffer.alloc(200_000, 1), u8(0x2e)), /integer of 200000 bytes/);
  rejects(Buffer.from(`I${'1'.repeat(22)}\n.`, 'latin1'), /integer of 22 digits/);
});

test(`containers nest at most ${MAX_NESTING} levels, MARKs too`, () => {
  const lists = (n: number) => cat(u8(0x80, 2), Buffer.alloc(n, 0x5d), Buffer.alloc(n - 1, 0x61), u8(0x2e));
  let v = unpickle(lists(MAX_NESTING), 'f', O);
  let depth = 0;
  while (Array.isArray(v)) { depth++; v = v[0]; }
  assert.equal(depth, MAX_NESTING);
  rejects(lists(MAX_NESTING + 1), /nested more than 64 levels/);
  rejects(cat(u8(0x80, 2), Buffer.alloc(MAX_NESTING + 1, 0x28), u8(0x2e)), /MARKs nested more than 64 levels/);
  const tuples = (n: number) => cat(u8(0x80, 2, 0x29), Buffer.alloc(n, 0x85), u8(0x2e)); // (((),),)...
  assert.ok(Array.isArray(unpickle(tuples(MAX_NESTING - 1), 'f', O)));
  rejects(tuples(MAX_NESTING), /nested more than 64 levels/);
});

test('dictionary keys are short, and converting the same value over and over has a budget', () => {
  const d = unpickle(cat(u8(0x80, 2, 0x7d, 0x55, 4), Buffer.from('data'), u8(0x4b, 7, 0x73, 0x2e)), 'f', O);
  assert.ok(d instanceof PyDict && d.get('data') === 7);
  const longKey = Buffer.alloc(MAX_KEY_BYTES + 1, 0x61);
  rejects(cat(u8(0x80, 2, 0x7d, 0x54), le32(longKey.length), longKey, u8(0x4b, 7, 0x73, 0x2e)), /dictionary key of 1025 bytes/);
  // a 100 KB text memoized once, then _codecs.encode(text, 'latin1') called 20,000 times: 2 GB of copies
  const text = Buffer.alloc(100_000, 0x61);
  const call = cat(u8(0x68, 0), u8(0x68, 1), u8(0x68, 2), u8(0x86, 0x52, 0x30)); // GET f, GET text, GET enc, TUPLE2, REDUCE, POP
  const bomb = cat(
    u8(0x80, 2), Buffer.from('c_codecs\nencode\n', 'latin1'), u8(0x71, 0),
    u8(0x58), le32(text.length), text, u8(0x71, 1, 0x8c, 6), Buffer.from('latin1'), u8(0x71, 2, 0x30, 0x30, 0x30),
    ...Array.from({ length: 20_000 }, () => call), u8(0x4e, 0x2e),
  );
  rejects(bomb, /converts more data than it holds/);
  // once is fine
  const once = cat(bomb.subarray(0, bomb.indexOf(call) + call.length - 1), u8(0x2e));
  assert.ok(unpickle(once, 'f', O) instanceof PyBytes);
});

test('shared references do not multiply work: a key built of memo GETs doubled 39 times is refused at once, in 5 s and 500 MB', () => {
  // {[[..39 levels..],[..]]: None} where each level's two items are the same memo entry: 2^39 leaves in 350 bytes
  const levels: Buffer[] = [];
  for (let i = 0; i < 39; i++) levels.push(u8(0x28, 0x68, i, 0x68, i, 0x6c, 0x71, i + 1, 0x30)); // MARK BINGET i BINGET i LIST BINPUT i+1 POP
  const bomb = cat(u8(0x80, 2, 0x7d, 0x5d, 0x71, 0, 0x30), ...levels, u8(0x68, 39, 0x4e, 0x73, 0x2e)); // EMPTY_DICT EMPTY_LIST BINPUT 0 POP ... BINGET 39 NONE SETITEM STOP
  assert.ok(bomb.length < 2000);
  // in a child process, so that a reader that expands the key runs into the limits instead of this test's memory
  const dir = mkdtempSync(path.join(tmpdir(), 'deep-svdd-pickle-'));
  try {
    const file = path.join(dir, 'bomb.pkl');
    writeFileSync(file, bomb);
    const script = `import { unpickle } from ${JSON.stringify(pathToFileURL(path.resolve(here, '../../src/data/pickle.js')).href)};
      import fs from 'node:fs';
      try { unpickle(fs.readFileSync(process.argv[1]), 'bomb.pkl', ${JSON.stringify(O)}); console.log('read'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--max-old-space-size=500', '--input-type=module', '-e', script, file], { encoding: 'utf8', timeout: 5000 });
    const s = (performance.now() - t) / 1000;
    assert.equal(r.status, 0, `the child ran ${s.toFixed(1)} s and ended with ${r.signal ?? r.status}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
    assert.match(r.stdout, /^UserError: bomb\.pkl is corrupt or not a test pickle: a dictionary key that is a list at byte \d+: keys must be strings, bytes or numbers; write it again\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // keys of one scalar are read as before; a tuple key is refused as well
  const ok = unpickle(cat(u8(0x80, 2, 0x7d, 0x4b, 3, 0x4b, 7, 0x73, 0x2e)), 'f', O);
  assert.ok(ok instanceof PyDict && ok.map.size === 1);
  rejects(cat(u8(0x80, 2, 0x7d, 0x29, 0x4b, 7, 0x73, 0x2e)), /a dictionary key that is a list at byte 6/);
});
