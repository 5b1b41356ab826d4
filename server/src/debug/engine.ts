// The debugger's engine: stops a program at instructions, by replay.
//
// The emulator is deterministic (fresh maps, seeded random, a clock that counts instructions), so
// a stop is "the state before the Nth executed instruction". Every resume replays the run from the
// start with the interpreter's per-instruction hook and stops at the first instruction past the
// current one that the step's predicate accepts. A replay of a full 1M-instruction run costs tens
// of milliseconds, and the interpreter needs no way to suspend itself.
import type { LoadedObject, LoadedProgram } from '../bpf/loader/types';
import { sourceForInsn } from '../bpf/loader';
import { Emulator, type RunResult } from '../bpf/emulator/emulator';
import type { DecodedProg } from '../bpf/emulator/interpreter';
import { STACK_SIZE } from '../bpf/emulator/interpreter';
import { RegionKind, type Region } from '../bpf/emulator/memory';

export interface FrameSnap {
  /** the instruction the frame stands at: the call site for callers */
  pc: number;
  prog: LoadedProgram;
  /** the frame's 512-byte stack, copied */
  stack: Uint8Array;
  /** the address of the top of the frame's stack (r10) */
  fpHi: number;
  fpLo: number;
}

export interface StopState {
  /** 1-based count of the instruction about to run */
  index: number;
  /** innermost frame last */
  frames: FrameSnap[];
  L: Int32Array;
  H: Int32Array;
  /** every region alive at the stop (the packet is dropped once a run ends) */
  regions: Region[];
  reason: 'entry' | 'step' | 'breakpoint' | 'exception';
  /** the fault's message when reason is 'exception' */
  fault?: string;
}

export interface HookView {
  index: number;
  pc: number;
  prog: LoadedProgram;
  depth: number;
}

/** true: stop before this instruction, with the given reason */
export type StopPredicate = (v: HookView) => StopState['reason'] | false;

export interface EngineOptions {
  dataIn?: Uint8Array;
  ctxIn?: Uint8Array;
  maxInsns?: number;
}

class StopSignal {}
const STOP = new StopSignal();

export type ResumeOutcome = { kind: 'stopped'; state: StopState } | { kind: 'finished'; result: RunResult };

export class DebugEngine {
  /** the emulator of the latest replay: its maps and memory are those of the stop */
  emu: Emulator;
  state?: StopState;
  private progOf = new Map<DecodedProg, LoadedProgram>();

  constructor(readonly obj: LoadedObject, readonly prog: LoadedProgram, private opts: EngineOptions = {}) {
    this.emu = this.fresh();
  }

  private fresh(): Emulator {
    const emu = new Emulator(this.obj, { jit: 'never', maxInsns: this.opts.maxInsns });
    this.progOf.clear();
    for (const p of this.obj.programs) this.progOf.set(emu.decode(p), p);
    return emu;
  }

  /** source position of instruction `pc` of `prog` */
  static lineOf(prog: LoadedProgram, pc: number): { file: string; line: number } | undefined {
    const s = sourceForInsn(prog, pc);
    return s ? { file: s.fileName, line: s.line } : undefined;
  }

  /**
   * Replays from the start and stops before the first instruction after the current stop that
   * `pred` accepts; a run that ends first is 'finished'. A fault stops at the faulting instruction
   * with reason 'exception' (once: resuming from there finishes the run with its error).
   */
  resume(pred: StopPredicate): ResumeOutcome {
    const after = this.state?.index ?? 0;
    const wasFault = this.state?.reason === 'exception';
    const emu = (this.emu = this.fresh());
    const vm = emu.vm;
    const shadowPc: number[] = [];
    const shadowProg: DecodedProg[] = [];
    let index = 0;
    let stopped: StopState | undefined;
    vm.onInsn = (pc, dprog, depth) => {
      index++;
      shadowPc[depth] = pc; shadowProg[depth] = dprog;
      if (index <= after) return;
      const prog = this.progOf.get(dprog) ?? this.prog;
      const reason = wasFault ? false : pred({ index, pc, prog, depth });
      if (reason === false) return;
      stopped = this.snapshot(index, depth, shadowPc, shadowProg, reason);
      throw STOP;
    };
    let result: RunResult;
    try {
      result = emu.run(this.prog.name, { dataIn: this.opts.dataIn, ctxIn: this.opts.ctxIn });
    } catch (e) {
      if (e !== STOP || !stopped) throw e;
      this.state = stopped;
      return { kind: 'stopped', state: stopped };
    } finally {
      vm.onInsn = undefined;
    }
    if (result.error && !wasFault && index > 0) {
      // replay to the faulting instruction so the user sees the state that caused it
      const faultAt = index;
      const message = result.error.message;
      this.state = undefined;
      const out = this.resume((v) => (v.index === faultAt ? 'exception' : false));
      if (out.kind === 'stopped') { out.state.fault = message; return out; }
      return { kind: 'finished', result };
    }
    this.state = undefined;
    return { kind: 'finished', result };
  }

  private snapshot(index: number, depth: number, pcs: number[], progs: DecodedProg[], reason: StopState['reason']): StopState {
    const vm = this.emu.vm;
    const frames: FrameSnap[] = [];
    for (let d = 0; d <= depth; d++) {
      const top = vm.stackTop(d);
      const region = vm.mem.regionAt(top.hi, top.lo - 1);
      frames.push({
        pc: pcs[d], prog: this.progOf.get(progs[d]) ?? this.prog,
        stack: region ? region.bytes.slice(0, STACK_SIZE) : new Uint8Array(STACK_SIZE), fpHi: top.hi, fpLo: top.lo,
      });
    }
    return { index, frames, L: vm.L.slice(), H: vm.H.slice(), regions: vm.mem.allRegions(), reason };
  }

  /** the packet region of the stop, if the program type has one */
  packet(): Region | undefined {
    return this.state?.regions.find((r) => r.kind === RegionKind.Packet);
  }

  /** the region holding address (hi, lo) at the stop, and the offset in it */
  regionAt(hi: number, lo: number): { region: Region; off: number } | undefined {
    const r = this.state?.regions.find((x) => x.addrHi() === hi && (lo >>> 0) - (x.addrLo(0) >>> 0) >= 0 && (lo >>> 0) - (x.addrLo(0) >>> 0) <= x.bytes.byteLength)
      ?? this.emu.vm.mem.regionAt(hi, lo);
    if (!r) return undefined;
    return { region: r, off: (lo >>> 0) - (r.addrLo(0) >>> 0) };
  }
}
