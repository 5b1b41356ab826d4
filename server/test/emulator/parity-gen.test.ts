// Kernel parity on generated programs: random programs the verifier accepts (gen.ts) run in the
// emulator and through BPF_PROG_TEST_RUN (test/oracle/bpfrun.c, many programs per invocation);
// retval, data_out and ctx_out must match. A few hundred by default, 10,000 with BPFLS_LONG=1
// (BPFLS_GEN_COUNT overrides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInsns } from '../../src/bpf/isa/insn';
import { Emulator, rawObject } from '../../src/bpf/emulator/emulator';
import type { MapDef } from '../../src/bpf/loader/types';
import { bpfrun, parseRun, runScript } from './kernel';
import { generateProgram, type GenProgram } from './gen';

const COUNT = Number(process.env.BPFLS_GEN_COUNT ?? (process.env.BPFLS_LONG ? 10_000 : 300));
const BATCH = 250;
const kernel = bpfrun();
const hex = (b: Uint8Array | undefined): string => (b && b.length ? Buffer.from(b).toString('hex') : '-');

function emulate(g: GenProgram, jit: 'never' | 'always') {
  const obj = rawObject(g.insns, g.progType);
  obj.maps = g.maps.map((m, i): MapDef => ({ index: i, name: `m${i}`, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: 0 }));
  const emu = new Emulator(obj, { jit });
  const r = emu.run('prog', { dataIn: g.dataIn, ctxIn: g.ctxIn });
  return { r, compiled: !!emu.decode(obj.programs[0]).jit };
}

test('kernel parity: generated programs match BPF_PROG_TEST_RUN', { skip: kernel.ok ? false : kernel.reason, timeout: 3_600_000 }, () => {
  if (!kernel.ok) return;
  const mismatches: string[] = [];
  let accepted = 0, rejected = 0, compared = 0, jitted = 0;
  const rejections = new Map<string, number>();
  for (let base = 0; base < COUNT; base += BATCH) {
    const progs: GenProgram[] = [];
    const script: string[] = [];
    for (let i = base; i < Math.min(COUNT, base + BATCH); i++) {
      const g = generateProgram(i);
      progs.push(g);
      script.push('reset');
      for (const m of g.maps) script.push(`map ${m.type} ${m.keySize} ${m.valueSize} ${m.maxEntries} 0 -`);
      script.push(`prog ${g.progType} 0 ${Buffer.from(encodeInsns(g.insns)).toString('hex')}`);
      script.push(`run 1 ${hex(g.dataIn)} ${hex(g.ctxIn)}`);
    }
    const outLines = runScript(kernel.bin, script);
    let li = 0;
    for (const g of progs) {
      li += 1 + g.maps.length; // reset, maps
      const load = outLines[li++];
      const runLine = outLines[li++];
      if (!load?.startsWith('ok')) {
        rejected++;
        const why = (load ?? 'no answer').replace(/^err \d+ /, '').replace(/\d+/g, 'N').slice(0, 80);
        rejections.set(why, (rejections.get(why) ?? 0) + 1);
        continue;
      }
      accepted++;
      const k = parseRun(runLine ?? '');
      let interpInsns = -1;
      for (const tier of ['never', 'always'] as const) { // the interpreter and the compiled tier
        const { r: e, compiled } = emulate(g, tier);
        if (compiled) jitted++;
        const where = `program seed ${g.seed} (type ${g.progType}, ${g.insns.length} insns, jit ${tier})`;
        if ('error' in k) { if (!e.error) mismatches.push(`${where}: kernel test run failed (${k.error}), emulator returned ${e.retval}`); continue; }
        if (e.error) { mismatches.push(`${where}: emulator fault at insn ${e.error.insn}: ${e.error.message}`); continue; }
        if (tier === 'never') { compared++; interpInsns = e.insns; } else if (e.insns !== interpInsns) mismatches.push(`${where}: ${e.insns} instructions counted, the interpreter counted ${interpInsns}`);
        if (e.retval !== k.retval) mismatches.push(`${where}: retval ${e.retval}, kernel ${k.retval}`);
        else if (Buffer.from(e.dataOut).toString('hex') !== k.dataOut) mismatches.push(`${where}: data_out differs\n  emulator ${Buffer.from(e.dataOut).toString('hex')}\n  kernel   ${k.dataOut}`);
        else if (g.ctxIn && Buffer.from(e.ctxOut ?? []).toString('hex') !== k.ctxOut) mismatches.push(`${where}: ctx_out differs\n  emulator ${Buffer.from(e.ctxOut ?? []).toString('hex')}\n  kernel   ${k.ctxOut}`);
      }
    }
  }
  console.log(`generated parity: ${COUNT} programs, ${accepted} accepted by the kernel, ${rejected} rejected, ${compared} compared (${jitted} also through the compiled tier), ${mismatches.length} mismatches`);
  if (rejections.size) console.log(`rejections: ${JSON.stringify([...rejections].sort((a, b) => b[1] - a[1]).slice(0, 8))}`);
  assert.deepEqual(mismatches.slice(0, 20), []);
  assert.ok(accepted >= COUNT * 0.9, `only ${accepted}/${COUNT} generated programs were accepted by the kernel`);
});
