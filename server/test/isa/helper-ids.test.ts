// The ISA layer keeps its own helper name list (it may import nothing); it must name every ID
// exactly as the knowledge base does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELPER_COUNT, helperId, helperName } from '../../src/bpf/isa/helper-ids';
import { allHelpers } from '../../src/knowledge/helpers';

test('isa helper IDs agree with the knowledge base', () => {
  const known = allHelpers();
  assert.equal(HELPER_COUNT - 1, Math.max(...known.map((h) => h.id)));
  for (const h of known) {
    assert.equal(helperName(h.id), h.name, `helper #${h.id}`);
    assert.equal(helperId(h.name), h.id, h.name);
  }
});
