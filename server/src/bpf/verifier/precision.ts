// Which scalar values' exact ranges can influence the verdict: a static, conservative stand-in for
// the kernel's precision tracking (mark_chain_precision). Pruning may treat any scalar that is NOT
// needed at a program point as "any value", as the kernel does with imprecise scalars.
//
// The analysis is a backward slice from the places where a scalar's exact value matters — branch
// conditions, the scalar operand of pointer arithmetic, helper size arguments, map keys (constant
// key lookups), return values with a required range — through moves, ALU operations, spills and
// fills. A forward pass first classifies each register as maybe-scalar / maybe-pointer /
// maybe-stack-pointer and tracks frame-pointer-relative constants, so spills and fills through
// fp+k are followed slot by slot; loads through other possible stack pointers make every slot
// needed. It over-approximates the kernel's precise set, so pruning stays sound.
import type { Insn } from '../isa/insn';
import { helperProto } from './helpers';

const T_SCALAR = 1, T_PTR = 2, T_STACK = 4, T_CTX = 8, T_ALL = 15;
const UNKNOWN_FP = 0x7fffffff;

export interface NeededSets {
  /** registers needed on entry to each instruction (bit i = register i) */
  regs: Uint16Array;
  /** stack slots needed on entry (bit k of lo/hi = slot k, fp-8*(k+1)) */
  slotsLo: Uint32Array;
  slotsHi: Uint32Array;
}

interface TypeState { t: Uint8Array; fp: Int32Array }

function slotBit(fpOff: number): number {
  // slot index of the 8-byte slot holding byte fp+off (off negative)
  return (-fpOff - 1) >> 3;
}

/**
 * branchSinks: conditional jumps whose outcome was decided by a scalar's value somewhere during
 * exploration (only those make the compared scalars matter, as in the kernel), or 'all'.
 */
