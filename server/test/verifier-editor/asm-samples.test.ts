// The asm samples (test/asm-samples/*.bpf.s, hand-written mirrors of verifier-corpus programs)
// assembled in-process get the verdict and message the kernel gave the clang-compiled C program,
// and the verdict bpfls gives that C object when clang is here to compile it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { assemble } from '../../src/bpf/asm/assembler';
import { writeElf } from '../../src/bpf/asm/elf-writer';
import { withLineInfo } from '../../src/bpf/asm/line-info';
import { loadObject, sourceForInsn } from '../../src/bpf/loader';
import { verifyProgram } from '../../src/bpf/verifier';
import { findClang } from '../../src/toolchain/clang';
import { repoRoot } from '../lsp-client';

const samplesDir = path.join(repoRoot, 'test', 'asm-samples');
const corpusDir = path.join(repoRoot, 'test', 'corpus');
const kernel = JSON.parse(fs.readFileSync(path.join(corpusDir, 'kernel-verdicts.json'), 'utf8')) as {
  files: Record<string, { programs: Record<string, { ok: boolean | null; error_line?: string }> }>;
};
const targetBtf = (() => { try { return fs.readFileSync('/sys/kernel/btf/vmlinux'); } catch { return undefined; } })();

interface Verdict { ok: boolean; message?: string; line?: number }

function verifyAll(elf: Uint8Array): Map<string, Verdict> {
  const loaded = loadObject(elf, targetBtf ? { targetBtf } : {});
  assert.ok(loaded.object, loaded.errors.join('; '));
  const out = new Map<string, Verdict>();
  for (const prog of loaded.object.programs) {
    const r = verifyProgram(loaded.object, prog);
    out.set(prog.name, { ok: r.ok, message: r.error?.message, line: r.error ? sourceForInsn(prog, r.error.insn)?.line : undefined });
  }
  return out;
}

const samples = fs.readdirSync(samplesDir).filter((f) => f.endsWith('.bpf.s')).sort();

test('there are a dozen or more sample programs in both syntaxes', () => {
  let programs = 0;
  const syntaxes = new Set<string>();
  for (const f of samples) {
    const r = assemble(fs.readFileSync(path.join(samplesDir, f), 'utf8'));
    syntaxes.add(r.syntax);
    programs += [...r.symbols.values()].filter((s) => s.global).length;
  }
  assert.ok(programs >= 12, `${programs} programs`);
  assert.deepEqual([...syntaxes].sort(), ['gas', 'llvm']);
});

for (const file of samples) {
  test(`${file}: same verdicts as the kernel on the clang-compiled corpus program`, async (t) => {
    const text = fs.readFileSync(path.join(samplesDir, file), 'utf8');
    const corpus = /mirrors test\/corpus\/(\S+\.c)/.exec(text)?.[1];
    assert.ok(corpus, 'the sample names the corpus file it mirrors');
    const asm = assemble(text);
    assert.deepEqual(asm.errors.filter((e) => e.severity === 'error'), []);
    const elf = writeElf(withLineInfo(asm, file, text.split('\n')), { license: 'GPL' }).bytes;
    const fromAsm = verifyAll(elf);
    const expected = kernel.files[corpus].programs;
    assert.ok(fromAsm.size > 0);
    for (const [name, v] of fromAsm) {
      const k = expected[name];
      assert.ok(k, `${name} is a program of ${corpus}`);
      assert.equal(v.ok, k.ok, `${name}: bpfls on the .s says ${v.ok ? 'accept' : `reject (${v.message})`}, the kernel said ${k.ok ? 'accept' : `reject (${k.error_line})`}`);
      if (!k.ok) {
        assert.equal(v.message, k.error_line, name);
        // The error is on a line of the .s file that holds an instruction.
        assert.ok(v.line && !/^\s*($|#|\.(section|globl|type|text|size)\b|[\w.]+:$)/.test(text.split('\n')[v.line - 1]), `${name}: error line ${v.line}`);
      }
    }
    const clang = await findClang({ trusted: true });
    if (!clang.ok) return t.skip(`clang absent (${clang.message}): compared with the recorded kernel verdicts only`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-asm-samples-'));
    try {
      const obj = path.join(dir, 'x.o');
      const cc = spawnSync(clang.clang.path, ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', `-I${corpusDir}`, '-c', path.join(corpusDir, corpus), '-o', obj], { encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      const fromC = verifyAll(fs.readFileSync(obj));
      for (const [name, v] of fromAsm) {
        const c = fromC.get(name);
        assert.ok(c, `${name} in the C object`);
        assert.deepEqual({ ok: v.ok, message: v.message }, { ok: c.ok, message: c.message }, name);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
