// QA: the debug adapter launched on hostile programs and inputs (garbage, missing, directory,
// truncated and corrupted ELF, garbage assembly, wrong types in launch arguments) answers every
// request (launch fails with a message), never crashes, and ends when its input ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliCommand, repoRoot } from '../lsp-client';

interface Msg { type: string; command?: string; success?: boolean; message?: string; request_seq?: number }

function session(args: Record<string, unknown>): Promise<{ msgs: Msg[]; stderr: string; code: number | null | 'timeout'; ms: number }> {
  const [exe, ...pre] = cliCommand(fs.existsSync(path.join(repoRoot, 'dist', 'bpfls.js')) ? 'dist' : 'source');
  const p = spawn(exe, [...pre, 'debug-adapter'], { cwd: repoRoot });
  let out = Buffer.alloc(0), stderr = '';
  p.stdout.on('data', (b: Buffer) => { out = Buffer.concat([out, b]); });
  p.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  p.stdin.on('error', () => { /* ended early */ });
  let seq = 1;
  const send = (command: string, a: unknown) => {
    const s = Buffer.from(JSON.stringify({ seq: seq++, type: 'request', command, arguments: a }));
    p.stdin.write(`Content-Length: ${s.length}\r\n\r\n`); p.stdin.write(s);
  };
  send('initialize', { adapterID: 'bpfls', linesStartAt1: true, columnsStartAt1: true });
  send('launch', args);
  send('setBreakpoints', { source: { path: '/nonexistent.bpf.c' }, breakpoints: [{ line: -5 }, { line: 1e9 }] });
  send('configurationDone', {});
  send('threads', {});
  send('stackTrace', { threadId: 1 });
  send('next', { threadId: 1 });
  send('scopes', { frameId: 99 });
  send('variables', { variablesReference: 12345 });
  send('evaluate', { expression: ')))((' });
  send('disconnect', {});
  p.stdin.end();
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      const msgs: Msg[] = [];
      let rest = out;
      for (;;) {
        const h = rest.indexOf('\r\n\r\n');
        if (h < 0) break;
        const m = /Content-Length: (\d+)/i.exec(rest.subarray(0, h).toString());
        if (!m) break;
        const len = Number(m[1]);
        msgs.push(JSON.parse(rest.subarray(h + 4, h + 4 + len).toString()) as Msg);
        rest = rest.subarray(h + 4 + len);
      }
      resolve({ msgs, stderr, code: Date.now() - t0 >= 30_000 ? 'timeout' : code, ms: Date.now() - t0 });
    });
  });
}

