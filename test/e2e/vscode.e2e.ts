// VS Code end to end: installs bpfls.vsix into code-server 4.100.3 (scripts/e2e-setup.sh puts it
// in ~/.cache/bpfls-e2e), serves a scratch workspace on 127.0.0.1 with auth none, and drives the
// real workbench in Debian's chromium through playwright-core (never a downloaded browser).
// Screenshots of every scenario go to .test-artifacts/e2e/. Run by `npm run test:e2e` (not by
// `npm test`: the file is not a *.test.ts). code-server, chromium and the language server run
// with a private HOME / XDG dirs / TMPDIR and are all killed at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeSandbox, repoRoot, type Sandbox } from './sandbox';

const CACHE = process.env.BPFLS_E2E_CACHE ?? path.join(os.homedir(), '.cache/bpfls-e2e');
const CODE_SERVER = process.env.BPFLS_CODE_SERVER ?? path.join(CACHE, 'code-server-4.100.3/node_modules/.bin/code-server');
const CHROMIUM = process.env.BPFLS_CHROMIUM ?? '/usr/bin/chromium';
const VSIX = path.join(repoRoot, 'bpfls.vsix');
const ARTIFACTS = path.join(repoRoot, '.test-artifacts/e2e');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let sb: Sandbox | undefined;
let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let page: Page;
let ws = '';
let serverLog = '';
let setupError: string | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Pids of live processes whose environment has our sandbox HOME (only what this test started). */
function sandboxPids(home: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(`HOME=${home}`)) out.push(Number(e));
    } catch { /* gone or not ours */ }
  }
  return out;
}

async function shot(name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Polls fn until it returns a truthy value; the last value is in the assertion message. */
async function until<T>(what: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try { last = await fn(); } catch (e) { last = undefined; if (Date.now() > deadline) throw e; }
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(200);
  }
}

async function openFile(name: string): Promise<void> {
  await page.keyboard.press('Escape'); // whatever widget a previous step left open
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await until(`quick open to list ${name}`, async () =>
    (await page.locator('.quick-input-list .monaco-list-row').first().innerText().catch(() => '')).includes(name));
  await page.keyboard.press('Enter');
  await until(`${name} to be the active editor`, async () =>
    (await page.locator('.tabs-container .tab.active').first().innerText().catch(() => '')).includes(name));
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
}

/** Moves the cursor to a 1-based line:column through Go to Line. */
async function goTo(line: number, column: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`); // Go to Line is quick open with the ":" prefix
  await page.keyboard.press('Enter');
  await until('the cursor to move', async () =>
    // The status bar counts visual columns (a tab is 4), so only the line is compared.
    (await page.locator('.statusbar [id="status.editor.selection"]').innerText().catch(() => '')).includes(`Ln ${line}, Col `));
}

/** 1-based position of the first occurrence of `needle` outside `//` comments in a workspace file. */
function positionOf(file: string, needle: string): { line: number; column: number } {
  const lines = fs.readFileSync(path.join(ws, file), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i].indexOf(needle);
    if (c >= 0 && !lines[i].trimStart().startsWith('//')) return { line: i + 1, column: c + 1 };
  }
  throw new Error(`${needle} not in ${file}`);
}

async function problemsText(): Promise<string> {
  return page.locator('.markers-panel').first().innerText().catch(() => '');
}

async function showProblems(): Promise<void> {
  if (await page.locator('.markers-panel').first().isVisible().catch(() => false)) return;
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').first().waitFor({ state: 'visible' });
}

