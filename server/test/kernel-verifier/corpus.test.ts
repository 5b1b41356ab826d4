// Long run (BPFLS_LONG=1): the bpftool path against the libbpf oracle's cached verdicts on the
// verifier corpus (test/corpus, each program loaded alone by per-program autoload). Only programs
// the oracle loaded are loaded (it refuses the ones that could crash this kernel), and only objects
// whose sha256 matches the cache (same clang). Agreement in verdict and final error line is required.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clangAvailable, compileCorpusFile, buildDir, listCorpusFiles, readKernelCache } from '../diff/corpus';
import { BPFFS_ROOT, PIN_PREFIX, kernelVerifierAvailability, kernelVerifyObject } from '../../src/toolchain/kernel-verifier';
import { loadObject } from '../../src/bpf/loader';

test('bpftool path agrees with the libbpf oracle on the corpus', { timeout: 1_800_000 }, async (t) => {
  if (!process.env.BPFLS_LONG) return t.skip('long run: set BPFLS_LONG=1');
  const c = clangAvailable();
  if (!c.ok) return t.skip(`needs clang: ${c.reason}`);
  const avail = kernelVerifierAvailability(true);
  if (!avail.ok) return t.skip(`kernel verifier not available here: ${avail.reason}`);
  const cache = readKernelCache();
  const out = buildDir();
  let compared = 0;
  let staleFiles = 0;
  const mismatches: string[] = [];
  const t0 = Date.now();
  try {
    for (const file of listCorpusFiles()) {
      const built = compileCorpusFile(file, out);
      const cached = cache.files[built.file];
      if (!built.objPath || !cached || cached.objSha256 !== built.objSha256) { staleFiles++; continue; }
      const elf = fs.readFileSync(built.objPath);
      const obj = loadObject(elf).object;
      if (!obj) continue;
      const progs = obj.programs.filter((p) => cached.programs[p.name] && cached.programs[p.name].ok !== null && cached.programs[p.name].ok !== undefined);
      const r = await kernelVerifyObject(elf, progs.map((p) => ({ name: p.name, section: p.section })));
      for (const v of r.verdicts) {
        const want = cached.programs[v.prog];
        compared++;
        if (v.ok !== want.ok || (!v.ok && v.message !== want.error_line)) {
          mismatches.push(`${built.file}:${v.prog}: oracle ${want.ok ? 'accepted' : `rejected: ${want.error_line}`}; bpftool ${v.ok === null ? `no verdict: ${v.skip}` : v.ok ? 'accepted' : `rejected: ${v.message}`}`);
        }
      }
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  const left = fs.readdirSync(BPFFS_ROOT).filter((n) => n.startsWith(`${PIN_PREFIX}${process.pid}-`));
  t.diagnostic(`compared ${compared} programs in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${mismatches.length} differ; ${staleFiles} files not in the cache`);
  for (const m of mismatches.slice(0, 30)) t.diagnostic(m);
  assert.deepEqual(left, []);
  assert.ok(compared > 0, 'no corpus object matched the cached kernel verdicts');
  assert.deepEqual(mismatches, []);
});
