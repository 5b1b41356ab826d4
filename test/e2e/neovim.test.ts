// Neovim (Debian's 0.7) with its built-in LSP client, configured exactly as the README's Editors section says
// (test/e2e/nvim/bpfls.lua): opens a copy of examples/null_check_missing.bpf.c headless, and
// checks the verifier diagnostic, a helper hover, and that the preferred quick-fix chosen through
// vim.lsp.buf.code_action() removes the diagnostic. Skips when nvim is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, missingServerPrerequisite, repoRoot, runGroup, which } from './sandbox';

test('neovim: bpfls diagnostics, hover and quick-fix in nvim --headless', async (t) => {
  const nvim = which('nvim');
  if (!nvim) return t.skip('nvim is not installed (apt-get install neovim, or scripts/e2e-setup.sh)');
  const missing = missingServerPrerequisite();
  if (missing) return t.skip(missing);
  const sb = makeSandbox('nvim');
  t.after(() => sb.cleanup());
  const file = path.join(sb.work, 'null_check_missing.bpf.c');
  fs.copyFileSync(path.join(repoRoot, 'examples/null_check_missing.bpf.c'), file);
  const outFile = path.join(sb.dir, 'result.json');
  const r = await runGroup(nvim, [
    '--headless', '-n', '-i', 'NONE',
    '-u', path.join(repoRoot, 'test/e2e/nvim/bpfls.lua'),
    file,
    '-c', `luafile ${path.join(repoRoot, 'test/e2e/nvim/check.lua')}`,
  ], {
    cwd: sb.work,
    env: { ...sb.env, BPFLS_E2E_OUT: outFile, BPFLS_E2E_CODE: 'bpfls.verifier', BPFLS_E2E_HOVER: 'bpf_map_lookup_elem' },
    timeoutMs: 60_000,
  });
  assert.ok(!r.timedOut, `nvim timed out\n${r.stderr}`);
  assert.ok(fs.existsSync(outFile), `nvim wrote no result (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
  const res = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  const ctx = JSON.stringify(res, null, 1);
  assert.equal(res.error, undefined, ctx);
  assert.equal(res.attached, true, `bpfls did not attach\n${ctx}`);
  assert.equal(res.diagnostic_seen, true, `no verifier diagnostic\n${ctx}`);
  const verifier = res.diagnostics.find((d: { code?: string }) => d.code === 'bpfls.verifier');
  assert.match(verifier.message, /R0 invalid mem access 'map_value_or_null'/);
  assert.equal(verifier.lnum, 21); // `*value += 1;` (0-based line)
  const hover = typeof res.hover === 'string' ? res.hover : res.hover?.value ?? '';
  assert.match(hover, /bpf_map_lookup_elem/, ctx);
  assert.match(hover, /map/i, ctx);
  assert.ok(res.actions?.length > 0, `no code actions\n${ctx}`);
  assert.ok(res.chosen, `no preferred code action\n${ctx}`);
  assert.equal(res.diagnostic_gone, true, `the verifier diagnostic stayed after the fix\n${ctx}`);
  assert.match(res.text_after, /if \(!value\)/);
  t.diagnostic(`nvim run: ${r.ms} ms; fix applied: ${res.chosen}`);
});
