// Static checks done before path exploration, like the kernel's resolve_pseudo_ldimm64,
// check_subprogs and check_cfg: opcode validity, subprogram layout, jump ranges, reachability.
// Also computes prune points and per-instruction register liveness used by state pruning.
import type { Insn } from '../isa/insn';
import type { LoadedProgram } from '../loader/types';
import { VerifierError } from './errors';

export interface Subprog { start: number; end: number }

export interface CfgInfo {
  subprogs: Subprog[];
  prunePoint: Uint8Array;
  forceCheckpoint: Uint8Array;
  iterNext: Uint8Array;
  mayGoto: Uint8Array;
  callsCallback: Uint8Array;
  /**
   * Instructions reached other than by falling through (jump and call targets, return sites,
   * callback calls): the path's history records them, for precision backtracking.
   */
  jmpPoint: Uint8Array;
  /** bit i set: register i is live on entry to the instruction */
  liveRegs: Uint16Array;
}

// Opcodes the kernel's instruction table accepts (bpf_opcode_in_insntable).
const VALID = new Set<number>();
(function build(): void {
  for (const cls of [0x04, 0x07]) {
    for (const op of [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]) {
      VALID.add(cls | op | 0x00); VALID.add(cls | op | 0x08);
    }
    VALID.add(cls | 0x80);
    VALID.add(cls | 0xd0); if (cls === 0x04) VALID.add(cls | 0xd8);
  }
  for (const cls of [0x05, 0x06]) {
    for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) {
      VALID.add(cls | op); VALID.add(cls | op | 0x08);
    }
  }
  VALID.add(0x05); VALID.add(0x06); VALID.add(0x85); VALID.add(0x95); VALID.add(0xe5);
  for (const sz of [0x00, 0x08, 0x10, 0x18]) {
    VALID.add(0x01 | 0x60 | sz); VALID.add(0x02 | 0x60 | sz); VALID.add(0x03 | 0x60 | sz);
    if (sz !== 0x18) VALID.add(0x01 | 0x80 | sz);
    if (sz !== 0x18) { VALID.add(0x00 | 0x20 | sz); VALID.add(0x00 | 0x40 | sz); }
  }
  VALID.add(0x18);
  VALID.add(0xc3); VALID.add(0xdb); VALID.add(0xd3); VALID.add(0xcb);
})();

/**
 * callParams: how many arguments the helper or kfunc called at an instruction takes (the kernel's
 * get_call_summary), undefined when unknown (then R1-R5 all count as read by the call).
 */
