// An untrusted workspace (VS Code Workspace Trust) may set bpfls.extraFlags and ship a
// compile_commands.json: clang must then get only flags that change how the source is read, never
// one that loads code or writes a file (`-MD -MF ~/.bashrc` overwrote any file with clang's
// dependency list, whose lines name workspace files: a shell startup file would run them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { untrustedFlags } from '../../src/toolchain/compile-commands';
import { compile, compileOptionsFor } from '../../src/toolchain/compile';
import { findClang } from '../../src/toolchain/clang';

const READING = ['-I', 'inc', '-Iinc2', '-DFOO=1', '-UBAR', '-include', 'x.h', '-isystem/x', '-std=gnu11', '-Wall', '-Wno-unused', '-Werror=format',
  '-w', '-O2', '-g', '-mcpu=v3', '-fno-stack-protector', '-ferror-limit=5', '-nostdinc'];
const WRITING = ['-MD', '-MMD', '-MF', '-Wp,-MD,/tmp/x', '-Wl,x', '-Wa,x', '-fplugin=/x.so', '-fpass-plugin=/x.so', '-fcrash-diagnostics-dir=/x', '-gsplit-dwarf',
  '-fsave-optimization-record', '-foptimization-record-file=/x', '-Xclang', '-load', '-o', '--output=/x', '-ftime-trace', '-fstack-usage',
  '-fmodules-cache-path=/x', '-B/x', '-save-temps', '-mllvm', '-emit-llvm', '-fprofile-generate', '-MJ', '--serialize-diagnostics', '-fprofile-instr-generate=/x'];

test('untrusted flags: the reading ones pass, those that load code or write files do not', () => {
  const { kept, dropped } = untrustedFlags([...READING, ...WRITING]);
  assert.deepEqual(kept, READING);
  assert.deepEqual(dropped, WRITING);
  // a dropped flag's value is dropped with it unless it is itself a reading flag
  assert.deepEqual(untrustedFlags(['-MF', '/root/.bashrc']).kept, []);
});

test('an untrusted bpfls.extraFlags cannot make clang write a file', async (t) => {
  const found = await findClang({ trusted: true });
  if (!found.ok) return t.skip(`no clang: ${found.message}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-qa-untrusted-'));
  try {
    const file = path.join(dir, 'p.bpf.c');
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    // first: the attack works when the workspace is trusted (so the test would notice a no-op)
    for (const trusted of [true, false]) {
      fs.writeFileSync(victim, 'precious\n');
      const options = compileOptionsFor(file, { extraIncludePaths: [], extraFlags: ['-MD', '-MF', victim, `-Wp,-MD,${victim}`], trusted });
      const r = await compile({ clang: found.clang, text: 'int x;\n', file, options });
      assert.equal(r.status, 'ok', r.stderr);
      const after = fs.readFileSync(victim, 'utf8');
      if (trusted) assert.notEqual(after, 'precious\n', 'a trusted workspace may write dependency files (the attack is real)');
      else assert.equal(after, 'precious\n', 'an untrusted workspace must not');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
