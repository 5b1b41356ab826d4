// A Debug Adapter Protocol server for BPF programs run in the emulator: JSON messages with
// Content-Length framing over a pair of streams (stdio). One thread (the program run), one stack
// frame per BPF call frame, scopes for registers, the frame's stack, the packet and the maps.
import path from 'node:path';
import { readInputFile } from '../cli/command';
import type { LoadedObject, LoadedProgram } from '../bpf/loader/types';
import { ProgType, mapTypeName } from '../bpf/progtypes';
import { printInsnLlvm } from '../bpf/isa/print';
import { describeRetval } from '../bpf/emulator/retval';
import type { RunResult } from '../bpf/emulator/emulator';
import { DebugEngine, type HookView, type ResumeOutcome, type StopPredicate, type StopState } from './engine';
import { loadForDebug } from './load';
import { describeValue, evaluate } from './values';

type Json = Record<string, unknown>;
interface Request { seq: number; type: 'request'; command: string; arguments?: Json }

const THREAD = 1;
const PACKET_TYPES = new Set<number>([ProgType.XDP, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.SOCKET_FILTER, ProgType.CGROUP_SKB, ProgType.FLOW_DISSECTOR, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT]);
const SCOPE_REGS = 1, SCOPE_STACK = 2, SCOPE_PACKET = 3, SCOPE_MAPS = 4;
/** protocol bounds: a header is a line or two; a message is at most a large evaluate or disassembly answer */
const MAX_HEADER = 64 * 1024;
const MAX_MESSAGE = 64 * 1024 * 1024;
/** the launch configuration's bounds, as `bpfls run` has them */
const MAX_INSNS = 1_000_000_000;
const MAX_DATA_BYTES = 64 * 1024 * 1024;
/** variablesReference: frame * 16 + scope; maps' children 1_000_000 + map index */
const MAP_REF_BASE = 1_000_000;

interface LineBp { file: string; line: number }

export class DebugAdapter {
  private seq = 1;
  private buf = Buffer.alloc(0);
  private engine?: DebugEngine;
  private launched?: Promise<string | undefined>;
  private lineBps = new Map<string, LineBp[]>();
  /** resolved breakpoints: "progName:pc" */
  private bpInsns = new Set<string>();
  private insnBps = new Set<string>();
  private traceShown = 0;
  private done = false;

  constructor(private write: (data: string) => void, private onExit: () => void = () => {}) {}

