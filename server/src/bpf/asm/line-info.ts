// Gives an assembled text the line info clang gives C: a .BTF section holding only strings (file
// name, line texts) and a .BTF.ext whose line_info maps every instruction to its assembly line.
// With it the loader's one instruction->source function (sourceForInsn) works for .s files too,
// subprograms appended by the loader included, and verifier findings land on the asm line.
import type { AsmResult, AsmSection } from './types';
import { StrTab } from './strtab';

const BTF_MAGIC = 0xeb9f;
const LINE_INFO_REC = 16;

/** True when the text already carries BTF (clang -S output): it is kept as written. */
export function hasBtf(asm: AsmResult): boolean {
  return asm.sections.some((s) => s.name === '.BTF' || s.name === '.BTF.ext');
}

/**
 * A copy of `asm` with .BTF and .BTF.ext sections describing its line info (one record per
 * statement, `lines[i]` as the line text, lines and columns 1-based as in BTF). Returns `asm`
 * itself when it already has BTF or no code.
 */
export function withLineInfo(asm: AsmResult, fileName: string, lines: readonly string[]): AsmResult {
  if (hasBtf(asm)) return asm;
  const code = asm.sections.filter((s) => s.kind === 'code' && s.count > 0);
  if (code.length === 0) return asm;
  const strings = new StrTab();
  const file = strings.add(fileName);
  const blocks: { sec: number; recs: number[][] }[] = [];
  for (const s of code) {
    const recs: number[][] = [];
    let last = -1;
    for (let i = s.start; i < s.start + s.count; i++) {
      const r = asm.sourceMap[i];
      if (!r || r.line === last) continue;
      last = r.line;
      const text = (lines[r.line] ?? '').trim().slice(0, 200);
      recs.push([(i - s.start) * 8, file, strings.add(text), ((r.line + 1) << 10) | Math.min(r.start + 1, 1023)]);
    }
    if (recs.length) blocks.push({ sec: strings.add(s.name), recs });
  }
  const str = strings.bytes();

  const btf = new Uint8Array(24 + str.length);
  const bv = new DataView(btf.buffer);
  bv.setUint16(0, BTF_MAGIC, true);
  bv.setUint8(2, 1);
  bv.setUint32(4, 24, true);
  bv.setUint32(8, 0, true); // type_off
  bv.setUint32(12, 0, true); // type_len
  bv.setUint32(16, 0, true); // str_off
  bv.setUint32(20, str.length, true);
  btf.set(str, 24);

  const lineLen = 4 + blocks.reduce((n, b) => n + 8 + b.recs.length * LINE_INFO_REC, 0);
  const ext = new Uint8Array(32 + lineLen);
  const ev = new DataView(ext.buffer);
  ev.setUint16(0, BTF_MAGIC, true);
  ev.setUint8(2, 1);
  ev.setUint32(4, 32, true);
  ev.setUint32(8, 0, true); // func_info_off
  ev.setUint32(12, 0, true); // func_info_len
  ev.setUint32(16, 0, true); // line_info_off
  ev.setUint32(20, lineLen, true);
  ev.setUint32(24, lineLen, true); // core_relo_off
  ev.setUint32(28, 0, true);
  let p = 32;
  ev.setUint32(p, LINE_INFO_REC, true);
  p += 4;
  for (const b of blocks) {
    ev.setUint32(p, b.sec, true);
    ev.setUint32(p + 4, b.recs.length, true);
    p += 8;
    for (const r of b.recs) {
      for (let k = 0; k < 4; k++) ev.setUint32(p + 4 * k, r[k] >>> 0, true);
      p += LINE_INFO_REC;
    }
  }
  const section = (name: string, data: Uint8Array): AsmSection => ({
    name, kind: 'data', start: 0, count: 0, data, flags: '', nobits: false, relocs: [], range: { line: 0, start: 0, end: 0 },
  });
  return { ...asm, sections: [...asm.sections, section('.BTF', btf), section('.BTF.ext', ext)] };
}
