// Checks the corpus annotations against the running kernel and refreshes the kernel verdict cache.
//   node --import tsx server/test/diff/corpus-cli.ts [--update-cache] [FILE.c...]
// Prints each disagreement between an annotation and the kernel (fix the annotation: the kernel is
// right), and a summary line. Exit 1 when any annotation disagrees.
import { basename } from 'node:path';
import { rmSync } from 'node:fs';
import { kernelRelease, kernelVerifyObject, oracle } from './oracle';
import {
  annotationMismatch, buildDir, clangAvailable, compileCorpusFile, listCorpusFiles, parseAnnotations,
  readKernelCache, toCached, writeKernelCache,
} from './corpus';
import { readFileSync, writeFileSync } from 'node:fs';
import { fixAnnotation } from './corpus';

const args = process.argv.slice(2);
const update = args.includes('--update-cache');
// --fix rewrites each disagreeing annotation to the kernel's verdict (the kernel is right); review the diff.
const fix = args.includes('--fix');
const only = args.filter((a) => !a.startsWith('--')).map((a) => basename(a));
const o = oracle();
if (!o.ok) {
  console.error(o.reason);
  process.exit(3);
}
const clang = clangAvailable();
if (!clang.ok) {
  console.error(clang.reason);
  process.exit(3);
}
const cache = readKernelCache();
cache.kernel = kernelRelease();
cache.clang = clang.version;
const dir = buildDir();
let programs = 0;
let bad = 0;
let skipped = 0;
let accepted = 0;
for (const path of listCorpusFiles()) {
  const file = basename(path);
  if (only.length && !only.includes(file)) continue;
  const c = compileCorpusFile(path, dir);
  if (!c.objPath) {
    console.log(`${file}: does not compile:\n${c.error}`);
    bad++;
    continue;
  }
  const anns = parseAnnotations(readFileSync(path, 'utf8'));
  const { verdicts, error } = kernelVerifyObject(c.objPath, { run: true });
  if (error) console.log(`${file}: ${error}`);
  const progs: Record<string, ReturnType<typeof toCached>> = {};
  for (const v of verdicts) progs[v.prog ?? ''] = toCached(v);
  cache.files[file] = { objSha256: c.objSha256!, programs: progs };
  for (const a of anns) {
    programs++;
    const k = progs[a.prog];
    if (!k) {
      console.log(`${file}:${a.line} ${a.prog}: no kernel verdict`);
      bad++;
      continue;
    }
    if (k.ok === null) skipped++;
    if (k.ok) accepted++;
    const mm = annotationMismatch(a, k);
    if (mm.length) {
      bad++;
      console.log(`${file}:${a.line} ${a.prog}: ${mm.join('; ')}`);
    }
  }
  if (fix) {
    let src = readFileSync(path, 'utf8');
    for (const a of [...anns].reverse()) {
      const k = progs[a.prog];
      if (k && annotationMismatch(a, k).length) src = fixAnnotation(src, a, k);
    }
    writeFileSync(path, src);
  }
  const annotated = new Set(anns.map((a) => a.prog));
  for (const v of verdicts) if (!annotated.has(v.prog ?? '')) console.log(`${file}: program ${v.prog} has no annotation block`);
}
rmSync(dir, { recursive: true, force: true });
if (update) writeKernelCache(cache);
console.log(`corpus: ${programs} programs, ${accepted} accepted by the kernel, ${skipped} not loadable here, ${bad} disagreements with annotations${update ? ' (cache updated)' : ''}`);
process.exit(bad ? 1 : 0);
