import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findClang, resetClangCache, INSTALL_HINT } from '../../src/toolchain/clang';
import { compile, compileOptionsFor, findVmlinuxDir } from '../../src/toolchain/compile';
import { flagsFromCompileCommands, splitCommand } from '../../src/toolchain/compile-commands';
import { parseClangDiagnostics } from '../../src/toolchain/diagnostics';

const trusted = { extraIncludePaths: [], extraFlags: [], trusted: true };

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-tc-'));
}

test('parses clang diagnostics, ranges, notes, fix-its and header errors', () => {
  const text = 'int f(void) { int x = ; return y; }\nint g(void){ char c = 300; return 1 }\n#include "h.h"\nint é = 1; int z = q;\n';
  const stderr = [
    '/w/a.bpf.c:1:23: error: expected expression',
    '/w/a.bpf.c:1:32: error: use of undeclared identifier \'y\'',
    '    1 | int f(void) { int x = ; return y; }',
    '      |                                ^',
    '/w/a.bpf.c:2:36: error: expected \';\' after return statement',
    'fix-it:"/w/a.bpf.c":{3:36-3:36}:";"',
    '/w/a.bpf.c:2:23:{3:23-3:26}: warning: implicit conversion from \'int\' to \'char\' changes value from 300 to 44 [-Wconstant-conversion]',
    '/w/a.bpf.c:1:19: note: previous definition is here',
    'In file included from /w/a.bpf.c:3:',
    '/w/h.h:7:3: error: unknown type name \'foo\'',
    '/w/a.bpf.c:4:20: error: use of undeclared identifier \'q\'',
    'clang: error: unknown argument: \'-fbogus\'',
    '3 errors generated.',
  ].join('\n');
  const f = parseClangDiagnostics(stderr, { mainFile: '/w/a.bpf.c', text, physicalLineOffset: 1 });
  assert.equal(f.length, 7);
  assert.deepEqual(f[0].range, { start: { line: 0, character: 22 }, end: { line: 0, character: 23 } });
  assert.deepEqual(f[1].range, { start: { line: 0, character: 31 }, end: { line: 0, character: 32 } });
  assert.deepEqual((f[2].data as { clangFixits: unknown[] }).clangFixits, [
    { range: { start: { line: 1, character: 35 }, end: { line: 1, character: 35 } }, newText: ';' },
  ]);
  assert.equal(f[3].severity, 'warning');
  assert.equal(f[3].code, '-Wconstant-conversion');
  assert.equal(f[3].message, "implicit conversion from 'int' to 'char' changes value from 300 to 44");
  assert.deepEqual(f[3].range, { start: { line: 1, character: 22 }, end: { line: 1, character: 25 } });
  assert.equal(f[3].related?.[0].message, 'previous definition is here');
  assert.equal(f[4].range.start.line, 2);
  assert.match(f[4].message, /^in included file \/w\/h\.h:7:3: unknown type name 'foo'/);
  // Byte column 20 on a line with a two-byte 'é' is UTF-16 character 18.
  assert.deepEqual(f[5].range.start, { line: 3, character: 18 });
  assert.equal(f[6].code, 'clang.driver');
});

test('splits shell command lines', () => {
  assert.deepEqual(splitCommand(`clang -DX="a b" -I'dir with space' -c x.c`), ['clang', '-DX=a b', '-Idir with space', '-c', 'x.c']);
});

