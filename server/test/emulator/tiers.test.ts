// The compiled tier against the interpreter, without a kernel: generated programs (gen.ts) must give
// the same retval, data_out, ctx_out, instruction count and fault in both tiers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emulator, rawObject } from '../../src/bpf/emulator/emulator';
import type { MapDef } from '../../src/bpf/loader/types';
import { generateProgram } from './gen';

const COUNT = process.env.BPFLS_LONG ? 20_000 : 600;

test('compiled tier matches the interpreter on generated programs', () => {
  const mismatches: string[] = [];
  let compiled = 0;
  for (let seed = 100_000; seed < 100_000 + COUNT; seed++) {
    const g = generateProgram(seed);
    let full = 0;
    // a full run, then one whose instruction budget runs out halfway (the fault must be the same)
    for (const budget of [undefined, -1]) {
      const results = (['never', 'always'] as const).map((jit) => {
        const obj = rawObject(g.insns, g.progType);
        obj.maps = g.maps.map((m, i): MapDef => ({ index: i, name: `m${i}`, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: 0 }));
        const emu = new Emulator(obj, { jit, maxInsns: budget === undefined ? undefined : Math.max(1, full >> 1) });
        const r = emu.run('prog', { dataIn: g.dataIn, ctxIn: g.ctxIn });
        if (jit === 'always' && budget === undefined && emu.decode(obj.programs[0]).jit) compiled++;
        if (jit === 'never' && budget === undefined) full = r.insns;
        return JSON.stringify({ retval: r.retval, r0: r.r0.toString(16), insns: r.insns, data: Buffer.from(r.dataOut).toString('hex'), ctx: r.ctxOut ? Buffer.from(r.ctxOut).toString('hex') : '', error: r.error });
      });
      if (results[0] !== results[1]) mismatches.push(`seed ${seed}${budget ? ' (half budget)' : ''}:\n  interpreter ${results[0]}\n  compiled    ${results[1]}`);
    }
  }
  console.log(`tiers: ${COUNT} programs, ${compiled} compiled, ${mismatches.length} mismatches`);
  assert.deepEqual(mismatches.slice(0, 5), []);
  // programs with BPF-to-BPF calls or LD_ABS stay interpreted
  assert.ok(compiled > COUNT * 0.5, `only ${compiled} of ${COUNT} programs compiled`);
});
