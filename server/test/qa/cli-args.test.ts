// The CLI's shared option parser and input reader: numeric options are integers in a range (no
// 1e99, NaN, fractions or overflow), boolean flags take no value, and unreadable inputs give one
// "cannot read FILE: <reason>" message whatever the reason (missing, directory, endless device).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError, UsageError, describeFileError, parseArgs, parseIntegerOption, readInputFile, readSourceFile } from '../../src/cli/command';
import { firstErrors, summarizeClangErrors } from '../../src/cli/summarize';

test('integer options: decimal or hex integers inside the range, everything else a usage error naming the option', () => {
  const range = { min: 1, max: 1000 };
  for (const [text, want] of [['1', 1], ['1000', 1000], ['0x10', 16], ['+7', 7], [' 42 ', 42]] as const) {
    assert.equal(parseIntegerOption('max-insns', text, range), want, text);
  }
  for (const text of ['0', '1001', '-5', '1e99', '1e3', 'NaN', 'Infinity', '1.5', '1.0', '', ' ', 'abc', '0x', '12abc', '99999999999999999999', '0x1fffffffffffff0']) {
    assert.throws(() => parseIntegerOption('max-insns', text, range), (e: Error) => e instanceof UsageError && /^--max-insns needs an integer from 1 to 1000, got '/.test(e.message), text);
  }
  // an unbounded maximum reads as ">= min"
  assert.throws(() => parseIntegerOption('n', 'x', { min: 0, max: Number.MAX_SAFE_INTEGER }), /--n needs an integer >= 0/);
  assert.equal(parseIntegerOption('seed', '-2147483648', { min: -(2 ** 31), max: 2 ** 32 - 1 }), -(2 ** 31));
});

test('parseArgs validates integer options in both spellings and returns numbers', () => {
  const spec = { strings: ['prog'], booleans: ['json'], integers: { repeat: { min: 1, max: 10 } } };
  const { flags, positionals } = parseArgs(['x.o', '--repeat', '3', '--prog=p', '--json'], spec);
  assert.deepEqual(flags, { repeat: 3, prog: 'p', json: true });
  assert.deepEqual(positionals, ['x.o']);
  assert.equal(parseArgs(['--repeat=0x0a'], spec).flags.repeat, 10);
  assert.throws(() => parseArgs(['--repeat', '1e99'], spec), /--repeat needs an integer from 1 to 10, got '1e99'/);
  assert.throws(() => parseArgs(['--repeat=11'], spec), /--repeat needs an integer/);
  assert.throws(() => parseArgs(['--repeat'], spec), /--repeat needs a value/);
  assert.throws(() => parseArgs(['--json=false'], spec), /--json takes no value/);
  assert.throws(() => parseArgs(['--bogus'], spec), /unknown option --bogus/);
});

test('readInputFile: one message per reason, bounded reads of devices', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-qa-read-'));
  try {
    const f = path.join(dir, 'x.o');
    fs.writeFileSync(f, Buffer.from([1, 2, 3]));
    assert.deepEqual([...readInputFile(f)], [1, 2, 3]);
    fs.writeFileSync(path.join(dir, 'empty'), '');
    assert.equal(readInputFile(path.join(dir, 'empty')).length, 0);
    const fails = (file: string, opts: Parameters<typeof readInputFile>[1], want: RegExp) =>
      assert.throws(() => readInputFile(file, opts), (e: Error) => e instanceof InputError && want.test(e.message), `${file}: ${want}`);
    fails(path.join(dir, 'missing.o'), {}, /^cannot read \S+missing\.o: no such file$/);
    fails(dir, {}, /^cannot read \S+: is a directory$/);
    fails(path.join(f, 'below'), {}, /^cannot read \S+: a component of the path is not a directory$/);
    fails(f, { maxBytes: 2, what: 'data_in file' }, /^cannot read data_in file \S+x\.o: larger than \d+ MB$/);
    // a device that never ends is cut at the bound, quickly
    const t0 = Date.now();
    fails('/dev/zero', { maxBytes: 1 << 20 }, /^cannot read \/dev\/zero: larger than 1 MB$/);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(describeFileError(Object.assign(new Error('EACCES: permission denied, open \'/x\''), { code: 'EACCES' })), 'permission denied');
    assert.equal(describeFileError(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })), 'i/o error');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('error lists from garbage input are cut to ten lines and a count', () => {
  const many = Array.from({ length: 500 }, (_, i) => `x.s:${i + 1}:1: error: unexpected character`);
  const out = firstErrors(many).split('\n');
  assert.equal(out.length, 11);
  assert.equal(out[10], '(490 more)');
  const clang = ['x.c:1:1: error: unknown type name', 'garbage echoed line', '   ^', 'x.c:2:1: warning: w'].join('\n');
  assert.equal(summarizeClangErrors(clang), 'x.c:1:1: error: unknown type name\nx.c:2:1: warning: w');
});

test('readSourceFile: UTF-8 text passes; ELF objects, UTF-16 and binary data are refused with what they are', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-qa-src-'));
  try {
    const w = (name: string, data: string | Buffer) => { fs.writeFileSync(path.join(dir, name), data); return path.join(dir, name); };
    assert.equal(readSourceFile(w('ok.c', 'int x; /* é */\n')), 'int x; /* é */\n');
    assert.equal(readSourceFile(w('empty.c', '')), '');
    const refused = (file: string, want: RegExp) => assert.throws(() => readSourceFile(file), (e: Error) => e instanceof InputError && want.test(e.message), file);
    refused(w('x.o', Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(60)])), /as source: it is an ELF object \(for objects use bpfls verify/);
    refused(w('u.c', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('int x;', 'utf16le')])), /as source: it is UTF-16 text; save it as UTF-8/);
    refused(w('n.s', Buffer.from('r0 = 0\n\0exit\n')), /as source: it is binary \(NUL bytes\)/);
    // only the head is inspected: a NUL far into a large text file is the compiler's business
    assert.equal(readSourceFile(w('late.c', 'x'.repeat(9000) + '\0')).length, 9001);
    refused(path.join(dir, 'missing.c'), /^cannot read \S+missing\.c: no such file$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