export function checkCfg(insns: Insn[], prog: LoadedProgram, verbose: (s: string) => void,
  callParams: (idx: number) => number | undefined = () => undefined): CfgInfo {
  void prog;
  const n = insns.length;
  const fail = (msg: string, at: number): never => { throw new VerifierError(msg, at); };
  if (n === 0) fail('empty program', 0);
  // subprograms
  const starts = new Set<number>([0]);
  for (let i = 0; i < n; i++) {
    const insn = insns[i];
    if (insn.code === 0x85 && insn.src === 1) {
      const t = i + insn.imm + 1;
      if (t < 0 || t >= n) fail('call to invalid destination', i);
      starts.add(t);
    } else if (insn.code === 0x18 && insn.src === 4) {
      const t = i + insn.imm + 1;
      if (t < 0 || t >= n) fail('call to invalid destination', i);
      starts.add(t);
    }
    if (insn.code === 0x18) i++;
  }
  const sorted = [...starts].sort((a, b) => a - b);
  const subprogs: Subprog[] = sorted.map((s, k) => ({ start: s, end: k + 1 < sorted.length ? sorted[k + 1] : n }));
  subprogs.forEach((s, k) => verbose(`func#${k} @${s.start}\n`));
  for (const sp of subprogs) {
    for (let i = sp.start; i < sp.end; i++) {
      const insn = insns[i];
      const cls = insn.code & 7;
      if (cls === 5 || cls === 6) {
        const op = insn.code & 0xf0;
        if (op !== 0x80 && op !== 0x90) {
          const off = insn.code === 0x06 ? insn.imm : insn.off;
          const t = i + off + 1;
          if (t < sp.start || t >= sp.end) fail(`jump out of range from insn ${i} to ${t}`, i);
        }
      }
    }
    const last = insns[sp.end - 1];
    const isLastOk = (last.code === 0x95) || ((last.code & 7) === 5 || (last.code & 7) === 6) && (last.code & 0xf0) === 0x00;
    if (!isLastOk) fail('last insn is not an exit or jmp', sp.end - 1);
  }
  // resolve_pseudo_ldimm64 and opcode table (after check_subprogs, as in the kernel)
  for (let i = 0; i < n; i++) {
    const insn = insns[i];
    if ((insn.code & 7) === 1 && (((insn.code & 0xe0) !== 0x60 && (insn.code & 0xe0) !== 0x80) || insn.imm !== 0)) {
      fail('BPF_LDX uses reserved fields', i);
    }
    if (insn.code === 0x18) {
      const hi = insns[i + 1];
      if (i === n - 1 || !hi || hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) fail('invalid bpf_ld_imm64 insn', i);
      if (insn.src !== 0 && ![1, 2, 3, 4, 5, 6].includes(insn.src)) fail('unrecognized bpf_ld_imm64 insn', i);
      if ((insn.src === 0 || insn.src === 4) && false) fail('', i);
      i++;
      continue;
    }
    if (!VALID.has(insn.code)) fail(`unknown opcode ${insn.code.toString(16).padStart(2, '0')}`, i);
  }
  // reachability (check_cfg)
  const prunePoint = new Uint8Array(n);
  const forceCheckpoint = new Uint8Array(n);
  const iterNext = new Uint8Array(n);
  const mayGoto = new Uint8Array(n);
  const callsCallback = new Uint8Array(n);
  const jmpPoint = new Uint8Array(n);
  const seen = new Uint8Array(n);
  const work: number[] = [0];
  for (const sp of subprogs) if (sp.start !== 0 && false) work.push(sp.start);
  seen[0] = 1;
  const push = (from: number, to: number, branch = false): void => {
    if (to < 0 || to >= n) fail(`jump out of range from insn ${from} to ${to}`, from);
    if (branch) { prunePoint[to] = 1; jmpPoint[to] = 1; }
    if (!seen[to]) { seen[to] = 1; work.push(to); }
  };
  while (work.length) {
    const t = work.pop()!;
    const insn = insns[t];
    const cls = insn.code & 7;
    const sz = insn.code === 0x18 ? 2 : 1;
    if (cls !== 5 && cls !== 6) { if (t + sz < n) push(t, t + sz); else if (t + sz >= n) fail(`jump out of range from insn ${t} to ${t + sz}`, t); continue; }
    const op = insn.code & 0xf0;
    if (op === 0x90) continue;
    if (op === 0x80) {
      push(t, t + 1);
      prunePoint[t + 1 < n ? t + 1 : t] = 1;
      jmpPoint[t + 1 < n ? t + 1 : t] = 1;
      if (insn.src === 1) { prunePoint[t] = 1; push(t, t + insn.imm + 1, true); }
      // helpers calling a callback an unknown number of times (for_each_map_elem, find_vma, loop,
      // user_ringbuf_drain): the callback body is re-entered from this call until states converge,
      // so a checkpoint is forced here; timer_set_callback's (async) callback is only a prune point
      if (insn.src === 0 && (insn.imm === 164 || insn.imm === 180 || insn.imm === 181 || insn.imm === 209)) {
        prunePoint[t] = 1; callsCallback[t] = 1; jmpPoint[t] = 1; forceCheckpoint[t] = 1;
      } else if (insn.src === 0 && insn.imm === 170) prunePoint[t] = 1;
      continue;
    }
    if (insn.code === 0xe5) {
      prunePoint[t] = 1; forceCheckpoint[t] = 1; mayGoto[t] = 1;
      push(t, t + 1); push(t, t + insn.off + 1, true);
      continue;
    }
    if (op === 0x00) {
      const off = cls === 6 ? insn.imm : insn.off;
      push(t, t + off + 1);
      prunePoint[t + off + 1] = 1;
      jmpPoint[t + off + 1] = 1;
      continue;
    }
    prunePoint[t] = 1;
    push(t, t + 1);
    push(t, t + insn.off + 1, true);
  }
  // pseudo-func targets are reachable as callbacks
  const funcRefs = new Set<number>();
  for (let i = 0; i < n; i++) if (insns[i].code === 0x18 && insns[i].src === 4) funcRefs.add(i + insns[i].imm + 1);
  for (const sp of subprogs) {
    if (!seen[sp.start]) {
      const referenced = funcRefs.has(sp.start);
      if (referenced) {
        const stack = [sp.start];
        seen[sp.start] = 1;
        while (stack.length) {
          const t = stack.pop()!;
          const insn = insns[t];
          const cls = insn.code & 7;
          const nexts: number[] = [];
          const sz = insn.code === 0x18 ? 2 : 1;
          if (cls !== 5 && cls !== 6) nexts.push(t + sz);
          else if ((insn.code & 0xf0) === 0x90) { /* exit */ } else if ((insn.code & 0xf0) === 0x80) {
            nexts.push(t + 1); prunePoint[t + 1] = 1; jmpPoint[t + 1] = 1;
            if (insn.src === 1) { prunePoint[t] = 1; nexts.push(t + insn.imm + 1); jmpPoint[t + insn.imm + 1] = 1; }
            if (insn.src === 0 && (insn.imm === 164 || insn.imm === 180 || insn.imm === 181 || insn.imm === 209)) {
              prunePoint[t] = 1; callsCallback[t] = 1; jmpPoint[t] = 1; forceCheckpoint[t] = 1;
            } else if (insn.src === 0 && insn.imm === 170) prunePoint[t] = 1;
          } else if ((insn.code & 0xf0) === 0x00) {
            const tt = t + (cls === 6 ? insn.imm : insn.off) + 1; nexts.push(tt); prunePoint[tt] = 1; jmpPoint[tt] = 1;
          } else { prunePoint[t] = 1; prunePoint[t + insn.off + 1] = 1; jmpPoint[t + insn.off + 1] = 1; nexts.push(t + 1, t + insn.off + 1); }
          for (const w of nexts) {
            if (w < 0 || w >= n) fail(`jump out of range from insn ${t} to ${w}`, t);
            if (!seen[w]) { seen[w] = 1; stack.push(w); }
          }
        }
      }
    }
  }
  // after the walk, in instruction order (check_cfg): an unexplored instruction, or a second
  // half of ldimm64 that some jump reached
  for (let i = 0; i < n; i++) {
    if (!seen[i]) fail(`unreachable insn ${i}`, i);
    if (insns[i].code === 0x18) {
      if (i + 1 < n && seen[i + 1]) fail(`jump into the middle of ldimm64 insn ${i}`, i);
      i++;
    }
  }
  // (do_check's BPF_CALL field check, off set on a helper or bpf-to-bpf call, happens on the path
  // walk when it reaches the call: an earlier error on that path comes first, as in the kernel)
  // callback bodies are entered from the helper call that runs them
  for (const t of funcRefs) if (t >= 0 && t < n) jmpPoint[t] = 1;
  const liveRegs = computeLiveness(insns, callParams);
  return { subprogs, prunePoint, forceCheckpoint, iterNext, mayGoto, callsCallback, jmpPoint, liveRegs };
}

