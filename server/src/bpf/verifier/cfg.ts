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

// Opcodes the kernel's instruction table accepts (bpf_opcode_in_insntable), indexed by opcode.
const VALID = new Uint8Array(256);
(function build(): void {
  const add = (c: number): void => { VALID[c] = 1; };
  for (const cls of [0x04, 0x07]) {
    for (const op of [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]) {
      add(cls | op | 0x00); add(cls | op | 0x08);
    }
    add(cls | 0x80);
    add(cls | 0xd0); if (cls === 0x04) add(cls | 0xd8);
  }
  for (const cls of [0x05, 0x06]) {
    for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) {
      add(cls | op); add(cls | op | 0x08);
    }
  }
  add(0x05); add(0x06); add(0x85); add(0x95); add(0xe5);
  for (const sz of [0x00, 0x08, 0x10, 0x18]) {
    add(0x01 | 0x60 | sz); add(0x02 | 0x60 | sz); add(0x03 | 0x60 | sz);
    if (sz !== 0x18) add(0x01 | 0x80 | sz);
    if (sz !== 0x18) { add(0x00 | 0x20 | sz); add(0x00 | 0x40 | sz); }
  }
  add(0x18);
  add(0xc3); add(0xdb); add(0xd3); add(0xcb);
})();

/** helpers that call their callback an unknown number of times: for_each_map_elem, find_vma, loop, user_ringbuf_drain */
function loopingCallbackHelper(imm: number): boolean {
  return imm === 164 || imm === 180 || imm === 181 || imm === 209;
}

/**
 * The check's result. Register liveness is computed on first use: most small programs never
 * compare two states, and then never need it.
 */
class Cfg implements CfgInfo {
  private live: Uint16Array | undefined;
  constructor(
    readonly subprogs: Subprog[], readonly prunePoint: Uint8Array, readonly forceCheckpoint: Uint8Array,
    readonly iterNext: Uint8Array, readonly mayGoto: Uint8Array, readonly callsCallback: Uint8Array,
    readonly jmpPoint: Uint8Array, private readonly insns: Insn[], private readonly callParams: (idx: number) => number | undefined,
  ) {}

  get liveRegs(): Uint16Array {
    return (this.live ??= computeLiveness(this.insns, this.callParams));
  }
}

/** BYTES_ON_HEAP: V8 keeps typed arrays up to 64 bytes on the JS heap (cheap); larger ones get a backing store each */
const BYTES_ON_HEAP = 64;

/** k zeroed byte arrays of length n: separate when small, views of one buffer when large */
function byteArrays(n: number, k: number): Uint8Array[] {
  const out = new Array<Uint8Array>(k);
  if (n <= BYTES_ON_HEAP) {
    for (let i = 0; i < k; i++) out[i] = new Uint8Array(n);
  } else {
    const buf = new ArrayBuffer(n * k);
    for (let i = 0; i < k; i++) out[i] = new Uint8Array(buf, i * n, n);
  }
  return out;
}

function fail(msg: string, at: number): never {
  throw new VerifierError(msg, at);
}

const noParams = (): undefined => undefined;

/**
 * callParams: how many arguments the helper or kfunc called at an instruction takes (the kernel's
 * get_call_summary), undefined when unknown (then R1-R5 all count as read by the call).
 */
