// LLVM-syntax differential test: the assembly clang-19 writes with -S, assembled by bpfls and
// written as an object, must equal the object clang-19 writes with -c — every code section byte
// for byte, every relocation (offset, type, symbol), and the data sections (.data, .rodata, .bss,
// license, .maps) and the .BTF and .BTF.ext sections. DWARF sections are not assembled.
// A subset runs by default; BPFLS_LONG=1 runs the whole corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';
import { writeElf } from '../../src/bpf/asm/elf-writer';
import { ElfFile, readElf, SHF_ALLOC, STT_SECTION } from '../../src/bpf/elf/elf';
import { Job, clangArgs, corpusJobs, pool, run } from './corpus';

const repoRoot = path.resolve(__dirname, '../../..');
const LONG = process.env.BPFLS_LONG === '1';
const has = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;

function relocs(elf: ElfFile, section: string): string[] {
  const sec = elf.sectionByName(section);
  if (!sec) return [];
  return (elf.relocations.get(sec.index) ?? []).map((r) => {
    const s = elf.symbols[r.sym];
    const name = s?.type === STT_SECTION ? elf.sections[s.shndx]?.name : s?.name;
    return `${r.offset}:${r.type}:${name}`;
  }).sort();
}

test('clang -S assembled by bpfls equals clang -c', { skip: has('clang-19') ? false : 'clang-19 not installed', timeout: 20 * 60_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-clang-s-'));
  try {
    const jobs = corpusJobs(repoRoot, dir, LONG ? 24 : 2);
    const selected = LONG ? jobs : jobs.filter((_, i) => i % 9 === 3).slice(0, 10);
    const failures: string[] = [];
    let sectionsCompared = 0;
    let relocsCompared = 0;
    let objects = 0;
    const t0 = Date.now();
    await pool(selected, 2, async (j: Job) => {
      const s = j.out.replace(/\.o$/, '.s');
      const [c, a] = [await run('clang-19', clangArgs(j, '-c')), await run('clang-19', clangArgs(j, '-S', s))];
      if (c.code !== 0 || a.code !== 0 || !existsSync(s)) return;
      objects++;
      const label = `${path.relative(repoRoot, j.src)} ${j.cpu} ${j.opt}`;
      const asm = assemble(readFileSync(s, 'utf8'));
      const errs = asmErrors(asm);
      if (errs.length) { failures.push(`${label}: line ${errs[0].range.line + 1}: ${errs[0].message}`); return; }
      const ours = readElf(writeElf(asm).bytes).elf!;
      const theirs = readElf(readFileSync(j.out)).elf!;
      for (const sec of theirs.sections) {
        if (!(sec.flags & SHF_ALLOC) && !/^\.BTF(\.ext)?$/.test(sec.name)) continue;
        const mine = ours.sectionByName(sec.name);
        if (!mine) { failures.push(`${label}: section ${sec.name} missing`); continue; }
        if (mine.size !== sec.size || Buffer.compare(Buffer.from(mine.data), Buffer.from(sec.data)) !== 0) {
          failures.push(`${label}: section ${sec.name} differs`);
          continue;
        }
        sectionsCompared++;
        const want = relocs(theirs, sec.name);
        const got = relocs(ours, sec.name);
        relocsCompared += want.length;
        if (JSON.stringify(want) !== JSON.stringify(got)) failures.push(`${label}: relocations of ${sec.name}: ${got.join(' ')} vs clang ${want.join(' ')}`);
      }
    });
    t.diagnostic(`${objects} objects, ${sectionsCompared} sections and ${relocsCompared} relocations equal to clang's, ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    assert.ok(objects >= (LONG ? 200 : 5), `only ${objects} objects`);
    assert.deepEqual(failures.slice(0, 10), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
