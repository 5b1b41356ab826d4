// The level 1/2 verifier log against the running kernel's (see log-diff.ts): the printer pieces on
// their own, then the share of kernel log lines bpfls reproduces in order on corpus programs the
// kernel rejects, which must not fall below the floors measured when they were set. The kernel part
// needs clang and permission to load BPF programs; it skips without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { alignInsnState, LinfoPrinter } from '../../src/bpf/verifier/print';
import { buildDir, clangAvailable, compileCorpusFile, corpusDir } from '../diff/corpus';
import { oracle } from '../diff/oracle';
import { bpflsLogs, compare, kernelLogs, lcs, normalize, summary, type LogCase } from './log-diff';

/** corpus files compared (small, rejected programs of many kinds) and the floors for them */
const FILES = ['bounds.c', 'spinlock.c', 'ptr.c', 'stack.c', 'helpers.c'];
const FLOOR = { 1: 0.89, 2: 0.8 } as const;

test('state column after an instruction as the kernel aligns it', () => {
  assert.equal(alignInsnState('0: (b7) r1 = 0'), '0: (b7) r1 = 0                        ;');
  assert.equal(alignInsnState('6: (85) call bpf_map_lookup_elem#1'), '6: (85) call bpf_map_lookup_elem#1    ;');
  assert.equal(alignInsnState('4: (18) r1 = 0xffff88810623f400'), '4: (18) r1 = 0xffff88810623f400       ;');
  // past the 40th column the state moves to the next multiple of 8
  assert.equal(alignInsnState('9: (85) call bpf_for_each_map_elem#164').length, 47);
});

test('source lines print once per file and line', () => {
  const p = new LinfoPrinter([
    { insnOff: 0, fileName: '/a/b/x.c', line: 3, lineText: '  int x = 1;' },
    { insnOff: 2, fileName: '/a/b/x.c', line: 3, lineText: '  int x = 1;' },
    { insnOff: 4, fileName: '/a/b/x.c', line: 5, lineText: 'return x;' },
  ]);
  assert.equal(p.at(0, 10), 'int x = 1; @ x.c:3');
  assert.equal(p.at(1, 10), undefined);
  assert.equal(p.at(2, 10), undefined);
  assert.equal(p.at(5, 10), 'return x; @ x.c:5');
  assert.equal(p.at(0, 10), 'int x = 1; @ x.c:3');
});

test('log comparison basics', () => {
  assert.equal(lcs(['a', 'b', 'c', 'd'], ['a', 'c', 'x', 'd']), 3);
  assert.deepEqual(normalize('4: (18) r1 = 0xffff88810623f400       ; R1=map_ptr()\nverification time 5 usec\nstack depth 8\n'),
    ['4: (18) r1 = map[addr] ; R1=map_ptr()']);
  assert.deepEqual(normalize('4: (18) r1 = map[id:0]                ; R1=map_ptr()\n'), ['4: (18) r1 = map[addr] ; R1=map_ptr()']);
});

test('log lines agree with the running kernel on rejected corpus programs', (t) => {
  const cl = clangAvailable();
  if (!cl.ok) { t.skip(cl.reason ?? 'clang missing'); return; }
  const o = oracle();
  if (!o.ok) { t.skip(o.reason); return; }
  const dir = buildDir();
  try {
    for (const level of [1, 2] as const) {
      const cases: LogCase[] = [];
      for (const f of FILES) {
        const c = compileCorpusFile(join(corpusDir, f), dir);
        assert.ok(c.objPath, `${f}: ${c.error}`);
        const k = kernelLogs(c.objPath, level);
        cases.push(...compare(f, level, k, bpflsLogs(c.objPath, level, k.keys())));
      }
      const s = summary(cases);
      t.diagnostic(`level ${level}: ${s.programs} programs, ${s.common}/${s.kernelLines} kernel lines reproduced (${(100 * s.pooled).toFixed(1)}%)`);
      assert.ok(s.programs > 10, `only ${s.programs} rejected programs compared`);
      assert.ok(s.pooled >= FLOOR[level], `level ${level}: ${(100 * s.pooled).toFixed(1)}% of kernel log lines reproduced, floor ${100 * FLOOR[level]}%`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