  /** feeds bytes from the client */
  receive(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) {
        // no header in sight: garbage input must not pile up (nor be searched again and again)
        if (this.buf.length > MAX_HEADER) this.buf = this.buf.subarray(this.buf.length - 3);
        return;
      }
      const m = /Content-Length:\s*(\d+)/i.exec(this.buf.subarray(0, Math.min(sep, MAX_HEADER)).toString('ascii'));
      if (!m) { this.buf = this.buf.subarray(sep + 4); continue; }
      const len = Number(m[1]);
      // a length no client sends: skip the header rather than wait for (and buffer) that much
      if (len > MAX_MESSAGE) { this.buf = this.buf.subarray(sep + 4); continue; }
      if (this.buf.length < sep + 4 + len) return;
      const body = this.buf.subarray(sep + 4, sep + 4 + len).toString('utf8');
      this.buf = this.buf.subarray(sep + 4 + len);
      let msg: Request;
      try { msg = JSON.parse(body) as Request; } catch { continue; }
      if (msg.type === 'request') void this.dispatch(msg);
    }
  }

  private send(o: Json): void {
    const body = JSON.stringify({ seq: this.seq++, ...o });
    this.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`);
  }
  private respond(req: Request, body: Json = {}, error?: string): void {
    this.send({ type: 'response', request_seq: req.seq, command: req.command, success: !error, ...(error ? { message: error } : {}), body });
  }
  private event(event: string, body: Json = {}): void { this.send({ type: 'event', event, body }); }
  private output(text: string, category = 'console'): void { this.event('output', { category, output: text.endsWith('\n') ? text : text + '\n' }); }

  private async dispatch(req: Request): Promise<void> {
    const a = req.arguments ?? {};
    try {
      switch (req.command) {
        case 'initialize':
          this.respond(req, {
            supportsConfigurationDoneRequest: true, supportsInstructionBreakpoints: true, supportsSteppingGranularity: true,
            supportsDisassembleRequest: true, supportsEvaluateForHovers: true, supportsTerminateRequest: true,
          });
          this.event('initialized');
          return;
        case 'launch': {
          this.launched = this.launch(a);
          const err = await this.launched;
          this.respond(req, {}, err);
          if (err) { this.output(err, 'stderr'); this.finish(); }
          return;
        }
        case 'setBreakpoints': return this.respond(req, { breakpoints: await this.setBreakpoints(a) });
        case 'setInstructionBreakpoints': return this.respond(req, { breakpoints: this.setInstructionBreakpoints(a) });
        case 'setExceptionBreakpoints': return this.respond(req, {});
        case 'configurationDone': {
          this.respond(req);
          const err = await this.launched;
          if (err || !this.engine) return;
          const stopOnEntry = this.launchArgs.stopOnEntry === true;
          this.go(stopOnEntry ? () => 'entry' : this.breakpointPred(undefined));
          return;
        }
        case 'threads': return this.respond(req, { threads: [{ id: THREAD, name: this.engine?.prog.name ?? 'bpf' }] });
        case 'stackTrace': return this.respond(req, this.stackTrace());
        case 'scopes': return this.respond(req, { scopes: this.scopes(Number(a.frameId ?? 0)) });
        case 'variables': return this.respond(req, { variables: this.variables(Number(a.variablesReference)) });
        case 'continue': this.respond(req, { allThreadsContinued: true }); return this.go(this.breakpointPred(this.engine?.state));
        case 'next': this.respond(req); return this.go(a.granularity === 'instruction' ? this.instructionPred() : this.nextPred('over'));
        case 'stepIn': this.respond(req); return this.go(a.granularity === 'instruction' ? this.instructionPred() : this.nextPred('in'));
        case 'stepOut': this.respond(req); return this.go(this.outPred());
        case 'disassemble': return this.respond(req, this.disassemble(a));
        case 'evaluate': {
          const st = this.engine?.state;
          if (!this.engine || !st) return this.respond(req, {}, 'the program is not stopped');
          const frame = Number(a.frameId ?? st.frames.length - 1);
          const r = evaluate(String(a.expression ?? ''), this.engine, st, frame);
          return 'error' in r ? this.respond(req, {}, r.error) : this.respond(req, { result: r.value, variablesReference: 0 });
        }
        case 'disconnect': case 'terminate':
          this.respond(req);
          if (!this.done) { this.done = true; this.event('terminated'); }
          if (req.command === 'disconnect') this.onExit();
          return;
        default:
          return this.respond(req, {}, `request '${req.command}' is not supported by the BPF debugger`);
      }
    } catch (e) {
      this.respond(req, {}, (e as Error).message);
    }
  }

  private launchArgs: Json = {};
  private cwd = process.cwd();

  private async launch(a: Json): Promise<string | undefined> {
    this.launchArgs = a;
    if (typeof a.cwd === 'string') this.cwd = a.cwd;
    const program = typeof a.program === 'string' ? path.resolve(this.cwd, a.program) : undefined;
    if (!program) return 'launch needs "program": a BPF C file (.c), assembly (.s) or object (.o)';
    const loaded = await loadForDebug(program);
    if (!loaded.object) return `${loaded.located ? '' : `${program}: `}${loaded.errors.join('\n') || 'cannot load'}`;
    const obj: LoadedObject = loaded.object;
    const want = typeof a.prog === 'string' && a.prog ? a.prog : undefined;
    const prog = want ? obj.programs.find((p) => p.name === want) ?? obj.programs.find((p) => p.section === want) : obj.programs.length === 1 ? obj.programs[0] : undefined;
    if (!prog) return want ? `${program} has no program '${want}' (programs: ${obj.programs.map((p) => p.name).join(', ') || 'none'})` : `"prog" is needed: ${program} has programs ${obj.programs.map((p) => p.name).join(', ') || '(none)'}`;
    let dataIn: Uint8Array | undefined, ctxIn: Uint8Array | undefined;
    try {
      if (typeof a.dataIn === 'string') dataIn = new Uint8Array(readInputFile(path.resolve(this.cwd, a.dataIn), { what: 'dataIn', maxBytes: MAX_DATA_BYTES }));
      if (typeof a.ctxIn === 'string') ctxIn = new Uint8Array(readInputFile(path.resolve(this.cwd, a.ctxIn), { what: 'ctxIn', maxBytes: MAX_DATA_BYTES }));
    } catch (e) { return (e as Error).message; }
    if (!dataIn && PACKET_TYPES.has(prog.progType)) {
      // the test run needs a packet; a zeroed Ethernet frame lets F5 work before one is chosen
      dataIn = new Uint8Array(64);
      this.output(`no "dataIn" in the launch configuration: ${prog.name} runs on 64 zero bytes`);
    }
    if (a.maxInsns !== undefined && !(Number.isSafeInteger(a.maxInsns) && (a.maxInsns as number) >= 1 && (a.maxInsns as number) <= MAX_INSNS)) {
      return `"maxInsns" must be an integer from 1 to ${MAX_INSNS}, not ${JSON.stringify(a.maxInsns)?.slice(0, 40)}`;
    }
    const maxInsns = a.maxInsns as number | undefined;
    this.engine = new DebugEngine(obj, prog, { dataIn, ctxIn, maxInsns });
    this.resolveBreakpoints();
    return undefined;
  }

  // ---- breakpoints ----

  private async setBreakpoints(a: Json): Promise<Json[]> {
    const source = (a.source ?? {}) as Json;
    const file = path.resolve(this.cwd, String(source.path ?? ''));
    const lines = ((a.breakpoints as Json[] | undefined) ?? []).map((b) => Number(b.line));
    this.lineBps.set(file, lines.map((line) => ({ file, line })));
    await this.launched;
    const resolved = this.resolveBreakpoints();
    return lines.map((line) => {
      const r = resolved.get(`${file}:${line}`);
      return r ? { verified: true, line: r } : { verified: false, line, message: this.engine ? 'no instruction on or after this line' : 'not loaded yet' };
    });
  }

  /** maps line breakpoints to instructions (first line at or after each with code); returns file:line -> actual line */
  private resolveBreakpoints(): Map<string, number> {
    const out = new Map<string, number>();
    this.bpInsns.clear();
    if (!this.engine) return out;
    for (const [file, bps] of this.lineBps) {
      for (const bp of bps) {
        let best: number | undefined;
        for (const p of this.engine.obj.programs) {
          for (const li of p.lineInfo) {
            if (!sameFile(li.fileName, file) || li.line < bp.line) continue;
            if (best === undefined || li.line < best) best = li.line;
          }
        }
        if (best === undefined) continue;
        out.set(`${file}:${bp.line}`, best);
        for (const p of this.engine.obj.programs) {
          for (const li of p.lineInfo) if (sameFile(li.fileName, file) && li.line === best) this.bpInsns.add(`${p.name}:${li.insnOff}`);
        }
      }
    }
    return out;
  }

  private setInstructionBreakpoints(a: Json): Json[] {
    this.insnBps.clear();
    const main = this.engine?.prog.name ?? '';
    return ((a.breakpoints as Json[] | undefined) ?? []).map((b) => {
      const ref = String(b.instructionReference ?? '');
      const m = /^(?:(.+):)?(\d+)$/.exec(ref);
      if (!m) return { verified: false, message: `instruction reference '${ref}' is not N or PROG:N` };
      const idx = Number(m[2]) + Number(b.offset ?? 0);
      this.insnBps.add(`${m[1] ?? main}:${idx}`);
      return { verified: true, instructionReference: ref };
    });
  }

  private isBreakpoint(v: HookView): boolean {
    const k = `${v.prog.name}:${v.pc}`;
    return this.bpInsns.has(k) || this.insnBps.has(k);
  }

  // ---- stepping predicates ----

  private breakpointPred(from: StopState | undefined): StopPredicate {
    // leaving the line stopped at first, so one line's several line_info records do not stop again
    const start = from ? this.topLine(from) : undefined;
    let left = !start;
    return (v) => {
      const l = DebugEngine.lineOf(v.prog, v.pc);
      if (!left && (!l || !start || l.line !== start.line || l.file !== start.file)) left = true;
      if (this.insnBps.has(`${v.prog.name}:${v.pc}`)) return 'breakpoint';
      return left && this.isBreakpoint(v) ? 'breakpoint' : false;
    };
  }

  private instructionPred(): StopPredicate { return () => 'step'; }

  /** 'over': the next line in this frame or a caller; 'in': the next line anywhere (callees too) */
  private nextPred(mode: 'over' | 'in'): StopPredicate {
    const st = this.engine?.state;
    if (!st) return () => 'step';
    const depth = st.frames.length - 1;
    const start = this.topLine(st);
    if (!start) return () => 'step'; // no line info: instruction steps
    const bp = this.breakpointPred(st);
    return (v) => {
      if (bp(v)) return 'breakpoint';
      if (v.depth < depth) return 'step';
      if (v.depth > depth && mode === 'over') return false;
      if (v.depth > depth) return 'step';
      const l = DebugEngine.lineOf(v.prog, v.pc);
      return l && (l.line !== start.line || l.file !== start.file) ? 'step' : false;
    };
  }

  private outPred(): StopPredicate {
    const st = this.engine?.state;
    const depth = st ? st.frames.length - 1 : 0;
    const bp = this.breakpointPred(st);
    return (v) => (v.depth < depth ? 'step' : bp(v));
  }

  private topLine(st: StopState): { file: string; line: number } | undefined {
    const f = st.frames[st.frames.length - 1];
    return DebugEngine.lineOf(f.prog, f.pc);
  }

  private go(pred: StopPredicate): void {
    const engine = this.engine;
    if (!engine || this.done) return;
    let out: ResumeOutcome;
    try {
      out = engine.resume(pred);
    } catch (e) {
      this.output(`bpfls debug: ${(e as Error).message}`, 'stderr');
      this.finish();
      return;
    }
    this.flushTrace(out.kind === 'finished' ? out.result.trace : engine.emu.traceSoFar);
    if (out.kind === 'stopped') {
      const st = out.state;
      if (st.fault) this.output(`fault at instruction ${st.frames[st.frames.length - 1].pc}: ${st.fault}`, 'stderr');
      this.event('stopped', { reason: st.reason, threadId: THREAD, allThreadsStopped: true, ...(st.fault ? { text: st.fault, description: st.fault } : {}) });
      return;
    }
    this.finished(engine.prog, out.result);
  }

  private flushTrace(trace: readonly string[]): void {
    for (; this.traceShown < trace.length; this.traceShown++) this.output(trace[this.traceShown], 'stdout');
  }

  private finished(prog: LoadedProgram, r: RunResult): void {
    if (r.error) {
      this.output(`${prog.name}: ${r.error.insn >= 0 ? `instruction ${r.error.insn}: ` : ''}${r.error.message}`, 'stderr');
      this.event('exited', { exitCode: 1 });
    } else {
      const meaning = describeRetval(prog.progType, r.retval);
      this.output(`Return value: ${r.retval}${meaning ? ` (${meaning})` : ''}, instructions: ${r.insns}`);
      if (r.dataOut.length) this.output(`data_out: ${Buffer.from(r.dataOut).toString('hex')}`);
      this.event('exited', { exitCode: r.retval });
    }
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.event('terminated');
  }

  // ---- inspection ----

  private stackTrace(): Json {
    const st = this.engine?.state;
    if (!st) return { stackFrames: [], totalFrames: 0 };
    const frames: Json[] = [];
    for (let d = st.frames.length - 1; d >= 0; d--) {
      const f = st.frames[d];
      const src = DebugEngine.lineOf(f.prog, f.pc);
      frames.push({
        id: d,
        name: `${funcName(f.prog, f.pc)} @${f.pc}: ${printInsnLlvm(f.prog.insns, f.pc)}`,
        line: src?.line ?? 0, column: 1,
        ...(src ? { source: { name: path.basename(src.file), path: src.file } } : {}),
        instructionPointerReference: `${f.prog.name}:${f.pc}`,
      });
    }
    return { stackFrames: frames, totalFrames: frames.length };
  }

  private scopes(frame: number): Json[] {
    const st = this.engine?.state;
    if (!st || frame < 0 || frame >= st.frames.length) return [];
    const s: Json[] = [
      { name: 'Registers', variablesReference: frame * 16 + SCOPE_REGS, presentationHint: 'registers', expensive: false },
      { name: 'Stack (512 bytes)', variablesReference: frame * 16 + SCOPE_STACK, presentationHint: 'locals', expensive: false },
    ];
    if (this.engine?.packet()) s.push({ name: 'Packet', variablesReference: frame * 16 + SCOPE_PACKET, expensive: false });
    if (this.engine?.emu.maps.some((m) => m)) s.push({ name: 'Maps', variablesReference: frame * 16 + SCOPE_MAPS, expensive: false });
    return s;
  }

  private variables(ref: number): Json[] {
    const engine = this.engine, st = engine?.state;
    if (!engine || !st) return [];
    if (ref >= MAP_REF_BASE) return this.mapEntries(ref - MAP_REF_BASE);
    const frame = Math.floor(ref / 16), scope = ref % 16;
    const f = st.frames[frame];
    if (!f) return [];
    const top = frame === st.frames.length - 1;
    switch (scope) {
      case SCOPE_REGS: {
        const vars: Json[] = [];
        for (let r = 0; r <= 10; r++) {
          if (!top && r !== 10) continue; // callers' r0-r9 are not kept by the interpreter
          const hi = top ? st.H[r] : f.fpHi, lo = top ? st.L[r] : f.fpLo;
          vars.push({ name: `r${r}`, value: describeValue(engine, hi, lo), variablesReference: 0 });
        }
        if (!top) vars.push({ name: '(note)', value: 'registers r0-r9 are shown for the innermost frame only', variablesReference: 0 });
        return vars;
      }
      case SCOPE_STACK: {
        const vars: Json[] = [];
        const dv = new DataView(f.stack.buffer, f.stack.byteOffset, f.stack.byteLength);
        for (let off = f.stack.length - 8; off >= 0; off -= 8) {
          const hi = dv.getInt32(off + 4, true), lo = dv.getInt32(off, true);
          if (hi === 0 && lo === 0 && off < f.stack.length - 64) continue; // zero slots below the top 64 bytes
          vars.push({ name: `r10 - ${f.stack.length - off}`, value: describeValue(engine, hi, lo), variablesReference: 0 });
        }
        return vars;
      }
      case SCOPE_PACKET: {
        const p = engine.packet();
        if (!p) return [];
        const bytes = p.bytes.subarray(p.start, p.end);
        const vars: Json[] = [{ name: 'length', value: String(bytes.length), variablesReference: 0 }];
        for (let o = 0; o < bytes.length && o < 4096; o += 16) {
          vars.push({ name: `+${o.toString(16).padStart(4, '0')}`, value: Buffer.from(bytes.subarray(o, o + 16)).toString('hex').replace(/(..)/g, '$1 ').trim(), variablesReference: 0 });
        }
        return vars;
      }
      case SCOPE_MAPS:
        return engine.emu.maps.filter((m) => m).map((m) => ({
          name: m.name, value: `${mapTypeName(m.def.type)}, key ${m.def.keySize} B, value ${m.def.valueSize} B`,
          variablesReference: MAP_REF_BASE + m.def.index,
        }));
      default: return [];
    }
  }

  private mapEntries(index: number): Json[] {
    const m = this.engine?.emu.maps[index];
    if (!m) return [];
    let entries: [Uint8Array, { bytes: Uint8Array }][];
    try { entries = m.entries(); } catch (e) { return [{ name: '(entries)', value: (e as Error).message, variablesReference: 0 }]; }
    const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
    return entries.slice(0, 256).map(([k, v]) => ({ name: hexOf(k), value: hexOf(v.bytes.subarray(0, m.def.valueSize)), variablesReference: 0 }));
  }

  private disassemble(a: Json): Json {
    const engine = this.engine;
    if (!engine) return { instructions: [] };
    const ref = String(a.memoryReference ?? '');
    const m = /^(?:(.+):)?(\d+)$/.exec(ref);
    const prog = (m?.[1] ? engine.obj.programs.find((p) => p.name === m[1]) : undefined) ?? engine.prog;
    const base = (m ? Number(m[2]) : 0) + Number(a.instructionOffset ?? 0);
    const count = Math.min(Number(a.instructionCount ?? 0), 10_000);
    const out: Json[] = [];
    for (let i = base; i < base + count; i++) {
      if (i < 0 || i >= prog.insns.length) { out.push({ address: `${prog.name}:${i}`, instruction: '', presentationHint: 'invalid' }); continue; }
      const src = DebugEngine.lineOf(prog, i);
      out.push({
        address: `${prog.name}:${i}`, instruction: printInsnLlvm(prog.insns, i),
        ...(src ? { line: src.line, location: { name: path.basename(src.file), path: src.file } } : {}),
      });
    }
    return { instructions: out };
  }
}

function sameFile(a: string, b: string): boolean {
  return a === b || path.resolve(a) === path.resolve(b);
}

function funcName(p: LoadedProgram, pc: number): string {
  let best = p.name, at = -1;
  for (const f of p.funcInfo) if (f.insnOff <= pc && f.insnOff > at) { at = f.insnOff; best = f.name; }
  return best;
}


