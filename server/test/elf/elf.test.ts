// ELF reader: sections, symbols and relocations compared with llvm-readelf over the loader corpus,
// and hostile headers that must produce errors, not exceptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElf, RELOC_TYPE_NAMES, SHT_REL } from '../../src/bpf/elf/elf';
import { compile, findClang, repoRoot } from '../loader/oracle';

const readelf: string | undefined = ['llvm-readelf-19', 'llvm-readelf'].find((c) => spawnSync(c, ['--version']).status === 0);
const fixtures = join(__dirname, '../loader/fixtures');

const TYPE_NAMES: Record<number, string> = { 0: 'NULL', 1: 'PROGBITS', 2: 'SYMTAB', 3: 'STRTAB', 4: 'RELA', 8: 'NOBITS', 9: 'REL', 0x6fff4c03: 'LLVM_ADDRSIG' };
const SYM_TYPES = ['NOTYPE', 'OBJECT', 'FUNC', 'SECTION', 'FILE'];
const BINDS = ['LOCAL', 'GLOBAL', 'WEAK'];

function objects(t: { diagnostic(s: string): void }): { objs: string[]; cleanup: () => void } {
  const clang = findClang();
  const objs = readdirSync(fixtures).filter((f) => f.endsWith('.o')).map((f) => join(fixtures, f));
  if (!clang) return { objs, cleanup: () => {} };
  const work = mkdtempSync(join(tmpdir(), 'bpfls-elf-'));
  const dir = join(repoRoot, 'test/corpus-loader');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.bpf.c'))) {
    const o = join(work, f.replace(/\.c$/, '.o'));
    if (!compile(clang, join(dir, f), o)) objs.push(o);
    else t.diagnostic(`${f} does not compile here`);
  }
  return { objs, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

test('sections, symbols and relocations match llvm-readelf', (t) => {
  if (!readelf) return t.skip('llvm-readelf is not installed');
  const { objs, cleanup } = objects(t);
  t.after(cleanup);
  let relocs = 0;
  for (const o of objs) {
    const { elf, errors } = readElf(readFileSync(o));
    assert.deepEqual(errors, [], o);
    const S: string = spawnSync(readelf, ['-S', '-W', o], { encoding: 'utf8' }).stdout;
    const refSecs = [...S.matchAll(/^\s*\[\s*(\d+)\]\s(.*?)\s+([A-Z_]+)\s+([0-9a-f]{16})\s([0-9a-f]+)\s([0-9a-f]+)/gm)]
      .map((m) => `${m[1]} ${m[2].trim()} ${m[3]} ${parseInt(m[5], 16)} ${parseInt(m[6], 16)}`);
    const ours = elf!.sections.map((s) => `${s.index} ${s.name} ${TYPE_NAMES[s.type] ?? s.type} ${s.offset} ${s.size}`);
    assert.deepEqual(ours, refSecs, o);
    const sy: string = spawnSync(readelf, ['-s', '-W', o], { encoding: 'utf8' }).stdout;
    const refSyms = [...sy.matchAll(/^\s*(\d+):\s([0-9a-f]{16})\s+(\d+)\s(\w+)\s+(\w+)\s+\w+\s+(\w+)\s?(.*)$/gm)]
      .map((m) => `${m[1]} ${parseInt(m[2], 16)} ${m[3]} ${m[4]} ${m[5]} ${m[6]} ${m[7]}`);
    const oursSyms = elf!.symbols.map((s) => `${s.index} ${s.value} ${s.size} ${SYM_TYPES[s.type]} ${BINDS[s.bind]} ${s.shndx === 0 ? 'UND' : s.shndx === 0xfff1 ? 'ABS' : s.shndx} ${s.name || (s.type === 3 ? elf!.sections[s.shndx]?.name : '')}`);
    assert.deepEqual(oursSyms, refSyms, o);
    const r: string = spawnSync(readelf, ['-r', '-W', o], { encoding: 'utf8' }).stdout;
    const refRel = [...r.matchAll(/^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(R_BPF_\w+)\s+[0-9a-f]{16}\s(.*)$/gm)].map((m) => `${parseInt(m[1], 16)} ${m[2]} ${m[3].trim()}`);
    const oursRel: string[] = [];
    for (const s of elf!.sections) {
      if (s.type !== SHT_REL) continue;
      for (const rel of elf!.relocations.get(s.info) ?? []) {
        const sym = elf!.symbols[rel.sym];
        oursRel.push(`${rel.offset} ${RELOC_TYPE_NAMES[rel.type]} ${sym.name || elf!.sections[sym.shndx]?.name}`);
      }
    }
    assert.deepEqual(oursRel, refRel, o);
    relocs += oursRel.length;
  }
  t.diagnostic(`${objs.length} objects, ${relocs} relocations (R_BPF_64_64/64_32/ABS32/ABS64/NODYLD32) compared`);
});

function header(): DataView {
  const v = new DataView(new ArrayBuffer(64 + 64 * 2));
  [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1].forEach((b, i) => v.setUint8(i, b));
  v.setUint16(16, 1, true); v.setUint16(18, 247, true); v.setUint32(20, 1, true);
  v.setUint32(40, 64, true); // shoff
  v.setUint16(58, 64, true); v.setUint16(60, 2, true); v.setUint16(62, 1, true);
  // section 1: a string table at offset 0 would overlap the header; place it inside the table itself later
  v.setUint32(64 + 64 + 4, 3, true);
  return v;
}

test('hostile ELF headers give clear errors', () => {
  const u8 = (v: DataView) => new Uint8Array(v.buffer);
  assert.match(readElf(new Uint8Array(10)).errors[0], /header alone is 64/);
  const bad = u8(header()); bad[0] = 0;
  assert.match(readElf(bad).errors[0], /bad magic/);
  const e32 = u8(header()); e32[4] = 1;
  assert.match(readElf(e32).errors[0], /not an ELF64/);
  const far = header(); far.setUint32(40, 1 << 30, true);
  assert.match(readElf(u8(far)).errors[0], /outside the file/);
  const many = header(); many.setUint16(60, 60000, true);
  assert.match(readElf(u8(many)).errors[0], /runs past the end/);
  const hugeOff = header(); hugeOff.setUint32(44, 0xffffffff, true);
  assert.match(readElf(u8(hugeOff)).errors[0], /outside the file/);
  const overlap = header();
  overlap.setUint32(64 + 64 + 24, 32, true); overlap.setUint32(64 + 64 + 32, 8, true); // section 1 data over the ELF header
  assert.match(readElf(u8(overlap)).errors[0], /overlaps/);
  const data = header();
  data.setUint32(64 + 64 + 24, 10_000, true); data.setUint32(64 + 64 + 32, 8, true);
  assert.match(readElf(u8(data)).errors[0], /outside the file/);
  const strndx = header(); strndx.setUint16(62, 9, true);
  assert.match(readElf(u8(strndx)).errors[0], /name table index 9/);
  const entsz = header(); entsz.setUint16(58, 40, true);
  assert.match(readElf(u8(entsz)).errors[0], /section header size 40/);
});

test('relocation and symbol tables out of range are refused', () => {
  const o = readFileSync(join(fixtures, 'subprogs.bpf.o'));
  const { elf } = readElf(o);
  const rel = elf!.sections.find((s) => s.type === SHT_REL)!;
  const b = new Uint8Array(o);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  v.setUint32(rel.offset + 12, 0xfffff, true); // symbol index of the first relocation
  assert.match(readElf(b).errors[0], /symbol index 1048575 is out of range/);
  const c = new Uint8Array(o);
  const w = new DataView(c.buffer, c.byteOffset, c.byteLength);
  w.setUint32(rel.offset, 0x7ffffff0, true); // r_offset beyond the target section
  assert.match(readElf(c).errors[0], /outside section/);
});
