// The extension manifest agrees with the client code and the files it names; with BPFLS_LONG=1,
// `npm run package` builds a .vsix offline holding what the extension needs at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const client = fs.readFileSync(path.join(root, 'client/src/extension.ts'), 'utf8');

test('manifest: entry points, languages, grammars, commands and settings', () => {
  assert.equal(pkg.main, './dist/client.js');
  assert.ok(pkg.activationEvents.includes('onLanguage:bpf-asm'));
  assert.ok(pkg.activationEvents.includes('onLanguage:c'));
  for (const l of pkg.contributes.languages) if (l.configuration) assert.ok(fs.existsSync(path.join(root, l.configuration)), l.configuration);
  for (const g of pkg.contributes.grammars) assert.ok(fs.existsSync(path.join(root, g.path)), g.path);
  const commands = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  for (const m of client.matchAll(/registerCommand\('([^']+)'/g)) assert.ok(commands.has(m[1]), `command ${m[1]} is contributed`);
  const settings = pkg.contributes.configuration.properties;
  for (const m of client.matchAll(/getConfiguration\('bpfls'\)\.(?:get|inspect)<[^>]+>\('([^']+)'\)/g)) {
    assert.ok(`bpfls.${m[1]}` in settings, `setting bpfls.${m[1]} is contributed`);
  }
  assert.deepEqual(settings['bpfls.files'].default, ['**/*.bpf.c', '**/*.bpf.h']);
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('bpfls.clangPath'));
  assert.ok(fs.existsSync(path.join(root, 'LICENSE')));
  assert.match(pkg.scripts.package, /vsce package --no-dependencies/);
});

test('npm run package makes a .vsix with the bundles and wasm files (BPFLS_LONG=1)', (t) => {
  if (!process.env.BPFLS_LONG) return t.skip('set BPFLS_LONG=1 to build the .vsix');
  const out = path.join(root, 'bpfls.vsix');
  const r = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const list = spawnSync('unzip', ['-l', out], { encoding: 'utf8' });
  if (list.status !== 0) return t.skip('unzip not installed');
  for (const f of ['extension/package.json', 'extension/dist/client.js', 'extension/dist/bpfls.js', 'extension/dist/worker.js',
    'extension/dist/tree-sitter.wasm', 'extension/dist/tree-sitter-c.wasm', 'extension/LICENSE.txt']) {
    assert.ok(list.stdout.includes(f), `${f} in the .vsix`);
  }
});
