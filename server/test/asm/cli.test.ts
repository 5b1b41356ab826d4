// `bpfls asm` and `bpfls disasm` through the real command entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');
const main = path.join(repoRoot, 'server/src/cli/main.ts');
const bpfls = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: repoRoot, encoding: 'utf8' });

test('bpfls asm writes an object that bpfls disasm lists; errors are FILE:LINE:COL', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpfls-cli-'));
  try {
    const s = path.join(dir, 'x.s');
    const o = path.join(dir, 'x.o');
    writeFileSync(s, readFileSync(path.join(__dirname, 'fixtures/subprog-call.s')));
    const a = bpfls('asm', s, '-o', o);
    assert.equal(a.status, 0, a.stderr);
    const d = bpfls('disasm', o);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /Disassembly of section socket:\n\n0000000000000000 <filt>:\n\s+0:\tb7 01 00 00 15 00 00 00\tr1 = 0x15\n/);
    const r = bpfls('disasm', '-r', o);
    assert.match(r.stdout, /R_BPF_64_32\t\.text/);

    writeFileSync(s, 'r0 = 1\nr0 = r99\nexit\n');
    const bad = bpfls('asm', s, '-o', o);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /x\.s:2:6: error: invalid register 'r99'/);

    const usage = bpfls('asm');
    assert.equal(usage.status, 2);
    const missing = bpfls('disasm', path.join(dir, 'nope.o'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read/);
    writeFileSync(o, 'not an elf');
    const junk = bpfls('disasm', o);
    assert.equal(junk.status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
