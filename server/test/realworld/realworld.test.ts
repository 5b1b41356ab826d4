// bpfls against the kernel on the real-world-style corpus (test/corpus-real): compiles every file
// (skips without clang or bpftool), takes the kernel's verdicts from the committed cache (or live,
// with BPFLS_REALWORLD_LIVE=1 when loading is permitted), prints the figures and fails when they
// drop below server/test/realworld/baseline.json. BPFLS_UPDATE_BASELINE=1 records a new floor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryLine } from '../diff/compare';
import {
  bpflsVerdicts, buildReal, cleanupReal, disagreements, kernelVerdicts, listRealFiles, readRealBaseline, realFigures,
  timing, writeRealBaseline,
} from './realworld';

test('real-world corpus: bpfls agrees with the kernel', async (t) => {
  const files = listRealFiles();
  assert.ok(files.length >= 20, `test/corpus-real has only ${files.length} files`);
  const run = buildReal(files);
  t.after(() => cleanupReal(run));
  for (const n of run.notes) t.diagnostic(n);
  if (run.objects.length === 0) {
    t.skip(run.notes.join('; ') || 'no corpus-real file could be compiled');
    return;
  }
  assert.deepEqual(run.compileErrors, [], 'corpus-real files that do not compile');
  const kernel = kernelVerdicts(run, { refresh: !!process.env.BPFLS_REALWORLD_LIVE });
  if (kernel.size === 0) {
    t.skip('no kernel verdicts: no usable cache for these objects and loading is not permitted here');
    return;
  }
  await bpflsVerdicts(run, kernel);
  const f = realFigures(kernel, true);
  console.log(summaryLine(f));
  const tm = timing(kernel);
  if (tm.n) console.log(`time bpfls/kernel over ${tm.n} programs: median ${tm.medianRatio.toFixed(2)}x, worst ${tm.worstRatio.toFixed(1)}x`);
  for (const d of disagreements(kernel)) t.diagnostic(d);
  assert.equal(f.crashes, 0, 'bpfls crashed on corpus-real programs');
  if (process.env.BPFLS_UPDATE_BASELINE) writeRealBaseline(f);
  const b = readRealBaseline();
  if (!b) return;
  assert.ok(f.finishedAgreementPct >= b.agreementPct - 0.5, `verdict agreement fell from ${b.agreementPct}% to ${f.finishedAgreementPct}%`);
  assert.ok(f.messagePct >= b.messagePct - 0.5, `identical-message rate fell from ${b.messagePct}% to ${f.messagePct}%`);
  assert.ok(f.unsound.length <= b.unsound, `programs bpfls accepts but the kernel rejects rose from ${b.unsound} to ${f.unsound.length}`);
});