async function hoverAt(file: string, needle: string, expect: string, offset = 1): Promise<string> {
  const p = positionOf(file, needle);
  await goTo(p.line, p.column + offset);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  return until(`a hover for ${expect}`, async () => {
    const h = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
    const text = (await h.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
    return text.includes(expect) ? text : '';
  });
}

before(async () => {
  if (!fs.existsSync(CODE_SERVER)) { setupError = `code-server is not installed at ${CODE_SERVER}: run scripts/e2e-setup.sh`; return; }
  if (!fs.existsSync(CHROMIUM)) { setupError = `${CHROMIUM} is missing: run scripts/e2e-setup.sh (apt chromium)`; return; }
  if (!fs.existsSync(VSIX)) { setupError = 'bpfls.vsix is missing: run npm run package (npm run test:e2e does)'; return; }
  sb = makeSandbox('vscode');
  const userData = path.join(sb.dir, 'user-data');
  const extensions = path.join(sb.dir, 'extensions');
  ws = path.join(sb.work, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  for (const dir of [path.join(repoRoot, 'examples'), path.join(repoRoot, 'test/e2e/fixtures/workspace')]) {
    for (const f of fs.readdirSync(dir)) if (/\.bpf\.[cs]$/.test(f)) fs.copyFileSync(path.join(dir, f), path.join(ws, f));
  }
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.commandCenter.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'editor.hover.delay': 150,
    'editor.minimap.enabled': false,
    'editor.codeLens': true,
    'editor.lightbulb.enabled': 'on',
    'files.associations': { '*.bpf.c': 'c' },
  }, null, 2));
  const inst = spawnSync(CODE_SERVER, ['--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', VSIX],
    { env: sb.env, encoding: 'utf8', timeout: 120_000 });
  if (inst.status !== 0) { setupError = `installing the vsix failed:\n${inst.stdout}\n${inst.stderr}`; return; }
  const port = await freePort();
  server = spawn(CODE_SERVER, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userData, '--extensions-dir', extensions, ws,
  ], { env: sb.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (b) => { serverLog += b; });
  server.stderr!.on('data', (b) => { serverLog += b; });
  const base = `http://127.0.0.1:${port}`;
  await until('code-server to answer /healthz', async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok, 60_000);
  context = await chromium.launchPersistentContext(path.join(sb.dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env: sb.env as Record<string, string>,
    viewport: { width: 1440, height: 900 },
  });
  // Nothing but the local code-server: no marketplace, no fonts or telemetry from the internet.
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  page = context.pages()[0] ?? await context.newPage();
  await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
});

after(async () => {
  await context?.close().catch(() => undefined);
  if (server?.pid) { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ } }
  if (sb) {
    // The extension host and bpfls may have left code-server's process group: find them by HOME.
    const home = sb.env.HOME!;
    for (let i = 0; i < 20; i++) {
      const left = sandboxPids(home);
      if (left.length === 0) break;
      for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      await sleep(100);
    }
    const left = sandboxPids(home);
    sb.cleanup();
    assert.deepEqual(left, [], 'processes left running after the e2e test');
  }
});

/** The e2e run is explicit (npm run test:e2e), so a missing prerequisite is a failure, not a skip. */
function ready(): void {
  if (setupError) assert.fail(setupError);
}

test('vscode: syntax, clang and verifier diagnostics in the Problems panel', async () => {
  ready();
  await openFile('syntax_error.bpf.c');
  await openFile('null_check_missing.bpf.c');
  await showProblems();
  const text = await until('syntax, clang and verifier problems', async () => {
    const s = await problemsText();
    return /syntax error: unexpected 'int'/.test(s) && /expected '\)'/.test(s) && /R0 invalid mem access 'map_value_or_null'/.test(s) ? s : '';
  }, 60_000);
  await shot('1-problems');
  assert.match(text, /bpfls\.syntax-error/);
  assert.match(text, /clang/);
  assert.match(text, /bpfls\.verifier/);
});

test('vscode: hover on a helper and on a kfunc (with the unstable-interface warning)', async () => {
  ready();
  await openFile('null_check_missing.bpf.c');
  const helper = await hoverAt('null_check_missing.bpf.c', 'bpf_map_lookup_elem(&seen', 'bpf_map_lookup_elem');
  await shot('2-hover-helper');
  assert.match(helper, /bpf_map_lookup_elem/);
  assert.match(helper, /map/i);
  await page.keyboard.press('Escape');
  await openFile('helper_decl.bpf.c');
  const kfunc = await hoverAt('helper_decl.bpf.c', 'bpf_rcu_read_lock();', 'bpf_rcu_read_lock');
  await shot('3-hover-kfunc');
  assert.match(kfunc, /kfunc/);
  assert.match(kfunc, /not stable UAPI/);
  await page.keyboard.press('Escape');
});