/** Backward dataflow (compute_live_registers): which registers may be read before being written, per instruction. */
function computeLiveness(insns: Insn[], callParams: (idx: number) => number | undefined): Uint16Array {
  const n = insns.length;
  const use = new Uint16Array(n), def = new Uint16Array(n);
  const succ: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = insns[i];
    const cls = x.code & 7;
    const b = (r: number): number => 1 << r;
    let u = 0, d = 0;
    const s: number[] = [];
    switch (cls) {
      case 4: case 7: {
        const op = x.code & 0xf0;
        if (op === 0xb0) { if (x.code & 8) u |= b(x.src); d |= b(x.dst); } else {
          u |= b(x.dst); if (x.code & 8 && op !== 0x80 && op !== 0xd0) u |= b(x.src); d |= b(x.dst);
        }
        s.push(i + 1);
        break;
      }
      case 1: u |= b(x.src); d |= b(x.dst); s.push(i + 1); break;
      case 2: u |= b(x.dst); s.push(i + 1); break;
      case 3:
        u |= b(x.dst) | b(x.src);
        if ((x.code & 0xe0) === 0xc0) {
          if (x.imm === 0xf1) { u |= 1; d |= 1; } else if (x.imm & 1) d |= b(x.src);
        }
        s.push(i + 1);
        break;
      case 0:
        if (x.code === 0x18) { d |= b(x.dst); s.push(i + 2); } else {
          u |= b(6) | ((x.code & 0xe0) === 0x40 ? b(x.src) : 0); d |= 0x3f; s.push(i + 1);
        }
        break;
      case 5: case 6: {
        const op = x.code & 0xf0;
        if (op === 0x90) { u |= 1; break; }
        if (op === 0x80) {
          // a helper or kfunc reads only its parameters; a bpf-to-bpf call may read R1-R5
          const np = x.src !== 1 ? callParams(i) : undefined;
          u |= np === undefined ? 0x3e : ((1 << (Math.min(np, 5) + 1)) - 2);
          d |= 0x3f; s.push(i + 1);
          break;
        }
        if (op === 0x00 || x.code === 0xe5) { s.push(i + (cls === 6 && op === 0 ? x.imm : x.off) + 1); if (x.code === 0xe5) s.push(i + 1); break; }
        u |= b(x.dst); if (x.code & 8) u |= b(x.src);
        s.push(i + 1, i + x.off + 1);
        break;
      }
    }
    use[i] = u; def[i] = d; succ[i] = s.filter((t) => t >= 0 && t < n);
  }
  const live = new Uint16Array(n);
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 1000) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      let out = 0;
      for (const t of succ[i]) out |= live[t];
      const inn = (use[i] | (out & ~def[i])) & 0x7ff;
      if (inn !== live[i]) { live[i] = inn; changed = true; }
    }
  }
  return live;
}
