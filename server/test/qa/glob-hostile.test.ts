// bpfls.files comes from workspace settings: a hostile or careless glob must neither hang the
// language server (regular expressions backtrack for minutes on '**/**/**...' or '*a*a*a*b') nor
// throw ('{abc' was an unterminated group). The matcher must keep the meaning the regular
// expression gave (globToRegExp), checked on random small globs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, matchesAnyGlob } from '../../src/analysis/glob';

test('hostile globs answer at once and never throw', () => {
  const file = '/' + 'a/'.repeat(60) + 'a'.repeat(200) + '.bpf.h';
  const globs = ['**/'.repeat(40) + '*.bpf.c', '*'.repeat(60) + 'x', '*a'.repeat(30) + 'b', '**/*a'.repeat(20) + 'b/**', '{abc', '}{', '[z-a].c', '[', '{a,{b,{c,', '{' + 'a,'.repeat(5000) + 'b}'];
  for (const g of globs) {
    const t0 = performance.now();
    assert.equal(matchesAnyGlob(file, [g], '/'), false, g.slice(0, 40));
    assert.ok(performance.now() - t0 < 2000, `${g.slice(0, 40)}: ${performance.now() - t0} ms`);
  }
  assert.equal(matchesAnyGlob('/w/{abc', ['{abc'], '/w'), true, "an unclosed '{' is a literal");
});

test('the matcher agrees with the glob regular expression on random small globs', () => {
  const parts = ['a', 'b', '/', '*', '**', '**/', '?', '{a,b}', '{a,{b/,}}', '[ab]', '[!a]', '.', ','];
  const chars = ['a', 'b', '/', '.', ','];
  let seed = 99;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
  let matched = 0;
  for (let k = 0; k < 4000; k++) {
    let g = '';
    for (let i = 1 + rnd(5); i > 0; i--) g += parts[rnd(parts.length)];
    let p = '';
    for (let i = rnd(9); i > 0; i--) p += chars[rnd(chars.length)];
    const file = `/r/${p}`;
    // the regular-expression matcher, applied the way matchesAnyGlob applies globs
    const re = globToRegExp(g);
    const rel = p, base = file.slice(file.lastIndexOf('/') + 1);
    const want = g.includes('/') ? re.test(rel) || re.test(file) || re.test(file.slice(1)) : re.test(base);
    assert.equal(matchesAnyGlob(file, [g], '/r'), want, `glob ${JSON.stringify(g)} path ${JSON.stringify(file)}`);
    if (want) matched++;
  }
  assert.ok(matched > 200, `${matched} matches: the comparison is not vacuous`);
});
