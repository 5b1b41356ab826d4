// Generated programs, bpfls against the kernel. Default: a fixed set of 700 with committed kernel
// verdicts (so it also runs where loading is not permitted). BPFLS_LONG=1: 10,000+ fresh programs
// (every generator of gen.ts and generators.ts) and mutations of corpus programs, judged by the
// running kernel; prints the figures per generator and the command that reproduces them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeInsns } from '../../src/bpf/isa/insn';
import { describeUnsound, regressions, summaryLine, updateBaseline, type Pair } from './compare';
import { generate } from './gen';
import { generateMix } from './generators';
import { oracle } from './oracle';
import { cleanup, collectCorpus, corpusMutants, diffGenerated, kernelForGenerated, perGenerator, quickGenerated } from './run';

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
  const pairs: Pair[] = [];
  const { figures, notes } = await diffGenerated('generated-quick', run, pairs);
  for (const n of notes) t.diagnostic(n);
  console.log(summaryLine(figures));
  for (const l of perGenerator(pairs)) t.diagnostic(l.trim());
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
  const perProgram = Number(process.env.BPFLS_GEN_MUTANTS ?? 10);
  // every generator (structured random, alu/bounds, memory, branches/loops, calls/helpers) plus
  // mutations of each corpus program
  const programs = generateMix(seed, count);
  const corpus = collectCorpus();
  try {
    programs.push(...(await corpusMutants(corpus, perProgram, seed)));
  } finally {
    cleanup(corpus);
  }
  const run = kernelForGenerated(programs, { useCache: false });
  for (const n of run.notes.slice(0, 20)) t.diagnostic(n);
  const pairs: Pair[] = [];
  const { figures, notes } = await diffGenerated('generated-long', run, pairs, { scaledBudget: true });
  for (const n of notes) t.diagnostic(n);
  console.log(summaryLine(figures));
  console.log(`per generator:\n${perGenerator(pairs).join('\n')}`);
  console.log(`reproduce: BPFLS_LONG=1 BPFLS_GEN_SEED=${seed} BPFLS_GEN_COUNT=${count} BPFLS_GEN_MUTANTS=${perProgram} BPFLS_TEST_FILTER=diff/generated node test/run.mjs` +
    ` (every disagreement: node --import tsx server/test/diff/report.ts --mix ${count} --seed ${seed} --mutants ${perProgram})`);
  if (figures.unsound.length) console.log(`accepted by bpfls, rejected by the kernel:\n${describeUnsound(figures, 100)}`);
  if (!figures.bpflsPresent) return;
  if (process.env.BPFLS_UPDATE_BASELINE) updateBaseline(figures);
  assert.deepEqual(regressions(figures), [], 'long-run figures fell below server/test/diff/baseline/');
});