export function computeNeeded(insns: Insn[], subprogStarts: number[], returnRangeChecked: boolean,
  branchSinks: Set<number> | 'all' = 'all', kfuncArgsNeeded: (idx: number) => number = () => 0x3e): NeededSets {
  const n = insns.length;
  // ---- forward: register kinds and fp offsets --------------------------------------------
  const inT: TypeState[] = new Array(n);
  const fresh = (): TypeState => ({ t: new Uint8Array(11), fp: new Int32Array(11).fill(UNKNOWN_FP) });
  const callbackTargets = new Set<number>();
  for (let i = 0; i < n; i++) {
    const x = insns[i];
    if (x.code === 0x18 && x.src === 4) callbackTargets.add(i + x.imm + 1);
  }
  const work: number[] = [];
  const join = (at: number, s: TypeState): void => {
    if (at < 0 || at >= n) return;
    const cur = inT[at];
    if (!cur) {
      inT[at] = { t: s.t.slice(), fp: s.fp.slice() };
      work.push(at);
      return;
    }
    let changed = false;
    for (let r = 0; r < 11; r++) {
      const nt = cur.t[r] | s.t[r];
      if (nt !== cur.t[r]) { cur.t[r] = nt; changed = true; }
      if (cur.fp[r] !== s.fp[r] && cur.fp[r] !== UNKNOWN_FP) { cur.fp[r] = UNKNOWN_FP; changed = true; }
    }
    if (changed) work.push(at);
  };
  const entry = fresh();
  entry.t[1] = T_PTR | T_CTX; entry.t[10] = T_PTR | T_STACK; entry.fp[10] = 0;
  join(0, entry);
  for (const s of subprogStarts) {
    if (s === 0) continue;
    const e = fresh();
    for (let r = 1; r <= 5; r++) e.t[r] = T_ALL;
    e.t[10] = T_PTR | T_STACK; e.fp[10] = 0;
    join(s, e);
  }
  let guard = 0;
  while (work.length && guard++ < 2_000_000) {
    const i = work.pop()!;
    const x = insns[i];
    const s: TypeState = { t: inT[i].t.slice(), fp: inT[i].fp.slice() };
    const cls = x.code & 7;
    const succ: number[] = [];
    const setScalar = (r: number): void => { s.t[r] = T_SCALAR; s.fp[r] = UNKNOWN_FP; };
    switch (cls) {
      case 4: case 7: {
        const op = x.code & 0xf0;
        const isX = (x.code & 8) !== 0;
        if (op === 0xb0) {
          if (isX && cls === 7 && x.off === 0) { s.t[x.dst] = s.t[x.src]; s.fp[x.dst] = s.fp[x.src]; } else setScalar(x.dst);
        } else if ((op === 0x00 || op === 0x10) && cls === 7) {
          const d = s.t[x.dst], sr = isX ? s.t[x.src] : T_SCALAR;
          let t = 0;
          if (d & T_SCALAR && sr & T_SCALAR) t |= T_SCALAR;
          if (d & T_PTR) t |= (d & (T_PTR | T_STACK | T_CTX)) | (isX && sr & T_PTR && op === 0x10 ? T_SCALAR : 0);
          if (isX && sr & T_PTR && op === 0x00) t |= sr & (T_PTR | T_STACK | T_CTX);
          if (!t) t = T_SCALAR;
          const fp = !isX && s.fp[x.dst] !== UNKNOWN_FP ? s.fp[x.dst] + (op === 0x00 ? x.imm : -x.imm) : UNKNOWN_FP;
          s.t[x.dst] = t; s.fp[x.dst] = fp;
        } else setScalar(x.dst);
        succ.push(i + 1);
        break;
      }
      case 1: {
        const size = x.code & 0x18;
        const base = s.t[x.src];
        let t = T_SCALAR;
        // 8-byte loads may fill spilled pointers or read pointer fields; 4-byte ctx loads give packet pointers
        if (size === 0x18 || (size === 0x00 && base & T_CTX)) t |= T_PTR;
        if (size === 0x18 && base & T_STACK) t |= T_STACK;
        s.t[x.dst] = t; s.fp[x.dst] = UNKNOWN_FP;
        succ.push(i + 1);
        break;
      }
      case 2: case 3:
        if ((x.code & 0xe0) === 0xc0) {
          if (x.imm === 0xf1) setScalar(0); else if (x.imm & 1) setScalar(x.src);
        }
        succ.push(i + 1);
        break;
      case 0:
        if (x.code === 0x18) {
          if (x.src === 0) setScalar(x.dst); else { s.t[x.dst] = T_PTR; s.fp[x.dst] = UNKNOWN_FP; }
          succ.push(i + 2);
        } else {
          for (let r = 0; r <= 5; r++) setScalar(r);
          succ.push(i + 1);
        }
        break;
      case 5: case 6: {
        const op = x.code & 0xf0;
        if (op === 0x90) break;
        if (op === 0x80) {
          let rt = T_ALL & ~T_STACK & ~T_CTX;
          if (x.src === 0) {
            const p = helperProto(x.imm);
            rt = p && (p.ret.base === 'RET_INTEGER' || p.ret.base === 'RET_VOID') ? T_SCALAR : T_SCALAR | T_PTR;
          } else if (x.src === 1) rt = T_ALL;
          for (let r = 1; r <= 5; r++) { s.t[r] = 0; s.fp[r] = UNKNOWN_FP; }
          s.t[0] = rt; s.fp[0] = UNKNOWN_FP;
          succ.push(i + 1);
          break;
        }
        if (op === 0x00 || x.code === 0xe5) {
          succ.push(i + (cls === 6 && op === 0 ? x.imm : x.off) + 1);
          if (x.code === 0xe5) succ.push(i + 1);
          break;
        }
        succ.push(i + 1, i + x.off + 1);
        break;
      }
    }
    for (const t of succ) join(t, s);
  }

  // ---- backward: needed registers and slots -----------------------------------------------
  const regs = new Uint16Array(n);
  const lo = new Uint32Array(n), hi = new Uint32Array(n);
  // predecessors-free formulation: iterate to a fixpoint over instructions in reverse order
  const callees = new Map<number, number[]>(); // call insn -> callee starts
  const returnSites: number[] = [];
  const subOf = new Int32Array(n);
  const starts = [...subprogStarts].sort((a, b) => a - b);
  for (let k = 0, i = 0; i < n; i++) {
    while (k + 1 < starts.length && starts[k + 1] <= i) k++;
    subOf[i] = starts[k];
  }
  const exitsOf = new Map<number, number[]>(); // subprog start -> return sites of its callers
  for (let i = 0; i < n; i++) {
    const x = insns[i];
    if (x.code === 0x85 && x.src === 1) {
      const t = i + x.imm + 1;
      callees.set(i, [t]);
      const l = exitsOf.get(t) ?? [];
      l.push(i + 1);
      exitsOf.set(t, l);
      returnSites.push(i + 1);
    } else if (x.code === 0x85 && x.src === 0) {
      const p = helperProto(x.imm);
      if (p && p.args.some((a) => a.base === 'ARG_PTR_TO_FUNC') && callbackTargets.size) {
        callees.set(i, [...callbackTargets]);
        for (const t of callbackTargets) {
          const l = exitsOf.get(t) ?? [];
          l.push(i + 1);
          exitsOf.set(t, l);
        }
      }
    }
  }
  const ALL_SLOTS = 0xffffffff;
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 200) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      const x = insns[i];
      const cls = x.code & 7;
      const ts = inT[i];
      if (!ts) continue;
      let R = 0, L = 0, H = 0;
      const addSucc = (t: number): void => { if (t >= 0 && t < n) { R |= regs[t]; L |= lo[t]; H |= hi[t]; } };
      const needSlot = (k: number): void => { if (k >= 0 && k < 32) L |= 1 << k; else if (k >= 32 && k < 64) H |= 1 << (k - 32); };
      const slotNeeded = (k: number): boolean => (k >= 0 && k < 32 ? (L >>> k) & 1 : k >= 32 && k < 64 ? (H >>> (k - 32)) & 1 : 0) === 1;
      const killSlot = (k: number): void => { if (k >= 0 && k < 32) L &= ~(1 << k); else if (k >= 32 && k < 64) H &= ~(1 << (k - 32)); };
      const b = (r: number): number => 1 << r;
      switch (cls) {
        case 4: case 7: {
          addSucc(i + 1);
          const op = x.code & 0xf0;
          const isX = (x.code & 8) !== 0;
          const dNeeded = (R & b(x.dst)) !== 0;
          if (op === 0xb0) {
            R &= ~b(x.dst);
            if (dNeeded && isX) R |= b(x.src);
          } else if (isX && op !== 0x80 && op !== 0xd0) {
            if (dNeeded) R |= b(x.src);
            if ((op === 0x00 || op === 0x10) && cls === 7) {
              // pointer arithmetic: the scalar operand's range matters
              if (ts.t[x.dst] & T_PTR && ts.t[x.src] & T_SCALAR) R |= b(x.src);
              if (ts.t[x.src] & T_PTR && ts.t[x.dst] & T_SCALAR) R |= b(x.dst);
            }
            // shifts, div, mod by a register: the result's bounds depend on the amount
          }
          break;
        }
        case 1: {
          addSucc(i + 1);
          const dNeeded = (R & b(x.dst)) !== 0;
          R &= ~b(x.dst);
          if (dNeeded) {
            const fp = ts.fp[x.src];
            if (fp !== UNKNOWN_FP) needSlot(slotBit(fp + x.off));
            else if (ts.t[x.src] & T_STACK) { L = ALL_SLOTS; H = ALL_SLOTS; }
          }
          break;
        }
        case 2: case 3: {
          addSucc(i + 1);
          const fp = ts.fp[x.dst];
          const size = [4, 2, 1, 8][(x.code & 0x18) >> 3];
          if ((x.code & 0xe0) === 0xc0) {
            if (x.imm === 0xf1) { const need = (R & 1) !== 0; R &= ~1; if (need) R |= b(x.src) | 1; R |= 1; }
            else if (x.imm & 1) { const need = (R & b(x.src)) !== 0; R &= ~b(x.src); if (need) { L = ALL_SLOTS; H = ALL_SLOTS; } }
            R |= b(x.src);
            if (fp !== UNKNOWN_FP) needSlot(slotBit(fp + x.off));
            break;
          }
          if (fp !== UNKNOWN_FP) {
            const k = slotBit(fp + x.off);
            const needed = slotNeeded(k);
            if (size === 8 && ((fp + x.off) & 7) === 0) killSlot(k);
            if (needed && cls === 3) R |= b(x.src);
          } else if (cls === 3 && ts.t[x.dst] & T_STACK && (L | H)) {
            R |= b(x.src);
          }
          break;
        }
        case 0:
          if (x.code === 0x18) { addSucc(i + 2); R &= ~b(x.dst); } else { addSucc(i + 1); R &= ~0x3f; if ((x.code & 0xe0) === 0x40) R |= b(x.src); }
          break;
        case 5: case 6: {
          const op = x.code & 0xf0;
          if (op === 0x90) {
            const sp = subOf[i];
            if (sp === 0) { if (returnRangeChecked) R |= 1; } else if (callbackTargets.has(sp)) {
              R |= 1;
            }
            for (const rs of exitsOf.get(sp) ?? []) addSucc(rs);
            break;
          }
          if (op === 0x80) {
            addSucc(i + 1);
            // the caller's callee-saved registers and its stack survive the call
            const keepR = R & 0x3c0;
            const keepL = L, keepH = H;
            R &= ~0x3f;
            const cs = callees.get(i);
            if (cs) for (const c of cs) { R |= regs[c] & 0x3e; L |= lo[c]; H |= hi[c]; if (x.src === 1) R |= regs[c] & 0x3c0; }
            R |= keepR; L |= keepL; H |= keepH;
            if (x.src === 0) {
              const p = helperProto(x.imm);
              p?.args.forEach((a, k) => {
                const r = k + 1;
                if (a.base === 'ARG_CONST_SIZE' || a.base === 'ARG_CONST_SIZE_OR_ZERO' || a.base === 'ARG_CONST_ALLOC_SIZE_OR_ZERO' ||
                  a.base === 'ARG_SCALAR') R |= b(r);
                if (a.base === 'ARG_PTR_TO_MAP_KEY') {
                  const fp = ts.fp[r];
                  if (fp !== UNKNOWN_FP) { needSlot(slotBit(fp)); needSlot(slotBit(fp + 7)); } else if (ts.t[r] & T_STACK) { L = ALL_SLOTS; H = ALL_SLOTS; }
                }
              });
            } else if (x.src === 2) {
              R |= kfuncArgsNeeded(i);
            }
            break;
          }
          if (op === 0x00 || x.code === 0xe5) {
            addSucc(i + (cls === 6 && op === 0 ? x.imm : x.off) + 1);
            if (x.code === 0xe5) addSucc(i + 1);
            break;
          }
          addSucc(i + 1); addSucc(i + x.off + 1);
          if (branchSinks === 'all' || branchSinks.has(i)) {
            R |= b(x.dst);
            if (x.code & 8) R |= b(x.src);
          }
          break;
        }
      }
      R &= 0x3ff;
      if (R !== regs[i] || L !== lo[i] || H !== hi[i]) {
        regs[i] |= R; lo[i] |= L; hi[i] |= H;
        changed = true;
      }
    }
  }
  void returnSites;
  return { regs, slotsLo: lo, slotsHi: hi };
}