test('compile_commands.json flags are found and filtered', () => {
  const d = tmpdir();
  try {
    fs.mkdirSync(path.join(d, 'src'));
    fs.mkdirSync(path.join(d, 'build'));
    const file = path.join(d, 'src', 'p.bpf.c');
    fs.writeFileSync(path.join(d, 'build', 'compile_commands.json'), JSON.stringify([
      { directory: path.join(d, 'build'), file: '../src/p.bpf.c', command: 'clang -target bpf -O2 -g -Iinc -DFOO=1 -fplugin=/x.so -MD -MF p.d -c ../src/p.bpf.c -o p.o' },
    ]));
    const cc = flagsFromCompileCommands(file)!;
    assert.deepEqual(cc.flags, [`-I${path.join(d, 'build', 'inc')}`, '-DFOO=1', '-fplugin=/x.so']);
    const untrusted = compileOptionsFor(file, { ...trusted, trusted: false }, d);
    assert.ok(untrusted.flags.includes('-DFOO=1'));
    assert.ok(!untrusted.flags.some((f) => f.startsWith('-fplugin')), 'plugins never load from an untrusted workspace');
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('a nearby vmlinux.h is found', () => {
  const d = tmpdir();
  try {
    fs.mkdirSync(path.join(d, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(d, 'vmlinux.h'), '');
    assert.equal(findVmlinuxDir(path.join(d, 'a', 'b', 'x.bpf.c')), d);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('missing clang gives the install hint; untrusted setting is never run', async () => {
  resetClangCache();
  const r = await findClang({ trusted: true, env: { PATH: '/nonexistent' } });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.message.endsWith(INSTALL_HINT));
  const marker = path.join(tmpdir(), 'ran');
  const d = path.dirname(marker);
  const evil = path.join(d, 'evil-clang');
  fs.writeFileSync(evil, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  try {
    const u = await findClang({ trusted: false, settingPath: evil, env: { PATH: '/nonexistent' } });
    assert.equal(u.ok, false);
    assert.ok(!fs.existsSync(marker), 'an untrusted workspace setting must not be executed');
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

async function clangOrSkip(t: { skip: (m: string) => void }) {
  resetClangCache();
  const r = await findClang({ trusted: true });
  if (!r.ok) {
    t.skip(`no clang here: ${r.message}`);
    return undefined;
  }
  return r.clang;
}

test('compiles BPF C to an ELF object', async (t) => {
  const clang = await clangOrSkip(t);
  if (!clang) return;
  const file = '/nonexistent-dir/ok.bpf.c';
  const text = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp") int p(struct xdp_md *ctx) { return XDP_PASS; }\nchar LICENSE[] SEC("license") = "GPL";\n';
  const r = await compile({ clang, text, file, options: compileOptionsFor(file, trusted) });
  assert.equal(r.status, 'ok', r.stderr);
  assert.deepEqual([...r.elf!.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  assert.deepEqual(r.findings, []);
});

test('clang errors are reported on the document lines', async (t) => {
  const clang = await clangOrSkip(t);
  if (!clang) return;
  const file = '/nonexistent-dir/bad.bpf.c';
  const text = 'int f(void)\n{\n\treturn undefined_thing;\n}\n';
  const r = await compile({ clang, text, file, options: compileOptionsFor(file, trusted) });
  assert.equal(r.status, 'errors');
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0].message, "use of undeclared identifier 'undefined_thing'");
  assert.deepEqual(r.findings[0].range, { start: { line: 2, character: 8 }, end: { line: 2, character: 23 } });
});

test('a slow compile is cancelled and its process group killed', async (t) => {
  const d = tmpdir();
  const pidFile = path.join(d, 'pid');
  const wrapper = path.join(d, 'slow-clang');
  fs.writeFileSync(wrapper, `#!/bin/sh\ncase "$1" in --version) echo "clang version 19.0.0";; -print-targets) echo "    bpf - BPF";; *) sleep 30 & echo $! > ${pidFile}; wait;; esac\n`, { mode: 0o755 });
  try {
    resetClangCache();
    const r = await findClang({ trusted: true, env: { ...process.env, BPFLS_CLANG: wrapper } });
    assert.ok(r.ok);
    const ac = new AbortController();
    const p = compile({ clang: r.clang, text: 'int x;', file: path.join(d, 'x.bpf.c'), options: compileOptionsFor(path.join(d, 'x.bpf.c'), trusted), signal: ac.signal });
    for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) await new Promise((res) => setTimeout(res, 20));
    const t0 = Date.now();
    ac.abort();
    const res = await p;
    assert.equal(res.status, 'cancelled');
    assert.ok(Date.now() - t0 < 2000);
    const sleeper = Number(fs.readFileSync(pidFile, 'utf8'));
    await new Promise((res2) => setTimeout(res2, 50));
    const alive = (() => {
      try {
        return !/^\d+ \([^)]*\) Z/.test(fs.readFileSync(`/proc/${sleeper}/stat`, 'utf8'));
      } catch {
        return false;
      }
    })();
    assert.equal(alive, false, 'the grandchild is gone too');
    const tp = await compile({ clang: r.clang, text: 'int x;', file: path.join(d, 'x.bpf.c'), options: compileOptionsFor(path.join(d, 'x.bpf.c'), trusted), timeoutMs: 200 });
    assert.equal(tp.status, 'timeout');
    assert.equal(tp.findings[0].code, 'bpfls.compile-timeout');
  } finally {
    resetClangCache();
    fs.rmSync(d, { recursive: true, force: true });
  }
});
