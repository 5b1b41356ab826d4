// Kernel parity on the corpus: each program of fixtures/corpus/*.c, compiled with clang, runs on
// every test packet both in the emulator (through the project's loader) and in the kernel
// (bpftool prog loadall + prog run, i.e. BPF_PROG_TEST_RUN); retval and data_out must match.
// Programs of one object share maps and run in the same order on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadObject } from '../../src/bpf/loader';
import { Emulator } from '../../src/bpf/emulator/emulator';
import { MapType, ProgType } from '../../src/bpf/progtypes';
import { bpfrun, bpftoolStatus, parseRun, PinnedObject, runScript, type KernelRun } from './kernel';
import { encodeInsns } from '../../src/bpf/isa/insn';
import type { LoadedObject, LoadedProgram } from '../../src/bpf/loader/types';
import { PACKETS } from './packets';

const corpusDir = path.join(__dirname, 'fixtures/corpus');

interface Input { name: string; data?: Uint8Array; ctx?: Uint8Array }

function u64s(...v: bigint[]): Uint8Array {
  const b = new Uint8Array(v.length * 8);
  v.forEach((x, i) => new DataView(b.buffer).setBigUint64(i * 8, x, true));
  return b;
}

/** what BPF_PROG_TEST_RUN takes for a program type: packets, or a ctx_in */
function inputsFor(progType: number): Input[] {
  switch (progType) {
    case ProgType.RAW_TRACEPOINT:
      return [1n, 2n, 1n, 7n].map((a, i) => ({ name: `args ${a},${i}`, ctx: u64s(a, BigInt(i * 5 + 1)) }));
    case ProgType.SYSCALL:
      return [[5n, 3n], [0x100000000n, 20n]].map(([x, y]) => ({ name: `args ${x},${y}`, ctx: u64s(x, y) }));
    default:
      return PACKETS.map((p) => ({ name: p.name, data: p.data }));
  }
}

const ctxOutCompared = (t: number) => t === ProgType.SYSCALL;

const BPF_F_SLEEPABLE = 16;

function runWithBpfrun(obj: LoadedObject, p: LoadedProgram, inputs: Input[]): (KernelRun | { error: string })[] {
  const k = bpfrun();
  if (!k.ok) return inputs.map(() => ({ error: k.reason }));
  const hex = (b: Uint8Array | undefined) => (b && b.length ? Buffer.from(b).toString('hex') : '-');
  const script = obj.maps.map((m) => `map ${m.type} ${m.keySize} ${m.valueSize} ${m.maxEntries} ${m.flags} ${hex(m.initialValue)}`);
  script.push(`progf ${p.progType} ${p.expectedAttachType} ${p.sleepable || p.progType === ProgType.SYSCALL ? BPF_F_SLEEPABLE : 0} ${Buffer.from(encodeInsns(p.insns)).toString('hex')}`);
  for (const i of inputs) script.push(`runctx ${hex(i.ctx)}`);
  const lines = runScript(k.bin, script);
  const load = lines[obj.maps.length];
  if (!load?.startsWith('ok')) return inputs.map(() => ({ error: `load: ${load}` }));
  return lines.slice(obj.maps.length + 1).map((l) => {
    const r = parseRun(l);
    // runctx prints the ctx buffer after the run where `run` prints ctx_out
    return 'error' in r ? r : { retval: r.retval, dataOut: '', ctxOut: r.ctxOut };
  });
}
const CLANG = process.env.BPFLS_CLANG ?? 'clang-19';

