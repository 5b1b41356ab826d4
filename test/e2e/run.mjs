// `npm run test:e2e`: packages the extension (bpfls.vsix) and runs the VS Code end-to-end test
// (test/e2e/vscode.e2e.ts: code-server + Debian's chromium through playwright-core), then the
// Neovim and Emacs tests (BPFLS_E2E_VSCODE_ONLY=1 leaves those to `npm test`, which runs them
// too). Needs scripts/e2e-setup.sh to have run once.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);
const t0 = Date.now();
const pack = spawnSync('npm', ['run', '-s', 'package'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (pack.status !== 0 || !fs.existsSync('bpfls.vsix')) {
  process.stdout.write(pack.stdout ?? '');
  console.error('test:e2e: npm run package failed');
  process.exit(1);
}
console.log(`test:e2e: packaged bpfls.vsix (${(fs.statSync('bpfls.vsix').size / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const files = ['test/e2e/vscode.e2e.ts'];
if (process.env.BPFLS_E2E_VSCODE_ONLY !== '1') files.push('test/e2e/neovim.test.ts', 'test/e2e/emacs.test.ts');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
console.log(`test:e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
process.exit(r.status ?? 1);
