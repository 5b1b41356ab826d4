// Every program of the ISA conformance suite (../shared/conformance), assembled by the project's
// assembler and run in the emulator, gives the expected r0; the two negative cases that only fail
// at run time give a different one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';
import { encodeInsns } from '../../src/bpf/isa/insn';
import { runConformanceProgram } from '../../src/bpf/emulator/conformance';
import { parseConformanceData, type ConformanceCase } from '../asm/conformance-data';

const repoRoot = path.resolve(__dirname, '../../..');
const dir = path.resolve(repoRoot, '../shared/conformance');
const have = existsSync(path.join(dir, 'tests'));

function programBytes(c: ConformanceCase): Uint8Array {
  if (c.raw && !c.asm.trim()) {
    const b = new Uint8Array(c.raw.length * 8);
    const dv = new DataView(b.buffer);
    c.raw.forEach((w, i) => dv.setBigUint64(i * 8, w, true));
    return b;
  }
  const r = assemble(c.asm);
  const errs = asmErrors(r);
  if (errs.length) throw new Error(`assembler: ${errs[0].message}`);
  return encodeInsns(r.insns);
}

function expected(result: string): bigint {
  return BigInt.asUintN(64, BigInt(result.trim()));
}

test('conformance suite: every program gives the expected r0', { skip: have ? false : 'no ../shared/conformance (ISA conformance data absent)' }, () => {
  const files = readdirSync(path.join(dir, 'tests')).filter((f) => f.endsWith('.data')).sort();
  const failures: string[] = [];
  let passed = 0;
  for (const f of files) {
    const c = parseConformanceData(readFileSync(path.join(dir, 'tests', f), 'utf8'));
    if (c.result === undefined) { failures.push(`${f}: no result`); continue; }
    let code: Uint8Array;
    try { code = programBytes(c); } catch (e) { failures.push(`${f}: ${(e as Error).message}`); continue; }
    const want = expected(c.result);
    let ok = true;
    for (const tier of ['never', 'always'] as const) { // the interpreter and the compiled tier
      const r = runConformanceProgram(code, Uint8Array.from(c.mem), 1_000_000, tier);
      if (r.error) { failures.push(`${f} (jit ${tier}): ${r.error}`); ok = false; continue; }
      if (r.r0 !== want) { failures.push(`${f} (jit ${tier}): r0 = 0x${r.r0.toString(16)}, expected 0x${want.toString(16)}`); ok = false; }
    }
    if (ok) passed++;
  }
  console.log(`conformance: ${passed}/${files.length} passed`);
  assert.deepEqual(failures, []);
  assert.equal(passed, files.length);
});

test('conformance negatives that fail only at run time give a wrong r0', { skip: have ? false : 'no ../shared/conformance' }, () => {
  for (const f of ['error.data', 'incorrect_return_value_high_bits.data']) {
    const p = path.join(dir, 'negative', f);
    if (!existsSync(p)) continue;
    const c = parseConformanceData(readFileSync(p, 'utf8'));
    const r = runConformanceProgram(programBytes(c), Uint8Array.from(c.mem));
    const want = c.result !== undefined ? expected(c.result) : undefined;
    assert.ok(r.error !== undefined || want === undefined || r.r0 !== want, `${f} unexpectedly matched`);
  }
});
