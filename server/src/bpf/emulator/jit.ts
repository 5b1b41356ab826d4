// The emulator's fast tier: a program compiled to one JavaScript function, which V8 turns into
// machine code. Registers live in local int32 variables (lo/hi halves), basic blocks are cases of
// a dispatch switch, and the instruction count advances per block. Semantics are the
// interpreter's, instruction for instruction (the parity tests run both tiers against the kernel).
//
// BPF-to-BPF calls are nested invocations of the same function. Programs with tail calls,
// may_goto, callx or kfunc calls stay in the interpreter. When the instruction budget would run out
// inside a block, the compiled code hands over to the interpreter at the block start, which faults
// at the exact instruction (inside a callee the compiled code names that instruction itself).
import * as arith from './arith';
import { EmulatorFault, type Memory } from './memory';
import type { DecodedProg, Vm } from './interpreter';

/** Runs from `pc` until exit (returns -1) or until the interpreter must take over (returns its pc). */
export type JitFn = (vm: Vm, pc: number) => number;

const MAX_JIT_INSNS = 4096;
const TAIL_CALL = 12;

type Factory = (a: typeof arith, Fault: typeof EmulatorFault) => (vm: Vm, L: Int32Array, H: Int32Array, mem: Memory, pc0: number, nested: number) => number;

function supported(p: DecodedProg): boolean {
  if (p.n > MAX_JIT_INSNS) return false;
  let calls = false, ldAbs = false;
  for (let i = 0; i < p.n; i++) {
    const c = p.code[i];
    if (c === 0x18) { i++; continue; }
    if (c === 0x85 && (p.src[i] > 1 || (p.src[i] === 0 && p.imm[i] === TAIL_CALL))) return false;
    if (c === 0x85 && p.src[i] === 1) calls = true;
    if (c === 0x8d || c === 0xe5 || c === 0xfe || c === 0xff) return false;
    if ((c & 7) === 0x00) ldAbs = true; // LD_ABS / LD_IND
  }
  // LD_ABS ends the whole program on a bad offset, which a compiled callee cannot do (and the
  // verifier refuses LD_ABS together with BPF-to-BPF calls anyway)
  return !(calls && ldAbs);
}

const num = (k: number): string => (k < 0 ? `(${k})` : `${k}`);

