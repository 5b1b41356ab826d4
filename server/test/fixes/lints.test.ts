import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintFindings, codeOnly } from '../../src/features/fixes/lints';
import { filterSuppressed } from '../../src/features/fixes/suppress';
import { FixCodes } from '../../src/features/fixes/types';
import { applyFix, assertBpflsAccepts, compile, corpus, findFix, haveClang, kernelLoad, kernelUnavailable, source } from './util';

test('codeOnly blanks comments and literals, keeping offsets', () => {
  const t = 'a /* b\nc */ "d" // e\nf';
  const c = codeOnly(t);
  assert.equal(c.length, t.length);
  assert.equal(c.split('\n').length, 3);
  assert.match(c, /^a\s+\n\s+\nf$/);
});

test('reports each lint where bpflint would', async () => {
  const text = corpus('lints.bpf.c');
  const findings = lintFindings(await source(text));
  const at = (code: string) => findings.filter((f) => f.code === code).map((f) => f.range.start.line + 1);
  assert.deepEqual(at(FixCodes.probeRead), [31]);
  assert.deepEqual(at(FixCodes.untypedMapMember), [14, 15, 20, 21]);
  assert.deepEqual(at(FixCodes.perfbufUsage), [19]);
  assert.deepEqual(at(FixCodes.unrolledLoop), [33]);
  assert.equal(findings.find((f) => f.code === FixCodes.unrolledLoop)!.severity, 'hint');
  assert.equal(findings.find((f) => f.code === FixCodes.perfbufUsage)!.fixes.length, 0, 'warning only');
  // typed maps may carry BTF key/value types: safe; perf event arrays may not: review needed
  const safety = findings.filter((f) => f.code === FixCodes.untypedMapMember).map((f) => f.fixes[0].safe);
  assert.deepEqual(safety, [true, true, false, false]);
});

test('loops without an unroll pragma or with a runtime bound are left alone', async () => {
  const text = 'int f(int n) { int s = 0;\n#pragma unroll\nfor (int i = 0; i < n; i++) s++;\nfor (int i = 0; i < 8; i++) s++;\nreturn s; }\n';
  assert.deepEqual(lintFindings(await source(text)).filter((f) => f.code === FixCodes.unrolledLoop), []);
});

test('disable comments and the bpfls.lints.disabled setting', async () => {
  const base = corpus('lints.bpf.c');
  const count = (t: string, disabled: string[] = []) =>
    source(t).then((s) => filterSuppressed(t, lintFindings(s), disabled).map((f) => f.code));
  assert.ok((await count(base)).includes(FixCodes.probeRead));
  const nextLine = base.replace('\tbpf_probe_read(', '\t// bpfls-disable-next-line probe-read\n\tbpf_probe_read(');
  assert.ok(!(await count(nextLine)).includes(FixCodes.probeRead));
  const sameLine = base.replace('(void *) ctx->rdi);', '(void *) ctx->rdi); // bpfls-disable-line bpfls.probe-read');
  assert.ok(!(await count(sameLine)).includes(FixCodes.probeRead));
  const otherCode = base.replace('\tbpf_probe_read(', '\t// bpfls-disable-next-line perfbuf-usage\n\tbpf_probe_read(');
  assert.ok((await count(otherCode)).includes(FixCodes.probeRead));
  const fileWide = '/* bpfls-disable untyped-map-member, perfbuf-usage */\n' + base;
  const fw = await count(fileWide);
  assert.ok(!fw.includes(FixCodes.untypedMapMember) && !fw.includes(FixCodes.perfbufUsage) && fw.includes(FixCodes.probeRead));
  const bpflint = base.replace('\tbpf_probe_read(', '\t// bpflint: disable=probe-read\n\tbpf_probe_read(');
  assert.ok(!(await count(bpflint)).includes(FixCodes.probeRead));
  const setting = await count(base, ['bpfls.unrolled-loop', 'probe-read']);
  assert.ok(!setting.includes(FixCodes.unrolledLoop) && !setting.includes(FixCodes.probeRead));
});

const NO_CLANG = haveClang() ? undefined : 'clang-19 not found';

test('fixes: typed map members and bpf_probe_read_kernel build and load', { skip: NO_CLANG }, async (t) => {
  let text = corpus('lints.bpf.c');
  for (let round = 0; round < 10; round++) {
    const f = lintFindings(await source(text)).find((x) => x.code === FixCodes.untypedMapMember);
    if (!f) break;
    text = applyFix(text, f.fixes[0]);
  }
  assert.match(text, /__type\(key, __u32\);\n\t__type\(value, struct event\);/);
  assert.match(text, /__type\(key, int\);\n\t__type\(value, int\);/);
  text = applyFix(text, findFix(lintFindings(await source(text)), FixCodes.probeRead, 'bpf_probe_read_kernel'));
  assert.match(text, /\tbpf_probe_read_kernel\(&e\.first/);
  const left = lintFindings(await source(text)).map((f) => f.code).sort();
  assert.deepEqual(left, [FixCodes.perfbufUsage, FixCodes.unrolledLoop]);
  const c = compile(text, '-O2');
  assert.ok(c.ok, c.stderr);
  await assertBpflsAccepts(c.obj!, '-O2');
  const why = kernelUnavailable();
  if (why) return t.skip(`kernel load: ${why}`);
  const r = kernelLoad(c.obj!);
  assert.ok(r.ok, r.log);
});
