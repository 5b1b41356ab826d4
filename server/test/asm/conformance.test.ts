// The ISA conformance suite (../shared/conformance): every program assembles (matching its
// `-- raw` words where given), and every negative case is refused by the assembler, the .data
// reader or the encoding validator — except the two whose refusal is a wrong result at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';
import { decodeInsns, encodeInsns } from '../../src/bpf/isa/insn';
import { validateInsns } from '../../src/bpf/isa/validate';
import { parseConformanceData } from './conformance-data';

const repoRoot = path.resolve(__dirname, '../../..');
const dir = path.resolve(repoRoot, '../shared/conformance');
const have = existsSync(path.join(dir, 'tests'));

function words(bytes: Uint8Array): bigint[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: bigint[] = [];
  for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(dv.getBigUint64(i, true));
  return out;
}

function rawBytes(raw: bigint[]): Uint8Array {
  const bytes = new Uint8Array(raw.length * 8);
  const dv = new DataView(bytes.buffer);
  raw.forEach((w, i) => dv.setBigUint64(i * 8, w, true));
  return bytes;
}

test('conformance programs assemble and match their raw words', { skip: have ? false : 'no ../shared/conformance' }, () => {
  const files = readdirSync(path.join(dir, 'tests')).filter((f) => f.endsWith('.data')).sort();
  assert.ok(files.length >= 313, `expected 313 programs, found ${files.length}`);
  let rawChecked = 0;
  const failures: string[] = [];
  for (const f of files) {
    const c = parseConformanceData(readFileSync(path.join(dir, 'tests', f), 'utf8'));
    if (c.fileError) { failures.push(`${f}: ${c.fileError}`); continue; }
    if (!c.asm.trim()) {
      assert.ok(c.raw, `${f} has neither asm nor raw`);
      continue;
    }
    const r = assemble(c.asm);
    assert.equal(r.syntax, 'gas', `${f}: detected ${r.syntax}`);
    const errs = asmErrors(r);
    if (errs.length) { failures.push(`${f}:${errs[0].range.line + c.asmLine + 1}: ${errs[0].message}`); continue; }
    const problems = validateInsns(r.insns);
    if (problems.length) failures.push(`${f}: insn ${problems[0].index}: ${problems[0].message}`);
    if (c.raw) {
      rawChecked++;
      assert.deepEqual(words(encodeInsns(r.insns)).map((w) => w.toString(16)), c.raw.map((w) => w.toString(16)), f);
    }
    assert.equal(r.sourceMap.length, r.insns.length);
  }
  assert.deepEqual(failures, []);
  assert.ok(rawChecked >= 1);
});

test('negative conformance cases are refused', { skip: have ? false : 'no ../shared/conformance' }, () => {
  const files = readdirSync(path.join(dir, 'negative')).filter((f) => f.endsWith('.data')).sort();
  assert.ok(files.length >= 60);
  // These two assemble and validate: the suite refuses them because the program's result differs
  // from the expected one (an emulator's job, tested with the emulator).
  const runtimeOnly = new Set(['error.data', 'incorrect_return_value_high_bits.data']);
  const accepted: string[] = [];
  for (const f of files) {
    const c = parseConformanceData(readFileSync(path.join(dir, 'negative', f), 'utf8'));
    let refused = !!c.fileError;
    if (!refused && c.raw && !c.asm.trim()) refused = validateInsns(decodeInsns(rawBytes(c.raw)).insns).length > 0;
    else if (!refused) {
      const r = assemble(c.asm);
      refused = asmErrors(r).length > 0 || validateInsns(r.insns).length > 0;
      for (const e of asmErrors(r)) assert.ok(e.message.length > 0 && e.range.end >= e.range.start, f);
    }
    if (!refused) accepted.push(f);
  }
  assert.deepEqual(accepted.sort(), [...runtimeOnly].sort());
});