test('vscode: helper-declaration quick-fix from the lightbulb removes the diagnostic', async () => {
  ready();
  await openFile('helper_decl.bpf.c');
  await showProblems();
  await until('the helper-pointer-decl warning', async () => /Hand-written helper pointer 'bpf_map_lookup_elem'/.test(await problemsText()), 60_000);
  const p = positionOf('helper_decl.bpf.c', 'bpf_map_lookup_elem)');
  await goTo(p.line, p.column + 2);
  const bulb = page.locator('.lightBulbWidget').first();
  await bulb.waitFor({ state: 'visible', timeout: 30_000 });
  await shot('4-lightbulb');
  await bulb.click();
  const menu = page.locator('.action-widget').first();
  await menu.waitFor({ state: 'visible' });
  const items = await menu.locator('.monaco-list-row.action').allInnerTexts();
  await shot('5-quickfix-menu');
  const pick = items.findIndex((s) => /const/.test(s));
  assert.ok(pick >= 0, `no '* const' fix among: ${items.join(' | ')}`);
  // The menu opens with its first action focused; a click is taken by the context view's pointer
  // block in headless chromium, so choose with the keyboard as a keyboard user would.
  for (let i = 0; i < pick; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await until('the editor to show the fixed declaration', async () =>
    // Monaco renders spaces as no-break spaces.
    /\*\s*const\s+bpf_map_lookup_elem/.test((await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ')));
  await until('the helper-pointer-decl warning to go (the file keeps its kfunc notes)', async () => {
    const s = await problemsText();
    return s.includes('helper_decl.bpf.c') && /bpf_rcu_read_lock is a kfunc/.test(s) && !/Hand-written helper pointer/.test(s);
  }, 30_000);
  await shot('6-quickfix-applied');
});

test('vscode: a .bpf.s file is highlighted and gets a diagnostic', async () => {
  ready();
  await openFile('counter.bpf.s');
  const mode = await until('the bpf-asm language mode', async () => {
    const s = await page.locator('.statusbar [id="status.editor.mode"]').innerText().catch(() => '');
    return /BPF Assembly/.test(s) ? s : '';
  });
  assert.match(mode, /BPF Assembly/);
  // Highlighting: registers, directives and numbers get different token colour classes (mtkN,
  // one per theme colour) than plain text. Polled: lines re-render while tokenization finishes.
  const spans = await until('highlighted register, directive and number tokens', async () => {
    const all = await page.locator('.editor-instance .view-line span span').evaluateAll((els) =>
      els.map((e) => ({ text: (e.textContent ?? '').replace(/\u00a0/g, ' '), cls: e.className })));
    const cls = (t: string) => all.find((x) => x.text.trim() === t)?.cls;
    const plain = all.find((x) => x.text.trim() === '')?.cls;
    const r0 = cls('r0'), section = cls('.section'), two = cls('2');
    return r0 && section && two && new Set([r0, section, two, plain]).size === 4 ? all : undefined;
  });
  assert.ok(spans && spans.length > 0);
  await showProblems();
  await until('the verifier diagnostic on the assembly', async () => /R2 !read_ok/.test(await problemsText()), 60_000);
  await shot('7-asm');
});

test('vscode: run a program from its code lens', async () => {
  ready();
  await openFile('xdp_counter.bpf.c');
  const lens = page.locator('.codelens-decoration a', { hasText: 'Run' }).first();
  await until('a Run code lens with a result', async () => /Run: \d/.test(await lens.innerText().catch(() => '')), 60_000);
  await shot('8-codelens');
  await lens.click();
  const toast = await until('the run result notification', async () => {
    const s = await page.locator('.notifications-toasts').innerText().catch(() => '');
    return /xdp_count returned \d+/.test(s) ? s : '';
  });
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'visible' });
  await sleep(600); // the toast slides in
  await shot('9-run-result');
  assert.match(toast, /xdp_count returned 2 \(XDP_PASS\)/);
});
