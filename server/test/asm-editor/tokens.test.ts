// LSP's relative encoding of semantic tokens (analysis/registry-extra.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSemanticTokens, SEMANTIC_TOKEN_TYPES } from '../../src/analysis/registry-extra';

test('tokens are sorted, relative, and overlapping ones dropped', () => {
  const t = (line: number, character: number, length: number, type: (typeof SEMANTIC_TOKEN_TYPES)[number]) => ({ line, character, length, type });
  const data = encodeSemanticTokens([t(2, 1, 2, 'variable'), t(0, 6, 1, 'number'), t(0, 0, 5, 'comment'), t(0, 2, 2, 'number')]);
  const ix = (x: string) => SEMANTIC_TOKEN_TYPES.indexOf(x as never);
  assert.deepEqual(data, [0, 0, 5, ix('comment'), 0, 0, 6, 1, ix('number'), 0, 2, 1, 2, ix('variable'), 0]);
});
