// The annotated corpus against the kernel (annotations must match the kernel's verdicts) and
// bpfls against the kernel on the corpus (figures, and no regression below the committed baseline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { annotationMismatch, listCorpusFiles, parseAnnotations } from './corpus';
import { describeUnsound, regressions, summaryLine, updateBaseline } from './compare';
import { cleanup, collectCorpus, diffCorpus } from './run';

test('every corpus program carries an annotation', () => {
  const files = listCorpusFiles();
  assert.ok(files.length > 0, 'test/corpus has no .c files');
  let n = 0;
  for (const f of files) {
    for (const a of parseAnnotations(readFileSync(f, 'utf8'))) {
      n++;
      assert.ok(a.expect, `${f}:${a.line} ${a.prog} has neither __success nor __failure`);
      if (a.expect === 'success') assert.equal(a.msgs.length, 0, `${f}:${a.line} ${a.prog}: __msg on a __success program`);
    }
  }
  assert.ok(n >= 50, `only ${n} annotated programs`);
});

test('corpus: annotations agree with the kernel, and bpfls agrees with the kernel', async (t) => {
  const run = collectCorpus();
  try {
    for (const n of run.notes) t.diagnostic(n);
    if (run.programs.length === 0) {
      t.skip(run.notes.join('; ') || 'no corpus programs could be compiled');
      return;
    }
    const judged = run.programs.filter((p) => p.kernel);
    if (judged.length === 0) {
      t.skip('no kernel verdicts: kernel loading not permitted here and no usable cache');
      return;
    }
    const wrong: string[] = [];
    for (const p of run.programs) {
      if (!p.kernel) {
        wrong.push(`${p.file}:${p.ann.line} ${p.ann.prog}: no kernel verdict`);
        continue;
      }
      for (const m of annotationMismatch(p.ann, p.kernel)) wrong.push(`${p.file}:${p.ann.line} ${p.ann.prog}: ${m}`);
    }
    assert.deepEqual(wrong, [], 'annotations that disagree with the kernel (fix them: node --import tsx server/test/diff/corpus-cli.ts)');

    const { figures, notes } = await diffCorpus(run);
    for (const n of notes) t.diagnostic(n);
    console.log(summaryLine(figures));
    if (figures.unsound.length) console.log(`accepted by bpfls, rejected by the kernel:\n${describeUnsound(figures, 50)}`);
    if (!figures.bpflsPresent) return;
    if (process.env.BPFLS_UPDATE_BASELINE) updateBaseline(figures);
    assert.deepEqual(regressions(figures), [], 'corpus figures fell below server/test/diff/baseline/');
  } finally {
    cleanup(run);
  }
});
