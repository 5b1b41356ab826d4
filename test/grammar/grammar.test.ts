// The TextMate grammars (syntaxes/) against annotated sample files, with vscode-tmgrammar-test:
// BPF asm in LLVM syntax, GAS syntax and llvm-objdump listings, and the injection into C inline
// asm (hosted by a small stand-in for the C grammar).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');
const bin = path.join(repoRoot, 'node_modules', '.bin', 'vscode-tmgrammar-test');

test('grammar files are declared in package.json and parse', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const paths: string[] = [
    ...pkg.contributes.grammars.map((g: { path: string }) => g.path),
    ...pkg.contributes.languages.map((l: { configuration: string }) => l.configuration),
  ];
  for (const p of paths) {
    const full = path.join(repoRoot, p);
    assert.ok(existsSync(full), `${p} is missing`);
    JSON.parse(readFileSync(full, 'utf8'));
  }
  const inj = JSON.parse(readFileSync(path.join(repoRoot, 'syntaxes/bpf-asm-injection.tmLanguage.json'), 'utf8'));
  assert.equal(inj.scopeName, 'source.bpf-asm.injection');
  assert.match(inj.injectionSelector, /source\.c/);
});

test('sample files match their scope annotations', { skip: existsSync(bin) ? false : 'vscode-tmgrammar-test not installed (npm ci)' }, () => {
  const r = spawnSync(bin, ['--config', 'package.json', '-g', 'test/grammar/c-stub.tmLanguage.json', 'test/grammar/*.test.bpf.s', 'test/grammar/*.test.c'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const passed = (r.stdout.match(/run successfuly/g) ?? []).length;
  assert.ok(passed >= 4, r.stdout);
});
