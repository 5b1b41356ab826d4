// Fuzz: mutated objects (bit flips, byte smashes, truncations, structured field smashes of ELF,
// BTF and .BTF.ext fields) and mutated slices of vmlinux BTF go through the ELF, BTF and .BTF.ext
// readers, the BTF helpers and the whole loader. Every input must come back as a value: no escaped
// exception, no use of the catch-all safety nets (an error from them means a check is missing),
// no hang (per-input time is measured), bounded memory.
// Default: a few thousand inputs; BPFLS_LONG=1: 100,000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf, SHT_REL, SHT_SYMTAB } from '../../src/bpf/elf/elf';
import { parseBtf, type Btf } from '../../src/bpf/btf/btf';
import { parseBtfExt } from '../../src/bpf/btf/ext';
import { loadObject, sourceForInsn } from '../../src/bpf/loader/index';
import { BtfKind } from '../../src/bpf/btf/types';

const LONG = process.env.BPFLS_LONG === '1';
const TOTAL = Number(process.env.BPFLS_FUZZ_COUNT ?? (LONG ? 100_000 : 3_000));
const SAFETY_NET = /^(malformed ELF|malformed BTF|malformed \.BTF\.ext|internal loader error):/;

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 0x100000000; };
}

/** Byte offsets of interesting 32-bit fields: ELF section headers, symbols, relocations, BTF and .BTF.ext headers and type records. */
function fieldOffsets(obj: Uint8Array): number[] {
  const { elf } = readElf(obj);
  if (!elf) return [];
  const out: number[] = [40, 58, 60, 62];
  for (let i = 0; i < elf.sections.length; i++) {
    const h = elf.header.shoff + i * 64;
    out.push(h, h + 4, h + 24, h + 32, h + 40, h + 44, h + 56);
  }
  for (const s of elf.sections) {
    if (s.type === SHT_SYMTAB) for (let o = 0; o < Math.min(s.size, 24 * 64); o += 24) out.push(s.offset + o, s.offset + o + 6, s.offset + o + 8, s.offset + o + 16);
    if (s.type === SHT_REL) for (let o = 0; o < Math.min(s.size, 16 * 64); o += 16) out.push(s.offset + o, s.offset + o + 8, s.offset + o + 12);
    if (s.name === '.BTF') {
      for (let o = 4; o < 24; o += 4) out.push(s.offset + o);
      const r = parseBtf(s.data);
      const hdr = new DataView(s.data.buffer, s.data.byteOffset).getUint32(4, true);
      // type records: step through the first few hundred words of the type section
      for (let o = 0; o < Math.min(s.size - hdr, 4096); o += 4) out.push(s.offset + hdr + o);
      void r;
    }
    if (s.name === '.BTF.ext') for (let o = 4; o < Math.min(s.size, 512); o += 4) out.push(s.offset + o);
  }
  return out.filter((o) => o + 4 <= obj.length);
}

const SMASH = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 8, 24, 0x1000000, 0x13000000, 0x84000000];

function mutate(base: Uint8Array, fields: number[], r: () => number): Uint8Array {
  const kind = r();
  if (kind < 0.15) return base.slice(0, Math.floor(r() * base.length));
  const b = base.slice();
  const v = new DataView(b.buffer);
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const m = r();
    if (m < 0.35 && fields.length) {
      const o = fields[Math.floor(r() * fields.length)];
      const val = r() < 0.6 ? SMASH[Math.floor(r() * SMASH.length)] : (v.getUint32(o, true) + Math.floor(r() * 64) - 32) >>> 0;
      v.setUint32(o, val >>> 0, true);
    } else if (m < 0.75) {
      const o = Math.floor(r() * b.length);
      b[o] ^= 1 << Math.floor(r() * 8);
    } else {
      const o = Math.floor(r() * b.length);
      b[o] = Math.floor(r() * 256);
    }
  }
  return b;
}

/**
 * Small standalone BTF blobs cut from vmlinux: the first N types, with references beyond the cut
 * redirected to void and a compact string table holding only the names they use.
 */
function vmlinuxSlices(vm: Uint8Array): Uint8Array[] {
  const v = new DataView(vm.buffer, vm.byteOffset, vm.byteLength);
  const hdr = v.getUint32(4, true);
  const typeStart = hdr + v.getUint32(8, true);
  const typeEnd = typeStart + v.getUint32(12, true);
  const strStart = hdr + v.getUint32(16, true);
  const out: Uint8Array[] = [];
  for (const count of [20, 200, 1500, 6000]) {
    const words: number[] = [];
    const strMap = new Map<number, number>();
    const strBytes: number[] = [0];
    const name = (off: number): number => {
      if (off === 0) return 0;
      let n = strMap.get(off);
      if (n !== undefined) return n;
      n = strBytes.length;
      for (let i = strStart + off; vm[i] !== 0; i++) strBytes.push(vm[i]);
      strBytes.push(0);
      strMap.set(off, n);
      return n;
    };
    const ref = (id: number) => (id > count ? 0 : id);
    let p = typeStart;
    for (let id = 1; id <= count && p < typeEnd; id++) {
      const info = v.getUint32(p + 4, true);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const sizeOrType = v.getUint32(p + 8, true);
      const sized = [1, 4, 5, 6, 16, 15, 19].includes(kind);
      words.push(name(v.getUint32(p, true)), info, sized || kind === 7 ? sizeOrType : ref(sizeOrType));
      p += 12;
      const w = (o: number) => v.getUint32(p + o, true);
      switch (kind) {
        case 1: case 14: case 17: words.push(w(0)); p += 4; break;
        case 3: words.push(ref(w(0)), ref(w(4)), w(8)); p += 12; break;
        case 4: case 5: for (let i = 0; i < vlen; i++, p += 12) words.push(name(w(0)), ref(w(4)), w(8)); break;
        case 15: for (let i = 0; i < vlen; i++, p += 12) words.push(ref(w(0)), w(4), w(8)); break;
        case 6: for (let i = 0; i < vlen; i++, p += 8) words.push(name(w(0)), w(4)); break;
        case 13: for (let i = 0; i < vlen; i++, p += 8) words.push(name(w(0)), ref(w(4))); break;
        case 19: for (let i = 0; i < vlen; i++, p += 12) words.push(name(w(0)), w(4), w(8)); break;
        default: break;
      }
    }
    const typeLen = words.length * 4;
    const b = new Uint8Array(24 + typeLen + strBytes.length);
    const o = new DataView(b.buffer);
    b.set(vm.subarray(0, 4));
    o.setUint32(4, 24, true); o.setUint32(8, 0, true); o.setUint32(12, typeLen, true);
    o.setUint32(16, typeLen, true); o.setUint32(20, strBytes.length, true);
    words.forEach((x, i) => o.setUint32(24 + i * 4, x >>> 0, true));
    b.set(strBytes, 24 + typeLen);
    out.push(b);
  }
  return out;
}

