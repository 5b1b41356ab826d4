// QA: every CLI subcommand on hostile inputs (empty, missing, directories, binary garbage, truncated
// and corrupted ELF, NUL-filled and UTF-16 text, huge single lines, 200,000-instruction assembly,
// bad flag values). The contract: exit 0/1/2 as documented, a clear message (never a stack trace or
// "internal error"), and an answer within a time bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliCommand, repoRoot } from '../lsp-client';

// generous for a loaded 2-core machine: the point is catching hangs, not measuring speed
const TIME_LIMIT_MS = 45_000;

interface Result { code: number | null; stdout: string; stderr: string; ms: number; timedOut: boolean }

function runCli(args: string[], cwd: string, stdin?: Buffer | string): Promise<Result> {
  // the commands run in the fixture directory: load tsx (when running from sources) by absolute path
  const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  // the bundle when it exists (one tsx start per case is too slow for ~110 cases), else the sources
  const [exe, ...pre] = cliCommand(fs.existsSync(path.join(repoRoot, 'dist', 'bpfls.js')) ? 'dist' : 'source').map((a) => (a === 'tsx' ? tsxLoader : a));
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(exe, [...pre, ...args], { cwd, env: { ...process.env, BPFLS_LOG: '' } });
    let stdout = '', stderr = '', timedOut = false;
    p.stdout.on('data', (b: Buffer) => { if (stdout.length < 200_000) stdout += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { if (stderr.length < 200_000) stderr += b.toString(); });
    p.stdin.on('error', () => { /* the command may exit before reading */ });
    p.stdin.end(stdin ?? '');
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, TIME_LIMIT_MS);
    p.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0, timedOut }); });
  });
}

