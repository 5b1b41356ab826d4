// Emacs (Debian's 28 with elpa-eglot) configured exactly as the README's Editors section says
// (test/e2e/emacs/bpfls.el): `emacs --batch` visits a copy of examples/null_check_missing.bpf.c,
// and test/e2e/emacs/check.el checks the verifier diagnostic in Flymake, a helper hover, and that
// the preferred code action removes the diagnostic. Skips when emacs or Eglot is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, missingServerPrerequisite, repoRoot, runGroup, which } from './sandbox';

test('emacs: bpfls diagnostics, hover and code action through Eglot in emacs --batch', async (t) => {
  const emacs = which('emacs');
  if (!emacs) return t.skip('emacs is not installed (apt-get install emacs-nox elpa-eglot, or scripts/e2e-setup.sh)');
  const missing = missingServerPrerequisite();
  if (missing) return t.skip(missing);
  const sb = makeSandbox('emacs');
  t.after(() => sb.cleanup());
  const probe = spawnSync(emacs, ['--batch', '--eval', '(progn (require (quote eglot)) (princ "ok"))'], { env: sb.env, encoding: 'utf8', timeout: 20_000 });
  if (probe.stdout !== 'ok') return t.skip('Eglot is not available to emacs (apt-get install elpa-eglot)');
  const file = path.join(sb.work, 'null_check_missing.bpf.c');
  fs.copyFileSync(path.join(repoRoot, 'examples/null_check_missing.bpf.c'), file);
  const outFile = path.join(sb.dir, 'result.json');
  const r = await runGroup(emacs, [
    '--batch',
    '-l', path.join(repoRoot, 'test/e2e/emacs/bpfls.el'),
    '-l', path.join(repoRoot, 'test/e2e/emacs/check.el'),
  ], {
    cwd: sb.work,
    env: { ...sb.env, BPFLS_E2E_OUT: outFile, BPFLS_E2E_FILE: file, BPFLS_E2E_CODE: 'bpfls.verifier', BPFLS_E2E_HOVER: 'bpf_map_lookup_elem' },
    timeoutMs: 60_000,
  });
  assert.ok(!r.timedOut, `emacs timed out\n${r.stderr}`);
  assert.ok(fs.existsSync(outFile), `emacs wrote no result (exit ${r.code})\n${r.stdout}\n${r.stderr}`);
  const res = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  const ctx = JSON.stringify(res, null, 1) + '\n' + r.stderr.slice(-3000);
  assert.equal(res.error, undefined, ctx);
  assert.equal(res.attached, true, `bpfls did not attach\n${ctx}`);
  assert.equal(res.diagnostic_seen, true, `no verifier diagnostic\n${ctx}`);
  const verifier = res.diagnostics.find((d: { code?: string }) => d.code === 'bpfls.verifier');
  assert.match(verifier.message, /R0 invalid mem access 'map_value_or_null'/);
  assert.equal(verifier.line, 21); // `*value += 1;` (0-based line)
  assert.match(res.hover ?? '', /bpf_map_lookup_elem/, ctx);
  assert.ok(res.actions?.length > 0, `no code actions\n${ctx}`);
  assert.ok(res.chosen, `no code action chosen\n${ctx}`);
  assert.equal(res.diagnostic_gone, true, `the verifier diagnostic stayed after the fix\n${ctx}`);
  assert.match(res.text_after, /if \(!value\)/);
  t.diagnostic(`emacs run: ${r.ms} ms; fix applied: ${res.chosen}`);
});
