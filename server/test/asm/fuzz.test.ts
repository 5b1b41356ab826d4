// Fuzzes the assembler (and the ELF writer and listing printer behind it) with mutated texts:
// no exception may escape, and every text is assembled within a time bound.
// Default: 3,000 texts; BPFLS_LONG=1: 100,000 texts and 5,000 mutated objects for the listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';
import { writeElf } from '../../src/bpf/asm/elf-writer';
import { disassembleObject } from '../../src/bpf/disasm/listing';

const LONG = process.env.BPFLS_LONG === '1';
const repoRoot = path.resolve(__dirname, '../../..');

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function seeds(): string[] {
  const out: string[] = [];
  const fixtures = path.join(__dirname, 'fixtures');
  for (const f of readdirSync(fixtures)) if (f.endsWith('.s')) out.push(readFileSync(path.join(fixtures, f), 'utf8'));
  const conf = path.resolve(repoRoot, '../shared/conformance/tests');
  if (existsSync(conf)) {
    for (const f of readdirSync(conf).slice(0, 120)) {
      const t = readFileSync(path.join(conf, f), 'utf8');
      const m = /-- asm\n([\s\S]*?)(\n-- |$)/.exec(t);
      if (m) out.push(m[1]);
    }
  }
  out.push([
    'r0 = *(u32 *)(r1 + 0x4)', 'if r1 > 0x5 goto +3 <x>', 'call 0x1', 'r1 = 0x0 ll', 'lock *(u64 *)(r1 + 0x0) += r2',
    'w0 = atomic_fetch_add((u32 *)(r1 + 0x0), w0)', 'r0 = bswap16 r0', 'r0 = be16 r0', 'r1 = (s8)r2', 'r0 s/= r1',
    'gotol -0x2', 'may_goto +0x1', 'r0 = load_acquire((u64 *)(r1 + 0x0))', 'store_release((u8 *)(r1 - 0x8), w2)',
    'r0 = cmpxchg_64(r1 + 0x8, r0, r2)', 'r0 = *(u16 *)skb[r3]', '.section .data', 'x: .quad 1, 2', '.asciz "a\\tb"',
    '       5:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll', '\t\t0000000000000028:  R_BPF_64_64\tm',
  ].join('\n'));
  return out;
}

const TOKENS = ['r0', 'w1', '%r2', 'r11', 'r99', '=', '+=', 's>>=', '*(u64 *)', '(r10 - 0x8)', '[%r1+4]', 'goto', '+0x7fff',
  '-32769', '0xffffffffffffffffff', 'll', 'lock', 'fetch', 'call', 'exit', ':', ',', '"', '\\', '#', '//', ';', '.section',
  '.quad', '.size', '.-', 'label:', '<', '>', '\t', '\n', '\r', '\u00e9', '\u{1F600}', '\0', '(', ')', '[', ']', '*'];

function mutate(text: string, r: () => number): string {
  let s = text;
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 9)) {
      case 0: s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(r() * 8)); break;
      case 1: s = s.slice(0, pos) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(pos); break;
      case 2: s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 128)) + s.slice(pos + 1); break;
      case 3: { const lines = s.split('\n'); const i = Math.floor(r() * lines.length); const j = Math.floor(r() * lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; s = lines.join('\n'); break; }
      case 4: { const lines = s.split('\n'); const i = Math.floor(r() * lines.length); lines.splice(i, 0, lines[Math.floor(r() * lines.length)] ?? ''); s = lines.join('\n'); break; }
      case 5: s = s.slice(0, pos); break;
      case 6: s = s.slice(0, pos) + String(Math.floor(r() * 2 ** 40) - 2 ** 39) + s.slice(pos); break;
      case 7: s = s.slice(0, pos) + 'x'.repeat(Math.floor(r() * 2000)) + s.slice(pos); break;
      default: s = s.replace(/\d+/, () => String(Math.floor(r() * 70000) - 35000));
    }
  }
  return s;
}

test('assembler fuzz: mutated texts never throw', { timeout: 30 * 60_000 }, (t) => {
  const base = seeds();
  const r = rng(12345);
  const total = LONG ? 100_000 : 3_000;
  let maxMs = 0;
  let withErrors = 0;
  let objects = 0;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const text = mutate(base[i % base.length], r);
    const s = performance.now();
    let result;
    try {
      result = assemble(text);
      if (asmErrors(result).length === 0) {
        const elf = writeElf(result, { license: 'GPL' });
        objects++;
        disassembleObject(elf.bytes, { relocs: true });
      }
    } catch (e) {
      assert.fail(`input ${i} threw ${(e as Error).stack}\n--- text ---\n${text.slice(0, 2000)}`);
    }
    const ms = performance.now() - s;
    if (ms > maxMs) maxMs = ms;
    if (result.errors.length) withErrors++;
    assert.ok(ms < 2000, `input ${i} took ${ms.toFixed(0)} ms`);
    for (const e of result.errors) {
      assert.ok(e.range.line >= 0 && e.range.start >= 0 && e.range.end >= e.range.start, `bad range ${JSON.stringify(e.range)}`);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  t.diagnostic(`${total} mutated texts in ${secs.toFixed(1)} s (max ${maxMs.toFixed(1)} ms each); ${withErrors} with diagnostics; ${objects} written as objects and disassembled`);
});

test('listing fuzz: mutated objects never throw', { timeout: 30 * 60_000 }, (t) => {
  const r = rng(777);
  const base = seeds().map((s) => assemble(s)).filter((x) => asmErrors(x).length === 0).map((x) => writeElf(x, { license: 'GPL' }).bytes);
  assert.ok(base.length > 0);
  const total = LONG ? 5_000 : 300;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const b = Uint8Array.from(base[i % base.length]);
    for (let k = 1 + Math.floor(r() * 8); k > 0; k--) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    const cut = r() < 0.2 ? b.subarray(0, Math.floor(r() * b.length)) : b;
    try {
      disassembleObject(cut, { relocs: true });
    } catch (e) {
      assert.fail(`object ${i} threw ${(e as Error).stack}`);
    }
  }
  t.diagnostic(`${total} mutated objects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});
