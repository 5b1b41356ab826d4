// Instructions in the kernel verifier log's syntax (kernel/bpf/disasm.c), e.g.
// "(61) r0 = *(u32 *)(r1 +0)", "(15) if r1 == 0x0 goto pc+2", "(85) call bpf_map_lookup_elem#1".
import type { Insn } from '../isa/insn';

const ALU = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'];
const JMP = ['jmp', '==', '>', '>=', '&', '!=', 's>', 's>=', 'call', 'exit', '<', '<=', 's<', 's<='];
const LDST: Record<number, string> = { 0x00: 'u32', 0x08: 'u16', 0x10: 'u8', 0x18: 'u64' };
const LDSX: Record<number, string> = { 0x00: 's32', 0x08: 's16', 0x10: 's8' };
const ATOMIC: Record<number, string> = { 0x00: 'add', 0x50: 'and', 0x40: 'or', 0xa0: 'xor' };
const CLASS = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'];

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const sgn = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);

/** kfuncName: a kfunc call's name by instruction index (disasm_kfunc_name), undefined if unknown */
export function printInsnKernel(insns: readonly Insn[], i: number, helperName: (id: number) => string, kfuncName?: (idx: number) => string | undefined): string {
  const insn = insns[i];
  const code = insn.code;
  const cls = code & 7;
  const op = code & 0xf0;
  const h = `(${hex2(code)})`;
  if (cls === 4 || cls === 7) {
    const r = cls === 7 ? 'r' : 'w';
    if (op === 0x80) return `${h} ${r}${insn.dst} = -${r}${insn.dst}`;
    if (op === 0xd0) {
      if (cls === 7) return `${h} r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
      return `${h} r${insn.dst} = ${code & 8 ? 'be' : 'le'}${insn.imm} r${insn.dst}`;
    }
    let opStr = ALU[op >> 4] ?? '?';
    if (insn.off === 1 && op === 0x30) opStr = 's/=';
    if (insn.off === 1 && op === 0x90) opStr = 's%=';
    if (code === 0xbf && insn.off === 1) return `${h} r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.imm >>> 16}, ${insn.imm & 0xffff})`;
    if (code === 0xbf && insn.off === -1) return `${h} r${insn.dst} = &(void __percpu *)(r${insn.src})`;
    if (code & 8) {
      const sx = op === 0xb0 && insn.off ? ({ 8: '(s8)', 16: '(s16)', 32: '(s32)' } as Record<number, string>)[insn.off] ?? '' : '';
      return `${h} ${r}${insn.dst} ${opStr} ${sx}${r}${insn.src}`;
    }
    return `${h} ${r}${insn.dst} ${opStr} ${insn.imm}`;
  }
  const size = LDST[code & 0x18];
  if (cls === 3) {
    if ((code & 0xe0) === 0x60) return `${h} *(${size} *)(r${insn.dst} ${sgn(insn.off)}) = r${insn.src}`;
    if ((code & 0xe0) === 0xc0) {
      const a = insn.imm;
      const w = (code & 0x18) === 0x18 ? '64' : '';
      if (ATOMIC[a] !== undefined) return `${h} lock *(${size} *)(r${insn.dst} ${sgn(insn.off)}) ${ALU[a >> 4]} r${insn.src}`;
      if (ATOMIC[a & ~1] !== undefined && a & 1) return `${h} r${insn.src} = atomic${w}_fetch_${ATOMIC[a & ~1]}((${size} *)(r${insn.dst} ${sgn(insn.off)}), r${insn.src})`;
      if (a === 0xf1) return `${h} r0 = atomic${w}_cmpxchg((${size} *)(r${insn.dst} ${sgn(insn.off)}), r0, r${insn.src})`;
      if (a === 0xe1) return `${h} r${insn.src} = atomic${w}_xchg((${size} *)(r${insn.dst} ${sgn(insn.off)}), r${insn.src})`;
      return `BUG_${hex2(code)}`;
    }
    return `BUG_${hex2(code)}`;
  }
  if (cls === 2) return `${h} *(${size} *)(r${insn.dst} ${sgn(insn.off)}) = ${insn.imm}`;
  if (cls === 1) {
    const sx = (code & 0xe0) === 0x80;
    return `${h} r${insn.dst} = *(${sx ? LDSX[code & 0x18] : size} *)(r${insn.src} ${sgn(insn.off)})`;
  }
  if (cls === 0) {
    const mode = code & 0xe0;
    if (mode === 0x20) return `${h} r0 = *(${size} *)skb[${insn.imm}]`;
    if (mode === 0x40) return `${h} r0 = *(${size} *)skb[r${insn.src} + ${insn.imm}]`;
    if (code === 0x18) {
      const hi = insns[i + 1]?.imm ?? 0;
      if (insn.src === 1 || insn.src === 5) return `${h} r${insn.dst} = map[id:${insn.imm}]`;
      if (insn.src === 2 || insn.src === 6) return `${h} r${insn.dst} = map[id:${insn.imm}][0]+${hi}`;
      const v = (BigInt(hi >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      return `${h} r${insn.dst} = 0x${v.toString(16)}`;
    }
    return `BUG_ld_${hex2(code)}`;
  }
  if (cls === 5 || cls === 6) {
    if (op === 0x80) {
      if (insn.src === 1) return `${h} call pc${sgn(insn.imm)}`;
      if (insn.src === 2) return `${h} call ${kfuncName?.(i) ?? helperName(-insn.imm - 1)}#${insn.imm}`;
      return `${h} call ${helperName(insn.imm)}#${insn.imm}`;
    }
    if (code === 0x05) return `${h} goto pc${sgn(insn.off)}`;
    if (code === 0xe5) return `${h} may_goto pc${sgn(insn.off)}`;
    if (code === 0x06) return `${h} gotol pc${sgn(insn.imm)}`;
    if (code === 0x95) return `${h} exit`;
    const r = cls === 6 ? 'w' : 'r';
    if (code & 8) return `${h} if ${r}${insn.dst} ${JMP[op >> 4]} ${r}${insn.src} goto pc${sgn(insn.off)}`;
    return `${h} if ${r}${insn.dst} ${JMP[op >> 4]} 0x${(insn.imm >>> 0).toString(16)} goto pc${sgn(insn.off)}`;
  }
  return `${h} ${CLASS[cls]}`;
}

