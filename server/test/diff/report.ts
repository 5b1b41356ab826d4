// Prints the differential figures with every disagreement, for whoever works on the verifier.
//   node --import tsx server/test/diff/report.ts [--corpus] [--generated N | --mix N] [--seed S] [--mutants N]
// --generated: the original structured random generator; --mix: every generator (as BPFLS_LONG=1).
// Without options: the corpus and the quick generated set. Kernel verdicts come from the running
// kernel when loading is permitted, else from the committed caches.
import { summaryLine, type Figures, type Pair } from './compare';
import { generate } from './gen';
import { generateMix } from './generators';
import { cleanup, collectCorpus, corpusMutants, diffCorpus, diffGenerated, kernelForGenerated, perGenerator, quickGenerated } from './run';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const onlyCorpus = args.includes('--corpus');
const mixCount = opt('--mix');
const genCount = opt('--generated') ?? mixCount;
const seed = Number(opt('--seed') ?? 1);
const mutants = Number(opt('--mutants') ?? 0);

function details(f: Figures, pairs: Pair[]): void {
  const dis = pairs.filter((p) => p.bpfls && p.kernel.ok !== null);
  for (const p of dis) {
    const b = p.bpfls!;
    const tag = p.origin ? ` (${p.origin})` : '';
    if (b.crashed) console.log(`  NO VERDICT ${p.id}${tag}: ${b.crashed}`);
    else if (b.ok && p.kernel.ok === false) console.log(`  UNSOUND    ${p.id}${tag}: kernel "${p.kernel.error_line}", bpfls accepts`);
    else if (!b.ok && p.kernel.ok) console.log(`  STRICT     ${p.id}${tag}: kernel accepts, bpfls "${b.message}" at insn ${b.insn}`);
    else if (!b.ok && p.kernel.ok === false && (b.message ?? '').trim() !== (p.kernel.error_line ?? '').trim()) {
      console.log(`  MESSAGE    ${p.id}${tag}: kernel "${p.kernel.error_line}" / bpfls "${b.message}"`);
    }
  }
  console.log(summaryLine(f));
}

async function main(): Promise<void> {
  const corpus = collectCorpus();
  try {
    for (const n of corpus.notes) console.log(`note: ${n}`);
    if (!genCount) {
      const pairs: Pair[] = [];
      const { figures, notes } = await diffCorpus(corpus, pairs);
      for (const n of notes) console.log(`note: ${n}`);
      details(figures, pairs);
      if (onlyCorpus) return;
    }
    const programs = mixCount ? generateMix(seed, Number(mixCount)) : genCount ? generate(seed, Number(genCount)) : quickGenerated();
    if (mutants) programs.push(...(await corpusMutants(corpus, mutants, seed)));
    const run = kernelForGenerated(programs, { useCache: !genCount });
    for (const n of run.notes.slice(0, 10)) console.log(`note: ${n}`);
    const pairs: Pair[] = [];
    const { figures } = await diffGenerated(genCount ? 'generated' : 'generated-quick', run, pairs, { scaledBudget: !!genCount });
    details(figures, pairs);
    console.log(perGenerator(pairs).join('\n'));
  } finally {
    cleanup(corpus);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