function exerciseBtf(btf: Btf): void {
  const n = Math.min(btf.types.length, 300);
  for (let id = 0; id < n; id++) {
    const t = btf.types[id];
    btf.resolve(id);
    btf.sizeOf(id);
    btf.alignOf(id);
    btf.typeName(id);
    void t.name;
    if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) btf.findMember(id, 'x');
    void t.members; void t.params; void t.enumValues; void t.secinfo; void t.array;
  }
  btf.byName('task_struct');
}

test(`fuzz: ${TOTAL} mutated objects and BTF blobs through readers and loader`, { timeout: LONG ? 1_800_000 : 300_000 }, (t) => {
  const dir = join(__dirname, 'fixtures');
  const objs = readdirSync(dir).filter((f) => f.endsWith('.o')).map((f) => new Uint8Array(readFileSync(join(dir, f))));
  assert.ok(objs.length > 0);
  const fields = objs.map(fieldOffsets);
  let vm: Uint8Array | undefined;
  try { vm = new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')); } catch { t.diagnostic('no vmlinux BTF: fuzzing object BTF only'); }
  const slices = vm ? vmlinuxSlices(vm) : objs.map((o) => readElf(o).elf!.sectionByName('.BTF')!.data.slice());
  for (const sl of slices) assert.deepEqual(parseBtf(sl).errors, [], 'unmutated slices must parse');
  const sliceFields = slices.map((s) => Array.from({ length: Math.min(s.length / 4, 2048) }, (_, i) => i * 4));
  // a small target BTF (the first 32 KB of vmlinux types) keeps CO-RE and kfunc resolution busy but cheap
  const target = parseBtf(slices[slices.length - 1]).btf;
  const r = rng(0xb7f);
  const t0 = performance.now();
  let slowest = 0;
  let slowestKind = '';
  const rss0 = process.memoryUsage().rss;
  let maxRss = rss0;
  const stats = { elfOk: 0, loaded: 0, btfOk: 0, programs: 0 };
  const nets: string[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const s0 = performance.now();
    let kind: string;
    if (i % 4 === 3) {
      kind = 'btf';
      const k = Math.floor(r() * slices.length);
      const b = mutate(slices[k], sliceFields[k], r);
      const res = parseBtf(b);
      for (const e of res.errors) if (SAFETY_NET.test(e)) nets.push(`btf #${i}: ${e}`);
      if (res.btf) { stats.btfOk++; exerciseBtf(res.btf); }
      const ext = parseBtfExt(b, b);
      for (const e of ext.errors) if (SAFETY_NET.test(e)) nets.push(`ext #${i}: ${e}`);
    } else {
      kind = 'object';
      const k = Math.floor(r() * objs.length);
      const b = mutate(objs[k], fields[k], r);
      const e = readElf(b);
      for (const x of e.errors) if (SAFETY_NET.test(x)) nets.push(`elf #${i}: ${x}`);
      if (e.elf) stats.elfOk++;
      const res = loadObject(b, { targetBtf: target });
      for (const x of res.errors) if (SAFETY_NET.test(x)) nets.push(`loader #${i}: ${x}`);
      if (res.object) {
        stats.loaded++;
        for (const p of res.object.programs) {
          stats.programs++;
          for (let j = 0; j < p.insns.length; j += 7) sourceForInsn(p, j);
        }
        if (res.object.btf) exerciseBtf(res.object.btf as Btf);
      }
    }
    const dt = performance.now() - s0;
    if (dt > slowest) { slowest = dt; slowestKind = kind; }
    if (i % 1000 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }
  const total = performance.now() - t0;
  t.diagnostic(`${TOTAL} inputs in ${(total / 1000).toFixed(1)} s (${(total / TOTAL).toFixed(2)} ms each); slowest ${slowest.toFixed(1)} ms (${slowestKind})`);
  t.diagnostic(`readable ELF ${stats.elfOk}, loaded objects ${stats.loaded} (${stats.programs} programs), valid BTF ${stats.btfOk}; rss growth ${((maxRss - rss0) / 1048576).toFixed(0)} MB`);
  assert.deepEqual(nets.slice(0, 20), []);
  assert.ok(slowest < 5000, `an input took ${slowest.toFixed(0)} ms`);
  assert.ok(maxRss - rss0 < 1024 * 1048576, 'memory grew by more than 1 GB');
});
