// The README's editor configurations are the files the editor tests load, word for word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const readme = readFileSync('README.md', 'utf8');

/** The first fenced block of `lang` after the heading that starts with `heading`. */
function blockAfter(heading: string, lang: string): string {
  const at = readme.indexOf(heading);
  assert.ok(at >= 0, `README has no heading '${heading}'`);
  const open = readme.indexOf('```' + lang + '\n', at);
  assert.ok(open >= 0, `no \`\`\`${lang} block after '${heading}'`);
  const start = open + lang.length + 4;
  return readme.slice(start, readme.indexOf('\n```', start) + 1);
}

test('README Neovim configuration is test/e2e/nvim/bpfls.lua', () => {
  assert.equal(blockAfter('### Neovim', 'lua'), readFileSync('test/e2e/nvim/bpfls.lua', 'utf8'));
});

test('README Emacs configuration is test/e2e/emacs/bpfls.el', () => {
  assert.equal(blockAfter('### Emacs', 'elisp'), readFileSync('test/e2e/emacs/bpfls.el', 'utf8'));
});

test('README quick start is exactly two commands', () => {
  const block = blockAfter('## Quick start', 'sh');
  const commands = block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  assert.deepEqual(commands.map((l) => l.replace(/\s+#.*$/, '')), ['bash scripts/quickstart.sh', 'npm test']);
});