function hasClang(): boolean {
  return spawnSync('clang-19', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Builds the hostile files in a temp directory; returns it. */
function makeFixtures(dir: string, realObj: Buffer | undefined): void {
  const w = (name: string, data: string | Buffer) => fs.writeFileSync(path.join(dir, name), data);
  let seed = 12345;
  const garbage = Buffer.alloc(4096);
  for (let i = 0; i < garbage.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; garbage[i] = seed >>> 24; }
  for (const ext of ['c', 's', 'o']) {
    w(`empty.${ext}`, '');
    w(`garbage.${ext}`, garbage);
    w(`nul.${ext}`, Buffer.alloc(4096));
  }
  fs.mkdirSync(path.join(dir, 'adir.c'));
  fs.mkdirSync(path.join(dir, 'adir.o'));
  fs.mkdirSync(path.join(dir, 'adir.s'));
  const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  w('utf16.c', utf16('int x;\nint f(void) { return x; }\n'));
  // printable garbage: no NUL bytes, so it is read as text (2,000 short lines of symbol soup)
  const soup = Array.from({ length: 2000 }, (_, i) => Array.from({ length: 12 }, (_, k) => String.fromCharCode(33 + ((i * 31 + k * 17) % 94))).join('')).join('\n');
  w('textgarbage.c', soup);
  w('textgarbage.s', soup);
  w('utf16.s', utf16('r0 = 0\nexit\n'));
  // a 2 MB single line of C
  w('longline.c', 'int x = ' + '1+'.repeat(1_000_000) + '1;\n');
  // 200,000 instructions
  const lines = ['\t.text', '\t.globl f', '\t.type f,@function', 'f:'];
  for (let i = 0; i < 200_000; i++) lines.push(`\tr0 = ${i & 1023}`);
  lines.push('\texit');
  w('big.s', lines.join('\n') + '\n');
  w('small.bin', Buffer.alloc(100));
  w('big.bin', Buffer.alloc(16 * 1024 * 1024));
  if (realObj) {
    w('real.o', realObj);
    w('trunc.o', realObj.subarray(0, 1000));
    w('half.o', realObj.subarray(0, realObj.length >> 1));
    const shoff = Number(realObj.readBigUInt64LE(40));
    const mut = (name: string, f: (b: Buffer) => void) => { const b = Buffer.from(realObj); f(b); w(name, b); };
    mut('hugeshnum.o', (b) => b.writeUInt16LE(0xffff, 60));
    mut('badshoff.o', (b) => b.writeBigUInt64LE(0xffffffffffn, 40));
    mut('badshstrndx.o', (b) => b.writeUInt16LE(0xfff0, 62));
    // extended section numbering: e_shnum 0, section 0's sh_size holds a huge count
    mut('extshnum.o', (b) => { b.writeUInt16LE(0, 60); b.writeBigUInt64LE(100_000_000n, shoff + 32); });
    // every section header's offset and size point far outside the file
    mut('badsections.o', (b) => {
      const n = b.readUInt16LE(60);
      for (let i = 1; i < n; i++) { b.writeBigUInt64LE(0x7fffffff0n, shoff + i * 64 + 24); b.writeBigUInt64LE(0x7fffffff0n, shoff + i * 64 + 32); }
    });
    // every section's bytes overwritten with garbage (headers intact)
    mut('scrambled.o', (b) => {
      const n = b.readUInt16LE(60), shstrndx = b.readUInt16LE(62);
      for (let i = 1; i < n; i++) {
        if (i === shstrndx) continue;
        const off = Number(b.readBigUInt64LE(shoff + i * 64 + 24)), size = Number(b.readBigUInt64LE(shoff + i * 64 + 32));
        const type = b.readUInt32LE(shoff + i * 64 + 4);
        if (type === 8 /* NOBITS */) continue;
        for (let k = off; k < Math.min(off + size, b.length); k++) b[k] = garbage[k % garbage.length];
      }
    });
    // corrupted BTF and BTF.ext: header offsets/lengths out of range, scrambled bodies, a struct
    // claiming 65535 members, a typedef naming itself
    const sec = (want: string): { off: number; size: number } | undefined => {
      const n = realObj.readUInt16LE(60), shstr = Number(realObj.readBigUInt64LE(shoff + realObj.readUInt16LE(62) * 64 + 24));
      for (let i = 0; i < n; i++) {
        const h = shoff + i * 64, nameOff = shstr + realObj.readUInt32LE(h);
        if (realObj.toString('latin1', nameOff, realObj.indexOf(0, nameOff)) === want) return { off: Number(realObj.readBigUInt64LE(h + 24)), size: Number(realObj.readBigUInt64LE(h + 32)) };
      }
      return undefined;
    };
    for (const [tag, name] of [['btf', '.BTF'], ['btfext', '.BTF.ext']] as const) {
      const s = sec(name);
      if (!s) continue;
      [4, 8, 12, 16, 20].forEach((fo, k) => mut(`${tag}_hdr${k}.o`, (b) => b.writeUInt32LE(k === 0 ? 0xffffff : 0xfffffff0, s.off + fo)));
      mut(`${tag}_scrambled.o`, (b) => { for (let i = s.off + 24; i < s.off + s.size; i++) b[i] = garbage[i % garbage.length]; });
      if (tag === 'btf') {
        const first = s.off + realObj.readUInt32LE(s.off + 4) + realObj.readUInt32LE(s.off + 8);
        mut('btf_vlen.o', (b) => b.writeUInt32LE((4 << 24) | 0xffff, first + 4));
        mut('btf_selfref.o', (b) => { b.writeUInt32LE(8 << 24, first + 4); b.writeUInt32LE(1, first + 8); });
      }
    }
  }
}

interface Case { args: string[]; codes: number[]; stdin?: string; needsObj?: boolean; needsClang?: boolean; stderrMatch?: RegExp; maxStderrLines?: number }

function cases(): Case[] {
  const c: Case[] = [];
  const objs = ['empty.o', 'garbage.o', 'nul.o', 'adir.o', 'missing.o', 'utf16.s'];
  const realObjs = ['real.o', 'trunc.o', 'half.o', 'hugeshnum.o', 'badshoff.o', 'badshstrndx.o', 'extshnum.o', 'badsections.o', 'scrambled.o',
    ...[0, 1, 2, 3, 4].flatMap((k) => [`btf_hdr${k}.o`, `btfext_hdr${k}.o`]), 'btf_scrambled.o', 'btfext_scrambled.o', 'btf_vlen.o', 'btf_selfref.o'];
  // a missing file, a directory or an endless device: the same one-line message from every command, exit 2
  const unreadable: [string, string][] = [['missing', 'no such file'], ['adir', 'is a directory']];
  for (const [cmd, ext, extra] of [['check', 'c', []], ['verify', 'o', []], ['verify', 'c', []], ['run', 'o', ['--prog', 'x']], ['run', 's', ['--prog', 'x']],
    ['asm', 'c', ['-o', 'out.o']], ['disasm', 'o', []]] as [string, string, string[]][]) {
    for (const [base, why] of unreadable) {
      const f = `${base}.${ext}`;
      c.push({ args: [cmd, f, ...extra], codes: [2], stderrMatch: new RegExp(`^bpfls ${cmd}: cannot read ${f.replace('.', '\\.')}: ${why}\n$`) });
    }
  }
  // (every command reads through the same bounded reader: two suffice)
  for (const args of [['check', '/dev/zero'], ['disasm', '/dev/zero']]) {
    c.push({ args, codes: [2], stderrMatch: new RegExp(`^bpfls ${args[0]}: cannot read /dev/zero: larger than \\d+ MB\n$`) });
  }
  // binary data, UTF-16 and ELF objects given as sources are refused before any compiler sees them
  // (clang warns once per NUL byte, slowly: a 140 KB binary took its whole 30 s budget)
  // (one reader serves every command: each kind of input once, each command once)
  for (const [cmd, file, why, extra] of [['check', 'garbage.c', 'it is binary', []], ['check', 'utf16.s', 'it is UTF-16 text', []],
    ['verify', 'nul.s', 'it is binary', []], ['verify', 'utf16.c', 'it is UTF-16 text', []], ['asm', 'garbage.s', 'it is binary', ['-o', 'out.o']],
    ['run', 'nul.s', 'it is binary', ['--prog', 'x']]] as [string, string, string, string[]][]) {
    c.push({ args: [cmd, file, ...extra], codes: [2], stderrMatch: new RegExp(`^bpfls ${cmd}: cannot read ${file.replace('.', '\\.')} as source: ${why}[^\n]*\n$`) });
  }
  c.push({ args: ['check', 'real.o'], codes: [2], needsObj: true, stderrMatch: /cannot read real\.o as source: it is an ELF object \(for objects use bpfls verify/ });
  // printable garbage does reach clang and the assembler
  for (const f of ['empty.c', 'textgarbage.c']) c.push({ args: ['check', f], codes: [0, 1], needsClang: true });
  for (const f of ['empty.s', 'textgarbage.s', 'big.s']) c.push({ args: ['check', f], codes: [0, 1] });
  for (const f of ['textgarbage.c', 'longline.c']) c.push({ args: ['check', '--no-compile', f], codes: [0, 1] });
  c.push({ args: ['check', 'longline.c'], codes: [0, 1], needsClang: true });
  c.push({ args: ['check', '--format', 'bogus', 'empty.c'], codes: [2], stderrMatch: /--format/ });
  c.push({ args: ['check'], codes: [2], stderrMatch: /no files/ });
  // verify / disasm / run on objects
  for (const f of objs) {
    c.push({ args: ['verify', f], codes: [1, 2] });
    c.push({ args: ['disasm', f], codes: [1, 2] });
    c.push({ args: ['run', f, '--prog', 'x'], codes: [1, 2] });
  }
  for (const f of realObjs) {
    c.push({ args: ['verify', f], codes: f === 'real.o' ? [0] : [0, 1, 2], needsObj: true });
    c.push({ args: ['disasm', f], codes: f === 'real.o' ? [0] : [0, 1, 2], needsObj: true });
    c.push({ args: ['run', f, '--prog', 'xdp_count', '--data-in', 'small.bin'], codes: f === 'real.o' ? [0] : [0, 1, 2], needsObj: true });
  }
  // clang's errors on garbage are summarized (no echoed garbage lines, at most 10 and a count)
  c.push({ args: ['verify', 'textgarbage.s'], codes: [1, 2], maxStderrLines: 12 });
  // clang assembles these into an object without programs: say so
  c.push({ args: ['verify', 'empty.s'], codes: [0, 1, 2], stderrMatch: /no BPF programs|error/ });
  c.push({ args: ['verify', 'big.s'], codes: [0, 1] });
  for (const f of ['textgarbage.c', 'empty.c']) c.push({ args: ['verify', f], codes: [0, 1, 2], needsClang: true, maxStderrLines: 12 });
  c.push({ args: ['run', 'textgarbage.s', '--prog', 'x'], codes: [2], maxStderrLines: 12 });
  c.push({ args: ['verify', 'real.o', '--prog', 'nosuch'], codes: [1, 2], needsObj: true, stderrMatch: /nosuch/ });
  for (const v of ['-1', 'abc']) c.push({ args: ['verify', 'real.o', '--insn-limit', v], codes: [2], needsObj: true, stderrMatch: /--insn-limit/ });
  c.push({ args: ['verify', 'real.o', '--log-level', '9'], codes: [2], needsObj: true, stderrMatch: /--log-level/ });
  // asm
  c.push({ args: ['asm', 'missing.s', '-o', 'out.o'], codes: [2], stderrMatch: /cannot read missing\.s: no such file/ });
  c.push({ args: ['asm', 'empty.s', '-o', 'out.o'], codes: [1] });
  // an error limit, as compilers have
  c.push({ args: ['asm', 'textgarbage.s', '-o', 'out.o'], codes: [1], maxStderrLines: 51 });
  c.push({ args: ['asm', 'big.s', '-o', 'big.o'], codes: [0] });
  c.push({ args: ['asm', 'big.s', '--syntax', 'bogus'], codes: [2], stderrMatch: /--syntax/ });
  c.push({ args: ['asm', 'empty.s', '-o', '/nonexistent-dir/x.o'], codes: [1, 2] });
  // disasm flags
  c.push({ args: ['disasm', 'real.o', '--mcpu', 'v9'], codes: [2], needsObj: true, stderrMatch: /--mcpu/ });
  c.push({ args: ['disasm', 'real.o', '--section', 'nosuch'], codes: [1, 2], needsObj: true });
  // run: programs, inputs and flag values
  const r = (extra: string[], codes: number[], stderrMatch?: RegExp): Case =>
    ({ args: ['run', 'real.o', '--prog', 'xdp_count', ...extra], codes, needsObj: true, stderrMatch });
  c.push({ args: ['run', 'real.o', '--prog', 'nosuch', '--data-in', 'small.bin'], codes: [1, 2], needsObj: true, stderrMatch: /nosuch/ });
  c.push(r(['--data-in', 'big.bin'], [1, 2], /data_in/));
  c.push(r(['--ctx-in', 'big.bin', '--data-in', 'small.bin'], [1, 2]));
  c.push(r(['--data-in', 'missing.bin'], [2], /cannot read/));
  c.push(r(['--data-in', 'adir.c'], [2], /cannot read/));
  for (const v of ['0', '-1', 'abc', '99999999999999999999']) c.push(r(['--data-in', 'small.bin', '--repeat', v], [2], /--repeat/));
  // numeric options: one parser, integers only, each in its range
  // (the parser itself is tested in cli-args.test.ts: here each option of each command is wired to it)
  for (const [flag, v] of [['max-insns', '-5'], ['max-insns', '1e99'], ['repeat', '2.5'], ['cpus', 'NaN'], ['seed', '1e99']]) {
    c.push(r(['--data-in', 'small.bin', `--${flag}`, v], [2], new RegExp(`^bpfls run: --${flag} needs an integer`)));
  }
  c.push(r(['--data-in', 'small.bin', '--task', '1,2,3,1e3'], [2], /--task \(GID\) needs an integer/));
  c.push(r(['--data-in', 'small.bin', '--json=yes'], [2], /--json takes no value/));
  c.push({ args: ['verify', 'real.o', '--insn-limit', '1e99'], codes: [2], needsObj: true, stderrMatch: /--insn-limit needs an integer/ });
  c.push({ args: ['verify', 'real.o', '--log-level', '1.0'], codes: [2], needsObj: true, stderrMatch: /--log-level needs an integer from 0 to 2/ });
  c.push({ args: ['conformance-plugin', '--max-insns', '1e99'], codes: [2], stdin: 'b7000000010000009500000000000000', stderrMatch: /--max-insns needs an integer/ });
  c.push(r(['--data-in', '/dev/zero'], [2], /cannot read data_in file \/dev\/zero: larger than/));
  // check's environment options are checked before any file: a non-clang, a directory, garbage BTF
  for (const [opt, v, why] of [['--clang', '/bin/ls', 'is not clang'], ['--clang', './adir.c', 'is a directory'], ['--clang', 'nosuchdir/clang', 'does not exist'],
    ['--target-btf', 'garbage.o', 'is not BTF'], ['--target-btf', 'adir.o', 'is a directory'], ['--target-btf', 'missing.btf', 'does not exist'], ['--target-btf', 'real.o', 'is an ELF file']]) {
    c.push({ args: ['check', opt, v, 'empty.c'], codes: [2], needsObj: v === 'real.o', stderrMatch: new RegExp(`^bpfls check: ${opt} '?${v.replace('.', '\\.')}'? ${why}[^\n]*\n$`) });
  }
  c.push(r(['--data-in', 'small.bin', '--jit', 'bogus'], [2], /--jit/));
  c.push(r(['--data-in', 'small.bin', '--task', 'garbage'], [2], /--task/));
  c.push(r(['--data-in', 'small.bin', '--mem', 'zz=small.bin'], [2], /--mem/));
  c.push(r(['--data-in', 'small.bin', '--mem', '0x1000=missing.bin'], [2], /cannot read/));
  c.push(r(['--data-in', 'small.bin', '--seed', 'x'], [2], /--seed/));
  c.push(r(['--data-in', 'small.bin', '--data-out', '/nonexistent-dir/x'], [2], /cannot write/));
  c.push(r(['--bogus'], [2], /unknown option/));
  // conformance-plugin: the program comes on stdin
  c.push({ args: ['conformance-plugin'], codes: [1, 2], stdin: 'not hex at all' });
  c.push({ args: ['conformance-plugin'], codes: [1, 2], stdin: '' });
  c.push({ args: ['conformance-plugin'], codes: [1], stdin: '05 00 ff ff 00 00 00 00', stderrMatch: /budget|limit/ });
  c.push({ args: ['conformance-plugin', 'xyz'], codes: [2], stdin: 'b7000000010000009500000000000000' });
  // debug adapter and language server fed garbage on stdin: they end, they do not hang or crash
  c.push({ args: ['debug-adapter'], codes: [0, 1], stdin: 'Content-Length: 99999999999\r\n\r\n{}' });
  c.push({ args: ['debug-adapter'], codes: [0, 1], stdin: 'Content-Length: 2\r\n\r\n[]' });
  c.push({ args: ['lsp', '--stdio'], codes: [0, 1], stdin: 'Content-Length: 5\r\n\r\ngarba' });
  for (const v of ['abc', '99999999']) c.push({ args: ['lsp', `--socket=${v}`], codes: [2], stderrMatch: /--socket needs an integer from 1 to 65535/ });
  // top level
  c.push({ args: ['nosuchcmd'], codes: [2], stderrMatch: /unknown command/ });
  return c;
}

test('every CLI subcommand survives hostile input with a clear message, in bounded time', { timeout: 180_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-qa-cli-'));
  try {
    const clang = hasClang();
    let realObj: Buffer | undefined;
    if (clang) {
      const out = path.join(dir, 'xdp.o');
      const r = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c',
        path.join(repoRoot, 'examples', 'xdp_counter.bpf.c'), '-o', out]);
      if (r.status === 0) realObj = fs.readFileSync(out);
    }
    if (!realObj) t.diagnostic('clang-19 unavailable: the cases built from a compiled object are skipped');
    makeFixtures(dir, realObj);
    const all = cases().filter((c) => (!c.needsObj || realObj) && (!c.needsClang || clang));
    // every input a case names exists (else a "cannot read" would pass for the wrong reason)
    for (const c of all) {
      for (const a of c.args) {
        if (/\.(o|s|c|bin)$/.test(a) && !/missing|nonexistent|=|^out\.o$|^big\.o$/.test(a)) assert.ok(fs.existsSync(path.join(dir, a)), `fixture ${a}`);
      }
    }
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < all.length) {
        const c = all[next++];
        const r = await runCli(c.args, dir, c.stdin);
        const label = `bpfls ${c.args.join(' ')}`;
        const firstErr = r.stderr.split('\n')[0];
        if (r.timedOut) { failures.push(`${label}: no answer within ${TIME_LIMIT_MS} ms`); continue; }
        if (r.code === null || !c.codes.includes(r.code)) failures.push(`${label}: exit ${r.code}, expected ${c.codes.join('/')}; stderr: ${firstErr}`);
        if (/internal error|\n\s+at .+:\d+:\d+\)?|Unhandled|TypeError|RangeError|ReferenceError/.test(r.stderr)) failures.push(`${label}: crash on stderr: ${r.stderr.slice(0, 400)}`);
        if (c.stderrMatch && !c.stderrMatch.test(r.stderr)) failures.push(`${label}: stderr does not say ${c.stderrMatch}: ${firstErr}`);
        if (/\bE[A-Z]{3,}: /.test(r.stderr)) failures.push(`${label}: raw errno text on stderr: ${firstErr}`);
        const doubled = /(^|[\s(])([\w.]+:) \2 /m.exec(r.stderr) ?? /cannot read ([^:]+): cannot read /.exec(r.stderr);
        if (doubled) failures.push(`${label}: doubled prefix '${doubled[0].trim()}' on stderr: ${firstErr}`);
        if (c.maxStderrLines !== undefined && r.stderr.trim().split('\n').length > c.maxStderrLines) failures.push(`${label}: ${r.stderr.trim().split('\n').length} stderr lines (at most ${c.maxStderrLines})`);
        if (c.codes.every((x) => x === 2) && r.stderr.trim() === '') failures.push(`${label}: usage error without a message`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    t.diagnostic(`${all.length} cases`);
    assert.deepEqual(failures, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a reader that closes the pipe early (bpfls ... | head) ends the CLI quietly', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-qa-pipe-'));
  try {
    const lines = ['\t.text', '\t.globl f', 'f:'];
    for (let i = 0; i < 200_000; i++) lines.push(`\tr0 = ${i}`);
    lines.push('\texit');
    fs.writeFileSync(path.join(dir, 'big.s'), lines.join('\n') + '\n');
    const [exe, ...pre] = cliCommand(fs.existsSync(path.join(repoRoot, 'dist', 'bpfls.js')) ? 'dist' : 'source');
    const p = spawn(exe, [...pre, 'asm', path.join(dir, 'big.s')], { cwd: repoRoot });
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    p.stdout.once('data', () => p.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => p.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|Unhandled|\n\s+at /, stderr.slice(0, 300));
    assert.ok(code === 0 || code === 1, `exit ${code}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
