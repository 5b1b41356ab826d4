// The ELF writer: objects read back with our ELF reader and llvm-objdump-19, and load into the
// kernel with bpftool (skipped where loading is not permitted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';
import { writeElf } from '../../src/bpf/asm/elf-writer';
import { disassembleObject } from '../../src/bpf/disasm/listing';
import { readElf, R_BPF_64_32, R_BPF_64_64, STB_GLOBAL, STT_FUNC, STT_SECTION } from '../../src/bpf/elf/elf';
import { encodeInsns } from '../../src/bpf/isa/insn';

const fixtures = path.join(__dirname, 'fixtures');
const has = (cmd: string, arg = '--version'): boolean => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

function build(file: string, license?: string): Uint8Array {
  const r = assemble(readFileSync(path.join(fixtures, file), 'utf8'));
  assert.deepEqual(asmErrors(r), []);
  return writeElf(r, { license }).bytes;
}

test('written objects read back: sections, symbols, relocations', () => {
  const bytes = build('subprog-call.s');
  const { elf, errors } = readElf(bytes);
  assert.deepEqual(errors, []);
  assert.ok(elf);
  const socket = elf.sectionByName('socket')!;
  assert.equal(socket.size, 7 * 8);
  const filt = elf.symbols.find((s) => s.name === 'filt')!;
  assert.equal(filt.type, STT_FUNC);
  assert.equal(filt.bind, STB_GLOBAL);
  assert.equal(filt.size, 56);
  const dbl = elf.symbols.find((s) => s.name === 'double')!;
  assert.equal(dbl.type, STT_FUNC, 'call targets are functions');
  const rels = elf.relocations.get(socket.index)!;
  assert.equal(rels.length, 1);
  assert.equal(rels[0].type, R_BPF_64_32);
  // `double` is local: like clang, the call goes through the .text section symbol.
  assert.equal(elf.symbols[rels[0].sym].type, STT_SECTION);
  assert.equal(elf.sections[elf.symbols[rels[0].sym].shndx].name, '.text');
  assert.equal(new TextDecoder().decode(elf.sectionByName('license')!.data), 'GPL\0');

  const data = readElf(build('global-data.s', 'GPL')).elf!;
  const xdp = data.sectionByName('xdp')!;
  const r2 = data.relocations.get(xdp.index)!;
  assert.deepEqual(r2.map((r) => [r.offset, r.type, data.symbols[r.sym].name]), [[0, R_BPF_64_64, 'counter'], [32, R_BPF_64_64, 'limit']]);
  assert.equal(data.sectionByName('.data')!.size, 8);
  assert.equal(new TextDecoder().decode(data.sectionByName('license')!.data), 'GPL\0');
});

test('our listing of a written object assembles back to the same object', () => {
  for (const f of ['subprog-call.s', 'global-data.s']) {
    const bytes = build(f, 'GPL');
    const listing = disassembleObject(bytes, { relocs: true });
    assert.deepEqual(listing.errors, []);
    const again = assemble(listing.text);
    assert.deepEqual(asmErrors(again), []);
    const { elf } = readElf(bytes);
    for (const s of again.sections) {
      assert.deepEqual([...encodeInsns(again.insns.slice(s.start, s.start + s.count))], [...elf!.sectionByName(s.name)!.data], `${f} ${s.name}`);
    }
  }
});

test('llvm-objdump-19 reads written objects', { skip: has('llvm-objdump-19') ? false : 'llvm-objdump-19 not installed' }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-elf-'));
  try {
    const o = path.join(dir, 'x.o');
    writeFileSync(o, build('subprog-call.s'));
    const od = spawnSync('llvm-objdump-19', ['-dr', o], { encoding: 'utf8' });
    assert.equal(od.status, 0, od.stderr);
    assert.match(od.stdout, /call -0x1\n\s+0000000000000008:\s+R_BPF_64_32\s+\.text/);
    assert.match(od.stdout, /<filt>:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function canLoad(): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!has('bpftool', 'version')) return 'bpftool not installed';
  if (!existsSync('/sys/fs/bpf')) return '/sys/fs/bpf not mounted';
  return false;
}

test('bpftool loads and runs written objects', { skip: canLoad() }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-elf-'));
  const data = path.join(dir, 'pkt.bin');
  writeFileSync(data, new Uint8Array(64));
  const cases: [string, number][] = [['subprog-call.s', 0], ['global-data.s', 2]];
  try {
    for (const [f, want] of cases) {
      const o = path.join(dir, f.replace('.s', '.o'));
      writeFileSync(o, build(f, 'GPL'));
      const pin = `/sys/fs/bpf/bpfls_asm_test_${process.pid}_${f.replace(/\W/g, '_')}`;
      const load = spawnSync('bpftool', ['prog', 'load', o, pin], { encoding: 'utf8' });
      if (load.status !== 0) {
        if (/Operation not permitted|EPERM/.test(load.stderr)) { t.skip(`loading not permitted: ${load.stderr.trim().split('\n').pop()}`); return; }
        assert.fail(`bpftool prog load ${f}: ${load.stderr}`);
      }
      try {
        const r = spawnSync('bpftool', ['prog', 'run', 'pinned', pin, 'data_in', data, 'repeat', '1'], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`Return value: ${want}\\b`), `${f}: ${r.stdout}`);
      } finally {
        rmSync(pin, { force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('clang -S output with maps and BTF, assembled by bpfls, loads with bpftool', { skip: canLoad() || (has('clang-19') ? false : 'clang-19 not installed') }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-elf-'));
  const pin = `/sys/fs/bpf/bpfls_asm_maps_${process.pid}`;
  try {
    const s = path.join(dir, 'mixed.s');
    const cc = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-I/usr/include/x86_64-linux-gnu', '-S', path.join(fixtures, 'mixed.bpf.c'), '-o', s], { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
    const r = assemble(readFileSync(s, 'utf8'));
    assert.deepEqual(asmErrors(r), []);
    const o = path.join(dir, 'mixed.o');
    writeFileSync(o, writeElf(r).bytes);
    const load = spawnSync('bpftool', ['prog', 'loadall', o, pin], { encoding: 'utf8' });
    if (load.status !== 0 && /Operation not permitted|EPERM/.test(load.stderr)) { t.skip('loading not permitted'); return; }
    assert.equal(load.status, 0, load.stderr);
    const show = spawnSync('bpftool', ['prog', 'show', 'pinned', path.join(pin, 'parse')], { encoding: 'utf8' });
    assert.match(show.stdout, /xdp\s+name parse/);
    assert.match(show.stdout, /map_ids \d+/);
  } finally {
    rmSync(pin, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
