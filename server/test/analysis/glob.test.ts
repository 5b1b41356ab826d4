import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, matchesAnyGlob } from '../../src/analysis/glob';

test('globs match like VS Code document selectors', () => {
  const d = ['**/*.bpf.c', '**/*.bpf.h'];
  assert.ok(matchesAnyGlob('/w/src/x.bpf.c', d, '/w'));
  assert.ok(matchesAnyGlob('/x.bpf.h', d));
  assert.ok(!matchesAnyGlob('/w/src/x.c', d, '/w'));
  assert.ok(matchesAnyGlob('/w/progs/a.c', ['progs/*.c'], '/w'));
  assert.ok(!matchesAnyGlob('/w/other/a.c', ['progs/*.c'], '/w'));
  assert.ok(matchesAnyGlob('/w/a/b/c/t.c', ['**/{bpf,progs}/**/*.c', 'a/**/*.c'], '/w'));
  assert.ok(matchesAnyGlob('/w/x1.c', ['x?.c'], '/w'));
  assert.ok(matchesAnyGlob('/w/xa.c', ['x[a-c].c'], '/w'));
  assert.ok(!matchesAnyGlob('/w/xd.c', ['x[a-c].c'], '/w'));
  assert.equal(globToRegExp('a.b+c').test('a.b+c'), true);
  assert.equal(globToRegExp('a.b+c').test('aXb+c'), false);
});
