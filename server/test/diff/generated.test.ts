// Generated programs, bpfls against the kernel. Default: a fixed set of 400 with committed kernel
// verdicts (so it also runs where loading is not permitted). BPFLS_LONG=1: 10,000+ fresh programs
// and mutations of corpus programs, judged by the running kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeInsns } from '../../src/bpf/isa/insn';
import { describeUnsound, regressions, summaryLine, updateBaseline } from './compare';
import { generate } from './gen';
import { oracle } from './oracle';
import { cleanup, collectCorpus, corpusMutants, diffGenerated, kernelForGenerated, quickGenerated } from './run';

test('the generator is deterministic for a seed', () => {
  const digest = (seed: number) => {
    const h = createHash('sha256');
    for (const p of generate(seed, 200)) h.update(encodeInsns(p.insns));
    return h.digest('hex');
  };
  assert.equal(digest(7), digest(7));
  assert.notEqual(digest(7), digest(8));
});

test('generated (quick set): bpfls agrees with the kernel', async (t) => {
  const programs = quickGenerated();
  const run = kernelForGenerated(programs, { updateCache: !!process.env.BPFLS_UPDATE_KERNEL_CACHE });
  for (const n of run.notes) t.diagnostic(n);
  if (run.kernel.size === 0) {
    t.skip('no kernel verdicts for generated programs (kernel not available and no cache)');
    return;
  }
  const accepted = [...run.kernel.values()].filter((v) => v.ok).length;
  t.diagnostic(`kernel accepts ${accepted} of ${run.kernel.size} generated programs`);
  // a generator that only produces garbage (or only valid code) would test little
  assert.ok(accepted > run.kernel.size * 0.2 && accepted < run.kernel.size * 0.8, `kernel accepted ${accepted}/${run.kernel.size}`);
  const { figures, notes } = await diffGenerated('generated-quick', run);
  for (const n of notes) t.diagnostic(n);
  console.log(summaryLine(figures));
  if (figures.unsound.length) console.log(`accepted by bpfls, rejected by the kernel:\n${describeUnsound(figures, 50)}`);
  if (!figures.bpflsPresent) return;
  if (process.env.BPFLS_UPDATE_BASELINE) updateBaseline(figures);
  assert.deepEqual(regressions(figures), [], 'generated figures fell below server/test/diff/baseline/');
});

test('generated (long: 10,000 programs + corpus mutants, BPFLS_LONG=1)', { timeout: 3_600_000 }, async (t) => {
  if (!process.env.BPFLS_LONG) {
    t.skip('set BPFLS_LONG=1 to run 10,000+ generated programs against the kernel');
    return;
  }
  const o = oracle();
  if (!o.ok) {
    t.skip(o.reason);
    return;
  }
  const count = Number(process.env.BPFLS_GEN_COUNT ?? 10000);
  const seed = Number(process.env.BPFLS_GEN_SEED ?? 1);
  const programs = generate(seed, count);
  const corpus = collectCorpus();
  try {
    programs.push(...(await corpusMutants(corpus, 10, seed)));
  } finally {
    cleanup(corpus);
  }
  const run = kernelForGenerated(programs, { useCache: false });
  for (const n of run.notes.slice(0, 20)) t.diagnostic(n);
  const { figures, notes } = await diffGenerated('generated-long', run);
  for (const n of notes) t.diagnostic(n);
  console.log(summaryLine(figures));
  if (figures.unsound.length) console.log(`accepted by bpfls, rejected by the kernel:\n${describeUnsound(figures, 100)}`);
  if (!figures.bpflsPresent) return;
  if (process.env.BPFLS_UPDATE_BASELINE) updateBaseline(figures);
  assert.deepEqual(regressions(figures), [], 'long-run figures fell below server/test/diff/baseline/');
});