export function checkCfg(insns: Insn[], prog: LoadedProgram, verbose: (s: string) => void,
  callParams: (idx: number) => number | undefined = noParams): CfgInfo {
  void prog;
  const n = insns.length;
  if (n === 0) fail('empty program', 0);
  // per-instruction flags, in one buffer when it is large enough to live outside the JS heap (one
  // backing store instead of eight)
  const [prunePoint, forceCheckpoint, iterNext, mayGoto, callsCallback, jmpPoint, isStart, seen] = byteArrays(n, 8);
  // subprograms: instruction 0 and every bpf-to-bpf call or callback (pseudo-func) target
  isStart[0] = 1;
  let nStarts = 1;
  let anyFuncRef = false;
  for (let i = 0; i < n; i++) {
    const insn = insns[i];
    const code = insn.code;
    if ((code === 0x85 && insn.src === 1) || (code === 0x18 && insn.src === 4)) {
      const t = i + insn.imm + 1;
      if (t < 0 || t >= n) fail('call to invalid destination', i);
      if (!isStart[t]) { isStart[t] = 1; nStarts++; }
      if (code === 0x18) anyFuncRef = true;
    }
    if (code === 0x18) i++;
  }
  const subprogs: Subprog[] = new Array(nStarts);
  for (let i = 0, k = 0; i < n; i++) {
    if (!isStart[i]) continue;
    if (k > 0) subprogs[k - 1].end = i;
    subprogs[k++] = { start: i, end: n };
  }
  for (let k = 0; k < nStarts; k++) verbose(`func#${k} @${subprogs[k].start}\n`);
  for (let k = 0; k < nStarts; k++) {
    const sp = subprogs[k];
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
    const last = insns[sp.end - 1].code;
    const isLastOk = (last === 0x95) || ((last & 7) === 5 || (last & 7) === 6) && (last & 0xf0) === 0x00;
    if (!isLastOk) fail('last insn is not an exit or jmp', sp.end - 1);
  }
  // resolve_pseudo_ldimm64 and opcode table (after check_subprogs, as in the kernel)
  for (let i = 0; i < n; i++) {
    const insn = insns[i];
    const code = insn.code;
    if ((code & 7) === 1 && (((code & 0xe0) !== 0x60 && (code & 0xe0) !== 0x80) || insn.imm !== 0)) {
      fail('BPF_LDX uses reserved fields', i);
    }
    if (code === 0x18) {
      const hi = insns[i + 1];
      if (i === n - 1 || !hi || hi.code !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) fail('invalid bpf_ld_imm64 insn', i);
      if (insn.src !== 0 && !(insn.src >= 1 && insn.src <= 6)) fail('unrecognized bpf_ld_imm64 insn', i);
      i++;
      continue;
    }
    if (VALID[code] !== 1) fail(`unknown opcode ${code.toString(16).padStart(2, '0')}`, i);
  }
  // reachability (check_cfg): a depth-first walk (each instruction is pushed at most once)
  const work: number[] = [0];
  seen[0] = 1;
  while (work.length > 0) {
    const t = work.pop()!;
    const insn = insns[t];
    const code = insn.code;
    const cls = code & 7;
    if (cls !== 5 && cls !== 6) {
      const to = t + (code === 0x18 ? 2 : 1);
      if (to >= n) fail(`jump out of range from insn ${t} to ${to}`, t);
      if (!seen[to]) { seen[to] = 1; work.push(to); }
      continue;
    }
    const op = code & 0xf0;
    if (op === 0x90) continue;
    // the successors in push order: a (fall-through or unconditional target), then b
    let a: number, b = -1;
    if (op === 0x80) {
      a = t + 1;
      if (a >= n) fail(`jump out of range from insn ${t} to ${a}`, t);
      if (!seen[a]) { seen[a] = 1; work.push(a); }
      prunePoint[a < n ? a : t] = 1;
      jmpPoint[a < n ? a : t] = 1;
      if (insn.src === 1) {
        prunePoint[t] = 1;
        const to = t + insn.imm + 1;
        if (to < 0 || to >= n) fail(`jump out of range from insn ${t} to ${to}`, t);
        prunePoint[to] = 1; jmpPoint[to] = 1;
        if (!seen[to]) { seen[to] = 1; work.push(to); }
      }
      // helpers calling a callback an unknown number of times (for_each_map_elem, find_vma, loop,
      // user_ringbuf_drain): the callback body is re-entered from this call until states converge,
      // so a checkpoint is forced here; timer_set_callback's (async) callback is only a prune point
      if (insn.src === 0 && loopingCallbackHelper(insn.imm)) {
        prunePoint[t] = 1; callsCallback[t] = 1; jmpPoint[t] = 1; forceCheckpoint[t] = 1;
      } else if (insn.src === 0 && insn.imm === 170) prunePoint[t] = 1;
      continue;
    }
    if (code === 0xe5) {
      prunePoint[t] = 1; forceCheckpoint[t] = 1; mayGoto[t] = 1;
      a = t + 1; b = t + insn.off + 1;
    } else if (op === 0x00) {
      a = t + (cls === 6 ? insn.imm : insn.off) + 1;
      if (a < 0 || a >= n) fail(`jump out of range from insn ${t} to ${a}`, t);
      if (!seen[a]) { seen[a] = 1; work.push(a); }
      prunePoint[a] = 1;
      jmpPoint[a] = 1;
      continue;
    } else {
      prunePoint[t] = 1;
      a = t + 1; b = t + insn.off + 1;
    }
    if (a < 0 || a >= n) fail(`jump out of range from insn ${t} to ${a}`, t);
    if (!seen[a]) { seen[a] = 1; work.push(a); }
    if (b < 0 || b >= n) fail(`jump out of range from insn ${t} to ${b}`, t);
    prunePoint[b] = 1; jmpPoint[b] = 1;
    if (!seen[b]) { seen[b] = 1; work.push(b); }
  }
  // pseudo-func targets are reachable as callbacks
  let funcRefs: Set<number> | undefined;
  if (anyFuncRef) {
    funcRefs = new Set<number>();
    for (let i = 0; i < n; i++) if (insns[i].code === 0x18 && insns[i].src === 4) funcRefs.add(i + insns[i].imm + 1);
    for (const sp of subprogs) {
      if (!seen[sp.start] && funcRefs.has(sp.start)) {
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
            if (insn.src === 0 && loopingCallbackHelper(insn.imm)) {
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
  if (funcRefs) for (const t of funcRefs) if (t >= 0 && t < n) jmpPoint[t] = 1;
  return new Cfg(subprogs, prunePoint, forceCheckpoint, iterNext, mayGoto, callsCallback, jmpPoint, insns, callParams);
}

/** Backward dataflow (compute_live_registers): which registers may be read before being written, per instruction. */
export function computeLiveness(insns: Insn[], callParams: (idx: number) => number | undefined): Uint16Array {
  const n = insns.length;
  const use = new Uint16Array(n), def = new Uint16Array(n);
  // up to two successors per instruction (-1: none)
  const s0 = new Int32Array(n), s1 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = insns[i];
    const cls = x.code & 7;
    let u = 0, d = 0, a = -1, b = -1;
    switch (cls) {
      case 4: case 7: {
        const op = x.code & 0xf0;
        if (op === 0xb0) { if (x.code & 8) u |= 1 << x.src; d |= 1 << x.dst; } else {
          u |= 1 << x.dst; if (x.code & 8 && op !== 0x80 && op !== 0xd0) u |= 1 << x.src; d |= 1 << x.dst;
        }
        a = i + 1;
        break;
      }
      case 1: u |= 1 << x.src; d |= 1 << x.dst; a = i + 1; break;
      case 2: u |= 1 << x.dst; a = i + 1; break;
      case 3:
        u |= (1 << x.dst) | (1 << x.src);
        if ((x.code & 0xe0) === 0xc0) {
          if (x.imm === 0xf1) { u |= 1; d |= 1; } else if (x.imm & 1) d |= 1 << x.src;
        }
        a = i + 1;
        break;
      case 0:
        if (x.code === 0x18) { d |= 1 << x.dst; a = i + 2; } else {
          u |= (1 << 6) | ((x.code & 0xe0) === 0x40 ? 1 << x.src : 0); d |= 0x3f; a = i + 1;
        }
        break;
      case 5: case 6: {
        const op = x.code & 0xf0;
        if (op === 0x90) { u |= 1; break; }
        if (op === 0x80) {
          // a helper or kfunc reads only its parameters; a bpf-to-bpf call may read R1-R5
          const np = x.src !== 1 ? callParams(i) : undefined;
          u |= np === undefined ? 0x3e : ((1 << (Math.min(np, 5) + 1)) - 2);
          d |= 0x3f; a = i + 1;
          break;
        }
        if (op === 0x00 || x.code === 0xe5) { a = i + (cls === 6 && op === 0 ? x.imm : x.off) + 1; if (x.code === 0xe5) b = i + 1; break; }
        u |= 1 << x.dst; if (x.code & 8) u |= 1 << x.src;
        a = i + 1; b = i + x.off + 1;
        break;
      }
    }
    use[i] = u; def[i] = d;
    s0[i] = a >= 0 && a < n ? a : -1;
    s1[i] = b >= 0 && b < n ? b : -1;
  }
  const live = new Uint16Array(n);
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 1000) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      const a = s0[i], b = s1[i];
      const out = (a >= 0 ? live[a] : 0) | (b >= 0 ? live[b] : 0);
      const inn = (use[i] | (out & ~def[i])) & 0x7ff;
      if (inn !== live[i]) { live[i] = inn; changed = true; }
    }
  }
  return live;
}