function compile(src: string, out: string): string | undefined {
  const r = spawnSync(CLANG, ['-target', 'bpf', '-mcpu=v4', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c', src, '-o', out], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || 'clang failed').trim();
}

const clangOk = spawnSync(CLANG, ['--version']).status === 0;
const kernel = bpftoolStatus();
const skip = !clangOk ? `${CLANG} not found: cannot compile the corpus` : !kernel.ok ? kernel.reason : false;

test('kernel parity: corpus programs match BPF_PROG_TEST_RUN', { skip, timeout: 600_000 }, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'bpfls-corpus-'));
  const mismatches: string[] = [];
  let compared = 0, programs = 0, mapsCompared = 0;
  try {
    for (const f of readdirSync(corpusDir).filter((x) => x.endsWith('.c')).sort()) {
      const obj = path.join(work, f.replace(/\.c$/, '.o'));
      const err = compile(path.join(corpusDir, f), obj);
      assert.equal(err, undefined, `${f}: ${err}`);
      const loaded = loadObject(new Uint8Array(readFileSync(obj)));
      assert.ok(loaded.object, `${f}: loader: ${loaded.errors.join('; ')}`);
      const emu = new Emulator(loaded.object);
      const progArrays = loaded.object.maps.filter((m) => m.type === MapType.PROG_ARRAY && m.initSlots).map((m) => ({ map: m.name, slots: m.initSlots! }));
      const pinned = new PinnedObject(obj, progArrays);
      const separateMaps = new Set<number>();
      try {
        for (const p of loaded.object.programs) {
          programs++;
          const inputs = inputsFor(p.progType);
          // bpftool cannot test-run raw_tp and syscall programs (it asks for repeat and ctx_out, which
          // they refuse): those load through bpfrun with the object's maps, from the loader's instructions
          const viaBpfrun = p.progType === ProgType.RAW_TRACEPOINT || p.progType === ProgType.SYSCALL ? runWithBpfrun(loaded.object, p, inputs) : undefined;
          // those programs update their own copies of the maps, not the pinned ones
          if (viaBpfrun) p.insns.forEach((x) => { if (x.code === 0x18 && (x.src === 5 || x.src === 6)) separateMaps.add(x.imm); });
          for (const [ii, input] of inputs.entries()) {
            const k = viaBpfrun ? viaBpfrun[ii] : pinned.run(p.name, input.data, input.ctx);
            const e = emu.run(p.name, { dataIn: input.data, ctxIn: input.ctx });
            const where = `${f}:${p.name} on ${input.name}`;
            if ('error' in k) {
              if (!e.error) mismatches.push(`${where}: kernel refused the run (${k.error}) but the emulator returned ${e.retval}`);
              continue;
            }
            if (e.error) { mismatches.push(`${where}: emulator fault at insn ${e.error.insn}: ${e.error.message} (kernel retval ${k.retval})`); continue; }
            compared++;
            if (e.retval !== k.retval) mismatches.push(`${where}: retval ${e.retval}, kernel ${k.retval}`);
            const eOut = Buffer.from(e.dataOut).toString('hex');
            if (eOut !== k.dataOut) mismatches.push(`${where}: data_out differs\n  emulator ${eOut}\n  kernel   ${k.dataOut}`);
            const eCtx = e.ctxOut ? Buffer.from(e.ctxOut).toString('hex') : '';
            if (input.ctx && ctxOutCompared(p.progType) && eCtx !== k.ctxOut) mismatches.push(`${where}: ctx_out differs\n  emulator ${eCtx}\n  kernel   ${k.ctxOut}`);
          }
        }
        // the maps after every run: array, hash and LPM trie contents as the kernel dumps them
        for (const m of emu.maps) {
          if (!m || ![MapType.ARRAY, MapType.HASH, MapType.LPM_TRIE].includes(m.def.type) || separateMaps.has(m.def.index)) continue;
          // libbpf names global data maps "<first 8 chars of the object name><section>" and pins them with '.' -> '_'
          const pinName = m.def.section ? `${f.replace(/\.c$/, '').slice(0, 8)}${m.def.section}`.replace(/\./g, '_') : m.name;
          const k = pinned.dumpMap(pinName);
          if (!k) continue;
          mapsCompared++;
          const e = new Map(m.entries().map(([key, v]) => [Buffer.from(key).toString('hex'), Buffer.from(v.bytes).toString('hex')]));
          const diff = [...new Set([...k.keys(), ...e.keys()])].filter((key) => k.get(key) !== e.get(key));
          if (diff.length) mismatches.push(`${f}: map ${m.name} differs at keys ${diff.slice(0, 4).map((key) => `${key} (emulator ${e.get(key) ?? 'absent'}, kernel ${k.get(key) ?? 'absent'})`).join(', ')}`);
        }
      } finally {
        pinned.unpin();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`corpus parity: ${programs} programs, ${compared} runs compared, ${mapsCompared} maps compared after the runs, ${mismatches.length} mismatches`);
  assert.deepEqual(mismatches, []);
});
