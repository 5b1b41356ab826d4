import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentSnapshot } from '../../src/analysis/document';
import { applyEdits, filterFindings, mergeFindings, safeFixes } from '../../src/analysis/pipeline';
import { registerCodeActionProvider, codeActionProviders } from '../../src/analysis/registry';
import { defaultSettings, normalizeSettings } from '../../src/analysis/settings';
import type { Finding } from '../../src/analysis/types';

const at = (line: number, a: number, b = a): Finding['range'] => ({ start: { line, character: a }, end: { line, character: b } });
const finding = (code: string, line: number, severity: Finding['severity'] = 'error', source = 'bpfls'): Finding =>
  ({ range: at(line, 0, 1), severity, code, source, message: code });

test('settings: nested and dotted keys, wrong types fall back to defaults', () => {
  const s = normalizeSettings({ 'analyses.verify': false, analyses: { run: false }, extraFlags: ['-DX', 3], clangPath: 7, lints: { severity: { a: 'hint', b: 'loud' } } }, false);
  assert.equal(s.analyses.verify, false);
  assert.equal(s.analyses.run, false);
  assert.equal(s.analyses.compile, true);
  assert.deepEqual(s.extraFlags, ['-DX']);
  assert.equal(s.clangPath, '');
  assert.equal(s.trusted, false);
  assert.deepEqual(s.lints.severity, { a: 'hint' });
  assert.deepEqual(normalizeSettings(undefined), defaultSettings);
});

test('document snapshot converts offsets and positions (CRLF, CR, surrogates)', () => {
  const d = new DocumentSnapshot('file:///x', 'c', 1, 'ab\r\ncd\ref😀g\n');
  assert.equal(d.lineCount, 4);
  assert.deepEqual(d.positionAt(4), { line: 1, character: 0 });
  assert.deepEqual(d.positionAt(7), { line: 2, character: 0 });
  assert.equal(d.offsetAt({ line: 2, character: 4 }), 11);
  assert.equal(d.lineText(2), 'ef😀g');
  assert.equal(d.offsetAt({ line: 0, character: 99 }), 4, 'clamped to the line');
  assert.equal(d.offsetAt({ line: 99, character: 0 }), d.text.length);
});

test('disabled codes are dropped and severities overridden', () => {
  const s = normalizeSettings({ lints: { disabled: ['x.off'], severity: { 'x.soft': 'hint' } } });
  const out = filterFindings([finding('x.off', 0), finding('x.soft', 1), finding('x.keep', 2)], s);
  assert.deepEqual(out.map((f) => [f.code, f.severity]), [['x.soft', 'hint'], ['x.keep', 'error']]);
});

test('merge drops tree-sitter syntax errors that clang contradicts', () => {
  const syn = [finding('bpfls.syntax-error', 3), finding('bpfls.syntax-error', 5)];
  const clang = [finding('clang', 3, 'error', 'clang')];
  assert.deepEqual(mergeFindings(syn, clang, [], true, defaultSettings).map((f) => `${f.code}@${f.range.start.line}`), ['clang@3', 'bpfls.syntax-error@5']);
  assert.equal(mergeFindings(syn, clang, [], false, defaultSettings).length, 3, 'stale clang results hide nothing');
  assert.deepEqual(mergeFindings(syn, [], [], true, defaultSettings, true), [], 'a successful compile overrules tree-sitter');
  assert.equal(mergeFindings(syn, [], [], false, defaultSettings, true).length, 2, 'but only for the text it compiled');
});

test('safe fixes: first safe action per finding, never overlapping, applied back to front', () => {
  const before = codeActionProviders.length;
  registerCodeActionProvider({
    id: 'test-fixes',
    languages: ['c'],
    provideCodeActions: (ctx) => ctx.findings.flatMap((f) => [
      { title: 'unsafe', kind: 'quickfix' as const, edits: [{ range: f.range, newText: 'NO' }] },
      { title: 'safe', kind: 'quickfix' as const, safe: true, edits: [{ range: f.range, newText: f.code }] },
    ]),
  });
  try {
    const doc = new DocumentSnapshot('file:///x.bpf.c', 'c', 1, 'aaaa\nbbbb\n');
    const f1: Finding = { ...finding('X', 0), range: at(0, 1, 3) };
    const f2: Finding = { ...finding('Y', 0), range: at(0, 2, 4) }; // overlaps f1: skipped
    const f3: Finding = { ...finding('Z', 1), range: at(1, 0, 0) };
    const edits = safeFixes({ doc, tree: undefined, settings: defaultSettings }, [f1, f2, f3], { isCancellationRequested: false });
    assert.equal(edits.length, 2);
    assert.equal(applyEdits(doc.text, edits, (p) => doc.offsetAt(p)), 'aXa\nZbbbb\n');
  } finally {
    codeActionProviders.splice(before);
  }
});
