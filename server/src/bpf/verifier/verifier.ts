// The verifier proper: a path-sensitive abstract interpreter over one BPF program, modelled on the
// kernel's do_check() (kernel/bpf/verifier.c). It explores every path, keeps register and stack
// state per path, prunes paths whose state is covered by an already fully explored one, and stops
// at the first violation with the kernel's message for it.
//
// Privileges: the model is a privileged loader (CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN, as root),
// which is how users and bpfls's kernel oracle load programs: pointer leaks, uninitialised stack
// reads and Spectre sanitation checks of unprivileged mode do not apply.
import type { Insn } from '../isa/insn';
import type { LoadedObject, LoadedProgram, MapDef } from '../loader/types';
import { MapType, ProgType } from '../progtypes';
import {
  Reg, RReg, RegType, cloneReg, notInit, markUnknown, markKnown, markKnownScalar, mark32Known, markPtr, markNotInit, regBoundsSync, zext32To64, coerceToSize, isPktPointer, regStr, regTypeStr, mark32Unbounded, mark64Unbounded, markUnbounded, updateRegBounds, knownScalar, PTR_MAYBE_NULL, MEM_RDONLY, MEM_RINGBUF, MEM_ALLOC, PTR_TRUSTED, PTR_UNTRUSTED, MEM_RCU, S32_MIN, S32_MAX, U32_MAX, isSubregConst, sminOf, smaxOf, uminOf, umaxOf, sminNum, smaxNum, uminNum, umaxNum, markKnownScalarBig, markKnownScalarNum, knownScalarBig, rangeWithin, bounds64Equal, sminIsMin, smaxIsMax, hiB, loB, slt, ult, copyRegInto,
} from './reg';
import {
  Tnum, TNUM_UNKNOWN, U64_MAX, S64_MIN, S64_MAX, u64, s64, tnumConst, tnumIsConst, tnumAdd, tnumSub, tnumMul, tnumAnd, tnumOr, tnumXor, tnumLshift, tnumRshift, tnumArshift, tnumSubreg, tnumIntersect, tnumWithSubreg, tnumIn, tnumStr, tnumCast, tnumEquals, tnumRange, tnumIsZero, tnumSNum, tnumUNum, tnumValueBig, tnumConstNum,
} from './tnum';
import {
  fitsSigned, signExtend, signExtend32, signExtendLoad, add32, add64, sub32, sub64, mul32, mul64, and32, and64, or32, or64,
  xor32, xor64, lsh32, lsh64, rsh32, rsh64, arsh32, arsh64, safeToCompute, flipOpcode, isRegConst, regConstIsZero,
  scalarBranchTaken, refineCond,
} from './scalar';
import {
  VState, Frame, StackSlot, RSlot, Slot, Checkpoint, newFrame, cloneState, growStack, isSpilledReg,
  BPF_REG_SIZE, MAX_BPF_STACK, MAX_CALL_FRAMES, SLOT_CHAR, PathNode,
} from './state';
import { ctxAccess } from './ctx';
import { sockPtrAccess } from './netctx';
import { netHelperWithheld, helperPktAccess, PERCPU_BTF_ARG, KPTR_XCHG_DEST_ARG } from './netrules';
import { helperProto, helperName, HelperProto } from './helpers';
import { printInsnKernel, alignInsnState, LinfoPrinter, liveRegsTable } from './print';
import { computeStackLiveness, slotLive, type StackLiveness } from './liveness';
import { checkCfg, Subprog, CfgInfo } from './cfg';
import { checkCallbackTargetsSeen, checkSubprogAndKfuncCalls } from './prepass';
import { mapStructName } from './mapnames';
import { callChainFrames, checkExceptionCallbackCalls, checkExceptionCallbackTag, checkLoadRules, helperWithheld, mayUpdateSockmap } from './rules';
import { structOpsCtxArg, structOpsProto, tcpCaWriteError } from './structops';
import { VerifierError } from './errors';
import { specialFieldOffset, globalFunc, GlobalArg } from './btfutil';
import { tracingCtxArg, walkBtfLoad } from './btfaccess';
import { kernelStructId } from './helperret';
import { mapKptrAccess, kptrLoadFlags, kernelKptrXchg } from './kptr';
import { lockedDownHelper, type Lockdown } from './lockdown';
import { helperConfigNote, helperConfiguredOut, smpProcessorIdMax, unresolvableKsym, type TargetFacts } from './target';
import { checkKfunc, KfuncHost, walkedPtrFlags, helperBtfArgMismatch } from './kfuncs';
import {
  allocSpinLockError, lockIdentity, invalidateNonOwningRefs, mapFieldAccessError, allocFieldAccessError, datasecSpinLockOff,
  kfuncAllowedUnderLock, localKptrXchg, markLocalKptr,
} from './graph';
import { NON_OWN_REF } from './reg';
import { processDynptrArg, checkDynptrReleasable, releaseDynptr, dynptrOf, destroyIfDynptrSlot, isPktDynptrSlice, DynptrType } from './dynptr';
import { BtfKind } from '../btf/types';
import { sameRegForLooping } from './looping';
import { helperWritesMem } from './helperwrite';
import { ADD_CONST, baseId, clearScalarId, linkAfterAlu, syncLinkedOne, unlinkAddConstBeforeMov } from './linked';
import { slotLogStr, stackLogStr, stateTailStr, frameLogStr } from './logstate';
import { Precision, stackAccessFlags, HF_DST_STACK, HF_SRC_STACK, linkedReg, linkedSlot } from './precision';
export { VerifierError };


export interface VerifyOptions {
  logLevel?: 0 | 1 | 2;
  insnLimit?: number;
  timeBudgetMs?: number;
  isCancelled?: () => boolean;
  /** collect per-instruction state summaries for hovers */
  collectStates?: boolean;
  /** the target kernel's lockdown level (lockdown.ts; default integrity, as the kernels measured against) */
  lockdown?: Lockdown;
  /** the target kernel's nr_cpu_ids and configuration (target.ts); without them, config-independent defaults */
  target?: TargetFacts;
}

export interface VerifyError { message: string; insn: number; lines: string[] }

export interface InsnStateSummary { insn: number; regs: string; stack: string }

export interface VerifyResult {
  ok: boolean;
  error?: VerifyError;
  processed: number;
  log: string;
  path?: { insn: number; taken: boolean }[];
  states?: InsnStateSummary[];
  /** notes about assumptions (unmodelled ctx, cancelled, ...) */
  notes: string[];
  stats: { totalStates: number; peakStates: number; maxStatesPerInsn: number; timeMs: number };
}


const BPF_MAX_VAR_OFF = 1 << 29;
const MAX_PACKET_OFF = 0xffff;
const AT_PKT_END = -1;
const BEYOND_PKT_END = -2;
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_WRONLY_PROG = 1 << 8;
/** characters of a level 2 log kept when it is rotated (bpfverify gives the kernel 16 MiB) */
const LOG_KEEP = 16 << 20;

/** the verifier's `seen` before run() allocates it (never written) */
const NOTHING_SEEN = new Uint8Array(0);

/** the iterators' next kfuncs (bpf_iter_<type>_next): loop heads of open-coded iteration */
const ITER_NEXT_KFUNC = /^bpf_iter_.*_next$/;

const ALU_STR = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'];

const enum Access { READ, WRITE }

interface PendingState { state: VState; insn: number; prev: number; logPos?: number }

/** Per-call-site facts recorded while checking helper arguments. */
interface CallMeta {
  map?: MapDef;
  mapUid?: number;
  rawMode: boolean;
  /** the memory argument being checked is written by the helper (MEM_WRITE without MEM_UNINIT) */
  memWrite?: boolean;
  accessSize?: number;
  releaseRegno: number;
  refObjId: number;
  constSize?: number;
  funcId: number;
  constKey?: number;
  subprogno?: number;
  msize?: number;
  /** the (first) initialised dynptr argument, and whether the release argument is a dynptr */
  dynptr?: { id: number; type: DynptrType; refObjId: number };
  releaseDynptr?: boolean;
  /** bpf_rbtree_add's less() callback: fills the callee frame's registers (graph.ts) */
  cbSetup?: (f: Frame) => void;
}

export class Verifier {
  readonly insns: Insn[];
  private log: string[] = [];
  private linfo: LinfoPrinter | undefined;
  /** characters in log: at level 1 a finished path's lines are taken back (pop_stack's log reset) */
  private logChars = 0;
  private logLevel: number;
  private limit: number;
  private deadline: number;
  private cfg!: CfgInfo;
  /** stack slot liveness (liveness.ts), computed on the first pruning comparison that needs it */
  private stackLiveCache: StackLiveness | undefined;
  private prec: Precision;
  private subprogs: Subprog[] = [];
  private explored: (Checkpoint[] | undefined)[];
  private pending: PendingState[] = [];
  private cur!: VState;
  private insnIdx = 0;
  private prevInsnIdx = -1;
  processed = 0;
  private idGen = 0;
  private totalStates = 0;
  private peakStates = 0;
  private maxStatesPerInsn = 0;
  private jmpsProcessed = 0;
  private prevJmpsProcessed = 0;
  private prevInsnProcessed = 0;
  private stackDepth: number[] = [];
  notes: string[] = [];
  private states?: Map<number, InsnStateSummary>;
  private ctxNoteGiven = false;
  private strict = true;

  constructor(private obj: LoadedObject, private prog: LoadedProgram, private opts: VerifyOptions = {}) {
    this.insns = prog.insns;
    this.logLevel = opts.logLevel ?? 0;
    this.limit = opts.insnLimit ?? 1_000_000;
    this.deadline = opts.timeBudgetMs ? Date.now() + opts.timeBudgetMs : Infinity;
    this.explored = new Array(this.insns.length);
    this.prec = new Precision(this.insns);
    if (this.logLevel >= 2) {
      this.prec.log = {
        out: (s) => this.verbose(s),
        insn: (i) => printInsnKernel(this.insns, i, this.helperNameOf, this.kfuncNameOf),
        frame: (st, fr) => frameLogStr(st, st.frames[fr], this.obj.targetBtf),
      };
    }
    if (opts.collectStates) this.states = new Map();
  }

  // ---- logging --------------------------------------------------------------------------

  private verbose(s: string): void {
    if (this.logLevel) { this.log.push(s); this.logChars += s.length; }
  }

  stats(): { totalStates: number; peakStates: number; maxStatesPerInsn: number } {
    return { totalStates: this.totalStates, peakStates: this.peakStates, maxStatesPerInsn: this.maxStatesPerInsn };
  }

  private truncateLog(pos: number): void {
    while (this.log.length && this.logChars - this.log[this.log.length - 1].length >= pos) this.logChars -= this.log.pop()!.length;
    if (this.log.length && this.logChars > pos) {
      const last = this.log[this.log.length - 1];
      this.log[this.log.length - 1] = last.slice(0, last.length - (this.logChars - pos));
      this.logChars = pos;
    }
  }

  getLog(): string {
    return this.log.length ? this.log.join('') : '';
  }
  /**
   * Level 2 logs of long verifications grow without bound: as the kernel's rotating log buffer
   * (16 MiB in bpfverify), keep only the tail, from a line start.
   */
  private rotateLog(): void {
    const all = this.log.join('');
    let from = all.length - LOG_KEEP;
    const nl = all.indexOf('\n', from);
    if (nl >= 0) from = nl + 1;
    this.log = [all.slice(from)];
    this.logChars = this.log[0].length;
  }


  private err(msg: string): never {
    throw new VerifierError(msg, this.insnIdx);
  }

  private helperNameOf = helperName;
  private kfuncNameOf = (i: number): string | undefined => this.kfuncName(i);

  // ---- entry --------------------------------------------------------------------------

  run(): void {
    checkExceptionCallbackTag(this.obj, this.prog);
    checkSubprogAndKfuncCalls(this.insns, this.obj, this.prog);
    checkLoadRules(this.insns, this.obj, this.prog, (i) => this.kfuncName(i));
    const ksym = unresolvableKsym(this.insns, this.obj.targetBtf, this.opts.target);
    if (ksym) throw new VerifierError(ksym.message, ksym.insn);
    this.cfg = checkCfg(this.insns, this.prog, (s) => { if (this.logLevel >= 2) this.verbose(s); }, (i) => this.callParams(i));
    this.subprogs = this.cfg.subprogs;
    if (this.logLevel >= 2) this.verbose(liveRegsTable(this.insns, this.cfg.liveRegs, this.helperNameOf, this.kfuncNameOf));
    for (let i = 0; i < this.insns.length; i++) {
      const x = this.insns[i];
      if (x.code === 0x85 && x.src === 2 && ITER_NEXT_KFUNC.test(this.kfuncName(i) ?? '')) {
        this.cfg.iterNext[i] = 1; this.cfg.prunePoint[i] = 1; this.cfg.forceCheckpoint[i] = 1;
      }
    }
    this.seen = new Uint8Array(this.insns.length);
    this.runOnce();
    for (let guard = 0; guard < this.subprogs.length && this.globalsCalled.size; guard++) {
      const next = [...this.globalsCalled].find((sp) => !this.globalsDone.has(sp));
      if (next === undefined) break;
      this.globalsDone.add(next);
      this.runGlobal(next);
    }
    this.checkMaxStackDepth();
    checkExceptionCallbackCalls(this.insns, this.obj, this.prog);
    checkCallbackTargetsSeen(this.insns, this.subprogs, this.seen);
    if (this.unresolvedKfuncAt >= 0) {
      // fixup_kfunc_call: a call libbpf left unresolved (a missing __weak kfunc) that verification reached
      this.insnIdx = this.unresolvedKfuncAt;
      this.err('invalid kernel function call not eliminated in verifier pass');
    }
  }

  /** the first reachable kfunc call with imm 0 (check_kfunc_call skips it; fixup_kfunc_call refuses it) */
  private unresolvedKfuncAt = -1;

  /**
   * check_max_stack_depth: frames along any call chain share one 512-byte stack. The chains start
   * at the main program and at each async callback (timer, workqueue: they run on their own
   * stack); a callback's address taken with ld_imm64 counts as a call (its frame sits on the
   * caller's), except an async callback's.
   */
  private checkMaxStackDepth(): void {
    const round = (d: number): number => Math.ceil(d / 16) * 16; // JITed programs: 16-byte frames
    let calls: number[][] | undefined;
    for (let i = 0; i < this.insns.length; i++) {
      const x = this.insns[i];
      const direct = x.code === 0x85 && x.src === 1;
      if (direct || (x.code === 0x18 && x.src === 4)) {
        const from = this.subprogs.findIndex((sp) => i >= sp.start && i < sp.end);
        const to = this.subprogs.findIndex((sp) => sp.start === i + x.imm + 1);
        if (!direct && this.asyncCbs.has(to)) continue;
        calls ??= this.subprogs.map(() => []);
        if (from >= 0 && to >= 0) calls[from].push(to);
      }
    }
    // without bpf-to-bpf calls every chain is the main program alone: one frame, within its own limit
    if (!calls) return;
    const edges = calls;
    const pt = this.prog.progType;
    const privStack = pt === ProgType.KPROBE || pt === ProgType.TRACEPOINT || pt === ProgType.PERF_EVENT ||
      pt === ProgType.RAW_TRACEPOINT || (pt === ProgType.TRACING && this.prog.expectedAttachType !== 28);
    // subprograms an async callback reaches always run on the normal stack
    const inAsync = new Set<number>();
    const mark = (sp: number): void => { if (!inAsync.has(sp)) { inAsync.add(sp); for (const c of edges[sp]) mark(c); } };
    for (const sp of this.asyncCbs) mark(sp);
    const roots = [0, ...[...this.asyncCbs].filter((sp) => sp > 0).sort((x, y) => y - x)];
    for (const root of roots) {
      // deepest chain below each subprogram (memoised; recursion is refused elsewhere)
      const memo = new Map<number, { depth: number; frames: number }>();
      const onPath = new Set<number>();
      const deepest = (sp: number): { depth: number; frames: number } => {
        const m = memo.get(sp);
        if (m) return m;
        let best = { depth: 0, frames: 0 };
        if (!onPath.has(sp)) {
          onPath.add(sp);
          for (const c of new Set(edges[sp])) {
            const d = deepest(c);
            if (d.depth > best.depth) best = d;
          }
          onPath.delete(sp);
        }
        const own = round(this.stackDepth[sp] ?? 0);
        // 6.13+ x86 JIT: tracing programs run subprogs with >= 64-byte frames on private stacks
        const priv = privStack && root === 0 && !inAsync.has(sp) && own >= 64;
        const r = { depth: (priv ? 0 : own) + best.depth, frames: best.frames + 1 };
        memo.set(sp, r);
        return r;
      };
      const top = deepest(root);
      if (top.depth > MAX_BPF_STACK && top.frames > 1) this.err(`combined stack size of ${top.frames} calls is ${top.depth}. Too large`);
    }
    // the static walk counts calls along each chain (a recursive chain never ends)
    const frames = callChainFrames(calls);
    if (frames >= MAX_CALL_FRAMES) this.err(`the call stack of ${MAX_CALL_FRAMES} frames is too deep !`);
  }

  /** subprograms verified as async callbacks (timer, workqueue): roots of their own call chains */
  private asyncCbs = new Set<number>();

  private globalsDone = new Set<number>();

  /** Verifies a global function on its own, with arguments typed from its BTF prototype. */
  private runGlobal(sp: number): void {
    const g = this.globalOf(sp)!;
    this.verbose(`Validating ${g.name}() func#${sp}...\n`);
    // the fields in cloneState's order, parent included: every state shares one hidden class
    const st: VState = {
      frames: [newFrame(-1, sp, 0)], cur: 0, refs: [], activeLock: 0, activeLockPtr: undefined, rcuDepth: 0,
      mayGotoDepth: 0, callbackUnrollDepth: 0, parent: undefined, path: null, histStart: 0, histEnd: 0,
      firstIdx: this.subprogs[sp].start, lastIdx: -1, histStore: undefined, speculative: false,
    };
    const f = st.frames[0];
    g.args.forEach((a, i) => {
      const r = f.w(i + 1);
      if (a.kind === 'ctx') markPtr(r, RegType.PTR_TO_CTX);
      else if (a.kind === 'mem') { markPtr(r, RegType.PTR_TO_MEM, a.nonNull ? 0 : PTR_MAYBE_NULL); r.memSize = a.size; if (!a.nonNull) r.id = ++this.idGen; }
      else markUnknown(r);
    });
    markPtr(f.w(10), RegType.PTR_TO_STACK);
    this.cur = st;
    this.pending = [];
    this.insnIdx = this.subprogs[sp].start;
    this.prevInsnIdx = -1;
    this.prevIdx = -1;
    this.printStateNext = true;
    this.verifyingGlobal = sp;
    this.doCheck();
    this.verifyingGlobal = -1;
  }

  private runOnce(): void {
    this.stackDepth = this.subprogs.map(() => 0);
    this.checkSubprogTypes();
    // the fields in cloneState's order, parent included: every state shares one hidden class
    const st: VState = {
      frames: [newFrame(-1, 0, 0)], cur: 0, refs: [], activeLock: 0, activeLockPtr: undefined, rcuDepth: 0,
      mayGotoDepth: 0, callbackUnrollDepth: 0, parent: undefined, path: null, histStart: 0, histEnd: 0,
      firstIdx: 0, lastIdx: -1, histStore: undefined, speculative: false,
    };
    const f = st.frames[0];
    markPtr(f.w(1), RegType.PTR_TO_CTX);
    markPtr(f.w(10), RegType.PTR_TO_STACK);
    f.w(10).frameno = 0;
    if (this.logLevel) {
      // do_check_common: the main program's BTF prototype is checked as a global function's (log only)
      const g = this.globalOf(0);
      if (g?.invalid) this.verbose(`${g.invalid}\n`);
    }
    this.cur = st;
    this.doCheck();
  }

  private checkSubprogTypes(): void {
    // Global subprograms are verified separately by the kernel; we verify them in their call
    // context (static-like), which is stricter only when the caller relies on the global contract.
  }

  private get frame(): Frame { return this.cur.frames[this.cur.cur]; }
  /** the current frame's registers, read-only (shared copy-on-write with checkpoints: state.ts) */
  private get regs(): readonly RReg[] { return this.cur.frames[this.cur.cur].regs; }
  /** the current frame's register r, writable (un-shared first) */
  private wreg(r: number): Reg { return this.cur.frames[this.cur.cur].w(r); }

  private doCheck(): void {
    for (;;) {
      if (++this.processed > this.limit) {
        this.err(`BPF program is too large. Processed ${this.processed} insn`);
      }
      if ((this.processed & 0xfff) === 0) {
        if (this.opts.isCancelled?.()) { this.notes.push('verification cancelled'); throw new CancelledError(); }
        if (Date.now() > this.deadline) { this.notes.push('verification time budget exceeded'); throw new CancelledError(); }
      }
      const idx = this.insnIdx;
      if (this.logChars > 2 * LOG_KEEP && this.logLevel >= 2) this.rotateLog();
      if (idx < 0 || idx >= this.insns.length) this.err(`invalid insn idx ${idx} insn_cnt ${this.insns.length}`);
      const insn = this.insns[idx];
      this.histEnt = -1;
      if (this.cfg.prunePoint[idx]) {
        const r = this.isStateVisited(idx);
        if (r) {
          if (this.logLevel) {
            if (this.logLevel >= 2 || true) {
              this.verbose(this.prevInsnIdx >= 0 && this.prevInsnIdx !== idx - 1 && this.prevWasBranch
                ? `\nfrom ${this.prevInsnIdx} to ${idx}: safe\n` : `${idx}: safe\n`);
            }
          }
          if (this.popPath()) continue;
          return;
        }
      }
      if (this.cfg.jmpPoint[idx]) this.pushHist(0);
      this.prevWasBranch = false;
      if (this.logLevel >= 2 || (this.logLevel && this.printStateNext)) {
        if (this.printStateNext) {
          this.verbose(`${idx}:${this.stateStr(false)}\n`);
          this.printStateNext = false;
        }
      }
      if (this.logLevel) {
        if (this.fromNext >= 0) {
          // a callee returned: at level 2 the caller's state, as after a branch (6.18)
          if (this.logLevel >= 2) this.verbose(`\nfrom ${this.fromNext} to ${idx}:${this.stateStr(false)}\n`);
          this.fromNext = -1;
        } else if (this.stateNext) this.verbose(`${idx}:${this.stateNext}\n`);
        this.stateNext = '';
        const src = (this.linfo ??= new LinfoPrinter(this.prog.lineInfo)).at(idx, this.insns.length);
        if (src !== undefined) this.verbose(`; ${src}\n`);
      }
      const text = this.logLevel ? `${idx}: ${printInsnKernel(this.insns, idx, this.helperNameOf, this.kfuncNameOf)}` : '';
      this.seen[idx] = 1;
      this.recordState(idx);
      const logMark = this.log.length;
      if (this.logLevel) this.verbose(text + '\n');
      const frameBefore = this.cur.cur;
      const slotsBefore = this.logLevel ? this.slotsBeforeInsn(insn) : undefined;
      this.step(insn, idx);
      this.prevIdx = idx;
      if (this.logLevel && this.cur.cur === frameBefore && !this.stepEnded) this.logInsnState(insn, text, logMark, slotsBefore);
      if (this.stepEnded) {
        this.stepEnded = false;
        if (this.popPath()) continue;
        return;
      }
    }
  }

  /** the log already holds the error message (followed by more lines): not appended again */
  messageLogged = false;
  /** the log: a callee's exit whose return prints "from <exit> to <next>:" (level 2) */
  private fromNext = -1;
  /** the log: the scratched state to print before the next instruction (print_insn_state) */
  private stateNext = '';

  /**
   * The log's stack slots an instruction scratches, seen before it runs: for a memory access the
   * slots at its fixed stack offset (the kernel marks them by index, printed from the current
   * frame); for a helper or kfunc call every slot as printed, to find the iterator and dynptr
   * slots it changes.
   */
  private slotsBeforeInsn(insn: Insn): { spis?: number[]; printed?: string[] } | undefined {
    const f = this.frame;
    if (insn.code === 0x85 && insn.src !== 1) {
      const printed: string[] = [];
      for (let i = 0; i < f.stackRO.length; i++) printed.push(this.slotStr(f, i));
      return { printed };
    }
    const spis = accessedSlots(insn, f);
    return spis.length ? { spis } : undefined;
  }

  /**
   * print_insn_state: the registers and stack slots the instruction touched, appended to its line
   * when nothing else was logged since, else printed before the next instruction.
   */
  private logInsnState(insn: Insn, text: string, logMark: number, before: { spis?: number[]; printed?: string[] } | undefined): void {
    const sc = scratched(insn);
    if (!sc.length && !before) return;
    const f = this.frame;
    const parts = sc.filter((r) => f.regs[r].type !== RegType.NOT_INIT).map((r) => `R${r}=${regStr(f.regs[r], f.frameno)}`);
    const call = before?.printed;
    if (call) {
      for (let i = 0; i < f.stackRO.length; i++) {
        const t = this.slotStr(f, i);
        const was = call[i] ?? '';
        if (t !== was && (isIterOrDynptr(t) || isIterOrDynptr(was)) && t) parts.push(t);
      }
    } else if (before?.spis) {
      for (const spi of before.spis) { const t = this.slotStr(f, spi); if (t) parts.push(t); }
    }
    const tail = this.stateTail(f);
    // a helper call scratches R0-R5: its line gets the ';' even when they all are uninitialized
    if (!parts.length && !call) return;
    const state = `${f.frameno ? ` frame${f.frameno}:` : ''}${parts.length ? ' ' + parts.join(' ') : ''}${tail}`;
    if (this.log.length === logMark + 1) {
      const line = `${alignInsnState(text)}${state}\n`;
      this.logChars += line.length - this.log[logMark].length;
      this.log[logMark] = line;
    } else if (parts.length || tail) {
      this.stateNext = state;
    }
  }