/** Compiles a program, or returns undefined when it needs the interpreter. */
export function compileJit(p: DecodedProg): JitFn | undefined {
  if (!supported(p)) return undefined;
  const n = p.n;
  const { code, dst, src, off, imm } = p;
  // basic block leaders
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  for (let i = 0; i < n; i++) {
    const c = code[i];
    if (c === 0x18) { i++; continue; }
    const cls = c & 7;
    if (cls !== 0x05 && cls !== 0x06) continue;
    const op = c & 0xf0;
    if (op === 0x80) { // calls stay inside the block; a BPF-to-BPF call's target starts one
      if (c === 0x85 && src[i] === 1) { const t = i + imm[i] + 1; if (t >= 0 && t < n) leader[t] = 1; else return undefined; }
      continue;
    }
    leader[i + 1] = 1;
    if (op === 0x90) continue;
    const t = c === 0x06 ? i + imm[i] + 1 : i + off[i] + 1;
    if (t >= 0 && t <= n) leader[t] = 1;
  }
  const R = (r: number) => `l${r}`, Hh = (r: number) => `h${r}`;
  const spill = Array.from({ length: 11 }, (_, r) => `L[${r}]=l${r};H[${r}]=h${r};`).join('');
  const reload = (regs: number[]) => regs.map((r) => `l${r}=L[${r}];h${r}=H[${r}];`).join('');
  const out: string[] = [];
  const emit = (s: string) => out.push(s);

  const alu = (i: number): string | undefined => {
    const c = code[i], d = dst[i], s = src[i], k = imm[i], o = off[i];
    const is64 = (c & 7) === 0x07, x = (c & 8) !== 0, op = c & 0xf0;
    const bl = x ? R(s) : num(k), bh = x ? Hh(s) : num(k >> 31);
    const l = R(d), h = Hh(d);
    if (is64) {
      switch (op) {
        case 0x00: return `{const a=${l},b=${bl},s=(a>>>0)+(b>>>0);${l}=s|0;${h}=(${h}+${bh}+(s>4294967295?1:0))|0;}`;
        case 0x10: return `{const a=${l},b=${bl},s=(a>>>0)-(b>>>0);${l}=s|0;${h}=(${h}-${bh}-(s<0?1:0))|0;}`;
        case 0x20: return `{const a=${l},b=${bl},ah=${h},bh=${bh};${h}=(A.mulhu(a,b)+Math.imul(a,bh)+Math.imul(ah,b))|0;${l}=Math.imul(a,b);}`;
        case 0x30: return `A.${o === 1 ? 'sdiv64' : 'udiv64'}(${h},${l},${bh},${bl});${l}=O.lo;${h}=O.hi;`;
        case 0x90: return `A.${o === 1 ? 'smod64' : 'umod64'}(${h},${l},${bh},${bl});${l}=O.lo;${h}=O.hi;`;
        case 0x40: return `${l}|=${bl};${h}|=${bh};`;
        case 0x50: return `${l}&=${bl};${h}&=${bh};`;
        case 0xa0: return `${l}^=${bl};${h}^=${bh};`;
        case 0x80: return `{const a=${l};${l}=(-a)|0;${h}=(~${h}+(a===0?1:0))|0;}`;
        case 0xb0:
          if (!x) return `${l}=${num(k)};${h}=${num(k >> 31)};`;
          if (o === 0) return `${l}=${R(s)};${h}=${Hh(s)};`;
          if (o === 8) return `{const v=(${R(s)}<<24)>>24;${l}=v;${h}=v>>31;}`;
          if (o === 16) return `{const v=(${R(s)}<<16)>>16;${l}=v;${h}=v>>31;}`;
          if (o === 32) return `{const v=${R(s)};${l}=v;${h}=v>>31;}`;
          return undefined;
        case 0x60: case 0x70: case 0xc0: {
          const kk = x ? `(${R(s)}&63)` : `${k & 63}`;
          const body = op === 0x60
            ? `if(q<32){${h}=(${h}<<q)|(${l}>>>(32-q));${l}=${l}<<q;}else{${h}=${l}<<(q-32);${l}=0;}`
            : op === 0x70
              ? `if(q<32){${l}=(${l}>>>q)|(${h}<<(32-q));${h}=${h}>>>q;}else{${l}=(${h}>>>(q-32))|0;${h}=0;}`
              : `if(q<32){${l}=(${l}>>>q)|(${h}<<(32-q));${h}=${h}>>q;}else{${l}=${h}>>(q-32);${h}=${h}>>31;}`;
          return `{const q=${kk};if(q!==0){${body}}}`;
        }
        case 0xd0: // bswap
          if (k === 16) return `${l}=A.bswap16(${l});${h}=0;`;
          if (k === 32) return `${l}=A.bswap32(${l});${h}=0;`;
          if (k === 64) return `{const t=${l};${l}=A.bswap32(${h});${h}=A.bswap32(t);}`;
          return undefined;
      }
    } else {
      const b = x ? R(s) : num(k);
      switch (op) {
        case 0x00: return `${l}=(${l}+${b})|0;${h}=0;`;
        case 0x10: return `${l}=(${l}-${b})|0;${h}=0;`;
        case 0x20: return `${l}=Math.imul(${l},${b});${h}=0;`;
        case 0x30: return o === 1 ? `${l}=A.sdiv32(${l},${b});${h}=0;` : `{const b=${b};${l}=b===0?0:(Math.floor((${l}>>>0)/(b>>>0))|0);${h}=0;}`;
        case 0x90: return o === 1 ? `${l}=A.smod32(${l},${b});${h}=0;` : `{const b=${b};${l}=b===0?${l}:(((${l}>>>0)%(b>>>0))|0);${h}=0;}`;
        case 0x40: return `${l}|=${b};${h}=0;`;
        case 0x50: return `${l}&=${b};${h}=0;`;
        case 0xa0: return `${l}^=${b};${h}=0;`;
        case 0x60: return `${l}=${l}<<(${x ? `${R(s)}&31` : k & 31});${h}=0;`;
        case 0x70: return `${l}=${l}>>>(${x ? `${R(s)}&31` : k & 31})|0;${h}=0;`;
        case 0xc0: return `${l}=${l}>>(${x ? `${R(s)}&31` : k & 31});${h}=0;`;
        case 0x80: return `${l}=(-${l})|0;${h}=0;`;
        case 0xb0:
          if (!x) return `${l}=${num(k)};${h}=0;`;
          if (o === 8) return `${l}=(${R(s)}<<24)>>24;${h}=0;`;
          if (o === 16) return `${l}=(${R(s)}<<16)>>16;${h}=0;`;
          if (o === 0) return `${l}=${R(s)};${h}=0;`;
          return undefined;
        case 0xd0:
          if (c === 0xd4) return k === 16 ? `${l}&=65535;${h}=0;` : k === 32 ? `${h}=0;` : k === 64 ? '' : undefined;
          if (k === 16) return `${l}=A.bswap16(${l});${h}=0;`;
          if (k === 32) return `${l}=A.bswap32(${l});${h}=0;`;
          if (k === 64) return `{const t=${l};${l}=A.bswap32(${h});${h}=A.bswap32(t);}`;
          return undefined;
      }
    }
    return undefined;
  };

  const cond = (i: number): string | undefined => {
    const c = code[i], d = dst[i], s = src[i], k = imm[i];
    const x = (c & 8) !== 0, op = c & 0xf0;
    if ((c & 7) === 0x06) { // JMP32
      const a = R(d), b = x ? R(s) : num(k);
      switch (op) {
        case 0x10: return `${a}===${b}`;
        case 0x50: return `${a}!==${b}`;
        case 0x40: return `(${a}&${b})!==0`;
        case 0x20: return `(${a}>>>0)>(${b}>>>0)`;
        case 0x30: return `(${a}>>>0)>=(${b}>>>0)`;
        case 0xa0: return `(${a}>>>0)<(${b}>>>0)`;
        case 0xb0: return `(${a}>>>0)<=(${b}>>>0)`;
        case 0x60: return `${a}>${b}`;
        case 0x70: return `${a}>=${b}`;
        case 0xc0: return `${a}<${b}`;
        case 0xd0: return `${a}<=${b}`;
      }
      return undefined;
    }
    const al = R(d), ah = Hh(d), bl = x ? R(s) : num(k), bh = x ? Hh(s) : num(k >> 31);
    switch (op) {
      case 0x10: return `(${al}===${bl}&&${ah}===${bh})`;
      case 0x50: return `(${al}!==${bl}||${ah}!==${bh})`;
      case 0x40: return `((${al}&${bl})|(${ah}&${bh}))!==0`;
      case 0x20: return `((${ah}>>>0)>(${bh}>>>0)||(${ah}===${bh}&&(${al}>>>0)>(${bl}>>>0)))`;
      case 0x30: return `((${ah}>>>0)>(${bh}>>>0)||(${ah}===${bh}&&(${al}>>>0)>=(${bl}>>>0)))`;
      case 0xa0: return `((${ah}>>>0)<(${bh}>>>0)||(${ah}===${bh}&&(${al}>>>0)<(${bl}>>>0)))`;
      case 0xb0: return `((${ah}>>>0)<(${bh}>>>0)||(${ah}===${bh}&&(${al}>>>0)<=(${bl}>>>0)))`;
      case 0x60: return `(${ah}>${bh}||(${ah}===${bh}&&(${al}>>>0)>(${bl}>>>0)))`;
      case 0x70: return `(${ah}>${bh}||(${ah}===${bh}&&(${al}>>>0)>=(${bl}>>>0)))`;
      case 0xc0: return `(${ah}<${bh}||(${ah}===${bh}&&(${al}>>>0)<(${bl}>>>0)))`;
      case 0xd0: return `(${ah}<${bh}||(${ah}===${bh}&&(${al}>>>0)<=(${bl}>>>0)))`;
    }
    return undefined;
  };

  const sizeOf = (c: number) => ((c & 0x18) === 0x00 ? 4 : (c & 0x18) === 0x08 ? 2 : (c & 0x18) === 0x10 ? 1 : 8);

  let i = 0;
  while (i < n) {
    // one block: slots [start, end); `k` counts instructions (an ld_imm64 is one)
    let end = i + 1;
    while (end < n && !leader[end]) end++;
    const start = i;
    let total = 0;
    for (let j = start; j < end; j++) { total++; if (code[j] === 0x18) j++; }
    const slots: number[] = [];
    for (let j = start; j < end; j++) { slots.push(j); if (code[j] === 0x18) j++; }
    // over budget: the top frame hands the block to the interpreter, which faults at the exact
    // instruction; a callee frame reports that same instruction itself
    emit(`case ${start}:{nb=n;n+=${total};if(n>budget){n=nb;${spill}if(nested){vm.count=nb;vm.budgetFault([${slots.join(',')}][budget-nb]);}vm.count=n;return ${start};}`);
    // a callee or a helper's callbacks may have used up the budget in the middle of the block
    const afterCall = (j: number, k: number): string => {
      const rest = slots.slice(k);
      if (rest.length === 0) return '';
      return `if(n>budget){${spill}if(nested)vm.budgetFault([${rest.join(',')}][budget-(nb+${k})]);vm.count=nb+${k};return ${j + 1};}`;
    };
    let terminated = false;
    let k = 0;
    for (let j = start; j < end; j++) {
      const c = code[j], d = dst[j], s = src[j], o = off[j], cls = c & 7;
      k++;
      if (c === 0x18) { emit(`${R(d)}=${num(p.kLo[j])};${Hh(d)}=${num(p.kHi[j])};`); j++; continue; }
      if (cls === 0x00) { // LD_ABS / LD_IND: a bad offset ends the program with r0 = 0
        emit(`ip=${j};ic=${k};${spill}if(!vm.ldAbsInsn(${c},${s},${imm[j]})){vm.count=nb+${k};l0=0;h0=0;return -1;}${reload([0])}`);
        continue;
      }
      if (cls === 0x07 || cls === 0x04) {
        const a = alu(j);
        if (a === undefined) return undefined;
        emit(a);
        continue;
      }
      const at = `ip=${j};ic=${k};`;
      if (cls === 0x01) { // LDX, LDX sign-extending
        if ((c & 0xe0) !== 0x60 && !((c & 0xe0) === 0x80 && (c & 0x18) !== 0x18)) return undefined;
        const size = sizeOf(c);
        emit(`${at}mem.load(${Hh(s)},${R(s)},${o},${size});`);
        if ((c & 0xe0) === 0x80) {
          const v = size === 4 ? 'mem.outLo' : size === 2 ? '(mem.outLo<<16)>>16' : '(mem.outLo<<24)>>24';
          emit(`{const v=${v};${R(d)}=v;${Hh(d)}=v>>31;}`);
        } else emit(`${R(d)}=mem.outLo;${Hh(d)}=mem.outHi;`);
        continue;
      }
      if (cls === 0x02) {
        if ((c & 0xe0) !== 0x60) return undefined;
        emit(`${at}mem.store(${Hh(d)},${R(d)},${o},${sizeOf(c)},${num(imm[j])},${num(imm[j] >> 31)});`);
        continue;
      }
      if (cls === 0x03) {
        if ((c & 0xe0) === 0xc0) { // atomics: through the interpreter's implementation
          emit(`${at}${spill}vm.atomicInsn(${c},${d},${s},${o},${imm[j]},${j});${reload([0, s])}`);
          continue;
        }
        if ((c & 0xe0) !== 0x60) return undefined;
        emit(`${at}mem.store(${Hh(d)},${R(d)},${o},${sizeOf(c)},${R(s)},${Hh(s)});`);
        continue;
      }
      if (cls === 0x05 || cls === 0x06) {
        const op = c & 0xf0;
        if (op === 0x80 && c === 0x85 && s === 1) { // BPF-to-BPF call: the callee runs in a nested invocation
          const target = j + imm[j] + 1;
          emit(`${at}${spill}vm.count=nb+${k};vm.enterFrame();self(vm,L,H,mem,${target},1);vm.depth--;nb=vm.count-${k};n=nb+${total};${reload([0, 1, 2, 3, 4, 5])}${afterCall(j, k)}`);
          continue;
        }
        if (op === 0x80) { // helper call: exact count for helpers that read it (ktime), callbacks may add to it
          if (c !== 0x85) return undefined;
          emit(`${at}${spill}vm.count=nb+${k};vm.callHelper(${imm[j]});nb=vm.count-${k};n=nb+${total};${reload([0, 1, 2, 3, 4, 5])}${afterCall(j, k)}`);
          continue;
        }
        if (op === 0x90) {
          if (c !== 0x95) return undefined;
          emit(`${spill}vm.count=n;return -1;}`); terminated = true; break;
        }
        const target = c === 0x06 ? j + imm[j] + 1 : j + o + 1;
        if (op === 0x00) {
          if (c !== 0x05 && c !== 0x06) return undefined;
          emit(`pc=${target};continue;}`); terminated = true; break;
        }
        const cc = cond(j);
        if (cc === undefined) return undefined;
        emit(`if(${cc}){pc=${target};continue;}pc=${j + 1};continue;}`);
        terminated = true;
        break;
      }
      return undefined;
    }
    if (!terminated) emit(`pc=${end};continue;}`);
    i = end;
  }
  const regs = Array.from({ length: 11 }, (_, r) => `l${r}=L[${r}],h${r}=H[${r}]`).join(',');
  const body = [
    `return function self(vm,L,H,mem,pc0,nested){`,
    `let ${regs};`,
    `let n=vm.count,nb=n,ic=0,ip=-1,pc=pc0;const budget=vm.budget;const O=A.out;`,
    `try{for(;;){switch(pc){`,
    ...out,
    `case ${n}:{${spill}vm.count=n+1;const e=new F('execution fell off the end of the program (after instruction ${n - 1})');e.insn=${n};throw e;}`,
    `default:{${spill}vm.count=n;return pc;}`,
    `}}}catch(e){${spill}if(e instanceof F&&e.insn<0){e.insn=ip;vm.count=nb+ic;}throw e;}};`,
  ].join('\n');
  const factory = new Function('A', 'F', body) as Factory;
  const fn = factory(arith, EmulatorFault);
  return (vm: Vm, pc: number) => fn(vm, vm.L, vm.H, vm.mem, pc, 0);
}