/** The kernel log's column for the state printed after an instruction (vlog_alignment in
 * kernel/bpf/log.c): `text` is "N: (op) ..." without its newline; returns the padded line up to
 * and including ';'. */
export function alignInsnState(text: string): string {
  const pos = text.length + 1; // the kernel measures the instruction's text with its newline
  const width = Math.ceil(Math.max(pos + 4, 40) / 8) * 8 - pos - 1;
  return `${text}${' '.repeat(Math.max(width, 1))};`;
}

/** Source lines for the log ("; text @ file.c:N", verbose_linfo): each record printed once when
 * the instruction it covers is reached, and not again for a record on the same file and line. */
export class LinfoPrinter {
  private prev = -1;
  private readonly offs: number[];
  private readonly lines: readonly { insnOff: number; fileName: string; line: number; lineText: string }[];
  constructor(lines: readonly { insnOff: number; fileName: string; line: number; lineText: string }[]) {
    this.lines = [...lines].sort((a, b) => a.insnOff - b.insnOff);
    this.offs = this.lines.map((l) => l.insnOff);
  }

  /** The line to print before instruction idx, or undefined. */
  at(idx: number, nInsns: number): string | undefined {
    const n = this.offs.length;
    if (!n || idx >= nInsns || idx < this.offs[0]) return undefined;
    let l = 0, r = n - 1;
    while (l < r) {
      const m = l + ((r - l + 1) >> 1);
      if (this.offs[m] <= idx) l = m; else r = m - 1;
    }
    if (l === this.prev) return undefined;
    const cur = this.lines[l];
    const p = this.prev >= 0 ? this.lines[this.prev] : undefined;
    if (p && p.fileName === cur.fileName && p.line === cur.line) return undefined;
    this.prev = l;
    const slash = cur.fileName.lastIndexOf('/');
    return `${cur.lineText.replace(/^\s+/, '')} @ ${slash >= 0 ? cur.fileName.slice(slash + 1) : cur.fileName}:${cur.line}`;
  }
}

/** The level 2 "Live regs before insn:" table: per instruction, r0-r9 live on entry (a digit) or
 * not ('.'), then the instruction; the second slot of an ldimm64 is skipped. */
export function liveRegsTable(insns: readonly Insn[], live: ArrayLike<number>, helperName: (id: number) => string, kfuncName?: (idx: number) => string | undefined): string {
  let s = 'Live regs before insn:\n';
  for (let i = 0; i < insns.length; i++) {
    let mask = '';
    for (let r = 0; r < 10; r++) mask += live[i] & (1 << r) ? String(r) : '.';
    s += `${String(i).padStart(7)}: ${mask} ${printInsnKernel(insns, i, helperName, kfuncName)}\n`;
    if (insns[i].code === 0x18) i++;
  }
  return s;
}