  private prevWasBranch = false;
  /** instructions some path reached (the kernel's insn_aux_data seen) */
  private seen: Uint8Array = NOTHING_SEEN;
  private printStateNext = true;
  private stepEnded = false;

  private recordState(idx: number): void {
    if (!this.states) return;
    if (this.states.has(idx)) return;
    if (this.states.size > 20000) return;
    const f = this.frame;
    const regs: string[] = [];
    for (let i = 0; i < 11; i++) {
      const r = f.regs[i];
      if (r.type === RegType.NOT_INIT) continue;
      regs.push(`R${i}=${regStr(r, f.frameno)}`);
    }
    this.states.set(idx, { insn: idx, regs: regs.join(' '), stack: this.stackStr(f) });
  }

  getStates(): InsnStateSummary[] | undefined {
    return this.states ? [...this.states.values()].sort((a, b) => a.insn - b.insn) : undefined;
  }

  getPath(): { insn: number; taken: boolean }[] {
    const out: { insn: number; taken: boolean }[] = [];
    for (let n: PathNode | null = this.cur?.path ?? null; n && out.length < 10000; n = n.prev) out.push({ insn: n.insn, taken: n.taken });
    return out.reverse();
  }

  private stackStr(f: Frame): string {
    return stackLogStr(f, this.obj.targetBtf).slice(1);
  }

  /** One stack slot as the log prints it ("fp-8=0000????", "fp-16=map_value(...)"); '' when invalid. */
  private slotStr(f: Frame, i: number): string {
    return slotLogStr(f, i, this.obj.targetBtf);
  }

  private stateStr(all: boolean): string {
    void all;
    const f = this.frame;
    let s = f.frameno ? ` frame${f.frameno}:` : '';
    for (let i = 0; i < 11; i++) {
      const r = f.regs[i];
      if (r.type === RegType.NOT_INIT) continue;
      s += ` R${i}=${regStr(r, f.frameno)}`;
    }
    const st = this.stackStr(f);
    if (st) s += ' ' + st;
    return s + this.stateTail(f);
  }

  /** What print_verifier_state ends every state with: held references, callback frame marks. */
  private stateTail(f: Frame): string {
    return stateTailStr(this.cur, f);
  }

  // ---- path stack ---------------------------------------------------------------------

  private pushPath(insn: number, prev: number, taken: boolean): VState {
    // push_stack counts the pushed state first (stack_size++), then fails above 8192: the 8193rd push
    if (this.pending.length + 1 > 8192) {
      this.err(`The sequence of ${this.pending.length + 1} jumps is too complex.`);
    }
    const st = cloneState(this.cur);
    st.path = { insn: prev, taken, prev: this.cur.path };
    if (st.parent) st.parent.branches++;
    this.pending.push({ state: st, insn, prev, logPos: this.logLevel === 1 ? this.logChars : undefined });
    return st;
  }

  /** Ends the current path; continues with the next pending one. Returns false when done. */
  private popPath(): boolean {
    this.updateBranchCounts(this.cur.parent);
    const p = this.pending.pop();
    if (!p) return false;
    this.cur = p.state;
    this.insnIdx = p.insn;
    this.prevInsnIdx = p.prev;
    this.prevIdx = p.prev;
    this.prevWasBranch = true;
    this.stateNext = '';
    this.fromNext = -1;
    if (this.logLevel === 1 && p.logPos !== undefined) {
      // level 1 keeps only the path being explored: the log goes back to where the branch was
      // pushed (mid-line when a state was appended to the jump since), then the full state
      this.truncateLog(p.logPos);
      this.verbose(`${p.insn}:${this.stateStr(false)}\n`);
      this.printStateNext = false;
    } else if (this.logLevel) {
      this.verbose(`\nfrom ${p.prev} to ${p.insn}:${this.stateStr(false)}\n`);
      this.printStateNext = false;
    }
    return true;
  }

  private updateBranchCounts(cp: Checkpoint | undefined): void {
    while (cp) {
      cp.branches--;
      if (cp.branches > 0) break;
      cp = cp.parent;
    }
  }

  // ---- precision (precision.ts) ---------------------------------------------------------

  /** the instruction before the current one on this path (the kernel's prev_insn_idx) */
  private prevIdx = -1;
  /** history entry already pushed for the current instruction (flags are merged into it) */
  private histEnt = -1;

  /** push_insn_history: records the current instruction in the path's history. */
  private pushHist(flags: number, linked?: number[]): void {
    const st = this.cur;
    if (this.histEnt >= 0 && this.histEnt === st.histEnd - 1) {
      const h = this.prec.hist;
      h.flags[this.histEnt] |= flags;
      if (linked) h.linked[this.histEnt] = linked;
      return;
    }
    this.prec.hist.put(st.histEnd, this.insnIdx, this.prevIdx, flags, linked);
    this.histEnt = st.histEnd;
    st.histEnd++;
  }

  /** A fixed-offset stack access (spill or fill) by the current instruction. */
  private noteStackAccess(frameno: number, spi: number): void {
    this.pushHist(stackAccessFlags(frameno, spi));
  }

  /** mark_chain_precision: register regno of the current frame is used for its exact value. */
  private markPrecise(regno: number): void {
    const st = this.cur;
    if (st.frames[st.cur].regs[regno].type !== RegType.SCALAR_VALUE) return;
    this.prec.bt.reset(st.cur);
    this.prec.bt.setReg(st.cur, regno);
    this.prec.markChain(st, this.insnIdx);
  }

  /** Several registers of the current frame at once (bit r = register r). */
  private markPreciseRegs(mask: number): void {
    const st = this.cur;
    this.prec.bt.reset(st.cur);
    this.prec.bt.regs[st.cur] = mask;
    this.prec.markChain(st, this.insnIdx);
  }

  /** Same for a spilled scalar in a stack slot. */
  private markPreciseSlot(frameno: number, spi: number): void {
    const st = this.cur;
    this.prec.bt.reset(st.cur);
    this.prec.bt.setSlot(frameno, spi);
    this.prec.markChain(st, this.insnIdx);
  }

  /** Registers and spilled slots sharing a scalar id, for the history of a branch on it. */
  private linkedRegs(id: number, out: number[]): void {
    const st = this.cur;
    for (let fi = 0; fi <= st.cur; fi++) {
      const f = st.frames[fi];
      for (let r = 0; r < 10; r++) {
        const x = f.regs[r];
        if (x.type === RegType.SCALAR_VALUE && baseId(x.id) === baseId(id)) { const e = linkedReg(fi, r); if (!out.includes(e)) out.push(e); }
      }
      const stk = f.stackRO;
      for (let k = 0; k < stk.length && k < 64; k++) {
        const s = stk[k];
        if (isSpilledReg(s) && s.spilled.type === RegType.SCALAR_VALUE && baseId(s.spilled.id) === baseId(id)) {
          const e = linkedSlot(fi, k);
          if (!out.includes(e)) out.push(e);
        }
      }
    }
  }

  /** get_call_summary: the number of parameters of the helper or kfunc called at idx */
  private callParams(idx: number): number | undefined {
    const x = this.insns[idx];
    if (x.src === 0) {
      const p = helperProto(x.imm);
      if (!p) return undefined;
      let np = 0;
      for (const a of p.args) if (a.base !== 'ARG_DONTCARE') np++;
      return np;
    }
    if (x.src === 2) {
      const f = x.imm > 0 && !x.off ? this.obj.targetBtf?.types[x.imm] : undefined;
      const proto = f && f.kind === BtfKind.FUNC ? this.obj.targetBtf?.types[f.type] : undefined;
      return proto && proto.kind === BtfKind.FUNC_PROTO ? (proto.params ?? []).length : undefined;
    }
    return undefined;
  }

  /** Registers of each frame that pruning compares (liveness) */
  private liveMask(st: VState, fi: number, idx: number): number {
    return fi === st.cur ? this.cfg.liveRegs[idx] : 0x3c0; // r6-r9 in callers
  }

  /** propagate_precision: what the old state needed precisely, the pruned path needs too. */
  private propagatePrecision(old: VState, idx: number, cleaned = false): void {
    const bt = this.prec.bt;
    const cur = this.cur;
    bt.reset(cur.cur);
    for (let fi = 0; fi <= old.cur; fi++) {
      const f = old.frames[fi];
      const live = this.liveMask(old, fi, idx);
      for (let r = 0; r < 10; r++) {
        const x = f.regs[r];
        if (x.type === RegType.SCALAR_VALUE && x.precise && live >> r & 1) bt.setReg(fi, r);
      }
      const stk = f.stackRO;
      for (let k = 0; k < stk.length && k < 64; k++) {
        const s = stk[k];
        if (isSpilledReg(s) && s.spilled.type === RegType.SCALAR_VALUE && s.spilled.precise && (!cleaned || this.slotAlive(old, fi, idx, k))) bt.setSlot(fi, k);
      }
    }
    this.prec.markChain(cur, idx);
  }

  /**
   * bpf_stack_slot_alive: may slot `spi` of frame `fi` still be read after the checkpoint at idx?
   * (liveness.ts; an outer frame's slot counts live before the call into the next frame)
   */
  private slotAlive(st: VState, fi: number, idx: number, spi: number): boolean {
    return slotLive(this.stackLive(), fi === st.cur ? idx : st.frames[fi + 1].callsite, spi);
  }

  private stackLive(): StackLiveness {
    this.stackLiveCache ??= computeStackLiveness(this.insns, {
      subprogs: this.cfg.subprogs, callsCallback: this.cfg.callsCallback, maps: this.obj.maps,
      helperArgs: (id) => helperProto(id, this.prog.progType)?.args,
      isGlobal: (sp) => sp > 0 && this.globalOf(sp) !== undefined,
    });
    return this.stackLiveCache;
  }

  // ---- pruning ------------------------------------------------------------------------

