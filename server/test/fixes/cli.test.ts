// `bpfls check --fix` applies the safe fixes of this feature and rewrites the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serverCommand } from '../lsp-client';
import { assertBpflsAccepts, callxInsns, compile, corpus, haveClang, kernelLoad, kernelUnavailable, repoRoot } from './util';

// the bundle when it is up to date (much faster to start), else the sources through tsx
const [node, ...entry] = serverCommand().slice(0, -2);

function bpfls(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(node, [...entry, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

function tmpCopy(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-fixes-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, corpus(name));
  return file;
}

const NO_CLANG = haveClang() ? undefined : 'clang-19 not found';

test('check --fix: wrong helper ID and non-const declarations fixed in place; -O0 build has no callx', { skip: NO_CLANG }, async (t) => {
  const file = tmpCopy('helper-wrong-id.bpf.c');
  try {
    const before = bpfls(['check', '--no-run', '--no-verify', file]);
    assert.equal(before.status, 1, before.out);
    assert.match(before.out, /bpfls\.helper-wrong-id/);
    // (exit status after --fix is not asserted: parse/mask.ts masks `SEC(name)` inside
    // `#define SEC(name) ...`, and the syntax-error provider then reports that #define)
    const r = bpfls(['check', '--fix', '--no-run', '--no-verify', file]);
    const fixed = fs.readFileSync(file, 'utf8');
    assert.match(fixed, /\(\* const bpf_map_update_elem\)\(.*\) = \(void \*\) 2;/, r.out);
    assert.doesNotMatch(r.out, /bpfls\.helper-/);
    const o0 = compile(fixed, '-O0');
    assert.ok(o0.ok, o0.stderr);
    assert.deepEqual(callxInsns(o0.obj!), []);
    await assertBpflsAccepts(o0.obj!, '-O0');
    const why = kernelUnavailable();
    if (why) return t.skip(`kernel load: ${why}`);
    assert.ok(kernelLoad(o0.obj!).ok);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('check --cflag -O0: callx errors at the call sites; --fix makes the declarations const', { skip: NO_CLANG }, async () => {
  const file = tmpCopy('helper-decls.bpf.c');
  try {
    const before = bpfls(['check', '--cflag', '-O0', '--no-run', '--no-verify', '--format', 'json', file]);
    assert.equal(before.status, 1, before.out);
    const found = JSON.parse(before.out) as { code: string; line: number; message: string }[];
    const callx = found.filter((f) => f.code === 'bpfls.callx');
    assert.deepEqual(callx.map((f) => f.line), [22, 28], before.out);
    const r = bpfls(['check', '--cflag', '-O0', '--fix', '--no-run', '--no-verify', file]);
    assert.doesNotMatch(r.out, /bpfls\.(callx|helper-)/, r.out);
    const fixed = fs.readFileSync(file, 'utf8');
    assert.equal(fixed.match(/\(\* const bpf_map_\w+\)/g)?.length, 2);
    const o0 = compile(fixed, '-O0');
    assert.deepEqual(callxInsns(o0.obj!), []);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});

test('check --fix: the verifier\'s _or_null finding gets its NULL check', { skip: NO_CLANG }, async (t) => {
  await import('../../src/analysis/plugins.js');
  const { objectProviders } = await import('../../src/analysis/registry.js');
  if (!objectProviders.some((p) => /verif/.test(p.id))) return t.skip('no verifier object provider is registered yet');
  const file = tmpCopy('null-check-tc.bpf.c');
  try {
    const before = bpfls(['check', '--no-run', file]);
    assert.equal(before.status, 1, before.out);
    assert.match(before.out, /invalid mem access 'map_value_or_null'/);
    const r = bpfls(['check', '--fix', '--no-run', file]);
    assert.doesNotMatch(r.out, /invalid mem access/, r.out);
    const fixed = fs.readFileSync(file, 'utf8');
    assert.match(fixed, /\tif \(!s\)\n\t\treturn 0 \/\* TC_ACT_OK \*\/;\n/);
    const c = compile(fixed, '-O2');
    assert.ok(c.ok, c.stderr);
    await assertBpflsAccepts(c.obj!, '-O2');
    const why = kernelUnavailable();
    if (why) return t.skip(`kernel load: ${why}`);
    assert.ok(kernelLoad(c.obj!).ok);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
});