test('the debug adapter refuses hostile programs with a message and answers every request', { timeout: 300_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-qa-dap-'));
  try {
    const f = (n: string) => path.join(dir, n);
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
    fs.writeFileSync(f('garbage.o'), garbage);
    fs.writeFileSync(f('garbage.s'), garbage);
    fs.mkdirSync(f('adir.o'));
    const bad: Record<string, unknown>[] = [
      { program: f('garbage.o'), prog: 'x' }, { program: f('missing.o') }, { program: f('adir.o') }, { program: f('garbage.s') },
      { program: 42 }, {}, { program: null, prog: ['x'] },
    ];
    const good: Record<string, unknown>[] = [];
    if (spawnSync('clang-19', ['--version'], { stdio: 'ignore' }).status === 0) {
      const r = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-c', path.join(repoRoot, 'examples', 'xdp_counter.bpf.c'), '-o', f('real.o')]);
      if (r.status === 0) {
        const real = fs.readFileSync(f('real.o'));
        fs.writeFileSync(f('trunc.o'), real.subarray(0, 1000));
        const huge = Buffer.from(real); huge.writeUInt16LE(0xffff, 60); fs.writeFileSync(f('hugeshnum.o'), huge);
        fs.writeFileSync(f('big.bin'), Buffer.alloc(16 << 20));
        bad.push({ program: f('trunc.o') }, { program: f('hugeshnum.o') }, { program: f('real.o'), prog: 'nosuch' },
          { program: f('real.o'), prog: 'xdp_count', dataIn: f('missing.bin') },
          { program: f('real.o'), prog: 'xdp_count', dataIn: '/dev/zero' },
          ...[1e99, 1.5, -1, 0, 'x', null].map((maxInsns) => ({ program: f('real.o'), prog: 'xdp_count', maxInsns })));
        // launchable, with odd inputs: they must not crash (the run may fault)
        good.push({ program: f('real.o'), prog: 'xdp_count', dataIn: f('big.bin') }, { program: f('real.o'), prog: 'xdp_count', ctxIn: 12, stopOnEntry: true });
      }
    } else t.diagnostic('clang-19 unavailable: object cases skipped');
    for (const args of [...bad, ...good]) {
      const label = JSON.stringify(args).replaceAll(dir, '');
      const s = await session(args);
      assert.notEqual(s.code, 'timeout', `${label}: the adapter did not end after its input ended`);
      assert.doesNotMatch(s.stderr, /internal error|\n\s+at .+:\d+:\d+|TypeError|RangeError/, `${label}: ${s.stderr.slice(0, 300)}`);
      const responses = s.msgs.filter((m) => m.type === 'response');
      assert.equal(responses.length, 11, `${label}: every request answered (${responses.map((r) => r.command).join(',')})`);
      const launch = responses.find((m) => m.command === 'launch');
      if (bad.includes(args)) {
        assert.equal(launch?.success, false, `${label}: launch refused`);
        assert.ok((launch?.message ?? '').length > 0 && !/undefined|\[object/.test(launch?.message ?? ''), `${label}: a clear message, got ${launch?.message}`);
      }
      // the reason reads once: "cannot read FILE: no such file", not the path twice or errno codes
      assert.doesNotMatch(launch?.message ?? '', /\bE[A-Z]{3,}: |cannot read [^:]+: cannot read|(\/[^\s:]+): \1/, `${label}: ${launch?.message}`);
      if (args.program === f('missing.o')) assert.equal(launch?.message, `cannot read ${f('missing.o')}: no such file`);
      if ('maxInsns' in args) assert.match(launch?.message ?? '', /"maxInsns" must be an integer from 1 to/, label);
      t.diagnostic(`${label}: launch ${launch?.success} ${launch?.message?.split('\n')[0] ?? ''} (${s.ms} ms)`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the debug adapter exits after answering disconnect, though the client keeps its input open', { timeout: 60_000 }, async () => {
  const [exe, ...pre] = cliCommand(fs.existsSync(path.join(repoRoot, 'dist', 'bpfls.js')) ? 'dist' : 'source');
  for (const withLaunch of [false, true]) {
    const p = spawn(exe, [...pre, 'debug-adapter'], { cwd: repoRoot });
    let out = '';
    p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    p.stdin.on('error', () => { /* ended */ });
    const send = (seq: number, command: string, a: unknown) => {
      const s = JSON.stringify({ seq, type: 'request', command, arguments: a });
      p.stdin.write(`Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`);
    };
    send(1, 'initialize', { adapterID: 'bpfls' });
    // a launch that fails fast keeps the test independent of clang
    if (withLaunch) send(2, 'launch', { program: '/nonexistent/x.o' });
    send(3, 'disconnect', {});
    // stdin stays open: the adapter must end by itself
    const code = await new Promise<number | null | 'timeout'>((resolve) => {
      const timer = setTimeout(() => { p.kill('SIGKILL'); resolve('timeout'); }, 20_000);
      p.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    p.stdin.destroy();
    assert.equal(code, 0, `exit after disconnect (launch: ${withLaunch}); output: ${out.slice(-300)}`);
    assert.match(out, /"command":"disconnect","success":true/);
    assert.match(out, /"event":"terminated"/);
  }
});