  private isStateVisited(idx: number): boolean {
    const cur = this.cur;
    const force = this.cfg.forceCheckpoint[idx] === 1 || cur.histEnd - cur.histStart > 40;
    let addNew = force;
    if (this.jmpsProcessed - this.prevJmpsProcessed >= 2 && this.processed - this.prevInsnProcessed >= 8) addNew = true;
    let list = this.explored[idx];
    let n = 0;
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const cp = list[i];
        n++;
        if (cp.branches > 0) {
          // A state on the current DFS path: a loop. Iterator, may_goto and callback loops converge
          // on equivalence (compared range for range: the old state's precision is not final yet);
          // other loops must not repeat an identical state.
          let hit = false;
          if (this.cfg.iterNext[idx]) hit = this.statesEqual(cp.state, cur, idx, RANGE_WITHIN) && this.iterActive(cur);
          else if (this.cfg.mayGoto[idx] && cp.state.mayGotoDepth !== cur.mayGotoDepth) hit = this.statesEqual(cp.state, cur, idx, RANGE_WITHIN);
          else if (this.cfg.callsCallback[idx]) hit = this.statesEqual(cp.state, cur, idx, RANGE_WITHIN);
          if (hit) {
            cp.hit++;
            this.taintLoop(cp);
            this.pruneHit(cp, idx);
            return true;
          }
          if (!this.cfg.iterNext[idx] && !this.cfg.callsCallback[idx] && maybeLooping(cp.state, cur) && this.statesEqual(cp.state, cur, idx, EXACT) &&
            cp.state.mayGotoDepth === cur.mayGotoDepth && cp.state.callbackUnrollDepth === cur.callbackUnrollDepth) {
            if (this.logLevel) {
              // the message, then both states (the message is not repeated at the log's end)
              this.verbose(`infinite loop detected at insn ${idx}\ncur state:${frameLogStr(cur, cur.frames[cur.cur], this.obj.targetBtf)}\n` +
                `old state:${frameLogStr(cp.state, cp.state.frames[cur.cur], this.obj.targetBtf)}\n`);
              this.messageLogged = true;
            }
            this.err(`infinite loop detected at insn ${idx}`);
          }
          if (!force && this.jmpsProcessed - this.prevJmpsProcessed < 20 && this.processed - this.prevInsnProcessed < 100) addNew = false;
          if (addNew) cp.miss++;
          const lim = force ? 64 : 3;
          if (cp.miss > cp.hit * lim + lim) { list.splice(i, 1); i--; this.peakStates--; }
          continue;
        }
        if (this.statesEqual(cp.state, cur, idx, cp.loopTainted ? RANGE_WITHIN : NOT_EXACT, !cp.loopTainted)) {
          cp.hit++;
          this.pruneHit(cp, idx, !cp.loopTainted);
          return true;
        }
        if (addNew) cp.miss++;
        if (cp.miss > cp.hit * 3 + 3) {
          list.splice(i, 1);
          i--;
          this.peakStates--;
        }
      }
    }
    if (n > this.maxStatesPerInsn) this.maxStatesPerInsn = n;
    if (!addNew) return false;
    // forget the precise marks inherited from the parent: this checkpoint's own come from its children
    for (let fi = 0; fi <= cur.cur; fi++) {
      const f = cur.frames[fi];
      for (let r = 0; r < 10; r++) if (f.regs[r].precise) f.w(r).precise = false;
      // through the read-only view: only a slot holding a precise mark is un-shared
      const ro = f.stack;
      for (let k = 0; k < ro.length; k++) if (ro[k].spilled.precise) f.ws(k).spilled.precise = false;
    }
    const copy = cloneState(cur);
    copy.histStore = this.prec.archive;
    copy.histStart = this.prec.archive.append(this.prec.hist, cur.histStart, cur.histEnd);
    copy.histEnd = this.prec.archive.len;
    copy.lastIdx = this.prevIdx;
    const cp: Checkpoint = { state: copy, insn: idx, branches: 1, hit: 0, miss: 0, parent: cur.parent, loopTainted: false };
    copy.parent = cur.parent;
    cur.parent = cp;
    cur.firstIdx = idx;
    cur.histStart = cur.histEnd;
    this.totalStates++;
    this.peakStates++;
    this.prevJmpsProcessed = this.jmpsProcessed;
    this.prevInsnProcessed = this.processed;
    if (!list) list = this.explored[idx] = [];
    list.unshift(cp);
    return false;
  }

  /** The current path is pruned against `cp`: carry the old state's precision over. */
  private pruneHit(cp: Checkpoint, idx: number, cleaned = false): void {
    if (this.cfg.jmpPoint[idx]) this.pushHist(0);
    this.propagatePrecision(cp.state, idx, cleaned);
  }

  /**
   * Pruned against a loop head still being explored: the checkpoints between it and here may miss
   * precision marks the loop head gains later, so they are compared range for range from now on.
   */
  private taintLoop(head: Checkpoint): void {
    let guard = 0;
    for (let c = this.cur.parent; c && c !== head && guard++ < 1_000_000; c = c.parent) c.loopTainted = true;
  }

  /**
   * widen_imprecise_scalars: a loop that converges on equivalence (iterator next, may_goto) goes
   * around with every scalar that changed since the previous iteration and was not needed
   * precisely made unknown, so the next iteration's state can match the previous one.
   */
  private widenLoopState(st: VState, idx: number): void {
    const here = this.cur.parent;
    if (!here || here.insn !== idx) return;
    this.widenSince(st, here.parent, idx);
  }

  /**
   * widen_imprecise_scalars against the nearest checkpoint above `from` at instruction `insn` with
   * the same call chain: scalars of `st` that changed since then and are not precise become unknown.
   */
  private widenSince(st: VState, from: Checkpoint | undefined, insn: number): void {
    let prev: Checkpoint | undefined;
    let guard = 0;
    for (let c = from; c && guard++ < 100_000; c = c.parent) {
      if (c.insn === insn && c.state.cur === st.cur && c.state.frames.every((f, i) => i > st.cur || f.callsite === st.frames[i].callsite)) { prev = c; break; }
    }
    if (!prev) return;
    const old = prev.state;
    this.idCnt = 0;
    this.tmpId = 0;
    const needsWiden = (o: RReg, c: RReg): boolean => {
      if (o.type !== RegType.SCALAR_VALUE || c.type !== RegType.SCALAR_VALUE) return false;
      return !(o.precise || c.precise || this.regsafe(o, c, EXACT));
    };
    for (let fi = old.cur; fi >= 0; fi--) {
      const fo = old.frames[fi], fc = st.frames[fi];
      for (let r = 0; r < 11; r++) if (needsWiden(fo.regs[r], fc.regs[r])) markUnknown(fc.w(r));
      const n = Math.min(fo.stack.length, fc.stack.length);
      for (let k = 0; k < n; k++) {
        if (isSpilledReg(fo.stack[k]) && isSpilledReg(fc.stack[k]) && needsWiden(fo.stack[k].spilled, fc.stack[k].spilled)) markUnknown(fc.ws(k).spilled);
      }
    }
  }

  private iterActive(st: VState): boolean {
    const f = st.frames[st.cur];
    const r1 = f.regs[1];
    if (r1.type !== RegType.PTR_TO_STACK) return false;
    const off = tnumSNum(r1.varOff) + r1.off;
    const spi = (-off - 1) >> 3;
    const fr = st.frames[r1.frameno];
    const slot = fr?.stackRO[spi];
    return !!slot && slot.types[0] === Slot.ITER && slot.spilled.iterState === 'active';
  }

  /** states_equal: is every concrete state of `cur` covered by `old`? */
  private statesEqual(old: VState, cur: VState, idx: number, mode: number, cleaned = false): boolean {
    if (old.cur !== cur.cur) return false;
    if (old.activeLock !== cur.activeLock) return false;
    if (old.rcuDepth !== cur.rcuDepth) return false;
    if (old.speculative && !cur.speculative) return false;
    for (let i = 0; i <= old.cur; i++) {
      if (old.frames[i].callsite !== cur.frames[i].callsite) return false;
      if (old.frames[i].callbackDepth > cur.frames[i].callbackDepth) return false; // func_states_equal
    }
    if (old.refs.length !== cur.refs.length) return false;
    this.idCnt = 0;
    this.tmpId = 0;
    for (let i = 0; i < old.refs.length; i++) {
      if (!this.checkIds(old.refs[i].id, cur.refs[i].id)) return false;
    }
    for (let fi = 0; fi <= old.cur; fi++) {
      const fo = old.frames[fi], fc = cur.frames[fi];
      const live = this.liveMask(old, fi, idx);
      for (let r = 0; r < 10; r++) {
        if (mode !== EXACT && !(live & (1 << r))) continue;
        if (!this.regsafe(fo.regs[r], fc.regs[r], mode)) return false;
      }
      if (!this.stacksafe(fo, fc, mode, cleaned ? (spi) => this.slotAlive(old, fi, idx, spi) : undefined)) return false;
    }
    return true;
  }

  /** check_ids' map as the kernel keeps it: pairs (old id, current id), scanned linearly */
  private idOld: number[] = [];
  private idCur: number[] = [];
  private idCnt = 0;
  private tmpId = 0;

  /** check_ids: ids of the old state map one to one onto ids of the current state. */
  private checkIds(a: number, b: number): boolean {
    if (!a && !b) return true;
    if (!a || !b) return false;
    const n = this.idCnt, io = this.idOld, ic = this.idCur;
    for (let i = 0; i < n; i++) {
      if (io[i] === a) return ic[i] === b;
      if (ic[i] === b) return false;
    }
    io[n] = a; ic[n] = b;
    this.idCnt = n + 1;
    return true;
  }

  /** check_scalar_ids: an old scalar id maps onto a fresh one when the current scalar has none. */
  private checkScalarIds(a: number, b: number): boolean {
    if (!a) return true;
    const cb = b || --this.tmpId;
    if (!this.checkIds(a, cb)) return false;
    // an id with ADD_CONST: its base id must map consistently too
    return !(a & ADD_CONST) || this.checkIds(baseId(a), cb < 0 ? cb : baseId(cb));
  }

  private regsafe(o: RReg, c: RReg, mode: number): boolean {
    // one register shared copy-on-write by both states (state.ts): equal in every mode, unless it
    // carries ids, which must still map one to one with the other registers' (check_ids)
    if (o === c && o.id === 0 && o.refObjId === 0) return true;
    if (mode === EXACT) {
      return o.type === c.type && o.flags === c.flags && o.off === c.off && tnumEquals(o.varOff, c.varOff) && bounds64Equal(o, c) &&
        o.s32min === c.s32min && o.s32max === c.s32max && o.u32min === c.u32min && o.u32max === c.u32max &&
        o.range === c.range && o.map === c.map && o.btfId === c.btfId && o.memSize === c.memSize &&
        o.frameno === c.frameno && o.subprogno === c.subprogno && this.checkIds(o.id, c.id) && this.checkIds(o.refObjId, c.refObjId);
    }
    if (o.type === RegType.NOT_INIT) return mode === NOT_EXACT || c.type === RegType.NOT_INIT;
    if (o.type !== c.type || o.flags !== c.flags) return false;
    switch (o.type) {
      case RegType.SCALAR_VALUE:
        if (!o.precise && mode === NOT_EXACT) return true;
        // BPF_ADD_CONST links (linked.ts): the same kind of link, with the same offset
        if (o.id & ADD_CONST ? (o.id & ADD_CONST) !== (c.id & ADD_CONST) || o.off !== c.off : o.id && c.id & ADD_CONST) return false;
        if (!this.checkScalarIds(o.id, c.id)) return false;
        return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
      case RegType.PTR_TO_MAP_KEY:
      case RegType.PTR_TO_MAP_VALUE:
        return o.map === c.map && o.off === c.off && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff) &&
          this.checkIds(o.id, c.id) && this.checkIds(o.refObjId, c.refObjId);
      case RegType.PTR_TO_PACKET_META:
      case RegType.PTR_TO_PACKET:
        if (o.range < 0 ? c.range !== o.range : c.range < 0 || o.range > c.range) return false;
        if (o.off !== c.off) return false;
        if (!this.checkIds(o.id, c.id)) return false;
        return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
      case RegType.PTR_TO_STACK:
        if (o.frameno !== c.frameno) return false;
        return o.off === c.off && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
      default:
        return o.off === c.off && o.map === c.map && o.btfId === c.btfId && o.memSize === c.memSize &&
          o.subprogno === c.subprogno && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff) &&
          this.checkIds(o.id, c.id) && this.checkIds(o.refObjId, c.refObjId);
    }
  }

  /**
   * stacksafe. `alive` (explored states whose paths are all done): a dead slot of the old state is
   * skipped, as the kernel's clean_func_state makes it STACK_INVALID (liveness.ts)
   */
  private stacksafe(fo: Frame, fc: Frame, mode: number, alive?: (spi: number) => boolean): boolean {
    for (let i = 0; i < fo.stackRO.length; i++) {
      // (unless the current slot is a dynptr, iterator or irq flag: writing over one is checked)
      if (alive && !alive(i) && !(fc.stackRO[i]?.types[0] >= Slot.DYNPTR)) continue;
      const so = fo.stackRO[i];
      const sc: RSlot | undefined = fc.stackRO[i];
      // one slot shared by both states: equal, unless its register carries ids (see regsafe)
      if (so === sc && so.spilled.id === 0 && so.spilled.refObjId === 0) continue;
      const ot = so.types, ct = sc ? sc.types : INVALID_TYPES;
      if (mode !== NOT_EXACT) {
        for (let b = 0; b < 8; b++) if (ot[b] !== ct[b]) return false;
      }
      // a full 64-bit scalar spill, or all-misc bytes (an unknown scalar when read), on both sides
      const oreg = scalarForStack(so), creg = sc ? scalarForStack(sc) : undefined;
      if (oreg && creg) {
        if (!this.regsafe(oreg, creg, mode)) return false;
        continue;
      }
      for (let b = 0; b < 8; b++) {
        const to = ot[b];
        if (to === Slot.INVALID) continue;
        // privileged loads may read uninitialised stack: misc matches anything but special slots
        if (to === Slot.MISC && ct[b] !== Slot.DYNPTR && ct[b] !== Slot.ITER) continue;
        if (to !== ct[b]) return false;
      }
      if (!sc) continue;
      if (isSpilledReg(so) || ot[0] === Slot.DYNPTR || ot[0] === Slot.ITER) {
        if (!this.regsafe(so.spilled, sc.spilled, ot[0] === Slot.DYNPTR || ot[0] === Slot.ITER ? (mode === EXACT ? EXACT : RANGE_WITHIN) : mode)) return false;
        if (so.spilled.iterState !== sc.spilled.iterState || so.spilled.iterDepth !== sc.spilled.iterDepth && mode === EXACT) return false;
      }
    }
    if (mode === EXACT) {
      for (let i = fo.stackRO.length; i < fc.stackRO.length; i++) if (fc.stackRO[i].types.some((t) => t !== Slot.INVALID)) return false;
    }
    return true;
  }

  // ---- instruction dispatch -----------------------------------------------------------

  private step(insn: Insn, idx: number): void {
    const cls = insn.code & 7;
    switch (cls) {
      case 4: case 7:
        this.checkAlu(insn);
        this.insnIdx++;
        break;
      case 1:
        this.checkLdx(insn, idx);
        this.insnIdx++;
        break;
      case 3:
        if ((insn.code & 0xe0) === 0xc0) this.checkAtomic(insn, idx);
        else {
          if ((insn.code & 0xe0) !== 0x60 || insn.imm !== 0) this.err('BPF_STX uses reserved fields');
          this.checkRegRead(insn.src);
          this.checkRegRead(insn.dst);
          this.checkMemAccess(insn.dst, insn.off, sizeOf(insn.code), Access.WRITE, insn.src, false, false);
        }
        this.insnIdx++;
        break;
      case 2:
        if ((insn.code & 0xe0) !== 0x60 || insn.src !== 0) this.err('BPF_ST uses reserved fields');
        this.checkRegRead(insn.dst);
        this.checkMemAccess(insn.dst, insn.off, sizeOf(insn.code), Access.WRITE, -1, false, false, insn.imm);
        this.insnIdx++;
        break;
      case 5: case 6:
        this.checkJmp(insn, idx);
        break;
      case 0:
        this.checkLd(insn, idx);
        break;
    }
  }

  private checkRegRead(regno: number): RReg {
    if (regno >= 11) this.err(`R${regno} is invalid`);
    const r = this.regs[regno];
    if (r.type === RegType.NOT_INIT) this.err(`R${regno} !read_ok`);
    return r;
  }

  private checkRegWrite(regno: number): Reg {
    if (regno >= 11) this.err(`R${regno} is invalid`);
    if (regno === 10) this.err('frame pointer is read only');
    return this.wreg(regno);
  }

  // ---- ALU ----------------------------------------------------------------------------

  private checkAlu(insn: Insn): void {
    const op = insn.code & 0xf0;
    const alu64 = (insn.code & 7) === 7;
    const isX = (insn.code & 8) !== 0;
    const regs = this.regs;
    if (op === 0x80 || op === 0xd0) {
      if (op === 0x80) {
        if (insn.src !== 0 || insn.off !== 0 || insn.imm !== 0 || isX) this.err('BPF_NEG uses reserved fields');
      } else if (insn.src !== 0 || insn.off !== 0 || (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) || (alu64 && isX)) {
        this.err('BPF_END uses reserved fields');
      }
      const d = this.checkRegRead(insn.dst);
      this.checkRegWrite(insn.dst);
      if (op === 0x80 && d.type === RegType.SCALAR_VALUE) {
        const zero = knownScalar(0);
        const src = cloneReg(d);
        const dst = this.wreg(insn.dst);
        copyRegInto(dst, zero);
        this.scalarAlu(dst, src, 0x10, alu64, insn);
        return;
      }
      if (op === 0xd0 && d.type === RegType.SCALAR_VALUE) {
        this.endianOp(this.wreg(insn.dst), insn, alu64);
        return;
      }
      markUnknown(this.wreg(insn.dst));
      return;
    }
    if (op === 0xb0) {
      if (isX) {
        const okOff = alu64 ? MOV_OFFS64 : MOV_OFFS32;
        if (insn.imm !== 0 || !okOff.includes(insn.off)) {
          if (!(alu64 && insn.off === 1)) this.err('BPF_MOV uses reserved fields');
        }
        if (alu64 && insn.off === 1) {
          if (insn.imm !== 1 && insn.imm !== 1 << 16) this.err('addr_space_cast insn can only convert between address space 1 and 0');
          if (!this.obj.maps.some((m) => m.type === MapType.ARENA)) this.err('addr_space_cast insn can only be used in a program that has an associated arena');
        }
        const srcRO = this.checkRegRead(insn.src);
        const dst = this.checkRegWrite(insn.dst);
        // assign_scalar_id_before_mov may change the source (the cases below that write it are
        // within this test): un-shared then, after dst, so that a move to itself keeps one object
        const src = srcRO.type === RegType.SCALAR_VALUE && (srcRO.id & ADD_CONST || (!srcRO.id && !tnumIsConst(srcRO.varOff)))
          ? this.wreg(insn.src) : srcRO as Reg;
        if (alu64) {
          if (insn.off === 0) {
            unlinkAddConstBeforeMov(src);
            if (src.type === RegType.SCALAR_VALUE && !src.id && !tnumIsConst(src.varOff)) src.id = ++this.idGen;
            copyReg(dst, src);
          } else if (insn.off === 1) {
            markUnknown(dst);
          } else {
            // movsx: sign-extend the low off bits
            if (src.type !== RegType.SCALAR_VALUE) { markUnknown(dst); return; }
            const keepId = src.id && !tnumIsConst(src.varOff) && fitsSigned(src, insn.off);
            if (keepId) unlinkAddConstBeforeMov(src);
            if (keepId && !src.id) src.id = ++this.idGen;
            copyReg(dst, src);
            if (!keepId) dst.id = 0;
            signExtend(dst, insn.off / 8);
          }
        } else {
          if (src.type !== RegType.SCALAR_VALUE) {
            markUnknown(dst);
            dst.varOff = tnumSubreg(TNUM_UNKNOWN);
            zext32To64(dst); regBoundsSync(dst);
            return;
          }
          if (insn.off === 0) {
            const u32src = src.umaxH === 0;
            if (u32src) unlinkAddConstBeforeMov(src);
            if (u32src && !src.id && !tnumIsConst(src.varOff)) src.id = ++this.idGen;
            copyReg(dst, src);
            if (!u32src) dst.id = 0;
            zext32To64(dst);
            regBoundsSync(dst);
          } else {
            copyReg(dst, src);
            dst.id = 0;
            signExtend32(dst, insn.off / 8);
            zext32To64(dst);
            regBoundsSync(dst);
          }
        }
      } else {
        if (insn.src !== 0 || insn.off !== 0) this.err('BPF_MOV uses reserved fields');
        const dst = this.checkRegWrite(insn.dst);
        if (alu64) markKnownScalarNum(dst, insn.imm);
        else markKnownScalar(dst, 0, insn.imm);
      }
      return;
    }
    if (op > 0xc0) this.err(`invalid BPF_ALU opcode ${(op >> 4).toString(16)}`);
    const signedDivMod = (op === 0x30 || op === 0x90) && insn.off === 1;
    if (isX) {
      if (insn.imm !== 0 || (insn.off !== 0 && !signedDivMod)) this.err('BPF_ALU uses reserved fields');
      this.checkRegRead(insn.src);
    } else if (insn.src !== 0 || (insn.off !== 0 && !signedDivMod)) {
      this.err('BPF_ALU uses reserved fields');
    }
    this.checkRegRead(insn.dst);
    if ((op === 0x30 || op === 0x90) && !isX && insn.imm === 0) this.err('div by zero');
    if ((op === 0x60 || op === 0x70 || op === 0xc0) && !isX) {
      const size = alu64 ? 64 : 32;
      if (insn.imm < 0 || insn.imm >= size) this.err(`invalid shift ${insn.imm}`);
    }
    this.checkRegWrite(insn.dst);
    this.adjustRegMinMax(insn);
  }

  private endianOp(d: Reg, insn: Insn, alu64: boolean): void {
    const bits = insn.imm;
    const toBe = (insn.code & 8) !== 0;
    if (!alu64 && !toBe) {
      // to little endian on a little-endian machine: truncation only
      if (bits < 64) {
        coerceToSize(d, bits / 8);
      }
      d.id = 0;
      return;
    }
    // byte swap of the low `bits` of value and mask (as halves)
    const bswap32 = (x: number): number => ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    const v = d.varOff;
    const t = bits === 64 ? { vh: bswap32(v.vl), vl: bswap32(v.vh), mh: bswap32(v.ml), ml: bswap32(v.mh) }
      : bits === 32 ? { vh: 0, vl: bswap32(v.vl), mh: 0, ml: bswap32(v.ml) }
        : { vh: 0, vl: ((v.vl & 0xff) << 8) | ((v.vl >>> 8) & 0xff), mh: 0, ml: ((v.ml & 0xff) << 8) | ((v.ml >>> 8) & 0xff) };
    markUnknown(d);
    d.varOff = t;
    regBoundsSync(d);
  }

  private adjustRegMinMax(insn: Insn): void {
    const regs = this.regs;
    const op = insn.code & 0xf0;
    const alu64 = (insn.code & 7) === 7;
    const dst = this.wreg(insn.dst); // first: a source that is dst itself is then the same object
    let src: RReg;
    if (insn.code & 8) {
      src = regs[insn.src];
      if (src.type !== RegType.SCALAR_VALUE) {
        if (dst.type !== RegType.SCALAR_VALUE) {
          if (op === 0x10) { markUnknown(dst); return; }
          this.err(`R${insn.dst} pointer ${ALU_STR[op >> 4]} pointer prohibited`);
        }
        this.markPrecise(insn.dst); // scalar += pointer: the scalar's range becomes the pointer's offset
        this.adjustPtrMinMax(insn, src, dst, true);
        return;
      }
      if (dst.type !== RegType.SCALAR_VALUE) {
        this.markPrecise(insn.src); // pointer += scalar
        this.adjustPtrMinMax(insn, dst, src, false);
        return;
      }
      // dst is updated in place: a copy only when it is also the source
      if (insn.src === insn.dst) src = cloneReg(src);
    } else {
      markKnownScalarNum(IMM_REG, insn.imm);
      src = IMM_REG;
      if (dst.type !== RegType.SCALAR_VALUE) {
        this.adjustPtrMinMax(insn, dst, src, false);
        return;
      }
    }
    const id0 = dst.id, dstWasU32 = dst.umaxH === 0;
    const d = this.scalarAlu(dst, src, op, alu64, insn);
    linkAfterAlu(d, id0, dstWasU32, src, op, alu64, (insn.code & 8) !== 0 && insn.src === insn.dst);
  }

  /** adjust_scalar_min_max_vals */
  /**
   * dst is the current frame's register insn.dst: returns it, or its new writable object when a
   * forked branch (maybeForkScalars) took a copy of the state.
   */
  private scalarAlu(dst: Reg, src: RReg, op: number, alu64: boolean, insn: Insn): Reg {
    clearScalarId(dst);
    if (!safeToCompute(op, src, alu64, insn.off)) {
      markUnknown(dst);
      return dst;
    }
    switch (op) {
      case 0x00: add32(dst, src); add64(dst, src); dst.varOff = tnumAdd(dst.varOff, src.varOff); break;
      case 0x10: sub32(dst, src); sub64(dst, src); dst.varOff = tnumSub(dst.varOff, src.varOff); break;
      case 0x20: dst.varOff = tnumMul(dst.varOff, src.varOff); mul32(dst, src); mul64(dst, src); break;
      case 0x50:
        if (tnumIsConst(src.varOff)) dst = this.maybeForkScalars(insn, dst);
        dst.varOff = tnumAnd(dst.varOff, src.varOff); and32(dst, src); and64(dst, src); break;
      case 0x40:
        if (tnumIsConst(src.varOff)) dst = this.maybeForkScalars(insn, dst);
        dst.varOff = tnumOr(dst.varOff, src.varOff); or32(dst, src); or64(dst, src); break;
      case 0xa0: dst.varOff = tnumXor(dst.varOff, src.varOff); xor32(dst, src); xor64(dst, src); break;
      case 0x60: if (alu64) lsh64(dst, src); else lsh32(dst, src); break;
      case 0x70: if (alu64) rsh64(dst, src); else rsh32(dst, src); break;
      case 0xc0: if (alu64) arsh64(dst, src); else arsh32(dst, src); break;
      default: break;
    }
    if (!alu64) zext32To64(dst);
    regBoundsSync(dst);
    return dst;
  }

  /** Returns dst, the current frame's register insn.dst, writable (a new object after a fork). */
  private maybeForkScalars(insn: Insn, dst: Reg): Reg {
    let alu32: boolean;
    if (dst.sminH === -1 && dst.sminL === -1 && dst.smaxH === 0 && dst.smaxL === 0) alu32 = false;
    else if (dst.s32min === -1 && dst.s32max === 0) alu32 = true;
    else return dst;
    const br = this.pushPath(this.insnIdx, this.insnIdx, false);
    br.path = this.cur.path;
    const r = br.frames[br.cur].w(insn.dst);
    dst = this.wreg(insn.dst); // the branch took a copy: un-shared again
    if (alu32) { mark32Known(r, 0); mark32Known(dst, -1); } else { markKnown(r, 0, 0); markKnown(dst, -1, -1); }
    // the pushed branch re-executes this instruction with the zero value
    return dst;
  }

  /** adjust_ptr_min_max_vals: pointer +/- scalar */
  private adjustPtrMinMax(insn: Insn, ptr: RReg, off: RReg, scalarIsDst: boolean): void {
    const op = insn.code & 0xf0;
    const dstno = insn.dst;
    const dst = this.wreg(dstno); // the caller un-shared it before reading ptr and off
    const known = tnumIsConst(off.varOff);
    if ((known && !(off.sminH === off.smaxH && off.sminL === off.smaxL && off.uminH === off.umaxH && off.uminL === off.umaxL)) ||
      slt(off.smaxH, off.smaxL, off.sminH, off.sminL) || ult(off.umaxH, off.umaxL, off.uminH, off.uminL)) {
      markUnknown(dst);
      return;
    }
    if ((insn.code & 7) !== 7) {
      if (op === 0x10) { markUnknown(dst); return; }
      this.err(`R${dstno} 32-bit pointer arithmetic prohibited`);
    }
    // the type's name only for messages (building it on every pointer op costs)
    const tstr = (ptr.flags & PTR_MAYBE_NULL) || !PTR_ARITH_OK.has(ptr.type) ? regTypeStr(ptr.type, ptr.flags) : '';
    if (ptr.flags & PTR_MAYBE_NULL) this.err(`R${dstno} pointer arithmetic on ${tstr} prohibited, null-check it first`);
    switch (ptr.type) {
      case RegType.PTR_TO_CTX: case RegType.PTR_TO_MAP_VALUE: case RegType.PTR_TO_MAP_KEY: case RegType.PTR_TO_STACK:
      case RegType.PTR_TO_PACKET_META: case RegType.PTR_TO_PACKET: case RegType.PTR_TO_TP_BUFFER: case RegType.PTR_TO_BTF_ID:
      case RegType.PTR_TO_MEM: case RegType.PTR_TO_BUF: case RegType.PTR_TO_FUNC: case RegType.CONST_PTR_TO_DYNPTR:
        break;
      case RegType.PTR_TO_FLOW_KEYS:
        if (known) break;
        this.err(`R${dstno} pointer arithmetic on ${tstr} prohibited`);
      // falls through
      case RegType.CONST_PTR_TO_MAP:
        if (known && off.sminH === 0 && off.sminL === 0 && op === 0x00) break;
        this.err(`R${dstno} pointer arithmetic on ${tstr} prohibited`);
      // falls through
      default:
        this.err(`R${dstno} pointer arithmetic on ${tstr} prohibited`);
    }
    // ptr is only read below (dst is written last), so no copy of it is needed
    const p = ptr;
    this.checkSaneOffset(off, ptr.type, ptr.flags);
    this.checkSaneOffset(p, ptr.type, ptr.flags);
    const res = PTR_RES;
    copyRegInto(res, p);
    mark32Unbounded(res);
    switch (op) {
      case 0x00: {
        const sum = p.off + sminNum(off);
        if (known && sum === (sum | 0)) {
          res.off = sum | 0; // an int32 (never -0 or a boxed number): registers keep one hidden class
          break;
        }
        add64(res, off); // res has p's bounds: the scalar_min_max_add of the 64-bit bounds
        res.varOff = tnumAdd(p.varOff, off.varOff);
        if (isPktPointer(p.type)) { res.id = ++this.idGen; res.range = 0; }
        break;
      }
      case 0x10: {
        if (scalarIsDst) this.err(`R${dstno} tried to subtract pointer from scalar`);
        if (p.type === RegType.PTR_TO_STACK) this.err(`R${dstno} subtraction from stack pointer prohibited`);
        const diff = p.off - sminNum(off);
        if (known && diff === (diff | 0)) {
          res.off = diff;
          break;
        }
        sub64(res, off);
        res.varOff = tnumSub(p.varOff, off.varOff);
        if (isPktPointer(p.type)) { res.id = ++this.idGen; res.range = 0; }
        break;
      }
      case 0x50: case 0x40: case 0xa0:
        this.err(`R${dstno} bitwise operator ${ALU_STR[op >> 4]} on pointer prohibited`);
      // falls through
      default:
        this.err(`R${dstno} pointer arithmetic with ${ALU_STR[op >> 4]} operator prohibited`);
    }
    this.checkSaneOffset(res, ptr.type, ptr.flags);
    regBoundsSync(res);
    copyRegInto(dst, res);
  }

  private checkSaneOffset(r: RReg, type: RegType, flags: number): void {
    const known = tnumIsConst(r.varOff);
    const val = tnumSNum(r.varOff);
    const smin = sminNum(r);
    const bad = (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) || r.off >= 1 << 29 || r.off <= -(1 << 29) ||
      sminIsMin(r) || smin >= BPF_MAX_VAR_OFF || smin <= -BPF_MAX_VAR_OFF;
    if (!bad) return;
    const tstr = regTypeStr(type, flags);
    if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) this.err(`math between ${tstr} pointer and ${s64(tnumValueBig(r.varOff))} is not allowed`);
    if (r.off >= 1 << 29 || r.off <= -(1 << 29)) this.err(`${tstr} pointer offset ${r.off} is not allowed`);
    if (sminIsMin(r)) this.err(`math between ${tstr} pointer and register with unbounded min value is not allowed`);
    if (smin >= BPF_MAX_VAR_OFF || smin <= -BPF_MAX_VAR_OFF) this.err(`value ${sminOf(r)} makes ${tstr} pointer be out of bounds`);
  }

  // ---- loads and stores ---------------------------------------------------------------

  private checkLdx(insn: Insn, idx: number): void {
    void idx;
    const mode = insn.code & 0xe0;
    if ((mode !== 0x60 && mode !== 0x80) || insn.imm !== 0) this.err('BPF_LDX uses reserved fields');
    this.checkRegRead(insn.src);
    this.checkRegWrite(insn.dst);
    this.checkMemAccess(insn.src, insn.off, sizeOf(insn.code), Access.READ, insn.dst, mode === 0x80, false);
  }

  private checkAtomic(insn: Insn, idx: number): void {
    void idx;
    const a = insn.imm;
    if (a === 0x100 || a === 0x110) {
      // load-acquire: dst = *(src + off); store-release: *(dst + off) = src (any size)
      const size = sizeOf(insn.code);
      if (a === 0x100) {
        this.checkRegRead(insn.src);
        this.checkRegWrite(insn.dst);
        this.checkMemAccess(insn.src, insn.off, size, Access.READ, insn.dst, false, true);
      } else {
        this.checkRegRead(insn.src);
        this.checkRegRead(insn.dst);
        this.checkMemAccess(insn.dst, insn.off, size, Access.WRITE, insn.src, false, true);
      }
      return;
    }
    const okOps = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1];
    const size = sizeOf(insn.code);
    if (okOps.includes(a) && size !== 4 && size !== 8) this.err('invalid atomic operand size');
    if (!okOps.includes(a)) this.err(`BPF_ATOMIC uses invalid atomic opcode ${(a >>> 0).toString(16).padStart(2, '0')}`);
    this.checkRegRead(insn.src);
    this.checkRegRead(insn.dst);
    if (a === 0xf1) this.checkRegRead(0);
    const dst = this.regs[insn.dst];
    const t = dst.type;
    if (t === RegType.PTR_TO_CTX || isPktPointer(t) || t === RegType.PTR_TO_FLOW_KEYS || t === RegType.PTR_TO_SOCKET ||
      t === RegType.PTR_TO_SOCK_COMMON || t === RegType.PTR_TO_TCP_SOCK || t === RegType.PTR_TO_XDP_SOCK) {
      this.err(`BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(t, dst.flags)} is not allowed`);
    }
    const fetch = (a & 1) !== 0;
    const loadReg = a === 0xf1 ? 0 : fetch ? insn.src : -1;
    // read then write, as the kernel checks it
    this.checkMemAccess(insn.dst, insn.off, size, Access.READ, loadReg, false, true);
    this.checkMemAccess(insn.dst, insn.off, size, Access.WRITE, -1, false, true);
    if (loadReg >= 0) {
      if (this.regs[loadReg].type !== RegType.SCALAR_VALUE || fetch) {
        const r = this.wreg(loadReg);
        markUnknown(r);
        if (size === 4) coerceToSize(r, 4);
      }
    }
  }

  /** check_mem_access: a load (valueRegno = destination) or store (valueRegno = source, or -1 with imm) */
  private checkMemAccess(regno: number, insnOff: number, size: number, t: Access, valueRegno: number,
    sx: boolean, atomic: boolean, imm?: number): void {
    // a load writes valueRegno: un-shared first, so that reg is that same object when regno is it
    if (t !== Access.WRITE && valueRegno >= 0) this.wreg(valueRegno);
    const reg = this.regs[regno];
    let off = insnOff;
    const write = t === Access.WRITE;
    // the kernel checks alignment first (strict for atomics: scalars and maybe-NULL pointers too)
    if (reg.type !== RegType.NOT_INIT) this.checkPtrAlignment(reg, off, size, atomic);
    if (reg.type === RegType.SCALAR_VALUE || reg.type === RegType.NOT_INIT) {
      this.err(`R${regno} invalid mem access '${reg.type === RegType.NOT_INIT ? '?' : 'scalar'}'`);
    }
    if (reg.flags & PTR_MAYBE_NULL && reg.type !== RegType.PTR_TO_BTF_ID) {
      this.err(`R${regno} invalid mem access '${regTypeStr(reg.type, reg.flags)}'`);
    }
    const setValueUnknown = (): void => {
      if (!write && valueRegno >= 0) {
        const d = this.wreg(valueRegno);
        markUnknown(d);
        if (size < 8) {
          if (sx) signExtendLoad(d, size); else coerceToSize(d, size);
        }
      }
    };
    switch (reg.type) {
      case RegType.PTR_TO_MAP_KEY: {
        if (write) this.err(`write to change key R${regno} not allowed`);
        off += reg.off;
        this.checkMemRegion(regno, reg, off, size, reg.map!.keySize, 'key');
        setValueUnknown();
        return;
      }
      case RegType.PTR_TO_MAP_VALUE: {
        const map = reg.map!;
        off += reg.off;
        if (write && map.flags & BPF_F_RDONLY_PROG) {
          this.err(`write into map forbidden, value_size=${map.valueSize} off=${off} size=${size}`);
        }
        if (!write && map.flags & BPF_F_WRONLY_PROG) {
          this.err(`read from map forbidden, value_size=${map.valueSize} off=${off} size=${size}`);
        }
        this.checkMemRegion(regno, reg, off, size, map.valueSize, 'map');
        const lockOff = this.spinLockOff(map);
        if (lockOff !== undefined) {
          const lo = sminNum(reg) + off, hi = umaxNum(reg) + off + size;
          if (lo < lockOff + 4 && hi > lockOff) this.err('bpf_spin_lock cannot be accessed directly by load/store');
        }
        // list heads, rbtree roots, kptrs... (graph.ts)
        const fieldErr = mapFieldAccessError(this.obj.btf, map, reg, off, size);
        if (fieldErr) this.err(fieldErr);
        // kptr fields (kptr.ts): how they may be loaded and stored, and what a load yields
        const kp = mapKptrAccess(this.obj.btf, this.obj.targetBtf, reg, off, size,
          atomic ? 'atomic' : write ? (valueRegno >= 0 ? 'stx' : 'st') : sx ? 'ldsx' : 'ldx', valueRegno >= 0 ? this.regs[valueRegno] : undefined, valueRegno, imm);
        if (kp.error) this.err(kp.error);
        if (kp.precise && valueRegno >= 0) this.markPrecise(valueRegno);
        if (kp.load && valueRegno >= 0) {
          const d = this.wreg(valueRegno);
          const fl = kptrLoadFlags(kp.load, this.cur.rcuDepth > 0 || this.cur.activeLock !== 0 || !this.prog.sleepable);
          markPtr(d, RegType.PTR_TO_BTF_ID, fl);
          d.btfId = kp.load.btfId;
          d.btfName = kp.load.name;
          d.id = ++this.idGen;
          return;
        }
        if (!write && valueRegno >= 0) {
          const d = this.wreg(valueRegno);
          if (map.frozen && map.flags & BPF_F_RDONLY_PROG && map.initialValue && tnumIsConst(reg.varOff) && !atomic) {
            const at = off + tnumUNum(reg.varOff);
            if (readConstInto(d, map.initialValue, at, size, sx)) return;
          }
          setValueUnknown();
        }
        return;
      }
      case RegType.PTR_TO_MEM: {
        off += reg.off;
        if (write && reg.flags & MEM_RDONLY) this.err(`R${regno} cannot write into ${regTypeStr(reg.type, reg.flags)}`);
        this.checkMemRegion(regno, reg, off, size, reg.memSize, 'mem');
        setValueUnknown();
        return;
      }
      case RegType.PTR_TO_BUF: {
        off += reg.off;
        if (write && reg.flags & MEM_RDONLY) this.err(`R${regno} cannot write into ${regTypeStr(reg.type, reg.flags)}`);
        if (off < 0) this.err(`R${regno} invalid ${reg.flags & MEM_RDONLY ? 'rdonly' : 'rdwr'} buffer access: off=${off}, size=${size}`);
        if (!tnumIsZero(reg.varOff)) this.err(`R${regno} invalid variable buffer offset: off=${off}, var_off=${tnumStr(reg.varOff)}`);
        setValueUnknown();
        return;
      }
      case RegType.PTR_TO_CTX: {
        if (reg.off < 0) this.err(`negative offset ctx ptr R${regno} off=${reg.off} disallowed`);
        if (reg.off) this.err(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
        if (!tnumIsZero(reg.varOff)) {
          this.err(`variable ctx access var_off=${tnumStr(reg.varOff)} disallowed`);
        }
        const a = ctxAccess(this.prog.progType, off, size, write, sx, this.prog.expectedAttachType);
        if (!a.modeled && !this.ctxNoteGiven) {
          this.ctxNoteGiven = true;
          this.notes.push('ctx access rules for this program type are not modelled; ctx accesses assumed valid');
        }
        if (!a.ok || (sx && a.regType !== undefined)) this.err(`invalid bpf_context access off=${off} size=${size}`);
        if (!write && valueRegno >= 0) {
          const d = this.wreg(valueRegno);
          const btfArg = a.regType !== undefined ? undefined
            : this.prog.progType === ProgType.TRACING || this.prog.progType === ProgType.LSM ? tracingCtxArg(this.obj.targetBtf, this.prog, off)
              : this.prog.progType === ProgType.STRUCT_OPS ? structOpsCtxArg(this.obj.targetBtf, this.prog, off) : undefined;
          if (a.regType !== undefined) {
            markPtr(d, a.regType, a.flags ?? 0);
            if (a.flags && a.flags & PTR_MAYBE_NULL) d.id = ++this.idGen;
          } else if (btfArg?.buf) {
            markPtr(d, RegType.PTR_TO_BUF, PTR_MAYBE_NULL | (btfArg.buf === 'rdonly' ? MEM_RDONLY : 0));
            d.id = ++this.idGen;
          } else if (btfArg) {
            // arguments of BTF-attached programs are trusted BTF pointers (iterator objects may be NULL)
            markPtr(d, RegType.PTR_TO_BTF_ID, (btfArg.trusted === false ? 0 : PTR_TRUSTED) | (btfArg.maybeNull ? PTR_MAYBE_NULL : 0));
            d.btfId = btfArg.btfId;
            d.btfName = btfArg.name;
            if (btfArg.maybeNull) d.id = ++this.idGen;
          } else {
            setValueUnknown();
          }
        }
        return;
      }
      case RegType.PTR_TO_STACK: {
        off += reg.off;
        this.checkStackAccessBounds(regno, reg, off, size, t, false);
        if (write) this.stackWrite(reg, off, size, valueRegno, imm);
        else this.stackRead(reg, off, size, valueRegno, sx, regno);
        return;
      }
      case RegType.PTR_TO_PACKET:
      case RegType.PTR_TO_PACKET_META: {
        if (write && !this.mayWritePacket()) this.err('cannot write into packet');
        off += reg.off;
        this.checkPacketAccess(regno, reg, off, size);
        setValueUnknown();
        return;
      }
      case RegType.PTR_TO_FLOW_KEYS: {
        off += reg.off;
        if (off < 0 || off + size > 56) this.err(`invalid access to flow keys off=${off} size=${size}`);
        setValueUnknown();
        return;
      }
      case RegType.PTR_TO_SOCKET: case RegType.PTR_TO_SOCK_COMMON: case RegType.PTR_TO_TCP_SOCK: case RegType.PTR_TO_XDP_SOCK: {
        off += reg.off;
        if (write) this.err(`R${regno} cannot write into ${regTypeStr(reg.type, reg.flags)}`);
        if (!tnumIsConst(reg.varOff) || reg.off) this.err(`R${regno} invalid ${regTypeStr(reg.type, reg.flags)} access off=${off} size=${size}`);
        const sa = sockPtrAccess(reg.type, off, size); // netctx.ts: the kernel's per-field rules
        if (!sa.ok) this.err(`R${regno} invalid ${sa.name} access off=${off} size=${size}`);
        setValueUnknown();
        return;
      }
      case RegType.PTR_TO_BTF_ID: {
        off += reg.off;
        const walked = reg.btfId > 0 && !(reg.flags & MEM_ALLOC) ? this.obj.targetBtf : undefined;
        if (reg.flags & PTR_MAYBE_NULL) this.err(`R${regno} invalid mem access '${regTypeStr(reg.type, reg.flags)}'`);
        if (walked && !isGplCompatible(this.prog.license || this.obj.license)) {
          this.err(`Cannot access kernel 'struct ${reg.btfName ?? ''}' from non-GPL compatible program`);
        }
        if (off < 0) this.err(`R${regno} is ptr_${reg.btfName ?? ''} invalid negative access: off=${off}`);
        if (walked && !tnumIsConst(reg.varOff)) {
          this.err(`R${regno} is ptr_${reg.btfName ?? ''} invalid variable offset: off=${off}, var_off=${tnumStr(reg.varOff)}`);
        }
        if (write && !(reg.flags & MEM_ALLOC)) {
          // congestion controls (struct_ops) may store to a few tcp_sock fields
          if (this.prog.progType !== ProgType.STRUCT_OPS || reg.btfName !== 'tcp_sock') this.err(`only read is supported`);
          const why = tcpCaWriteError(this.obj.targetBtf, reg.btfId, off, size);
          if (why) this.err(why);
          return;
        }
        if (reg.flags & MEM_ALLOC) {
          // bpf_spin_lock, list/rbtree nodes and roots, bpf_refcount of an allocated object (graph.ts)
          const why = allocFieldAccessError(this.obj.btf, reg, off + tnumUNum(reg.varOff), size);
          if (why) this.err(why);
        }
        if (reg.flags & MEM_ALLOC && reg.memSize && off + tnumUNum(reg.varOff) + size > reg.memSize) {
          // bpf_obj_new objects (kfuncs.ts): a program-BTF struct of memSize bytes
          this.err(`access beyond struct ${reg.btfName ?? ''} at off ${off + tnumUNum(reg.varOff)} size ${size}`);
        }
        const w = walked ? walkBtfLoad(walked, reg.btfId, off + tnumUNum(reg.varOff), size) : { kind: 'scalar' as const };
        if (w.kind === 'error') this.err(w.message);
        if (!write && valueRegno >= 0) {
          const d = this.wreg(valueRegno);
          if (w.kind === 'ptr') {
            // a pointer read out of a BTF object: trusted/RCU only for the fields the kernel lists (kfuncs.ts)
            const inRcuCs = this.cur.rcuDepth > 0 || this.cur.activeLock !== 0 || !this.prog.sleepable;
            const fl = walkedPtrFlags(this.obj.targetBtf, reg, w.field, w.ptr.btfId, inRcuCs, w.untrusted);
            markPtr(d, RegType.PTR_TO_BTF_ID, fl);
            d.btfId = w.ptr.btfId;
            d.btfName = w.ptr.name;
            if (fl & PTR_MAYBE_NULL) d.id = ++this.idGen;
          } else {
            markUnknown(d);
            if (size < 8) coerceToSize(d, size);
          }
        }
        return;
      }
      case RegType.PTR_TO_TP_BUFFER: {
        off += reg.off;
        if (off < 0) this.err(`R${regno} invalid tracepoint buffer access: off=${off}, size=${size}`);
        setValueUnknown();
        return;
      }
      case RegType.PTR_TO_ARENA:
        setValueUnknown();
        return;
      case RegType.CONST_PTR_TO_MAP: {
        off += reg.off;
        if (off < 0) this.err(`R${regno} is ${mapStructName(reg.map?.type)} invalid negative access: off=${off}`);
        if (write) this.err(`only read from ${mapStructName(reg.map?.type)} is supported`);
        setValueUnknown();
        return;
      }
      default:
        this.err(`R${regno} invalid mem access '${regTypeStr(reg.type, reg.flags)}'`);
    }
  }

  private checkPtrAlignment(reg: RReg, off: number, size: number, strictOnce: boolean): void {
    let strict = strictOnce;
    let desc = '';
    // the kernel switches on the full type: a maybe-NULL pointer takes the generic case
    switch (reg.flags & PTR_MAYBE_NULL ? -1 : reg.type) {
      case RegType.PTR_TO_PACKET: case RegType.PTR_TO_PACKET_META: {
        if (!strict || size === 1) return;
        const al = tnumAdd(reg.varOff, tnumConstNum(reg.off + off));
        if ((al.vl | al.ml) & (size - 1)) {
          this.err(`misaligned packet access off 0+${tnumShort(reg.varOff)}+${reg.off}+${off} size ${size}`);
        }
        return;
      }
      case RegType.PTR_TO_FLOW_KEYS: desc = 'flow keys '; break;
      case RegType.PTR_TO_MAP_KEY: desc = 'key '; break;
      case RegType.PTR_TO_MAP_VALUE: desc = 'value '; break;
      case RegType.PTR_TO_CTX: desc = 'context '; break;
      case RegType.PTR_TO_STACK: desc = 'stack '; strict = true; break;
      case RegType.PTR_TO_SOCKET: desc = 'sock '; break;
      case RegType.PTR_TO_SOCK_COMMON: desc = 'sock_common '; break;
      case RegType.PTR_TO_TCP_SOCK: desc = 'tcp_sock '; break;
      case RegType.PTR_TO_XDP_SOCK: desc = 'xdp_sock '; break;
      case RegType.PTR_TO_ARENA: return;
      default: break;
    }
    if (!strict || size === 1) return;
    const al = tnumAdd(reg.varOff, tnumConstNum(reg.off + off));
    if ((al.vl | al.ml) & (size - 1)) {
      this.err(`misaligned ${desc}access off ${tnumShort(reg.varOff)}+${reg.off}+${off} size ${size}`);
    }
  }

  private mayWritePacket(): boolean {
    switch (this.prog.progType) {
      case ProgType.LWT_IN: case ProgType.LWT_OUT: case ProgType.LWT_SEG6LOCAL: case ProgType.SK_REUSEPORT:
      case ProgType.FLOW_DISSECTOR: case ProgType.CGROUP_SKB: case ProgType.SOCKET_FILTER:
        return false;
      default:
        return true;
    }
  }

  /** check_mem_region_access for map keys/values and mem regions. */
  private checkMemRegion(regno: number, reg: RReg, off: number, size: number, memSize: number, kind: 'key' | 'map' | 'mem', zeroOk = false): void {
    // (__check_mem_access: a zero size is fine where the helper allows one)
    const sizeOk = size > 0 || zeroOk;
    const smin = sminNum(reg); // a double: exact below 2^53, and only compared with small limits
    // smin < 0 with smin + off >= 0 means 0 <= smin + off < off: no int overflow to check
    if (reg.sminH < 0 && (sminIsMin(reg) || smin + off < 0)) {
      this.err(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    }
    const lo = smin + off;
    if (!(lo >= 0 && sizeOk && lo + size <= memSize)) {
      this.verbose(memRegionMsg(kind, memSize, sminOf(reg) + BigInt(off), size) + '\n');
      this.err(`R${regno} min value is outside of the allowed memory range`);
    }
    if (umaxNum(reg) >= BPF_MAX_VAR_OFF) this.err(`R${regno} unbounded memory access, make sure to bounds check any such access`);
    const hi = umaxNum(reg) + off;
    if (!(hi >= 0 && sizeOk && hi + size <= memSize)) {
      this.verbose(memRegionMsg(kind, memSize, BigInt(hi), size) + '\n');
      this.err(`R${regno} max value is outside of the allowed memory range`);
    }
  }

  private checkPacketAccess(regno: number, reg: RReg, off: number, size: number): void {
    if (reg.sminH < 0) this.err(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
    const ok = reg.range >= 0 && off >= 0 && off + size <= reg.range;
    if (!ok) {
      this.verbose(`invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${reg.off},r=${reg.range})\n`);
      this.err(`R${regno} offset is outside of the packet`);
    }
  }

  private checkStackAccessBounds(regno: number, reg: RReg, off: number, size: number, t: Access, helper: boolean): void {
    void helper;
    const extra = t === Access.READ ? ' read from' : ' write to';
    // doubles: exact below 2^53, and larger values fail the limit checks either way
    let minOff: number, maxOff: number;
    if (tnumIsConst(reg.varOff)) {
      minOff = tnumSNum(reg.varOff) + off;
      maxOff = minOff + size;
    } else {
      if (smaxNum(reg) >= BPF_MAX_VAR_OFF || sminNum(reg) <= -BPF_MAX_VAR_OFF) this.err(`invalid unbounded variable-offset${extra} stack R${regno}`);
      minOff = sminNum(reg) + off;
      maxOff = smaxNum(reg) + off + size;
    }
    if (minOff < -MAX_BPF_STACK || maxOff > 0 || size < 0) {
      if (tnumIsConst(reg.varOff)) this.err(`invalid${extra} stack R${regno} off=${off} size=${size}`);
      this.err(`invalid variable-offset${extra} stack R${regno} var_off=${tnumStr(reg.varOff)} off=${off} size=${size}`);
    }
    const fr = this.cur.frames[reg.frameno];
    const need = -minOff;
    growStack(fr, Math.ceil(need / 8));
    const sp = fr.subprog;
    const depth = Math.ceil(need / 8) * 8;
    if (depth > this.stackDepth[sp]) this.stackDepth[sp] = depth;
  }

  private stackWrite(ptr: RReg, off: number, size: number, valueRegno: number, imm?: number): void {
    const fr = this.cur.frames[ptr.frameno];
    if (!tnumIsConst(ptr.varOff)) {
      // variable-offset write: every byte it may touch becomes misc (zero stays zero for zero writes)
      const minOff = sminNum(ptr) + off, maxOff = smaxNum(ptr) + off + size;
      const value = valueRegno >= 0 ? this.regs[valueRegno] : knownScalar(imm ?? 0);
      const zero = value.type === RegType.SCALAR_VALUE && tnumIsZero(value.varOff);
      let zeroUsed = false;
      for (let i = minOff; i < maxOff; i++) {
        const slot = -i - 1, spi = slot >> 3;
        const s = fr.ws(spi);
        if (isSpilledReg(s)) { for (let j = 0; j < 8; j++) if (s.types[j] === Slot.SPILL) s.types[j] = Slot.MISC; markNotInit(s.spilled); }
        if (s.types[0] === Slot.DYNPTR) destroyIfDynptrSlot(this.kfuncHost(), fr, spi);
        if (s.types[0] === Slot.ITER) this.err(`potential write to dynptr at off=${i} disallowed`);
        const cur = s.types[slot & 7];
        if (!(zero && cur === Slot.ZERO)) s.types[slot & 7] = cur === Slot.INVALID ? Slot.MISC : Slot.MISC;
        else zeroUsed = true;
      }
      // zero bytes stay zero only because the value is zero: it must be precise
      if (zeroUsed && valueRegno >= 0) this.markPrecise(valueRegno);
      return;
    }
    off += tnumSNum(ptr.varOff);
    const slot = -off - 1;
    const spi = slot >> 3;
    this.noteStackAccess(ptr.frameno, spi);
    if (fr.stack[spi].types[0] === Slot.DYNPTR) destroyIfDynptrSlot(this.kfuncHost(), fr, spi);
    const value = valueRegno >= 0 ? this.regs[valueRegno] : undefined;
    if (size === 8 && value) {
      if (off % 8 !== 0) {
        if (value.type !== RegType.SCALAR_VALUE) this.err('invalid size of register spill');
      } else {
        // spill the register
        if (value.type === RegType.PTR_TO_STACK && ptr.frameno !== this.cur.cur) this.err('cannot spill pointers to stack into stack frame of the caller');
        // the whole slot is replaced: a new slot, no copy of the old one
        fr.setSlot(spi, [Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL], cloneReg(this.idBeforeSpill(valueRegno, 8)));
        return;
      }
    }
    if (size === 8 && !value && imm !== undefined && off % 8 === 0) {
      // BPF_ST of an immediate: spilled constant
      fr.setSlot(spi, [Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL, Slot.SPILL], knownScalar(imm));
      return;
    }
    if (value && value.type !== RegType.SCALAR_VALUE && size !== 8) {
      this.err('invalid size of register spill');
    }
    // partial write: the spilled register (if any) is destroyed
    const s = fr.ws(spi);
    const wasSpilled = isSpilledReg(s);
    if (wasSpilled) {
      for (let j = 0; j < 8; j++) if (s.types[j] === Slot.SPILL) s.types[j] = Slot.MISC;
      markNotInit(s.spilled);
    }
    let isZero = false;
    if (value) isZero = value.type === RegType.SCALAR_VALUE && tnumIsZero(value.varOff);
    else isZero = imm === 0;
    // narrow scalar spill: the kernel keeps a spilled copy for 4/2/1-byte writes of scalars
    // (check_stack_write_fixed_off: a scalar register, or a BPF_ST immediate, written at the start of
    // an 8-byte slot is saved whole with its low `size` bytes marked spilled; other bytes stay as above)
    if (((value && value.type === RegType.SCALAR_VALUE) || (!value && imm !== undefined)) && size < 8 && (slot & 7) === 7) {
      const v = value ? cloneReg(this.idBeforeSpill(valueRegno, size)) : knownScalar(imm!);
      if (value && !scalarFits(value, size)) v.id = 0; // a narrowing spill breaks the scalar's links
      s.spilled = v;
      for (let i = 0; i < size; i++) s.types[(slot - i) & 7] = Slot.SPILL;
      return;
    }
    // a plain write into a slot holding a spill makes all its written bytes misc, zeros too (scrub_special_slot)
    if (wasSpilled) for (let j = 0; j < 8; j++) if (s.types[j] === Slot.ZERO) s.types[j] = Slot.MISC;
    // a zero register written as bytes: the slot says zero only because the value is precisely zero
    if (isZero && value) this.markPrecise(valueRegno);
    for (let i = 0; i < size; i++) s.types[(slot - i) & 7] = isZero ? Slot.ZERO : Slot.MISC;
  }

  /**
   * A scalar spilled to an aligned slot whole (or narrowed without losing bits) gets an id first, so
   * the filled copy stays linked to the register (check_stack_write_fixed_off: assign_scalar_id_before_mov).
   */
  private idBeforeSpill(regno: number, size: number): RReg {
    const r = this.regs[regno];
    if (r.type !== RegType.SCALAR_VALUE || !scalarFits(r, size)) return r;
    if (!(r.id & ADD_CONST) && (r.id || tnumIsConst(r.varOff))) return r;
    const w = this.wreg(regno);
    unlinkAddConstBeforeMov(w);
    if (!w.id && !tnumIsConst(w.varOff)) w.id = ++this.idGen;
    return w;
  }

  private stackRead(ptr: RReg, off: number, size: number, dstRegno: number, sx: boolean, regno: number): void {
    // read-only: the stack is not written here (a fill writes the destination register only)
    const fr = this.cur.frames[ptr.frameno];
    if (!tnumIsConst(ptr.varOff)) {
      const minOff = sminNum(ptr) + off, maxOff = smaxNum(ptr) + off + size;
      let zeros = 0;
      for (let i = minOff; i < maxOff; i++) {
        const slot = -i - 1, spi = slot >> 3;
        const s = fr.stackRO[spi];
        const t = s.types[slot & 7];
        if (t === Slot.ZERO) zeros++;
        if (t === Slot.SPILL && s.spilled.type === RegType.SCALAR_VALUE && tnumIsZero(s.spilled.varOff)) zeros++;
      }
      void regno;
      if (dstRegno >= 0) {
        const d = this.wreg(dstRegno);
        if (zeros === maxOff - minOff) markKnownScalar(d, 0, 0);
        else { markUnknown(d); if (size < 8) coerceToSize(d, size); }
      }
      return;
    }
    off += tnumSNum(ptr.varOff);
    const slot = -off - 1;
    const spi = slot >> 3;
    const s = fr.stackRO[spi];
    this.noteStackAccess(ptr.frameno, spi);
    if (isSpilledReg(s) || s.types.some((t) => t === Slot.SPILL)) {
      let spillSize = 0;
      for (let i = 7; i >= 0 && s.types[i] === Slot.SPILL; i--) spillSize++;
      const fullSpill = isSpilledReg(s) && spillSize === 8;
      if (size !== 8 || !fullSpill) {
        if (isSpilledReg(s) && s.spilled.type !== RegType.SCALAR_VALUE) this.err('invalid size of register fill');
        if (dstRegno < 0) return;
        const d = this.wreg(dstRegno);
        if (isSpilledReg(s) && (slot & 7) === 7 && size <= spillSize) {
          // read of the low bytes (little endian: the slot's start) of a spilled scalar: a narrowing fill
          copyReg(d, s.spilled);
          if (size < 8) { if (!scalarFits(s.spilled, size)) d.id = 0; coerceToSize(d, size); }
          if (sx && size < 8) { markUnknown(d); signExtendLoad(d, size); }
          return;
        }
        let spill = 0, zero = 0;
        for (let i = 0; i < size; i++) {
          const t = s.types[(slot - i) & 7];
          if (t === Slot.SPILL) spill++;
          else if (t === Slot.ZERO) zero++;
          else if (t !== Slot.MISC && t !== Slot.INVALID) this.err(`invalid read from stack off ${off}+${i} size ${size}`);
        }
        if ((spill === size && tnumIsZero(s.spilled.varOff)) || zero === size) {
          markKnownScalar(d, 0, 0);
        } else {
          markUnknown(d);
          if (size < 8) { if (sx) signExtendLoad(d, size); else coerceToSize(d, size); }
        }
        return;
      }
      if (dstRegno >= 0) copyReg(this.wreg(dstRegno), s.spilled);
      return;
    }
    // check_stack_read_fixed_off: only misc, zero (and, privileged, invalid) bytes may be read;
    // dynptr, iterator and irq-flag slots are not readable as data
    for (let i = 0; i < size; i++) {
      const t = s.types[(slot - i) & 7];
      if (t !== Slot.MISC && t !== Slot.ZERO && t !== Slot.INVALID) this.err(`invalid read from stack off ${off}+${i} size ${size}`);
    }
    if (dstRegno < 0) return;
    const d = this.wreg(dstRegno);
    let zeros = 0;
    for (let i = 0; i < size; i++) if (s.types[(slot - i) & 7] === Slot.ZERO) zeros++;
    if (zeros === size) markKnownScalar(d, 0, 0);
    else {
      markUnknown(d);
      if (size < 8) { if (sx) signExtendLoad(d, size); else coerceToSize(d, size); }
    }
  }

  // ---- LD_IMM64 / LD_ABS --------------------------------------------------------------

  private checkLd(insn: Insn, idx: number): void {
    const mode = insn.code & 0xe0;
    if (mode === 0x20 || mode === 0x40) {
      this.checkLdAbs(insn);
      this.insnIdx++;
      return;
    }
    if (insn.code !== 0x18) this.err('invalid BPF_LD mode');
    if (insn.off !== 0) this.err('BPF_LD_IMM64 uses reserved fields');
    const dst = this.checkRegWrite(insn.dst);
    const hi = this.insns[idx + 1];
    switch (insn.src) {
      case 0: {
        markKnownScalar(dst, hi.imm, insn.imm);
        break;
      }
      case 1: case 5: {
        const map = this.obj.maps[insn.imm];
        if (!map) this.err(`fd ${insn.imm} is not pointing to valid bpf_map`);
        this.checkMapProgCompat(map);
        markPtr(dst, RegType.CONST_PTR_TO_MAP);
        dst.map = map;
        break;
      }
      case 2: case 6: {
        const map = this.obj.maps[insn.imm];
        if (!map) this.err(`fd ${insn.imm} is not pointing to valid bpf_map`);
        this.checkMapProgCompat(map);
        markPtr(dst, RegType.PTR_TO_MAP_VALUE);
        dst.map = map;
        dst.off = hi.imm;
        break;
      }
      case 4: {
        const target = idx + insn.imm + 1;
        const sp = this.subprogs.findIndex((s) => s.start === target);
        this.checkCallbackFuncInfo(sp);
        markPtr(dst, RegType.PTR_TO_FUNC);
        dst.subprogno = sp;
        break;
      }
      case 3: {
        markPtr(dst, RegType.PTR_TO_BTF_ID, PTR_TRUSTED);
        dst.btfId = insn.imm;
        break;
      }
      default:
        this.err('invalid BPF_LD_IMM insn');
    }
    this.insnIdx += 2;
  }

  /** check_ld_imm for BPF_PSEUDO_FUNC: callbacks need BTF func_info, a static function, not main. */
  private checkCallbackFuncInfo(sp: number): void {
    if (!this.prog.funcInfo.length) this.err('missing btf func_info');
    const fi = this.prog.funcInfo.find((f) => f.insnOff === this.subprogs[sp]?.start);
    const linkage = fi ? this.obj.btf?.types[fi.typeId]?.linkage : undefined;
    if (linkage !== undefined && linkage !== 0) this.err('callback function not static');
    if (sp === 0) this.err('callback function cannot be the main program');
  }

  private checkMapProgCompat(map: MapDef): void {
    const pt = this.prog.progType;
    if (this.spinLockOff(map) !== undefined) {
      if (pt === ProgType.SOCKET_FILTER) this.err('socket filter progs cannot use bpf_spin_lock yet');
      if ([ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE].includes(pt)) this.err('tracing progs cannot use bpf_spin_lock yet');
    }
  }

  private checkLdAbs(insn: Insn): void {
    const pt = this.prog.progType;
    if (![ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT].includes(pt)) {
      this.err('BPF_LD_[ABS|IND] instructions not allowed for this program type');
    }
    if (this.frame.inCallback) this.err('cannot use BPF_LD_[ABS|IND] within callback');
    const size = insn.code & 0x18;
    if (insn.dst !== 0 || insn.off !== 0 || size === 0x18 || ((insn.code & 0xe0) === 0x20 && insn.src !== 0)) {
      this.err('BPF_LD_[ABS|IND] uses reserved fields');
    }
    const r6 = this.checkRegRead(6);
    if ((insn.code & 0xe0) === 0x40) this.checkRegRead(insn.src);
    if (this.cur.refs.some((r) => r.kind === 'ptr')) this.err('BPF_LD_[ABS|IND] cannot be mixed with socket references');
    if (this.cur.activeLock) this.err('BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region');
    if (r6.type !== RegType.PTR_TO_CTX) {
      this.err(`at the time of BPF_LD_ABS|IND R6 != pointer to skb`);
    }
    for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
    markUnknown(this.wreg(0));
    // the kernel's check_ld_abs leaves R0 as an unknown scalar (the value is zero-extended by the JIT)
  }

  // ---- jumps, calls, exit ---------------------------------------------------------------

  private checkJmp(insn: Insn, idx: number): void {
    const op = insn.code & 0xf0;
    const cls = insn.code & 7;
    this.jmpsProcessed++;
    if (op === 0x00) {
      if (cls === 5) {
        if (insn.src !== 0 || insn.dst !== 0 || insn.imm !== 0) this.err('BPF_JA uses reserved fields');
        this.insnIdx += insn.off + 1;
      } else {
        if (insn.src !== 0 || insn.dst !== 0 || insn.off !== 0) this.err('BPF_JA uses reserved fields');
        this.insnIdx += insn.imm + 1;
      }
      return;
    }
    if (op === 0x80) {
      if (cls !== 5 || (insn.src !== 1 && insn.src !== 2 && insn.src !== 0) || insn.dst !== 0 ||
        (insn.src !== 2 && insn.off !== 0) || insn.code & 8) {
        this.err('BPF_CALL uses reserved fields');
      }
      // with a lock held: bpf_spin_unlock, static subprograms (global ones fail in the call) and the
      // graph/iter_num kfuncs (graph.ts)
      if (this.cur.activeLock && ((insn.src === 0 && insn.imm !== 94) ||
        (insn.src === 2 && (insn.off !== 0 || !kfuncAllowedUnderLock(this.kfuncName(idx) ?? ''))))) {
        this.err('function calls are not allowed while holding a lock');
      }
      if (insn.src === 1) this.checkFuncCall(insn, idx);
      else if (insn.src === 2) this.checkKfuncCall(insn, idx);
      else this.checkHelperCall(insn, idx);
      return;
    }
    if (op === 0x90) {
      if (cls !== 5 || insn.src !== 0 || insn.dst !== 0 || insn.off !== 0 || insn.imm !== 0 || insn.code & 8) {
        this.err('BPF_EXIT uses reserved fields');
      }
      this.processExit(idx);
      return;
    }
    if (op === 0xe0) {
      if (insn.code !== 0xe5 || insn.src !== 0 || insn.dst !== 0 || insn.imm !== 0) {
        this.err(`invalid may_goto imm ${insn.imm}`);
      }
      const br = this.pushPath(idx + 1, idx, false);
      br.mayGotoDepth++;
      this.widenLoopState(br, idx);
      this.insnIdx += insn.off + 1;
      this.cur.path = { insn: idx, taken: true, prev: this.cur.path };
      return;
    }
    if (op > 0xe0) this.err(`invalid BPF_JMP/JMP32 opcode ${(op >> 4).toString(16)}`);
    this.checkCondJmp(insn, idx);
  }

  private checkCondJmp(insn: Insn, idx: number): void {
    const op = insn.code & 0xf0;
    const regs = this.regs;
    this.checkRegRead(insn.dst);
    let dst = regs[insn.dst];
    let src: RReg;
    if (insn.code & 8) {
      if (insn.imm !== 0) this.err('BPF_JMP/JMP32 uses reserved fields');
      this.checkRegRead(insn.src);
      src = regs[insn.src];
    } else {
      if (insn.src !== 0) this.err('BPF_JMP/JMP32 uses reserved fields');
      markKnownScalarNum(JMP_IMM_REG, insn.imm);
      src = JMP_IMM_REG;
    }
    const jmp32 = (insn.code & 7) === 6;
    let hflags = dst.type === RegType.PTR_TO_STACK ? HF_DST_STACK : 0;
    if (insn.code & 8 && src.type === RegType.PTR_TO_STACK) hflags |= HF_SRC_STACK;
    if (hflags) this.pushHist(hflags);
    const pred = isBranchTaken(dst, src, op, jmp32);
    if (pred >= 0) {
      // the branch was decided by the values: they must be precise in the states this path came from
      if (dst.type === RegType.SCALAR_VALUE) this.markPrecise(insn.dst);
      if (insn.code & 8 && src.type === RegType.SCALAR_VALUE) this.markPrecise(insn.src);
    }
    if (pred === 1) {
      this.insnIdx += insn.off + 1;
      this.cur.path = { insn: idx, taken: true, prev: this.cur.path };
      return;
    }
    if (pred === 0) {
      this.insnIdx++;
      this.cur.path = { insn: idx, taken: false, prev: this.cur.path };
      return;
    }
    // scalars sharing an id with a compared one gain range here: precision follows them (history)
    if ((insn.code & 8 && src.type === RegType.SCALAR_VALUE && src.id) || (dst.type === RegType.SCALAR_VALUE && dst.id)) {
      const linked: number[] = [];
      if (insn.code & 8 && src.type === RegType.SCALAR_VALUE && src.id) this.linkedRegs(src.id, linked);
      if (dst.type === RegType.SCALAR_VALUE && dst.id) this.linkedRegs(dst.id, linked);
      if (linked.length > 1) this.pushHist(0, linked);
    }
    const other = this.pushPath(idx + insn.off + 1, idx, true);
    this.cur.path = { insn: idx, taken: false, prev: this.cur.path };
    // Both states now share the register objects (state.ts): the refined ones are un-shared, the
    // other source first so that a register compared with itself stays one object; dst and src
    // are read again afterwards.
    const of = other.frames[other.cur], cf = this.frame;
    const oregs = of.regs;
    if (dst.type === RegType.SCALAR_VALUE && src.type === RegType.SCALAR_VALUE) {
      if (insn.code & 8) {
        const od = of.w(insn.dst), os = of.w(insn.src);
        const cd = cf.w(insn.dst), cs = cf.w(insn.src);
        this.regSetMinMax(od, os, cd, cs, op, jmp32);
        src = regs[insn.src];
      } else {
        const fake1 = JMP_FAKE1, fake2 = JMP_FAKE2;
        markKnownScalarNum(fake1, insn.imm);
        markKnownScalarNum(fake2, insn.imm);
        this.regSetMinMax(of.w(insn.dst), fake1, cf.w(insn.dst), fake2, op, jmp32);
      }
      dst = regs[insn.dst];
    }
    if ((insn.code & 8) && src.type === RegType.SCALAR_VALUE && src.id) {
      syncLinked(this.cur, src);
      syncLinked(other, oregs[insn.src]);
    }
    if (dst.type === RegType.SCALAR_VALUE && dst.id) {
      syncLinked(this.cur, dst);
      syncLinked(other, oregs[insn.dst]);
    }
    if (!jmp32 && (insn.code & 8) && isPtrValue(src) && isPtrValue(dst) && src.type !== RegType.PTR_TO_BTF_ID && dst.type !== RegType.PTR_TO_BTF_ID) {
      const eq = op === 0x10 ? of : op === 0x50 ? cf : undefined;
      if (eq) {
        // read again: the first line may have changed them (when eq is this state)
        if (regNotNull(regs[insn.dst]) && regs[insn.src].flags & PTR_MAYBE_NULL) markPtrNotNull(eq.w(insn.src));
        if (regNotNull(regs[insn.src]) && regs[insn.dst].flags & PTR_MAYBE_NULL) markPtrNotNull(eq.w(insn.dst));
      }
      dst = regs[insn.dst]; src = regs[insn.src];
    }
    if (!jmp32 && !(insn.code & 8) && insn.imm === 0 && (op === 0x10 || op === 0x50) && dst.flags & PTR_MAYBE_NULL) {
      this.markPtrOrNullRegs(this.cur, insn.dst, op === 0x50);
      this.markPtrOrNullRegs(other, insn.dst, op === 0x10);
    } else if (insn.code & 8 && !jmp32) {
      this.tryMatchPktPointers(insn, dst, regs[insn.src], this.cur, other);
    }
    this.insnIdx++;
  }

  private regSetMinMax(t1: Reg, t2: Reg, f1: Reg, f2: Reg, op: number, jmp32: boolean): void {
    if (f1.type !== RegType.SCALAR_VALUE || f2.type !== RegType.SCALAR_VALUE) return;
    refineCond(f1, f2, revOpcode(op), jmp32);
    regBoundsSync(f1); regBoundsSync(f2);
    refineCond(t1, t2, op, jmp32);
    regBoundsSync(t1); regBoundsSync(t2);
  }

  private markPtrOrNullRegs(st: VState, regno: number, isNull: boolean): void {
    const regs = st.frames[st.cur].regs;
    const id = regs[regno].id;
    const refObjId = regs[regno].refObjId;
    if (isNull && refObjId && refObjId === id) {
      // a NULL acquired pointer holds nothing (slices of a dynptr carry its reference under another id)
      st.refs = st.refs.filter((r) => r.id !== refObjId);
    }
    forEachReg(st, (r) => {
      if (r.type === RegType.SCALAR_VALUE || !(r.flags & PTR_MAYBE_NULL) || r.id !== id || !id) return;
      if (isNull) {
        markKnownScalar(r, 0, 0);
      } else {
        r.flags &= ~PTR_MAYBE_NULL;
        if (r.type === RegType.PTR_TO_MAP_VALUE && r.map?.inner) {
          // a map-in-map lookup yields the inner map once checked (mark_ptr_or_null_reg)
          const inner = r.map.inner;
          markPtr(r, RegType.CONST_PTR_TO_MAP);
          r.map = inner;
        } else if (r.type === RegType.PTR_TO_MAP_VALUE && r.map && SOCK_LOOKUP_MAPS.has(r.map.type)) {
          // sockmap/sockhash lookups yield the socket, xskmap lookups the xdp socket
          r.type = r.map.type === MapType.XSKMAP ? RegType.PTR_TO_XDP_SOCK : RegType.PTR_TO_SOCKET;
        } else if (r.type === RegType.PTR_TO_MAP_VALUE && !mapHasSpinLock(r.map, this.obj.btf)) r.id = 0;
        else if (r.type === RegType.PTR_TO_BTF_ID && !(r.flags & MEM_ALLOC)) r.id = 0;
      }
    }, (r) => r.type !== RegType.SCALAR_VALUE && (r.flags & PTR_MAYBE_NULL) !== 0 && r.id === id && id !== 0);
  }

  private tryMatchPktPointers(insn: Insn, dst: RReg, src: RReg, thisSt: VState, other: VState): void {
    const op = insn.code & 0xf0;
    const P = RegType.PTR_TO_PACKET, E = RegType.PTR_TO_PACKET_END, M = RegType.PTR_TO_PACKET_META;
    const initPkt = (r: RReg): boolean => r.type === P && r.off === 0 && tnumIsZero(r.varOff);
    const fwd = (dst.type === P && src.type === E) || (dst.type === M && initPkt(src));
    const rev = (dst.type === E && src.type === P) || (initPkt(dst) && src.type === M);
    switch (op) {
      case 0x20: // JGT
        if (fwd) { findGoodPkt(thisSt, dst, false); markPktEnd(other, insn.dst, true); }
        else if (rev) { findGoodPkt(other, src, true); markPktEnd(thisSt, insn.src, false); }
        break;
      case 0xa0: // JLT
        if (fwd) { findGoodPkt(other, dst, true); markPktEnd(thisSt, insn.dst, false); }
        else if (rev) { findGoodPkt(thisSt, src, false); markPktEnd(other, insn.src, true); }
        break;
      case 0x30: // JGE
        if (fwd) { findGoodPkt(thisSt, dst, true); markPktEnd(other, insn.dst, false); }
        else if (rev) { findGoodPkt(other, src, false); markPktEnd(thisSt, insn.src, true); }
        break;
      case 0xb0: // JLE
        if (fwd) { findGoodPkt(other, dst, false); markPktEnd(thisSt, insn.dst, true); }
        else if (rev) { findGoodPkt(thisSt, src, true); markPktEnd(other, insn.src, false); }
        break;
      default:
        break;
    }
  }

  // ---- helper calls ---------------------------------------------------------------------

  private checkHelperCall(insn: Insn, idx: number): void {
    const id = insn.imm;
    const fn = helperProto(id, this.prog.progType);
    if (id === 0) this.err('program of this type cannot use helper bpf_unspec#0'); // in range, no prototype
    if (!fn || id <= 0) this.err(`invalid func ${helperName(id)}#${id}`);
    if (!fn.progTypes.has(this.prog.progType) || helperWithheld(fn.name, this.prog, this.obj.targetBtf) || netHelperWithheld(fn.name, this.prog) || lockedDownHelper(fn.name, this.opts.lockdown) || helperConfiguredOut(fn.name, this.opts.target)) this.err(`program of this type cannot use helper ${fn.name}#${id}`);
    const cfgNote = helperConfigNote(fn.name, this.opts.target);
    if (cfgNote && !this.notes.includes(cfgNote)) this.notes.push(cfgNote);
    if (fn.gplOnly && !isGplCompatible(this.prog.license || this.obj.license)) {
      this.err('cannot call GPL-restricted function from non-GPL compatible program');
    }
    if (fn.mightSleep && !this.prog.sleepable) this.err('helper call might sleep in a non-sleepable prog');
    if (fn.mightSleep && this.cur.rcuDepth) this.err(`sleepable helper ${fn.name}#${id} in rcu_read_lock region`);
    if (fn.mightSleep && this.cur.refs.some((r) => r.kind === 'preempt')) this.err(`sleepable helper ${fn.name}#${id} in non-preemptible region`);
    const meta: CallMeta = { rawMode: false, releaseRegno: 0, refObjId: 0, funcId: id };
    for (let i = 0; i < 5; i++) {
      const a = fn.args[i];
      if (!a) break;
      this.checkFuncArg(fn, i, a.kind, a.base, a.flags, a.size, meta);
    }
    // bpf_kptr_xchg with a field holding a bpf_obj_new object (graph.ts)
    const localKptr = fn.name === 'bpf_kptr_xchg' ? localKptrXchg(this.obj.btf, this.obj.targetBtf, this.regs[1], this.regs[2]) : undefined;
    if (typeof localKptr === 'string') this.err(localKptr);
    // bpf_kptr_xchg with a field holding a kernel object (kptr.ts)
    const kernelKptr = fn.name === 'bpf_kptr_xchg' && !localKptr ? kernelKptrXchg(this.obj.btf, this.obj.targetBtf, this.regs[1], this.regs[2]) : undefined;
    if (typeof kernelKptr === 'string') this.err(kernelKptr);
    // release
    if (meta.releaseDynptr) {
      releaseDynptr(this.kfuncHost(), meta.releaseRegno);
    } else if (meta.releaseRegno) {
      const r = this.regs[meta.releaseRegno];
      if (r.refObjId) this.releaseReference(r.refObjId);
      else if (!(r.type === RegType.SCALAR_VALUE && (r.umaxH | r.umaxL) === 0)) {
        this.err(`func ${fn.name}#${id} reference has not been acquired before`);
      }
    }
    this.checkMapFuncCompat(meta.map, fn);
    if (fn.name === 'bpf_dynptr_from_mem' && this.regs[1].type !== RegType.PTR_TO_MAP_VALUE) {
      // check_helper_call: a local dynptr wraps map values only (not stack or other memory)
      this.err(`Unsupported reg type ${regTypeStr(this.regs[1].type, this.regs[1].flags)} for bpf_dynptr_from_mem data`);
    }
    if (fn.name === 'bpf_tail_call') {
      if (this.cur.activeLock) this.err('tail_call cannot be used inside bpf_spin_lock-ed region');
      // check_reference_leak looks only in the main frame: a subprogram may tail call while its caller holds a reference
      if (this.frame.frameno === 0 && this.cur.refs.some((r) => r.kind === 'ptr')) this.err('tail_call would lead to reference leak');
      if (this.cur.rcuDepth) this.err('tail_call cannot be used inside bpf_rcu_read_lock-ed region');
      // record_func_key: a constant in-range index is remembered, so it must be precise
      const r3 = this.regs[3];
      if (meta.map && r3.type === RegType.SCALAR_VALUE && tnumIsConst(r3.varOff) && tnumUNum(r3.varOff) < meta.map.maxEntries) this.markPrecise(3);
    }
    const isCallback = fn.args.some((a) => a.base === 'ARG_PTR_TO_FUNC');
    const regs = this.regs;
    // the callback body is verified as if called here
    if (isCallback && meta.subprogno !== undefined && meta.subprogno >= 0) {
      this.pushCallback(fn, idx, meta);
      return;
    }
    // is_ptr_cast_function: a socket cast of a referenced socket carries its reference (released
    // with either pointer, and both die with it)
    const castRef = PTR_CAST_HELPERS.has(fn.name) ? this.regs[1].refObjId : 0;
    for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
    this.setHelperReturn(fn, meta, idx);
    if (castRef && this.regs[0].type !== RegType.SCALAR_VALUE) this.wreg(0).refObjId = castRef;
    if (localKptr) {
      const refId = ++this.idGen;
      this.cur.refs.push({ id: refId, insn: idx, kind: 'ptr' });
      markLocalKptr(this.wreg(0), localKptr, refId);
    }
    if (kernelKptr) {
      // the old object, maybe NULL, as an acquired reference
      const refId = ++this.idGen;
      this.cur.refs.push({ id: refId, insn: idx, kind: 'ptr' });
      const r0 = this.wreg(0);
      markPtr(r0, RegType.PTR_TO_BTF_ID, PTR_MAYBE_NULL);
      r0.btfId = kernelKptr.btfId;
      r0.btfName = kernelKptr.name;
      r0.id = refId;
      r0.refObjId = refId;
    }
    if (PKT_CHANGING.has(fn.name) || (fn.name === 'bpf_dynptr_write' && meta.dynptr?.type === 'skb')) {
      // clear_all_pkt_pointers: packet pointers and slices of skb/xdp dynptrs (dynptr.ts)
      forEachReg(this.cur, (r) => { if (isPktAny(r) || isPktDynptrSlice(r)) markUnknown(r); }, (r) => isPktAny(r) || isPktDynptrSlice(r));
    }
    this.insnIdx++;
  }

  private setHelperReturn(fn: HelperProto, meta: CallMeta, idx: number): void {
    const r0 = this.wreg(0);
    const rk = fn.ret.base;
    const maybeNull = fn.ret.flags.includes('PTR_MAYBE_NULL');
    switch (rk) {
      case 'RET_INTEGER':
        markUnknown(r0);
        if (meta.msize !== undefined && SIZE_BOUNDED_RET.has(fn.name)) {
          // do_refine_retval_range: these return at most the buffer size, or a negative errno
          // msize < BPF_MAX_VAR_OFF (checked with the size argument)
          r0.smaxH = 0; r0.smaxL = meta.msize | 0;
          r0.s32max = meta.msize | 0;
          r0.sminH = -1; r0.sminL = -MAX_ERRNO;
          r0.s32min = -MAX_ERRNO;
          regBoundsSync(r0);
        }
        if (fn.name === 'bpf_get_smp_processor_id') {
          // do_refine_retval_range: [0, nr_cpu_ids - 1]; without the target's possible CPUs, the most
          // nr_cpu_ids can be (CONFIG_NR_CPUS maximum on x86-64) bounds it soundly
          const max = smpProcessorIdMax(this.opts.target);
          r0.uminH = 0; r0.uminL = 0; r0.umaxH = 0; r0.umaxL = max;
          r0.sminH = 0; r0.sminL = 0; r0.smaxH = 0; r0.smaxL = max;
          r0.u32min = 0; r0.u32max = max; r0.s32min = 0; r0.s32max = max;
          regBoundsSync(r0);
        }
        break;
      case 'RET_VOID':
        markNotInit(r0);
        break;
      case 'RET_PTR_TO_MAP_VALUE': {
        if (!meta.map) this.err(`kernel subsystem misconfigured verifier`);
        const elide = fn.name === 'bpf_map_lookup_elem' && (meta.map.type === MapType.ARRAY || meta.map.type === MapType.PERCPU_ARRAY) &&
          meta.constKey !== undefined && meta.constKey < meta.map.maxEntries;
        const nul = maybeNull && !elide;
        markPtr(r0, RegType.PTR_TO_MAP_VALUE, nul ? PTR_MAYBE_NULL : 0);
        r0.map = meta.map;
        if (nul || this.spinLockOff(meta.map) !== undefined) r0.id = ++this.idGen;
        break;
      }
      case 'RET_PTR_TO_SOCKET': case 'RET_PTR_TO_TCP_SOCK': case 'RET_PTR_TO_SOCK_COMMON': {
        const t = rk === 'RET_PTR_TO_SOCKET' ? RegType.PTR_TO_SOCKET : rk === 'RET_PTR_TO_TCP_SOCK' ? RegType.PTR_TO_TCP_SOCK : RegType.PTR_TO_SOCK_COMMON;
        markPtr(r0, t, maybeNull ? PTR_MAYBE_NULL : 0);
        if (maybeNull) r0.id = ++this.idGen;
        break;
      }
      case 'RET_PTR_TO_MEM': {
        markPtr(r0, RegType.PTR_TO_MEM, (maybeNull ? PTR_MAYBE_NULL : 0) | (fn.ret.flags.includes('MEM_RINGBUF') ? MEM_RINGBUF : 0) |
          (fn.ret.flags.includes('MEM_RDONLY') ? MEM_RDONLY : 0));
        r0.memSize = meta.constSize !== undefined ? meta.constSize : 0;
        if (maybeNull) r0.id = ++this.idGen;
        if (fn.name === 'bpf_dynptr_data' && meta.dynptr) {
          // a slice: gone with its dynptr (and its reference, for ring buffer dynptrs)
          r0.dynptrId = meta.dynptr.id;
          r0.refObjId = meta.dynptr.refObjId;
        }
        break;
      }
      case 'RET_PTR_TO_BTF_ID': case 'RET_PTR_TO_MEM_OR_BTF_ID': {
        markPtr(r0, RegType.PTR_TO_BTF_ID, (maybeNull ? PTR_MAYBE_NULL : 0) | (fn.ret.flags.includes('PTR_TRUSTED') ? PTR_TRUSTED : 0));
        r0.btfName = retBtfName(fn.name);
        // the struct's id in the kernel's BTF, so loads through the result walk its members
        r0.btfId = kernelStructId(this.obj.targetBtf, r0.btfName);
        if (maybeNull) r0.id = ++this.idGen;
        break;
      }
      default:
        markUnknown(r0);
    }
    if (isAcquireHelper(fn) || (fn.name === 'bpf_map_lookup_elem' && meta.map && (meta.map.type === MapType.SOCKMAP || meta.map.type === MapType.SOCKHASH))) {
      const id = ++this.idGen;
      r0.id = id; // mark_ptr_or_null_regs releases the reference on the NULL branch by this id
      r0.refObjId = id;
      this.cur.refs.push({ id, insn: idx, kind: 'ptr' });
    }
    if (fn.name === 'bpf_get_smp_processor_id' || fn.name === 'bpf_get_numa_node_id') {
      // bounded helpers are plain integers for the kernel too
    }
  }

  private releaseReference(id: number): void {
    const i = this.cur.refs.findIndex((r) => r.id === id);
    if (i < 0) this.err(`verifier internal error: reference ${id} not found`);
    this.cur.refs.splice(i, 1);
    forEachReg(this.cur, (r) => { if (r.refObjId === id) markUnknown(r); }, (r) => r.refObjId === id);
  }

  private checkFuncArg(fn: HelperProto, arg: number, kind: string, base: string, flags: string[], fixedSize: number | undefined, meta: CallMeta): void {
    const regno = arg + 1;
    const reg = this.checkRegRead(regno);
    if (base === 'ARG_ANYTHING' || base === 'ARG_DONTCARE') return;
    const maybeNull = flags.includes('PTR_MAYBE_NULL');
    if (isPktPointer(reg.type) && !helperPktAccess(fn.name, this.prog.progType)) this.err('helper access to the packet is not allowed');
    // resolve_map_arg_type: a sockmap/sockhash value is the socket itself
    if (base === 'ARG_PTR_TO_MAP_VALUE' && meta.map && (meta.map.type === MapType.SOCKMAP || meta.map.type === MapType.SOCKHASH)) {
      if (kind !== 'ARG_PTR_TO_MAP_VALUE') this.err('invalid arg_type for sockmap/sockhash');
      base = 'ARG_PTR_TO_BTF_ID_SOCK_COMMON';
      kind = base;
      flags = [];
    }
    const isRelease = flags.includes('OBJ_RELEASE');
    // type compatibility
    const compat = compatibleTypes(base);
    if (compat) {
      let ok = false;
      let flagsCmp = reg.flags;
      if (flags.includes('MEM_RDONLY')) flagsCmp &= ~MEM_RDONLY;
      if (maybeNull) flagsCmp &= ~PTR_MAYBE_NULL;
      const zeroScalar = reg.type === RegType.SCALAR_VALUE && tnumIsZero(reg.varOff);
      if (maybeNull && zeroScalar) ok = true;
      for (const [t, f] of compat) if (reg.type === t && flagsCmp === f) ok = true;
      // (an untrusted BTF pointer is in no list of compatible types)
      if (!ok && reg.type === RegType.PTR_TO_BTF_ID && !(reg.flags & PTR_UNTRUSTED) && compat.some(([t]) => t === RegType.PTR_TO_BTF_ID)) ok = true;
      if (!ok) {
        const exp = compat.map(([t, f]) => regTypeStr(t, f)).join(', ');
        this.err(`R${regno} type=${regTypeStr(reg.type, reg.flags)} expected=${exp}`);
      }
      if (reg.type === RegType.PTR_TO_BTF_ID && MEM_ARG_BASES.has(base) && !flags.includes('MEM_RDONLY')) {
        // check_reg_type: kernel objects are memory arguments only for helpers that just read them
        this.err(`${fn.name}() may write into memory pointed by R${regno} type=${regTypeStr(reg.type, reg.flags)}`);
      }
      if (reg.type === RegType.PTR_TO_BTF_ID && reg.flags & PTR_MAYBE_NULL && (!maybeNull || isRelease)) {
        this.err(`Possibly NULL pointer passed to helper arg${regno}`);
      }
      if (reg.type === RegType.PTR_TO_BTF_ID && !(reg.flags & MEM_ALLOC) && fn.name !== 'bpf_kptr_xchg') {
        // check_reg_type: the struct pointed to must be the argument's (or start with it)
        const need = base === 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' ? 'sock_common' : base === 'ARG_PTR_TO_BTF_ID' ? fn.args[arg].btfType : undefined;
        const why = helperBtfArgMismatch(this.obj.targetBtf, reg, need, isRelease && fn.name !== 'bpf_sk_release');
        if (why) this.err(`R${regno} ${why}`);
      }
      if (maybeNull && zeroScalar) {
        this.markPrecise(regno); // NULL for a nullable argument
        if (base === 'ARG_PTR_TO_MEM' || base === 'ARG_PTR_TO_MAP_VALUE') { meta.rawMode = false; }
        return;
      }
    }
    if (isRelease && reg.type !== RegType.SCALAR_VALUE && reg.type !== RegType.PTR_TO_STACK && reg.off !== 0) {
      // check_func_arg_reg_off: a released pointer must be the one acquired, not inside it
      this.err(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
    }
    if (base === 'ARG_PTR_TO_DYNPTR') {
      // dynptr.ts: process_dynptr_func, and the release of a referenced (ring buffer) dynptr
      const h = this.kfuncHost();
      if (isRelease) { checkDynptrReleasable(h, regno); meta.releaseRegno = regno; meta.releaseDynptr = true; }
      const ty = /^DYNPTR_TYPE_(LOCAL|RINGBUF|SKB|XDP)$/.exec(flags.find((f) => f.startsWith('DYNPTR_TYPE_')) ?? '')?.[1];
      processDynptrArg(h, regno, this.insnIdx, {
        uninit: flags.includes('MEM_UNINIT'), rdonly: flags.includes('MEM_RDONLY'), type: ty?.toLowerCase() as DynptrType | undefined,
      });
      if (!flags.includes('MEM_UNINIT') && !meta.dynptr) meta.dynptr = dynptrOf(h, this.regs[regno]);
      return;
    }
    if (isRelease) {
      if (!reg.refObjId) {
        if (reg.type === RegType.PTR_TO_MEM && reg.flags & MEM_RINGBUF || reg.type !== RegType.SCALAR_VALUE) {
          this.err(`R${regno} must be referenced when passed to release function`);
        }
      }
      meta.releaseRegno = regno;
    }
    if (reg.refObjId && !isRelease) {
      // passing a referenced pointer to a helper is fine
    }
    switch (base) {
      case 'ARG_CONST_MAP_PTR':
        meta.map = reg.map;
        return;
      case 'ARG_PTR_TO_MAP_KEY': {
        if (!meta.map) this.err('invalid map_ptr to access map->key');
        this.checkHelperMem(regno, meta.map.keySize, false, meta, true, false, false);
        if (reg.type === RegType.PTR_TO_STACK) {
          meta.constKey = this.constantMapKey(reg, meta.map.keySize);
          // an array lookup with a constant key relies on the spilled constant (get_constant_map_key)
          if (meta.constKey !== undefined && (meta.map.type === MapType.ARRAY || meta.map.type === MapType.PERCPU_ARRAY)) {
            const spi = (-(reg.off + tnumSNum(reg.varOff)) - 1) >> 3;
            const slot = this.cur.frames[reg.frameno].stack[spi];
            if (slot && isSpilledReg(slot) && slot.spilled.type === RegType.SCALAR_VALUE) this.markPreciseSlot(reg.frameno, spi);
          }
        }
        return;
      }
      case 'ARG_PTR_TO_MAP_VALUE': {
        if (maybeNull && reg.type === RegType.SCALAR_VALUE) return;
        if (!meta.map) this.err('invalid map_ptr to access map->value');
        // bpf_map_pop_elem/peek_elem's value: MEM_UNINIT | MEM_WRITE, a BPF_WRITE access
        this.checkHelperMem(regno, meta.map.valueSize, false, meta, true, false, flags.includes('MEM_WRITE') || flags.includes('MEM_UNINIT'));
        return;
      }
      case 'ARG_PTR_TO_MEM': {
        meta.memWrite = helperWritesMem(fn.name, arg + 1, flags);
        if (flags.includes('MEM_FIXED_SIZE')) {
          this.checkHelperMem(regno, fixedSize ?? 0, flags.includes('MEM_UNINIT'), meta, false);
          // MEM_ALIGNED (bpf_strtol/strtoul results): the memory must be aligned to its size
          if (flags.includes('MEM_ALIGNED')) this.checkPtrAlignment(this.regs[regno], 0, fixedSize ?? 0, true);
          return;
        }
        meta.rawMode = flags.includes('MEM_UNINIT');
        return; // checked with the following size argument
      }
      case 'ARG_CONST_SIZE':
      case 'ARG_CONST_SIZE_OR_ZERO': {
        this.checkMemSizeReg(regno, base === 'ARG_CONST_SIZE_OR_ZERO', meta);
        return;
      }
      case 'ARG_CONST_ALLOC_SIZE_OR_ZERO': {
        if (!tnumIsConst(reg.varOff)) this.err(`R${regno} is not a known constant'`);
        meta.constSize = tnumUNum(reg.varOff);
        this.markPrecise(regno);
        return;
      }
      case 'ARG_PTR_TO_FUNC':
        meta.subprogno = reg.subprogno;
        return;
      case 'ARG_PTR_TO_STACK':
        return;
      case 'ARG_PTR_TO_CONST_STR':
        this.checkConstStrArg(regno);
        return;
      case 'ARG_PTR_TO_TIMER': {
        // process_timer_func (the checks bpfls can be sure of: a timer found nested or in an array
        // of structs is not looked for, so a missing one is not reported)
        if (!tnumIsConst(reg.varOff)) this.err(`R${regno} doesn't have constant offset. bpf_timer has to be at the constant offset`);
        if (reg.map && !reg.map.btfValueTypeId) this.err(`map '${reg.map.name}' has to have BTF in order to use bpf_timer`);
        const timerOff = reg.map ? specialFieldOffset(this.obj.btf, reg.map, 'bpf_timer') : undefined;
        const off = reg.off + tnumUNum(reg.varOff);
        if (timerOff !== undefined && off !== timerOff) this.err(`off ${off} doesn't point to 'struct bpf_timer' that is at ${timerOff}`);
        return;
      }
      case 'ARG_PTR_TO_SPIN_LOCK': {
        if (this.inRbtreeCb()) this.err("can't spin_{lock,unlock} in rbtree cb");
        if (!tnumIsConst(reg.varOff)) this.err(`R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
        if (reg.type === RegType.PTR_TO_BTF_ID) {
          // a lock inside a bpf_obj_new object (graph.ts)
          const why = allocSpinLockError(this.obj.btf, reg);
          if (why) this.err(why);
        }
        const lockOff = reg.map ? this.spinLockOff(reg.map) : reg.type === RegType.PTR_TO_BTF_ID ? reg.off + tnumUNum(reg.varOff) : undefined;
        // libbpf retries a map creation the kernel refuses with BTF (a lock in a map type that
        // cannot hold one, e.g. LRU hash) without BTF: the verifier then sees a BTF-less map
        if (reg.map && (!reg.map.btfValueTypeId || (lockOff !== undefined && !SPIN_LOCK_MAPS.has(reg.map.type)))) {
          this.err(`map '${reg.map.name}' has to have BTF in order to use bpf_spin_lock`);
        }
        if (lockOff === undefined) this.err(`map '${reg.map?.name ?? ''}' has no valid bpf_spin_lock`);
        const off = reg.off + tnumUNum(reg.varOff);
        if (off !== lockOff) this.err(`off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${lockOff}`);
        if (fn.name === 'bpf_spin_lock') {
          if (this.cur.activeLock) this.err('Locks acquired: cannot take a lock more than once, already held');
          // the lock is known by its allocation (map, or program BTF for objects) and register id (graph.ts)
          const lk = lockIdentity(this.obj.btf, reg);
          this.cur.activeLock = lk.id;
          this.cur.activeLockPtr = lk.ptr;
        } else {
          if (!this.cur.activeLock) this.err('bpf_spin_unlock without taking a lock');
          const lk = lockIdentity(this.obj.btf, reg);
          if (this.cur.activeLock !== lk.id || this.cur.activeLockPtr !== lk.ptr) this.err('bpf_spin_unlock of different lock');
          invalidateNonOwningRefs(this.cur);
          this.cur.activeLock = 0;
          this.cur.activeLockPtr = undefined;
        }
        return;
      }
      case 'ARG_PTR_TO_CTX':
        if (reg.off < 0) this.err(`negative offset ctx ptr R${regno} off=${reg.off} disallowed`);
        if (reg.off) this.err(`dereference of modified ctx ptr R${regno} off=${reg.off} disallowed`);
        return;
      default:
        return;
    }
  }

  /** check_reg_const_str: a NUL-terminated string in a frozen read-only map */
  private checkConstStrArg(regno: number): void {
    const reg = this.regs[regno];
    if (reg.type !== RegType.PTR_TO_MAP_VALUE || !reg.map) this.err(`R${regno} type=${regTypeStr(reg.type, reg.flags)} expected=map_value`);
    const map = reg.map;
    if (!(map.flags & BPF_F_RDONLY_PROG) || !map.frozen) this.err(`R${regno} does not point to a readonly map'`);
    if (!tnumIsConst(reg.varOff)) this.err(`R${regno} is not a constant address'`);
    const off = reg.off + tnumUNum(reg.varOff);
    const data = map.initialValue;
    if (!data || off >= data.length) this.err('direct value access on string failed');
    if (data.indexOf(0, off) < 0) this.err('string is not zero-terminated');
  }

  private spinLockOff(map: MapDef): number | undefined {
    return specialFieldOffset(this.obj.btf, map, 'bpf_spin_lock') ?? datasecSpinLockOff(this.obj.btf, map);
  }

  /** get_constant_map_key: the key's value when the stack holds a known constant there */
  private constantMapKey(key: RReg, keySize: number): number | undefined {
    if (!tnumIsConst(key.varOff)) return undefined;
    const stackOff = key.off + tnumSNum(key.varOff);
    const slot = -stackOff - 1;
    const spi = slot >> 3, o = slot & 7;
    const s = this.cur.frames[key.frameno].stack[spi];
    if (!s) return undefined;
    let zero = 0;
    for (let i = o; i >= 0 && s.types[i] === Slot.ZERO; i--) zero++;
    if (zero >= keySize) return 0;
    if (!isSpilledReg(s) || s.spilled.type !== RegType.SCALAR_VALUE) return undefined;
    let spill = 0;
    for (let i = o; i >= 0 && s.types[i] === Slot.SPILL; i--) spill++;
    if (spill !== keySize) return undefined;
    if (!tnumIsConst(s.spilled.varOff)) return undefined;
    return tnumUNum(s.spilled.varOff); // a double: compared with max_entries only
  }

  /** check_mem_size_reg: the size argument that follows a memory argument */
  private checkMemSizeReg(regno: number, zeroOk: boolean, meta: CallMeta): void {
    const reg = this.regs[regno];
    if (reg.type !== RegType.SCALAR_VALUE) this.err(`R${regno} type=${regTypeStr(reg.type, reg.flags)} expected=scalar`);
    if (reg.sminH < 0) this.err(`R${regno} min value is negative, either use unsigned or 'var &= const'`);
    if ((reg.uminH | reg.uminL) === 0 && !zeroOk) this.err(`R${regno} invalid zero-sized read: u64=[${sminOf(reg)},${smaxOf(reg)}]`);
    if (umaxNum(reg) >= BPF_MAX_VAR_OFF) this.err(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
    meta.msize = umaxNum(reg);
    this.markPrecise(regno);
    // (a zero size still checks the pointer: a stack pointer's whole range must lie in the stack)
    this.checkHelperMem(regno - 1, umaxNum(reg), meta.rawMode, meta, false, zeroOk);
    meta.memWrite = false;
  }

  /** check_helper_mem_access: a helper reads or writes `size` bytes at register regno */
  private checkHelperMem(regno: number, size: number, rawMode: boolean, meta: CallMeta, isMapArg: boolean, zeroOk = false, writeAccess?: boolean): void {
    // the access type: BPF_WRITE for MEM_UNINIT and for MEM_WRITE arguments (helper_write_access.c)
    const write = rawMode || (writeAccess ?? meta.memWrite === true);
    if (size === 0 && !zeroOk) this.err('invalid zero-sized read');
    const reg = this.regs[regno];
    const t = reg.type;
    switch (t) {
      case RegType.PTR_TO_PACKET: case RegType.PTR_TO_PACKET_META:
        this.checkPacketAccess(regno, reg, reg.off, size);
        return;
      case RegType.PTR_TO_MAP_KEY:
        if (write) this.err(`R${regno} cannot write into ${regTypeStr(reg.type, reg.flags)}`);
        this.checkMemRegion(regno, reg, reg.off, size, reg.map!.keySize, 'key', zeroOk);
        return;
      case RegType.PTR_TO_MAP_VALUE: {
        const map = reg.map!;
        if (write && map.flags & BPF_F_RDONLY_PROG) this.err(`write into map forbidden, value_size=${map.valueSize} off=${reg.off} size=${size}`);
        if (!write && map.flags & BPF_F_WRONLY_PROG) this.err(`read from map forbidden, value_size=${map.valueSize} off=${reg.off} size=${size}`);
        this.checkMemRegion(regno, reg, reg.off, size, map.valueSize, 'map', zeroOk);
        return;
      }
      case RegType.PTR_TO_MEM:
        if (write && reg.flags & MEM_RDONLY) this.err(`R${regno} cannot write into ${regTypeStr(reg.type, reg.flags)}`);
        this.checkMemRegion(regno, reg, reg.off, size, reg.memSize, 'mem', zeroOk);
        return;
      case RegType.PTR_TO_BUF:
        return;
      case RegType.PTR_TO_CTX:
        return;
      case RegType.PTR_TO_STACK:
        this.checkStackRange(regno, reg, size, rawMode, isMapArg, !rawMode && meta.memWrite === true);
        return;
      case RegType.PTR_TO_BTF_ID: {
        // check_ptr_to_btf_access(BPF_READ) of the whole size at the register's offset
        if (reg.off < 0) this.err(`R${regno} is ptr_${reg.btfName ?? ''} invalid negative access: off=${reg.off}`);
        if (!tnumIsConst(reg.varOff)) this.err(`R${regno} is ptr_${reg.btfName ?? ''} invalid variable offset: off=${reg.off}, var_off=${tnumStr(reg.varOff)}`);
        if (reg.btfId > 0 && !(reg.flags & MEM_ALLOC)) {
          const w = walkBtfLoad(this.obj.targetBtf, reg.btfId, reg.off + tnumUNum(reg.varOff), size);
          if (w.kind === 'error') this.err(w.message);
        }
        return;
      }
      default: {
        if (t === RegType.SCALAR_VALUE && tnumIsZero(reg.varOff) && size === 0) return;
        this.err(`R${regno} type=${regTypeStr(reg.type, reg.flags)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`);
      }
    }
  }

  /** check_stack_range_initialized */
  private checkStackRange(regno: number, reg: RReg, size: number, rawMode: boolean, isMapArg: boolean, clobber = false): void {
    void isMapArg;
    const off = reg.off;
    this.checkStackAccessBounds(regno, reg, off, size, rawMode ? Access.WRITE : Access.READ, true);
    const fr = this.cur.frames[reg.frameno];
    let minOff: number, maxOff: number;
    if (tnumIsConst(reg.varOff)) {
      minOff = maxOff = tnumSNum(reg.varOff) + off;
    } else {
      minOff = sminNum(reg) + off;
      maxOff = smaxNum(reg) + off;
    }
    if (rawMode) {
      // a helper's writes may not alias a dynptr (check_stack_range_initialized, raw_mode)
      for (let i = minOff; i < maxOff + size; i++) {
        const s = fr.stackRO[(-i - 1) >> 3];
        if (s && s.types[(-i - 1) & 7] === Slot.DYNPTR) this.err(`potential write to dynptr at off=${i} disallowed`);
      }
      // a helper writes the range: it becomes initialised (misc)
      for (let i = minOff; i < maxOff + size; i++) {
        const slot = -i - 1, spi = slot >> 3;
        // nothing changes for a byte already misc in an unspilled slot: keep the stack shared
        const s0 = fr.stackRO[spi];
        if (!isSpilledReg(s0) && (!tnumIsConst(reg.varOff) || s0.types[slot & 7] === Slot.MISC)) continue;
        const s = fr.ws(spi);
        if (isSpilledReg(s) && s.spilled.type !== RegType.SCALAR_VALUE) { markNotInit(s.spilled); }
        // the first byte written into a spilled slot scrubs it: zeros become misc too (scrub_special_slot)
        const scrub = tnumIsConst(reg.varOff) ? [Slot.SPILL, Slot.ZERO] : [Slot.SPILL];
        if (isSpilledReg(s)) for (let j = 0; j < 8; j++) s.types[j] = scrub.includes(s.types[j]) ? Slot.MISC : s.types[j];
        if (tnumIsConst(reg.varOff)) s.types[slot & 7] = Slot.MISC;
      }
      return;
    }
    for (let i = minOff; i < maxOff + size; i++) {
      const slot = -i - 1, spi = slot >> 3;
      const s = fr.stackRO[spi];
      const tp = s.types[slot & 7];
      if (tp === Slot.MISC || tp === Slot.ZERO) continue;
      if (tp === Slot.SPILL) {
        if (s.spilled.type === RegType.SCALAR_VALUE) continue;
        // pointers spilled on the stack may be read by helpers when privileged
        continue;
      }
      if (tp === Slot.INVALID) continue; // allow_uninit_stack for privileged loads
      // (6.18 words helper reads like direct ones: no " indirect")
      if (tnumIsConst(reg.varOff)) this.err(`invalid read from stack R${regno} off ${minOff}+${i - minOff} size ${size}`);
      this.err(`invalid read from stack R${regno} var_off ${tnumStr(reg.varOff)}+${i - minOff} size ${size}`);
    }
    if (clobber) this.clobberStackRange(fr, minOff, maxOff + size);
  }

  /**
   * A helper writes [from, to) of the stack (check_stack_range_initialized with BPF_WRITE): zero
   * and uninitialised bytes become misc, a spilled register becomes an unknown scalar and its slot misc.
   */
  private clobberStackRange(fr: Frame, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const slot = -i - 1, spi = slot >> 3;
      const t = fr.stackRO[spi].types[slot & 7];
      if (t === Slot.MISC) continue;
      const s = fr.ws(spi);
      if (t === Slot.ZERO || t === Slot.INVALID) { s.types[slot & 7] = Slot.MISC; continue; }
      if (isSpilledReg(s)) {
        markUnknown(s.spilled);
        for (let j = 0; j < 8; j++) if (s.types[j] !== Slot.INVALID) s.types[j] = Slot.MISC;
      }
    }
  }

  private checkMapFuncCompat(map: MapDef | undefined, fn: HelperProto): void {
    if (!map) return;
    const fname = fn.name;
    const bad = (): never => this.err(`cannot pass map_type ${map.type} into func ${fname}#${fn.id}`);
    const t = map.type;
    const allowed = ALLOWED_FUNCS_FOR_MAP[t];
    if (allowed && !allowed.includes(fname)) {
      // a few helpers take any map
      if (!['bpf_map_lookup_percpu_elem'].includes(fname)) bad();
    }
    if ((t === MapType.SOCKMAP || t === MapType.SOCKHASH) && (fname === 'bpf_map_update_elem' || fname === 'bpf_map_delete_elem') &&
      !mayUpdateSockmap(this.prog, fname)) {
      this.verbose('cannot update sockmap in this context\n');
      bad();
    }
    const needs = MAPS_FOR_FUNC[fname];
    if (fname === 'bpf_tail_call' && t !== MapType.PROG_ARRAY) this.err('expected prog array map for tail call');
    if (needs && !needs.includes(t)) bad();
  }

  // ---- callbacks ------------------------------------------------------------------------

  private pushCallback(fn: HelperProto, idx: number, meta: CallMeta): void {
    // Verify the callback body once in a new frame (as the kernel does for bpf_loop and friends,
    // with callback state convergence); the caller then continues with R0 unknown.
    const sp = meta.subprogno!;
    const callerRegs = this.regs.map(cloneReg);
    // bpf_rbtree_add's less() is verified once per call: it cannot reach the caller's stack nor keep
    // references, so further calls would see the same state (its exit ends the path, processExit)
    const async = fn.name === 'bpf_timer_set_callback' || fn.name === 'bpf_rbtree_add_impl';
    if (fn.name === 'bpf_loop') {
      // the iteration count decides when bpf_loop is done: R1 is precise, and the callback is
      // entered at most umax(R1) times along one path (callback_depth of the calling frame)
      this.markPrecise(1);
      if (this.frame.callbackDepth >= umaxNum(this.regs[1])) {
        this.frame.callbackDepth = 0;
        if (this.logLevel >= 2) this.verbose(`frame${this.cur.cur} bpf_loop iteration limit reached\n`);
        for (let i = 1; i <= 5; i++) markNotInit(this.wreg(i));
        markUnknown(this.wreg(0));
        this.insnIdx = idx + 1;
        return;
      }
    }
    if (this.cur.frames.length >= MAX_CALL_FRAMES) this.err(`the call stack of ${this.cur.frames.length + 1} frames is too deep`);
    // continuation in the caller after the callback finishes
    const cont = this.pushPath(idx + 1, idx, false);
    const cf = cont.frames[cont.cur];
    for (let i = 0; i <= 5; i++) markNotInit(cf.w(i));
    markUnknown(cf.w(0));
    // push_callback_call: the path through the callback counts one more call from this frame, the
    // path going on past the call starts over
    if (!async) { cont.frames[cont.cur].callbackDepth = 0; this.frame.callbackDepth++; this.cur.callbackUnrollDepth++; }
    if (fn.name === 'bpf_loop' || fn.name === 'bpf_for_each_map_elem' || fn.name === 'bpf_user_ringbuf_drain' || fn.name === 'bpf_find_vma') {
      // R0 range of bpf_loop: number of iterations, unknown scalar
    }
    // callee frame
    const f = newFrame(idx, sp, this.cur.frames.length);
    f.inCallback = true;
    f.inAsyncCallback = fn.name === 'bpf_timer_set_callback';
    if (f.inAsyncCallback) this.asyncCbs.add(sp);
    f.callbackRet = f.inAsyncCallback ? { min: 0n, max: 0n } : { min: 0n, max: 1n };
    const r = f.ownRegs(); // a new frame: its registers are its own
    markPtr(r[10], RegType.PTR_TO_STACK);
    r[10].frameno = f.frameno;
    const ctxArg = callerRegs[3];
    switch (fn.name) {
      case 'bpf_loop':
        // set_loop_callback_state: the index is declared u32 but the kernel gives the callback an
        // unbounded 64-bit scalar (no 32-bit zero extension), so `buf[index ^ k >> 32]` is unbounded
        markUnknown(r[1]);
        copyReg(r[2], ctxArg);
        break;
      case 'bpf_for_each_map_elem': {
        const map = callerRegs[1].map!;
        markPtr(r[1], RegType.CONST_PTR_TO_MAP); r[1].map = map;
        markPtr(r[2], RegType.PTR_TO_MAP_KEY); r[2].map = map;
        markPtr(r[3], RegType.PTR_TO_MAP_VALUE); r[3].map = map;
        copyReg(r[4], ctxArg);
        break;
      }
      case 'bpf_timer_set_callback': {
        const mapv = callerRegs[1];
        markPtr(r[1], RegType.CONST_PTR_TO_MAP); r[1].map = mapv.map;
        markPtr(r[2], RegType.PTR_TO_MAP_KEY); r[2].map = mapv.map;
        markPtr(r[3], RegType.PTR_TO_MAP_VALUE); r[3].map = mapv.map;
        break;
      }
      case 'bpf_rbtree_add_impl':
        meta.cbSetup?.(f); // set_rbtree_add_callback_state (graph.ts)
        break;
      case 'bpf_user_ringbuf_drain':
        // set_user_ringbuf_callback_state: each sample is a local dynptr the callback may read, not release
        markPtr(r[1], RegType.CONST_PTR_TO_DYNPTR);
        r[1].id = ++this.idGen;
        r[1].dynptrType = 'local';
        copyReg(r[2], ctxArg);
        break;
      default:
        for (let i = 1; i <= 5; i++) markUnknown(r[i]);
        copyReg(r[2], ctxArg);
    }
    this.cur.frames.push(f);
    this.cur.cur = f.frameno;
    // as the kernel's push_callback_call: the callee state is queued and the caller goes on first
    // (so the caller's own errors, and later callbacks, are found before this callback's)
    const caller = this.pending.pop()!;
    this.pending.push({ state: this.cur, insn: this.subprogs[sp].start, prev: idx, logPos: this.logLevel === 1 ? this.logChars : undefined });
    this.cur = caller.state;
    this.insnIdx = caller.insn;
    this.printStateNext = true;
  }

  /**
   * prepare_func_exit for a synchronous callback: the callee frame is dropped and the caller
   * resumes at the call instruction itself; scalars that changed since the previous visit of that
   * call on this path and are not precise are widened (widen_imprecise_scalars), so the repeated
   * calls converge.
   */
  private returnFromCallback(f: Frame): void {
    const st = this.cur;
    st.frames.pop();
    st.cur--;
    const caller = st.frames[st.cur];
    if (this.logLevel) {
      this.verbose(`returning from callee:\n${this.frameStr(f)}\nto caller at ${f.callsite}:\n${this.frameStr(caller)}\n`);
      this.fromNext = this.insnIdx;
    }
    this.insnIdx = f.callsite;
    this.widenSince(st, st.parent, f.callsite);
  }

  // ---- bpf-to-bpf calls -----------------------------------------------------------------

  private globalOf(sp: number): { name: string; args: GlobalArg[]; invalid?: string } | undefined {
    const start = this.subprogs[sp]?.start;
    const fi = this.prog.funcInfo.find((f) => f.insnOff === start);
    return fi ? globalFunc(this.obj.btf, fi.typeId) : undefined;
  }

  private globalsCalled = new Set<number>();
  private verifyingGlobal = -1;

  private checkFuncCall(insn: Insn, idx: number): void {
    const target = idx + insn.imm + 1;
    const sp = this.subprogs.findIndex((s) => s.start === target);
    if (sp < 0) this.err(`verifier bug. No program starts at insn ${target}`);
    const g = sp > 0 ? this.globalOf(sp) : undefined;
    if (g) {
      if (this.cur.activeLock) this.err('global function calls are not allowed while holding a lock,\nuse static function instead');
      if (g.invalid) {
        this.verbose(`${g.invalid}\n`);
        this.err(`Caller passes invalid args into func#${sp} ('${g.name}')`);
      }
      const regs = this.regs;
      g.args.forEach((a, i) => {
        const r = regs[i + 1];
        const bad = (why: string): never => {
          this.verbose(why + '\n');
          this.err(`Caller passes invalid args into func#${sp} ('${g.name}')`);
        };
        if (r.type === RegType.NOT_INIT) this.err(`R${i + 1} !read_ok`);
        if (a.kind === 'scalar' && r.type !== RegType.SCALAR_VALUE) bad(`R${i + 1} is not a scalar`);
        // check_func_arg_reg_off: the ctx is passed unmodified
        if (a.kind === 'ctx' && r.type === RegType.PTR_TO_CTX && (r.off !== 0 || !tnumIsZero(r.varOff))) {
          bad(`dereference of modified ctx ptr R${i + 1} off=${r.off} disallowed`);
        }
        if (a.kind === 'ctx' && r.type !== RegType.PTR_TO_CTX) bad(`arg#${i} expects pointer to ctx`);
        // check_mem_reg: only syscall programs may hand their ctx out as memory
        if (a.kind === 'mem' && r.type === RegType.PTR_TO_CTX && this.prog.progType !== ProgType.SYSCALL) {
          bad(`R${i + 1} type=ctx expected=fp`);
        }
        if (a.kind === 'mem') {
          if (!a.nonNull && r.type === RegType.SCALAR_VALUE && tnumIsZero(r.varOff)) return;
          if (a.nonNull && r.type !== RegType.SCALAR_VALUE && r.flags & PTR_MAYBE_NULL) bad(`arg#${i} is expected to be non-NULL`);
          try {
            this.checkHelperMem(i + 1, a.size, false, { rawMode: false, releaseRegno: 0, refObjId: 0, funcId: 0 }, false);
            // check_mem_reg: the callee may also write the memory
            this.checkHelperMem(i + 1, a.size, true, { rawMode: true, releaseRegno: 0, refObjId: 0, funcId: 0 }, false);
          } catch (e) {
            if (e instanceof VerifierError) bad(e.message);
            throw e;
          }
        }
      });
      this.globalsCalled.add(sp);
      this.verbose(`Func#${sp} ('${g.name}') is global and assumed valid.\n`);
      for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
      markUnknown(this.wreg(0));
      this.insnIdx++;
      return;
    }
    if (this.cur.frames.length >= MAX_CALL_FRAMES) this.err(`the call stack of ${this.cur.frames.length + 1} frames is too deep`);
    const caller = this.frame;
    const f = newFrame(idx, sp, this.cur.frames.length);
    for (let i = 1; i <= 5; i++) copyReg(f.w(i), caller.regs[i]);
    markPtr(f.w(10), RegType.PTR_TO_STACK);
    f.w(10).frameno = f.frameno;
    for (let i = 0; i <= 5; i++) markNotInit(caller.w(i));
    this.cur.frames.push(f);
    this.cur.cur = f.frameno;
    if (this.logLevel) {
      this.verbose(`caller:\n${this.frameStr(caller)}\ncallee:\n${this.frameStr(f)}\n`);
      this.printStateNext = true; // the callee's state opens its first instruction
    }
    this.insnIdx = target;
  }

  private frameStr(f: Frame): string {
    return frameLogStr(this.cur, f, this.obj.targetBtf);
  }

  /** The kfunc's name: from the target BTF, or from the loader's note when it could not resolve it. */
  kfuncName(idx: number): string | undefined {
    const insn = this.insns[idx];
    const t = insn.imm > 0 ? this.obj.targetBtf?.types[insn.imm] : undefined;
    if (t?.name) return t.name;
    const p = this.prog.problems.find((x) => x.insn === idx);
    return p ? /'([^']+)'/.exec(p.message)?.[1] : undefined;
  }

  private checkKfuncCall(insn: Insn, idx: number): void {
    if (insn.imm === 0 && insn.off === 0) {
      // an unresolved __weak kfunc: skipped here, refused after verification if reachable
      if (this.unresolvedKfuncAt < 0 || idx < this.unresolvedKfuncAt) this.unresolvedKfuncAt = idx;
      this.insnIdx++;
      return;
    }
    const name = this.kfuncName(idx);
    if (!name) this.err('invalid kernel function call not eliminated in verifier pass');
    const regs = this.regs;
    // kfuncs' constant and size arguments are used for their values; not knowing which those are
    // for every kfunc, every scalar argument counts as used that way (sound, may prune less)
    if (!KFUNC_NO_SCALAR_ARGS.test(name)) {
      let mask = 0;
      for (let r = 1; r <= 5; r++) if (regs[r].type === RegType.SCALAR_VALUE) mask |= 1 << r;
      if (mask) this.markPreciseRegs(mask);
    }
    if (name === 'bpf_iter_num_new' || name === 'bpf_iter_num_next' || name === 'bpf_iter_num_destroy') {
      this.iterNumCall(name, idx);
      return;
    }
    if (name === 'bpf_throw') {
      this.throwExit(idx);
      return;
    }
    // kfuncs.ts: arguments from the BTF prototype and KF_* flags, references, R0
    const kres = checkKfunc(this.kfuncHost(), name, insn.imm, idx);
    if (kres === 'callback') return; // now in the callback's frame (pushCallback)
    if (kres === 'unmodelled') {
      if (!this.kfuncNoteGiven) {
        this.kfuncNoteGiven = true;
        this.notes.push(`kfunc ${name}: prototype not modelled; arguments assumed valid, result an unknown scalar`);
      }
      for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
      markUnknown(this.wreg(0));
    }
    this.insnIdx++;
  }

  private kfuncNoteGiven = false;

  /** in_rbtree_lock_required_cb: this frame or one it was called from is bpf_rbtree_add's less() */
  private inRbtreeCb(): boolean {
    const st = this.cur;
    for (let i = st.cur; i > 0; i--) {
      const f = st.frames[i];
      if (f.inCallback && this.kfuncName(f.callsite) === 'bpf_rbtree_add_impl') return true;
    }
    return false;
  }

  /** The verifier state kfuncs.ts and dynptr.ts work on. */
  private kfuncHost(): KfuncHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const v = this;
    return {
      get cur() { return v.cur; },
      get regs() { return v.regs; },
      wreg: (regno: number) => this.wreg(regno),
      prog: this.prog,
      targetBtf: this.obj.targetBtf,
      progBtf: this.obj.btf,
      nextId: () => ++this.idGen,
      err: (m: string) => this.err(m),
      acquireRef: (insn: number) => { const id = ++this.idGen; this.cur.refs.push({ id, insn, kind: 'ptr' }); return id; },
      releaseRef: (id: number) => this.releaseReference(id),
      stackWrite8: (regno: number, off: number) => this.checkMemAccess(regno, off, 8, Access.WRITE, -1, false, false),
      checkRegRead: (regno: number) => this.checkRegRead(regno),
      checkMem: (regno: number, size: number) => this.kfuncMemArg(regno, size, undefined),
      checkMemSize: (sizeRegno: number) => this.kfuncMemArg(sizeRegno - 1, 0, sizeRegno),
      checkConstStr: (regno: number) => this.checkConstStrArg(regno),
      note: (m: string) => { if (!this.notes.includes(m)) this.notes.push(m); },
      iterNextFork: (frameno: number, spis: number[]) => {
        const q = this.pushPath(this.insnIdx + 1, this.insnIdx, false);
        for (const x of spis) q.frames[frameno].ws(x).spilled.iterState = 'drained';
        const qf = q.frames[q.cur];
        for (let i = 0; i <= 5; i++) markNotInit(qf.w(i));
        markKnownScalar(qf.w(0), 0, 0);
      },
      iterWiden: () => this.widenLoopState(this.cur, this.insnIdx),
      verbose: (m: string) => this.verbose(m),
      inRbtreeCb: () => this.inRbtreeCb(),
      pushRbtreeCallback: (subprogno: number, setup: (f: Frame) => void) => {
        const fn = { name: 'bpf_rbtree_add_impl', id: 0, gplOnly: false, ret: { kind: 'RET_INTEGER', base: 'RET_INTEGER', flags: [] }, args: [], progTypes: new Set<number>() };
        this.pushCallback(fn, this.insnIdx, { rawMode: false, releaseRegno: 0, refObjId: 0, funcId: 0, subprogno, cbSetup: setup });
      },
      pushAsyncCallback: (subprogno: number) => {
        const fn = { name: 'bpf_timer_set_callback', id: 0, gplOnly: false, ret: { kind: 'RET_INTEGER', base: 'RET_INTEGER', flags: [] }, args: [], progTypes: new Set<number>() };
        this.pushCallback(fn, this.insnIdx, { rawMode: false, releaseRegno: 0, refObjId: 0, funcId: 0, subprogno });
      },
    };
  }

  /** check_mem_reg / check_kfunc_mem_size_reg: memory a kfunc reads and writes (NULL-able pointers checked as not NULL) */
  private kfuncMemArg(regno: number, size: number, sizeRegno: number | undefined): void {
    const reg = this.wreg(regno); // its flags change for the checks below
    const saved = reg.flags;
    if (reg.type !== RegType.SCALAR_VALUE) reg.flags &= ~PTR_MAYBE_NULL;
    try {
      const meta: CallMeta = { rawMode: false, releaseRegno: 0, refObjId: 0, funcId: 0 };
      if (sizeRegno !== undefined) this.checkMemSizeReg(sizeRegno, true, meta);
      else this.checkHelperMem(regno, size, false, meta, false);
      if (reg.type !== RegType.PTR_TO_STACK) {
        // the BPF_WRITE pass (the stack is not marked written by a kfunc's memory argument)
        const wmeta: CallMeta = { rawMode: true, releaseRegno: 0, refObjId: 0, funcId: 0 };
        if (sizeRegno !== undefined) this.checkMemSizeReg(sizeRegno, true, wmeta);
        else this.checkHelperMem(regno, size, true, wmeta, false);
      }
    } finally {
      reg.flags = saved;
    }
  }

  /** Open-coded numeric iterator: bpf_iter_num_new / _next / _destroy on a stack slot. */
  private iterNumCall(name: string, idx: number): void {
    const regs = this.regs;
    const r1 = this.checkRegRead(1);
    if (r1.type !== RegType.PTR_TO_STACK || !tnumIsConst(r1.varOff)) this.err('arg#0 expected pointer to an iterator on stack');
    const off = r1.off + tnumSNum(r1.varOff);
    if (off % 8 !== 0 || off < -MAX_BPF_STACK || off >= 0) this.err('arg#0 expected pointer to an iterator on stack');
    const fr = this.cur.frames[r1.frameno];
    const spi = (-off - 1) >> 3;
    growStack(fr, spi + 1);
    const depth = (spi + 1) * 8;
    if (depth > this.stackDepth[fr.subprog]) this.stackDepth[fr.subprog] = depth;
    const slot = fr.stack[spi];
    const isIter = slot.types[0] === Slot.ITER;
    if (name === 'bpf_iter_num_new') {
      if (isIter) this.err('expected uninitialized iter_num as arg #0');
      this.checkRegRead(2); this.checkRegRead(3);
      const id = ++this.idGen;
      this.cur.refs.push({ id, insn: idx, kind: 'ptr' });
      const it = notInit();
      it.refObjId = id;
      it.iterState = 'active';
      it.iterDepth = 0;
      fr.setSlot(spi, [Slot.ITER, Slot.ITER, Slot.ITER, Slot.ITER, Slot.ITER, Slot.ITER, Slot.ITER, Slot.ITER], it);
      for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
      markUnknown(this.wreg(0));
      this.insnIdx++;
      return;
    }
    if (!isIter) this.err('expected an initialized iter_num as arg #0');
    if (name === 'bpf_iter_num_destroy') {
      const id = slot.spilled.refObjId;
      this.cur.refs = this.cur.refs.filter((r) => r.id !== id);
      fr.setSlot(spi, [0, 0, 0, 0, 0, 0, 0, 0], notInit());
      for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
      this.insnIdx++;
      return;
    }
    // next (process_iter_next_call): the path with an element is queued (one level deeper, its
    // imprecise scalars widened against the previous iteration); this path goes on drained (NULL)
    if (slot.spilled.iterState === 'active') {
      const q = this.pushPath(idx + 1, idx, false);
      const qs = q.frames[r1.frameno].ws(spi).spilled;
      qs.iterDepth = (qs.iterDepth ?? 0) + 1;
      this.widenLoopState(q, idx);
      const qf = q.frames[q.cur];
      for (let i = 0; i <= 5; i++) markNotInit(qf.w(i));
      markPtr(qf.w(0), RegType.PTR_TO_MEM, MEM_RDONLY);
      qf.w(0).memSize = 4;
      fr.ws(spi).spilled.iterState = 'drained'; // (the queued state took a copy: un-shared)
      for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
      markKnownScalar(this.wreg(0), 0, 0);
    } else {
      for (let i = 0; i <= 5; i++) markNotInit(this.wreg(i));
      markKnownScalar(this.wreg(0), 0, 0);
    }
    this.insnIdx++;
  }

  private processExit(idx: number): void {
    const st = this.cur;
    const f = this.frame;
    const where = st.cur > 0 ? (f.inCallback ? 'callback' : 'subprog') : 'main prog';
    const rbtreeCb = f.inCallback && this.kfuncName(f.callsite) === 'bpf_rbtree_add_impl';
    if (st.activeLock && (st.cur === 0 || f.inCallback) && !rbtreeCb) this.err(`BPF_EXIT instruction in ${where} cannot be used inside bpf_spin_lock-ed region`);
    if (st.rcuDepth && (st.cur === 0 || f.inCallback)) this.err(`BPF_EXIT instruction in ${where} cannot be used inside bpf_rcu_read_lock-ed region`);
    if (st.cur === 0 && st.refs.some((r) => r.kind === 'preempt')) this.err('BPF_EXIT instruction in main prog cannot be used inside bpf_preempt_disable-ed region');
    if (st.cur === 0 && st.refs.some((r) => r.kind === 'irq')) this.err('BPF_EXIT instruction in main prog cannot be used inside bpf_local_irq_save-ed region');
    if (st.cur > 0) {
      // return from a subprogram or callback: R0 is handed back unchecked (the caller's read is
      // what fails), as after a tail call in a subprogram whose result the caller ignores
      const r0 = this.regs[0];
      if (f.inCallback) {
        if (r0.type !== RegType.SCALAR_VALUE) this.err('R0 not a scalar value');
        this.markPrecise(0);
        const rng = f.callbackRet!;
        if (sminOf(r0) < rng.min || smaxOf(r0) > rng.max) {
          this.err(`At callback return the register R0 has ${scalarDesc(r0)} should have been in [${rng.min}, ${rng.max}]`);
        }
        if (rbtreeCb) {
          // bpf_rbtree_add's less(): only references it took itself count (the caller's are the caller's)
          const start = this.subprogs[f.subprog].start, end = this.subprogs[f.subprog + 1]?.start ?? this.insns.length;
          for (const ref of st.refs) {
            if (ref.kind === 'ptr' && ref.insn >= start && ref.insn < end) {
              this.verbose(`Unreleased reference id=${ref.id} alloc_insn=${ref.insn}\n`);
              this.err('BPF_EXIT instruction in callback would lead to reference leak');
            }
          }
          this.stepEnded = true;
          return;
        }
        // (6.18's check_reference_leak looks at frame 0 only: what a synchronous callback holds,
        // or leaves held, is the main program's to release at its exit)
        if (f.inAsyncCallback) this.checkRefLeak('callback');
        if (f.inAsyncCallback) {
          // an async callback's exploration ends here; the caller continues from the pushed state
          this.stepEnded = true;
          return;
        }
        // a synchronous callback returns to its call instruction, which calls it again until the
        // states there converge (prepare_func_exit; is_state_visited prunes the repeated call)
        this.returnFromCallback(f);
        return;
      }
      // any stack pointer, the callers' too (prepare_func_exit; liveness.ts relies on it)
      if (r0.type === RegType.PTR_TO_STACK) this.err('cannot return stack pointer to the caller');
      const caller = st.frames[st.cur - 1];
      copyReg(caller.w(0), r0);
      st.frames.pop();
      st.cur--;
      // stack pointers into the popped frame become invalid
      if (this.logLevel) {
        this.verbose(`returning from callee:\n${this.frameStr(f)}\nto caller at ${f.callsite + 1}:\n${this.frameStr(caller)}\n`);
        this.fromNext = this.insnIdx;
      }
      this.insnIdx = f.callsite + 1;
      return;
    }
    if (this.verifyingGlobal >= 0) {
      this.checkRefLeak('subprog');
      const r0 = this.checkRegRead(0);
      if (r0.type !== RegType.SCALAR_VALUE) this.err(`At subprogram exit the register R0 is not a scalar value (${regTypeStr(r0.type, r0.flags)})`);
      this.stepEnded = true;
      return;
    }
    this.checkRefLeak('main prog');
    this.checkReturnCode();
    void idx;
    this.stepEnded = true;
  }

  /**
   * bpf_throw: an exceptional exit of the whole program (do_check's exception_exit): refused from
   * callbacks (check_max_stack_depth's static walk, reported here) and with locks, RCU sections or
   * references held; the path ends without a return-code check.
   */
  private throwExit(idx: number): void {
    this.checkRegRead(1);
    const st = this.cur;
    const cb = st.frames.find((f) => f.inCallback || f.inAsyncCallback);
    if (cb) this.err(`bpf_throw kfunc (insn ${idx}) cannot be called from callback subprog ${this.frame.subprog}`);
    if (st.activeLock) this.err('bpf_throw cannot be used inside bpf_spin_lock-ed region');
    if (st.rcuDepth) this.err('bpf_throw cannot be used inside bpf_rcu_read_lock-ed region');
    if (st.refs.some((r) => r.kind === 'preempt')) this.err('bpf_throw cannot be used inside bpf_preempt_disable-ed region');
    if (st.refs.some((r) => r.kind === 'ptr')) this.err('bpf_throw would lead to reference leak');
    this.stepEnded = true;
  }

  private checkRefLeak(where: string): void {
    for (const r of this.cur.refs) {
      if (r.kind === 'ptr') {
        this.verbose(`Unreleased reference id=${r.id} alloc_insn=${r.insn}\n`);
        this.err(`BPF_EXIT instruction in ${where} would lead to reference leak`);
      }
    }
  }

  private checkReturnCode(): void {
    // struct_ops members returning void leave R0 unchecked
    if (this.prog.progType === ProgType.STRUCT_OPS && structOpsProto(this.obj.targetBtf, this.prog)?.type === 0) return;
    const r0 = this.checkRegRead(0);
    const range = this.returnRange();
    if (!range) return;
    if (r0.type !== RegType.SCALAR_VALUE) this.err(`At program exit the register R0 is not a known value (${regTypeStr(r0.type, r0.flags)})`);
    this.markPrecise(0);
    if (sminNum(r0) < range[0] || smaxNum(r0) > range[1]) {
      this.err(`At program exit the register R0 has ${scalarDesc(r0)} should have been in [${range[0]}, ${range[1]}]`);
    }
  }

  private returnRange(): [number, number] | undefined {
    const pt = this.prog.progType;
    let range: [number, number] | undefined = [0, 1];
    const eat = this.prog.expectedAttachType;
    switch (pt) {
      case ProgType.CGROUP_SOCK_ADDR:
        if ([19, 20, 51, 29, 30, 52, 31, 32, 53].includes(eat)) range = [1, 1];
        if (eat === 8 || eat === 9) range = [0, 3];
        break;
      case ProgType.CGROUP_SKB:
        if (eat === 1) range = [0, 3];
        break;
      case ProgType.CGROUP_SOCK: case ProgType.SOCK_OPS: case ProgType.CGROUP_DEVICE: case ProgType.CGROUP_SYSCTL:
      case ProgType.CGROUP_SOCKOPT:
        break;
      case ProgType.RAW_TRACEPOINT:
        range = undefined;
        break;
      case ProgType.KPROBE:
        range = eat === 56 ? [0, 1] : undefined;
        break;
      case ProgType.TRACING:
        range = eat === 24 || eat === 25 ? [0, 0] : eat === 28 ? [0, 1] : undefined;
        break;
      case ProgType.SK_LOOKUP:
        break;
      case ProgType.NETFILTER:
        break;
      default:
        range = undefined;
    }
    return range;
  }
}

export class CancelledError extends Error {}

// check_map_func_compatibility: helpers each map type accepts, and map types each helper accepts
const ALLOWED_FUNCS_FOR_MAP: Record<number, string[]> = {
  [MapType.PROG_ARRAY]: ['bpf_tail_call'],
  [MapType.PERF_EVENT_ARRAY]: ['bpf_perf_event_read', 'bpf_perf_event_output', 'bpf_perf_event_read_value', 'bpf_skb_output', 'bpf_xdp_output'],
  [MapType.RINGBUF]: ['bpf_ringbuf_output', 'bpf_ringbuf_reserve', 'bpf_ringbuf_query', 'bpf_ringbuf_reserve_dynptr', 'bpf_ringbuf_submit_dynptr', 'bpf_ringbuf_discard_dynptr'],
  [MapType.USER_RINGBUF]: ['bpf_user_ringbuf_drain'],
  [MapType.STACK_TRACE]: ['bpf_get_stackid'],
  [MapType.CGROUP_ARRAY]: ['bpf_skb_under_cgroup', 'bpf_current_task_under_cgroup'],
  [MapType.CGROUP_STORAGE]: ['bpf_get_local_storage'],
  [MapType.PERCPU_CGROUP_STORAGE]: ['bpf_get_local_storage'],
  [MapType.DEVMAP]: ['bpf_redirect_map', 'bpf_map_lookup_elem'],
  [MapType.DEVMAP_HASH]: ['bpf_redirect_map', 'bpf_map_lookup_elem'],
  [MapType.CPUMAP]: ['bpf_redirect_map'],
  [MapType.XSKMAP]: ['bpf_redirect_map', 'bpf_map_lookup_elem'],
  [MapType.ARRAY_OF_MAPS]: ['bpf_map_lookup_elem'],
  [MapType.HASH_OF_MAPS]: ['bpf_map_lookup_elem'],
  [MapType.SOCKMAP]: ['bpf_sk_redirect_map', 'bpf_sock_map_update', 'bpf_msg_redirect_map', 'bpf_sk_select_reuseport', 'bpf_map_lookup_elem', 'bpf_map_update_elem', 'bpf_map_delete_elem'],
  [MapType.SOCKHASH]: ['bpf_sk_redirect_hash', 'bpf_sock_hash_update', 'bpf_msg_redirect_hash', 'bpf_sk_select_reuseport', 'bpf_map_lookup_elem', 'bpf_map_update_elem', 'bpf_map_delete_elem'],
  [MapType.REUSEPORT_SOCKARRAY]: ['bpf_sk_select_reuseport'],
  [MapType.QUEUE]: ['bpf_map_peek_elem', 'bpf_map_pop_elem', 'bpf_map_push_elem'],
  [MapType.STACK]: ['bpf_map_peek_elem', 'bpf_map_pop_elem', 'bpf_map_push_elem'],
  [MapType.SK_STORAGE]: ['bpf_sk_storage_get', 'bpf_sk_storage_delete', 'bpf_map_lookup_elem', 'bpf_map_update_elem', 'bpf_map_delete_elem'],
  [MapType.INODE_STORAGE]: ['bpf_inode_storage_get', 'bpf_inode_storage_delete'],
  [MapType.TASK_STORAGE]: ['bpf_task_storage_get', 'bpf_task_storage_delete'],
  [MapType.CGRP_STORAGE]: ['bpf_cgrp_storage_get', 'bpf_cgrp_storage_delete'],
  [MapType.BLOOM_FILTER]: ['bpf_map_peek_elem', 'bpf_map_push_elem'],
};
// helpers restricted to specific map types
const MAPS_FOR_FUNC: Record<string, number[]> = {
  bpf_tail_call: [MapType.PROG_ARRAY],
  bpf_perf_event_read: [MapType.PERF_EVENT_ARRAY], bpf_perf_event_output: [MapType.PERF_EVENT_ARRAY],
  bpf_perf_event_read_value: [MapType.PERF_EVENT_ARRAY], bpf_skb_output: [MapType.PERF_EVENT_ARRAY], bpf_xdp_output: [MapType.PERF_EVENT_ARRAY],
  bpf_ringbuf_output: [MapType.RINGBUF], bpf_ringbuf_reserve: [MapType.RINGBUF], bpf_ringbuf_query: [MapType.RINGBUF],
  bpf_ringbuf_reserve_dynptr: [MapType.RINGBUF],
  bpf_user_ringbuf_drain: [MapType.USER_RINGBUF],
  bpf_get_stackid: [MapType.STACK_TRACE],
  bpf_current_task_under_cgroup: [MapType.CGROUP_ARRAY], bpf_skb_under_cgroup: [MapType.CGROUP_ARRAY],
  bpf_get_local_storage: [MapType.CGROUP_STORAGE, MapType.PERCPU_CGROUP_STORAGE],
  bpf_redirect_map: [MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.XSKMAP],
  bpf_sk_redirect_map: [MapType.SOCKMAP], bpf_msg_redirect_map: [MapType.SOCKMAP], bpf_sock_map_update: [MapType.SOCKMAP],
  bpf_sk_redirect_hash: [MapType.SOCKHASH], bpf_msg_redirect_hash: [MapType.SOCKHASH], bpf_sock_hash_update: [MapType.SOCKHASH],
  bpf_sk_select_reuseport: [MapType.REUSEPORT_SOCKARRAY, MapType.SOCKMAP, MapType.SOCKHASH],
  bpf_map_pop_elem: [MapType.QUEUE, MapType.STACK],
  bpf_map_peek_elem: [MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER],
  bpf_map_push_elem: [MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER],
  bpf_map_lookup_percpu_elem: [MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH],
  bpf_sk_storage_get: [MapType.SK_STORAGE], bpf_sk_storage_delete: [MapType.SK_STORAGE],
  bpf_inode_storage_get: [MapType.INODE_STORAGE], bpf_inode_storage_delete: [MapType.INODE_STORAGE],
  bpf_task_storage_get: [MapType.TASK_STORAGE], bpf_task_storage_delete: [MapType.TASK_STORAGE],
  bpf_cgrp_storage_get: [MapType.CGRP_STORAGE], bpf_cgrp_storage_delete: [MapType.CGRP_STORAGE],
};


/** Registers an instruction writes or reads, as the kernel's log marks them scratched. */
function scratched(insn: Insn): number[] {
  const cls = insn.code & 7;
  if (cls === 4 || cls === 7) return insn.code & 8 && (insn.code & 0xf0) !== 0xd0 ? [...new Set([insn.src, insn.dst])].sort((a, b) => a - b) : [insn.dst];
  if (cls === 1) return [insn.src, insn.dst].filter((r, i, a) => a.indexOf(r) === i).sort((a, b) => a - b);
  if (cls === 0 && insn.code === 0x18) return [insn.dst];
  if (cls === 5 && (insn.code & 0xf0) === 0x80) return [0];
  if (cls === 2) return [insn.dst];
  if (cls === 3) return [...new Set([insn.src, insn.dst, ...((insn.code & 0xe0) === 0xc0 && insn.imm === 0xf1 ? [0] : [])])].sort((a, b) => a - b);
  const op = insn.code & 0xf0;
  if ((cls === 5 || cls === 6) && op !== 0x00 && op !== 0x80 && op !== 0x90 && op !== 0xe0) return insn.code & 8 ? [...new Set([insn.src, insn.dst])].sort((a, b) => a - b) : [insn.dst];
  return [];
}

/** Stack slots (indices, fp-8 first) a load, store or atomic at a fixed stack offset touches, for the log. */
function accessedSlots(insn: Insn, f: Frame): number[] {
  const cls = insn.code & 7;
  const mode = insn.code & 0xe0;
  let preg: number;
  if ((cls === 2 || cls === 3) && (mode === 0x60 || mode === 0xc0)) preg = insn.dst;
  else if (cls === 1 && (mode === 0x60 || mode === 0x80)) preg = insn.src;
  else return [];
  const r = f.regs[preg];
  if (r.type !== RegType.PTR_TO_STACK || !tnumIsConst(r.varOff)) return [];
  const off = r.off + insn.off + Number(s64(tnumValueBig(r.varOff)));
  const size = [4, 2, 1, 8][(insn.code >> 3) & 3];
  const out: number[] = [];
  for (let b = off; b < off + size; b++) {
    const spi = (-b - 1) >> 3;
    if (spi >= 0 && spi < 64 && !out.includes(spi)) out.push(spi);
  }
  return out.sort((a, b) => a - b);
}

/** a printed slot holding an iterator or a dynptr */
function isIterOrDynptr(t: string): boolean {
  return t.includes('=iter_') || t.includes('=dynptr_');
}

const PKT_CHANGING = new Set(['bpf_clone_redirect', 'bpf_l3_csum_replace', 'bpf_l4_csum_replace', 'bpf_lwt_push_encap',
  'bpf_lwt_seg6_action', 'bpf_lwt_seg6_adjust_srh', 'bpf_lwt_seg6_store_bytes', 'bpf_msg_pop_data', 'bpf_msg_pull_data',
  'bpf_msg_push_data', 'bpf_skb_adjust_room', 'bpf_skb_change_head', 'bpf_skb_change_proto', 'bpf_skb_change_tail',
  'bpf_skb_pull_data', 'bpf_skb_store_bytes', 'bpf_skb_vlan_pop', 'bpf_skb_vlan_push', 'bpf_store_hdr_opt',
  'bpf_xdp_adjust_head', 'bpf_xdp_adjust_meta', 'bpf_xdp_adjust_tail', 'bpf_tail_call']);

// ---- helpers for the class above -----------------------------------------------------------

/** tnum_strn as the 6.18 log prints var_off in alignment messages: a constant as its value. */
function tnumShort(t: Tnum): string {
  return tnumIsConst(t) ? String(s64(tnumValueBig(t))) : tnumStr(t);
}

/** states_maybe_looping: a cheap test that the current frames' registers are identical. */
function maybeLooping(old: VState, cur: VState): boolean {
  if (old.cur !== cur.cur) return false;
  const a = old.frames[old.cur].regs, b = cur.frames[cur.cur].regs;
  for (let r = 0; r < 11; r++) {
    if (!sameRegForLooping(a[r], b[r])) return false;
  }
  return true;
}

function sizeOf(code: number): number {
  switch (code & 0x18) { case 0x10: return 1; case 0x08: return 2; case 0x00: return 4; default: return 8; }
}

/** check_mem_region_access's verbose line for an access outside [0, memSize) */
function memRegionMsg(kind: 'key' | 'map' | 'mem', memSize: number, o: bigint, size: number): string {
  if (kind === 'key') return `invalid access to map key, key_size=${memSize} off=${o} size=${size}`;
  if (kind === 'map') return `invalid access to map value, value_size=${memSize} off=${o} size=${size}`;
  return `invalid access to memory, mem_size=${memSize} off=${o} size=${size}`;
}

function copyReg(dst: Reg, src: RReg): void {
  copyRegInto(dst, src);
}

/** pointer types adjust_ptr_min_max_vals allows arithmetic on unconditionally */
const PTR_ARITH_OK = new Set<RegType>([RegType.PTR_TO_CTX, RegType.PTR_TO_MAP_VALUE, RegType.PTR_TO_MAP_KEY, RegType.PTR_TO_STACK,
  RegType.PTR_TO_PACKET_META, RegType.PTR_TO_PACKET, RegType.PTR_TO_TP_BUFFER, RegType.PTR_TO_BTF_ID, RegType.PTR_TO_MEM,
  RegType.PTR_TO_BUF, RegType.PTR_TO_FUNC, RegType.CONST_PTR_TO_DYNPTR]);

/** BPF_MOV's allowed off values (movsx sizes) */
const MOV_OFFS64 = [0, 8, 16, 32], MOV_OFFS32 = [0, 8, 16];

/** the source operand of ALU ops with an immediate (used and dropped within one instruction) */
const IMM_REG = knownScalar(0);
/** adjust_ptr_min_max_vals's result, copied into dst once complete */
const PTR_RES = knownScalar(0);
/** the immediate operand of a conditional jump, and the two copies branch refinement narrows */
const JMP_IMM_REG = knownScalar(0), JMP_FAKE1 = knownScalar(0), JMP_FAKE2 = knownScalar(0);

function scalarDesc(r: RReg): string {
  let s = '';
  if (!sminIsMin(r)) s += ` smin=${sminOf(r)}`;
  if (!smaxIsMax(r)) s += ` smax=${smaxOf(r)}`;
  if (!s) s = ' unknown scalar value';
  return s.slice(1);
}

/** map types whose lookup result becomes a socket once NULL-checked (mark_ptr_or_null_reg) */
const SOCK_LOOKUP_MAPS = new Set<number>([MapType.SOCKMAP, MapType.SOCKHASH, MapType.XSKMAP]);

/** map types whose values may hold a bpf_spin_lock (map_check_btf) */
const SPIN_LOCK_MAPS = new Set<number>([MapType.HASH, MapType.ARRAY, MapType.CGROUP_STORAGE, MapType.SK_STORAGE,
  MapType.INODE_STORAGE, MapType.TASK_STORAGE, MapType.CGRP_STORAGE]);

/** helpers whose return value the kernel bounds by their size argument (do_refine_retval_range) */
const SIZE_BOUNDED_RET = new Set(['bpf_get_stack', 'bpf_get_task_stack', 'bpf_probe_read_str', 'bpf_probe_read_kernel_str', 'bpf_probe_read_user_str']);
const MAX_ERRNO = 4095;

function isGplCompatible(lic: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(lic);
}

function isPtrValue(r: RReg): boolean {
  return r.type !== RegType.SCALAR_VALUE && r.type !== RegType.NOT_INIT;
}

/**
 * reg_not_null: pointer types whose base is never NULL. ctx, stack and packet pointers are not
 * among them (the kernel explores `if (ctx == 0)`), and an unbounded variable offset could wrap.
 */
function regNotNull(r: RReg): boolean {
  if (r.flags & PTR_MAYBE_NULL) return false;
  if (sminNum(r) <= -BPF_MAX_VAR_OFF || smaxNum(r) >= BPF_MAX_VAR_OFF) return false;
  return r.type === RegType.PTR_TO_SOCKET || r.type === RegType.PTR_TO_TCP_SOCK || r.type === RegType.PTR_TO_XDP_SOCK ||
    r.type === RegType.PTR_TO_BUF || r.type === RegType.PTR_TO_MAP_VALUE || r.type === RegType.PTR_TO_MAP_KEY ||
    r.type === RegType.PTR_TO_SOCK_COMMON || r.type === RegType.PTR_TO_MEM ||
    (r.type === RegType.PTR_TO_BTF_ID && isTrustedBtfReg(r)) || r.type === RegType.CONST_PTR_TO_MAP;
}

/** is_trusted_reg for a BTF pointer: referenced, or only trusted modifiers (PTR_TRUSTED, MEM_ALLOC, NON_OWN_REF) */
function isTrustedBtfReg(r: RReg): boolean {
  const trusted = PTR_TRUSTED | MEM_ALLOC | NON_OWN_REF;
  return r.refObjId !== 0 || (!!(r.flags & trusted) && !(r.flags & ~trusted));
}

/** get_reg_width(reg) <= 8 * size: the scalar's unsigned maximum fits in `size` bytes */
function scalarFits(r: RReg, size: number): boolean {
  return size >= 8 || umaxNum(r) < 2 ** (8 * size);
}

function markPtrNotNull(r: Reg): void {
  r.flags &= ~PTR_MAYBE_NULL;
}

function mapHasSpinLock(map: MapDef | undefined, btf?: LoadedObject['btf']): boolean {
  return !!map && specialFieldOffset(btf, map, 'bpf_spin_lock') !== undefined;
}

/**
 * Calls fn on every register and spilled register of the state that `match` (true for every
 * register fn may change) selects: found through the shared views, a register or a frame's stack
 * is un-shared (state.ts) only when it matches.
 */
function forEachReg(st: VState, fn: (r: Reg) => void, match: (r: RReg) => boolean): void {
  for (const f of st.frames) {
    for (let i = 0; i < 11; i++) if (match(f.regs[i])) fn(f.w(i));
    const ro = f.stackRO;
    for (let k = 0; k < ro.length; k++) {
      const s = ro[k];
      if (isSpilledReg(s) && match(s.spilled)) fn(f.ws(k).spilled);
    }
  }
}

function syncLinked(st: VState, known: RReg): void {
  for (const f of st.frames) {
    for (let i = 0; i < 11; i++) if (linkedTo(f.regs[i], known)) syncLinkedOne(f.w(i), known);
    // read through the shared view; a matching slot un-shares the stack before it is written
    const ro = f.stackRO;
    for (let k = 0; k < ro.length; k++) {
      const s = ro[k];
      if (isSpilledReg(s) && linkedTo(s.spilled, known)) syncLinkedReg(f.ws(k).spilled, known);
    }
  }
}

const linkedTo = (r: RReg, known: RReg): boolean => r !== known && r.type === RegType.SCALAR_VALUE && baseId(r.id) === baseId(known.id);

/** sync_linked_regs for one register (linked.ts: with BPF_ADD_CONST, shifted by the offsets' difference) */
function syncLinkedReg(r: Reg, known: RReg): void {
  if (linkedTo(r, known)) syncLinkedOne(r, known);
}

function findGoodPkt(st: VState, reg: RReg, rightOpen: boolean): void {
  if (reg.off < 0 || reg.off > MAX_PACKET_OFF || (reg.off === 0 && rightOpen)) return;
  // risk of overflow: a variable offset plus the fixed one may pass MAX_PACKET_OFF
  if (umaxNum(reg) > MAX_PACKET_OFF || umaxNum(reg) + reg.off > MAX_PACKET_OFF) return;
  let newRange = reg.off;
  if (rightOpen) newRange++;
  const id = reg.id, type = reg.type;
  forEachReg(st, (r) => {
    if (r.type === type && r.id === id) r.range = Math.max(r.range, newRange);
  }, (r) => r.type === type && r.id === id && r.range < newRange);
}

function markPktEnd(st: VState, regno: number, open: boolean): void {
  if (st.frames[st.cur].regs[regno].type !== RegType.PTR_TO_PACKET) return;
  st.frames[st.cur].w(regno).range = open ? BEYOND_PKT_END : AT_PKT_END;
}

function isAcquireHelper(fn: HelperProto): boolean {
  return ['bpf_sk_lookup_tcp', 'bpf_sk_lookup_udp', 'bpf_skc_lookup_tcp', 'bpf_ringbuf_reserve', 'bpf_get_task_stack'].includes(fn.name) &&
    fn.name !== 'bpf_get_task_stack';
}

function retBtfName(name: string): string {
  switch (name) {
    case 'bpf_get_current_task_btf': return 'task_struct';
    case 'bpf_sock_from_file': return 'socket';
    case 'bpf_task_pt_regs': return 'pt_regs';
    case 'bpf_skc_to_tcp_sock': case 'bpf_skc_to_tcp6_sock': case 'bpf_skc_to_tcp_timewait_sock':
    case 'bpf_skc_to_tcp_request_sock': case 'bpf_skc_to_udp6_sock': case 'bpf_skc_to_unix_sock':
    case 'bpf_skc_to_mptcp_sock': return name.replace('bpf_skc_to_', '');
    default: return '';
  }
}

type TypeFlag = [RegType, number];
/** is_ptr_cast_function: helpers returning the socket they are given, typed differently */
const PTR_CAST_HELPERS = new Set(['bpf_tcp_sock', 'bpf_sk_fullsock', 'bpf_skc_to_tcp_sock', 'bpf_skc_to_tcp6_sock',
  'bpf_skc_to_udp6_sock', 'bpf_skc_to_mptcp_sock', 'bpf_skc_to_tcp_timewait_sock', 'bpf_skc_to_tcp_request_sock']);
/** the argument types whose compatible register types are the kernel's mem_types */
const MEM_ARG_BASES = new Set(['ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_PTR_TO_MEM']);
function compatibleTypes(base: string): TypeFlag[] | undefined {
  const mem: TypeFlag[] = [[RegType.PTR_TO_STACK, 0], [RegType.PTR_TO_PACKET, 0], [RegType.PTR_TO_PACKET_META, 0],
    [RegType.PTR_TO_MAP_KEY, 0], [RegType.PTR_TO_MAP_VALUE, 0], [RegType.PTR_TO_MEM, 0], [RegType.PTR_TO_MEM, MEM_RINGBUF],
    [RegType.PTR_TO_BUF, 0], [RegType.PTR_TO_BTF_ID, PTR_TRUSTED]];
  switch (base) {
    case 'ARG_PTR_TO_MAP_KEY': case 'ARG_PTR_TO_MAP_VALUE': case 'ARG_PTR_TO_MEM': return mem;
    case 'ARG_CONST_SIZE': case 'ARG_CONST_SIZE_OR_ZERO': case 'ARG_CONST_ALLOC_SIZE_OR_ZERO': case 'ARG_SCALAR':
      return [[RegType.SCALAR_VALUE, 0]];
    case 'ARG_CONST_MAP_PTR': return [[RegType.CONST_PTR_TO_MAP, 0]];
    case 'ARG_PTR_TO_CTX': return [[RegType.PTR_TO_CTX, 0]];
    case 'ARG_PTR_TO_SOCK_COMMON':
      return [[RegType.PTR_TO_SOCK_COMMON, 0], [RegType.PTR_TO_SOCKET, 0], [RegType.PTR_TO_TCP_SOCK, 0], [RegType.PTR_TO_XDP_SOCK, 0]];
    case 'ARG_PTR_TO_BTF_ID_SOCK_COMMON':
      return [[RegType.PTR_TO_SOCK_COMMON, 0], [RegType.PTR_TO_SOCKET, 0], [RegType.PTR_TO_TCP_SOCK, 0], [RegType.PTR_TO_XDP_SOCK, 0],
        [RegType.PTR_TO_BTF_ID, 0], [RegType.PTR_TO_BTF_ID, PTR_TRUSTED]];
    case 'ARG_PTR_TO_SOCKET': return [[RegType.PTR_TO_SOCKET, 0]];
    case 'ARG_PTR_TO_BTF_ID': return [[RegType.PTR_TO_BTF_ID, 0], [RegType.PTR_TO_BTF_ID, PTR_TRUSTED], [RegType.PTR_TO_BTF_ID, MEM_RCU]];
    case 'ARG_PTR_TO_SPIN_LOCK': return [[RegType.PTR_TO_MAP_VALUE, 0], [RegType.PTR_TO_BTF_ID, MEM_ALLOC]];
    case 'ARG_PTR_TO_RINGBUF_MEM': return [[RegType.PTR_TO_MEM, MEM_RINGBUF]];
    case 'ARG_PTR_TO_FUNC': return [[RegType.PTR_TO_FUNC, 0]];
    case 'ARG_PTR_TO_STACK': return [[RegType.PTR_TO_STACK, 0]];
    case 'ARG_PTR_TO_CONST_STR': return [[RegType.PTR_TO_MAP_VALUE, 0]];
    case 'ARG_PTR_TO_TIMER': return [[RegType.PTR_TO_MAP_VALUE, 0]];
    case 'ARG_PTR_TO_DYNPTR': return [[RegType.PTR_TO_STACK, 0], [RegType.CONST_PTR_TO_DYNPTR, 0]];
    // percpu kernel variables are not told apart from other BTF pointers here: any BTF pointer passes (checkFuncArg)
    case 'ARG_PTR_TO_PERCPU_BTF_ID': return PERCPU_BTF_ARG;
    case 'ARG_KPTR_XCHG_DEST': return KPTR_XCHG_DEST_ARG;
    default: return undefined;
  }
}

/** A little-endian constant of `size` bytes (sign-extended with sx) from frozen map data into d; false if out of range. */
function readConstInto(d: Reg, data: Uint8Array, off: number, size: number, sx: boolean): boolean {
  if (off < 0 || off + size > data.length) return false;
  let lo = 0, hi = 0;
  for (let i = Math.min(size, 4) - 1; i >= 0; i--) lo = (lo << 8) | data[off + i];
  for (let i = size - 1; i >= 4; i--) hi = (hi << 8) | data[off + i];
  if (sx && size < 8) {
    if (size < 4) lo = (lo << (32 - size * 8)) >> (32 - size * 8);
    hi = lo >> 31;
  }
  markKnownScalar(d, hi, lo);
  return true;
}

// ---- branches ---------------------------------------------------------------------------

function revOpcode(op: number): number {
  switch (op) {
    case 0x10: return 0x50; case 0x50: return 0x10;
    case 0x40: return 0x48; // JSET | X: "not set"
    case 0x20: return 0xb0; case 0xb0: return 0x20; case 0x30: return 0xa0; case 0xa0: return 0x30;
    case 0x60: return 0xd0; case 0xd0: return 0x60; case 0x70: return 0xc0; case 0xc0: return 0x70;
    default: return op;
  }
}

function isBranchTaken(r1: RReg, r2: RReg, op: number, jmp32: boolean): number {
  const p1 = isPtrValue(r1), p2 = isPtrValue(r2);
  if (isPktAny(r1) && isPktAny(r2) && !jmp32) return pktBranchTaken(r1, r2, op);
  if (p1 || p2) {
    if (jmp32) return -1;
    let a = r1, b = r2;
    if (!isRegConst(b, false)) { op = flipOpcode(op); [a, b] = [b, a]; }
    if (!isRegConst(b, false)) return -1;
    if (!regNotNull(a)) return -1;
    if (!regConstIsZero(b, false)) return -1;
    if (op === 0x10) return 0;
    if (op === 0x50) return 1;
    return -1;
  }
  return scalarBranchTaken(r1, r2, op, jmp32);
}

function isPktAny(r: RReg): boolean {
  return r.type === RegType.PTR_TO_PACKET || r.type === RegType.PTR_TO_PACKET_META || r.type === RegType.PTR_TO_PACKET_END;
}

function pktBranchTaken(d: RReg, s: RReg, op: number): number {
  let pkt: RReg;
  if (s.type === RegType.PTR_TO_PACKET_END) pkt = d;
  else if (d.type === RegType.PTR_TO_PACKET_END) { pkt = s; op = flipOpcode(op); } else return -1;
  if (pkt.range >= 0) return -1;
  switch (op) {
    case 0xb0: case 0x20:
      if (pkt.range === BEYOND_PKT_END) return op === 0x20 ? 1 : 0;
      break;
    case 0xa0: case 0x30:
      if (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END) return op === 0x30 ? 1 : 0;
      break;
  }
  return -1;
}

const NOT_EXACT = 0, EXACT = 1, RANGE_WITHIN = 2;
/** kfuncs whose scalar arguments are never used for their exact values */
const KFUNC_NO_SCALAR_ARGS = /^bpf_(iter_num_(new|next|destroy)|rcu_read_(un)?lock|preempt_(disable|enable))$/;
const INVALID_TYPES = [0, 0, 0, 0, 0, 0, 0, 0];
/** an unknown scalar: what a read of all-misc stack bytes gives */
const UNBOUND_SCALAR = ((): Reg => { const r = notInit(); markUnknown(r); return r; })();

/** scalar_reg_for_stack: the scalar a slot holds when it is a full scalar spill or all misc */
function scalarForStack(s: RSlot): RReg | undefined {
  const t = s.types;
  if (t[0] === Slot.SPILL && s.spilled.type === RegType.SCALAR_VALUE) return s.spilled;
  // uninitialised bytes count as misc for a privileged loader (allow_uninit_stack)
  for (let b = 0; b < 8; b++) if (t[b] !== Slot.MISC && t[b] !== Slot.INVALID) return undefined;
  return UNBOUND_SCALAR;
}

export { tnumRange, notInit, S64_MIN, PTR_UNTRUSTED };
