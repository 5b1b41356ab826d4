// Emulator speed: ns per instruction on a loop-heavy XDP program (xorshift hashing in a loop of
// 4095 iterations), for the interpreter and the compiled tier, beside the kernel's BPF_PROG_TEST_RUN figure for the same program measured in
// the same run (duration / instructions), and their ratio.
import { insn, type Insn } from '../server/src/bpf/isa/insn';
import { encodeInsns } from '../server/src/bpf/isa/insn';
import { ProgType } from '../server/src/bpf/progtypes';
import { Emulator, rawObject } from '../server/src/bpf/emulator/emulator';
import { bpfrun, parseRun, runScript } from '../server/test/emulator/kernel';

function loopProgram(): Insn[] {
  const p: Insn[] = [
    insn(0xbf, 6, 1), // r6 = ctx
    insn(0x61, 2, 6, 0), insn(0x61, 3, 6, 4), // r2 = data, r3 = data_end
    insn(0xbf, 4, 2), insn(0x07, 4, 0, 0, 8), insn(0x2d, 4, 3, 0, 0), // if data + 8 > end goto out (fixed below)
    insn(0x61, 5, 2, 0), insn(0x57, 5, 0, 0, 4095), // n = *(u32 *)data & 4095
    insn(0xb7, 0, 0, 0, 1), insn(0xb7, 1, 0, 0, 0x12345), insn(0xb7, 7, 0, 0, 0),
  ];
  const loop = p.length;
  p.push(
    insn(0x3d, 7, 5, 0, 0), // if i >= n goto done (fixed below)
    insn(0xbf, 8, 1), insn(0x67, 8, 0, 0, 13), insn(0xaf, 1, 8),
    insn(0xbf, 8, 1), insn(0x77, 8, 0, 0, 7), insn(0xaf, 1, 8),
    insn(0xbf, 8, 1), insn(0x67, 8, 0, 0, 17), insn(0xaf, 1, 8),
    insn(0x0f, 0, 1), insn(0xbc, 9, 1), insn(0x24, 9, 0, 0, 3), insn(0xaf, 0, 9),
    insn(0x07, 7, 0, 0, 1),
  );
  p.push(insn(0x05, 0, 0, loop - (p.length + 1), 0)); // goto loop
  const done = p.length;
  p.push(insn(0xbc, 0, 0), insn(0x95));
  const out = p.length;
  p.push(insn(0xb7, 0, 0, 0, 2), insn(0x95));
  p[5] = { ...p[5], off: out - 6 };
  p[loop] = { ...p[loop], off: done - (loop + 1) };
  return p;
}

const insns = loopProgram();
const data = new Uint8Array(64);
new DataView(data.buffer).setUint32(0, 4095, true);

/** ns per instruction of one tier: CPU time (fair on a shared machine) and wall time */
function measure(jit: 'never' | 'auto') {
  const emu = new Emulator(rawObject(insns, ProgType.XDP), { maxInsns: 10_000_000, jit });
  const first = emu.run('prog', { dataIn: data });
  if (first.error) { console.error(`emulator fault: ${first.error.message}`); process.exit(1); }
  emu.run('prog', { dataIn: data, repeat: 50 }); // warm up (and, for 'auto', compile)
  const repeat = 400;
  const cpu0 = process.cpuUsage();
  const r = emu.run('prog', { dataIn: data, repeat });
  const cpu = process.cpuUsage(cpu0);
  return { r, perRun: first.insns, cpuNs: ((cpu.user + cpu.system) * 1000) / repeat / first.insns, wallNs: r.durationNs / first.insns, repeat };
}

const interp = measure('never');
const jit = measure('auto');
const perRun = jit.perRun;
const r = jit.r;
const emuNs = jit.cpuNs;
console.log(`program: ${insns.length} instructions, ${perRun} executed per run, retval ${r.retval}`);
console.log(`interpreter: ${interp.cpuNs.toFixed(2)} ns/insn of CPU time, ${interp.wallNs.toFixed(2)} ns/insn of wall time (mean of ${interp.repeat} runs)`);
console.log(`compiled tier (default once a program is hot): ${jit.cpuNs.toFixed(2)} ns/insn of CPU time, ${jit.wallNs.toFixed(2)} ns/insn of wall time (mean of ${jit.repeat} runs)`);

const k = bpfrun();
if (!k.ok) {
  console.log(`kernel: not measured (${k.reason})`);
} else {
  const lines = runScript(k.bin, [`prog ${ProgType.XDP} 0 ${Buffer.from(encodeInsns(insns)).toString('hex')}`, `run 2000 ${Buffer.from(data).toString('hex')} -`]);
  const kr = parseRun(lines[1] ?? '');
  if (!lines[0]?.startsWith('ok') || 'error' in kr) {
    console.log(`kernel: not measured (${lines.join(' | ')})`);
  } else {
    const m = /^ok \d+ (\d+)/.exec(lines[1])!;
    const kns = Number(m[1]) / perRun;
    if (kr.retval !== r.retval) console.log(`warning: kernel retval ${kr.retval} differs from the emulator's ${r.retval}`);
    console.log(`kernel BPF_PROG_TEST_RUN: ${kns.toFixed(3)} ns/insn (${m[1]} ns per run, mean of 2000)`);
    console.log(`ratio emulator/kernel: ${(emuNs / kns).toFixed(1)}x compiled, ${(interp.cpuNs / kns).toFixed(1)}x interpreter (CPU time)`);
  }
}
console.log(`target <= 5 ns/insn: compiled ${emuNs <= 5 ? 'met' : 'NOT met'}, interpreter ${interp.cpuNs <= 5 ? 'met' : 'NOT met'}`);
