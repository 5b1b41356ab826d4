// Protocol tests: `bpfls debug-adapter` driven over the Debug Adapter Protocol on real programs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DapClient, repoRoot, type Msg } from './dap-client';
import { findClang } from '../../src/toolchain/clang';

const fixtures = path.join(__dirname, 'fixtures');
let clangMissing = '';
const clangReady = findClang({ trusted: true }).then((r) => { if (!r.ok) clangMissing = r.message; });

/** `bpfls run --json` on the same input: the oracle for the debugger's end of run */
function bpflsRun(file: string, prog: string, dataIn: string): { retval: number; trace?: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/cli/main.ts'), 'run', file, '--prog', prog, '--data-in', dataIn, '--json'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function start(c: DapClient, launch: Record<string, unknown>, breakpoints: { file: string; lines: number[] }[] = []): Promise<Msg> {
  const init = await c.request('initialize', { adapterID: 'bpf', linesStartAt1: true, columnsStartAt1: true });
  assert.ok(init.success);
  await c.event('initialized', 0);
  const launched = c.request('launch', launch);
  for (const b of breakpoints) {
    const r = await c.request('setBreakpoints', { source: { path: b.file }, breakpoints: b.lines.map((line) => ({ line })) });
    assert.ok(r.body.breakpoints.every((x: { verified: boolean }) => x.verified), JSON.stringify(r.body));
  }
  const stopped = c.resume('configurationDone');
  const l = await launched;
  assert.ok(l.success, l.message);
  return stopped;
}

async function topFrame(c: DapClient): Promise<{ line: number; name: string; source?: { path: string } }> {
  const r = await c.request('stackTrace', { threadId: 1 });
  return r.body.stackFrames[0];
}

/** registers of the innermost frame */
async function registers(c: DapClient): Promise<Map<string, string>> {
  const frameId = (await c.request('stackTrace', { threadId: 1 })).body.stackFrames[0].id;
  const scopes = (await c.request('scopes', { frameId })).body.scopes as { name: string; variablesReference: number }[];
  const regs = scopes.find((s) => s.name === 'Registers')!;
  const vars = (await c.request('variables', { variablesReference: regs.variablesReference })).body.variables as { name: string; value: string }[];
  return new Map(vars.map((v) => [v.name, v.value]));
}

function outputs(c: DapClient): string {
  return c.messages.filter((m) => m.event === 'output').map((m) => m.body.output).join('');
}

test('C: breakpoint on a line, registers, step, run to the end with bpfls run\'s return value', async (t) => {
  await clangReady;
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bpfls-dbg-'));
  const c = new DapClient();
  try {
    const file = path.join(repoRoot, 'examples/xdp_counter.bpf.c');
    const data = path.join(dir, 'pkt.bin');
    writeFileSync(data, Buffer.from('ffffffffffff0000000000010800' + '45'.padEnd(2 * 50, '0'), 'hex'));
    const stopped = await start(c, { program: file, prog: 'xdp_count', dataIn: data }, [{ file, lines: [32] }]);
    assert.equal(stopped.event, 'stopped');
    assert.equal(stopped.body.reason, 'breakpoint');
    const f = await topFrame(c);
    assert.equal(f.line, 32);
    assert.equal(f.source?.path, file);
    assert.match(f.name, /^xdp_count @\d+: /);
    const regs = await registers(c);
    assert.match(regs.get('r0')!, /map value 'pkt_stats/, 'r0 holds the looked-up map value');
    assert.match(regs.get('r10')!, /stack frame 0, r10 - 0/);
    // key = 0 at r10 - 4
    const ev = await c.request('evaluate', { expression: '*(u32 *)(r10 - 4)', frameId: 0 });
    assert.ok(ev.success, ev.message);
    assert.match(ev.body.result, /^0 /);
    const r1 = await c.request('evaluate', { expression: 'r1', frameId: 0 });
    assert.ok(r1.success);

    const step = await c.resume('next', { threadId: 1 });
    assert.equal(step.body.reason, 'step');
    assert.equal((await topFrame(c)).line, 33);
    // rec->packets++ ran: the map's value shows one packet
    const scopes = (await c.request('scopes', { frameId: 0 })).body.scopes as { name: string; variablesReference: number }[];
    const maps = (await c.request('variables', { variablesReference: scopes.find((s) => s.name === 'Maps')!.variablesReference })).body.variables;
    assert.equal(maps[0].name, 'pkt_stats');
    const entries = (await c.request('variables', { variablesReference: maps[0].variablesReference })).body.variables;
    assert.equal(entries[0].value.slice(0, 16), '0100000000000000');
    const packet = (await c.request('variables', { variablesReference: scopes.find((s) => s.name === 'Packet')!.variablesReference })).body.variables;
    assert.equal(packet[0].value, '64');
    assert.match(packet[1].value, /^ff ff ff ff ff ff 00/);

    const inst = await c.resume('next', { threadId: 1, granularity: 'instruction' });
    assert.equal(inst.body.reason, 'step');

    const from = c.messages.length;
    const end = await c.resume('continue', { threadId: 1 });
    assert.equal(end.event, 'terminated');
    const exited = await c.event('exited', from);
    const oracle = bpflsRun(file, 'xdp_count', data);
    assert.equal(exited.body.exitCode, oracle.retval);
    assert.match(outputs(c), new RegExp(`Return value: ${oracle.retval} \\(XDP_PASS\\)`));
  } finally {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('C: breakpoint inside a bpf_loop callback shows two frames; trace output; step in and out of a call', async (t) => {
  await clangReady;
  if (clangMissing) return t.skip(`needs clang: ${clangMissing}`);
  const c = new DapClient();
  try {
    const file = path.join(fixtures, 'loop.bpf.c');
    const stopped = await start(c, { program: file, prog: 'loop_prog' }, [{ file, lines: [9] }]);
    assert.equal(stopped.body.reason, 'breakpoint');
    const tr = (await c.request('stackTrace', { threadId: 1 })).body.stackFrames;
    assert.equal(tr.length, 2);
    assert.equal(tr[0].line, 9);
    assert.match(tr[0].name, /^add_index /);
    assert.match(tr[1].name, /^loop_prog /);
    // the callback runs four times: i = 0, 1, 2, 3 in r1 (the first argument)
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const ev = await c.request('evaluate', { expression: 'w1', frameId: 1 });
      assert.ok(ev.success, ev.message);
      seen.push(Number(/\((-?\d+)\)/.exec(ev.body.result)![1]));
      if (i < 3) assert.equal((await c.resume('continue', { threadId: 1 })).body.reason, 'breakpoint');
    }
    assert.deepEqual(seen, [0, 1, 2, 3]);
    // clear the breakpoint; step out of the callback back into loop_prog
    await c.request('setBreakpoints', { source: { path: file }, breakpoints: [] });
    const out = await c.resume('stepOut', { threadId: 1 });
    assert.equal(out.body.reason, 'step');
    const after = (await c.request('stackTrace', { threadId: 1 })).body.stackFrames;
    assert.equal(after.length, 1);
    // line by line to the call of twice(), then into it
    let line = after[0].line;
    for (let i = 0; i < 20 && line !== 25; i++) {
      await c.resume('next', { threadId: 1 });
      line = (await topFrame(c)).line;
    }
    assert.equal(line, 25);
    assert.match(outputs(c), /sum 6/, 'bpf_printk output arrives while stopped');
    let inTwice = false;
    for (let i = 0; i < 10 && !inTwice; i++) {
      await c.resume('stepIn', { threadId: 1 });
      inTwice = /^twice /.test((await topFrame(c)).name);
    }
    assert.ok(inTwice, 'stepIn enters twice()');
    assert.equal((await c.request('stackTrace', { threadId: 1 })).body.stackFrames.length, 2);
    const back = await c.resume('stepOut', { threadId: 1 });
    assert.equal(back.body.reason, 'step');
    assert.match((await topFrame(c)).name, /^loop_prog /);
    const end = await c.resume('continue', { threadId: 1 });
    assert.equal(end.event, 'terminated');
    assert.match(outputs(c), /Return value: 2 \(XDP_PASS\)/);
  } finally {
    c.close();
  }
});

test('assembly: stop on entry, instruction breakpoints, step into a subprogram, disassemble', async () => {
  const c = new DapClient();
  try {
    const file = path.join(fixtures, 'calls.s');
    const stopped = await start(c, { program: file, prog: 'prog', stopOnEntry: true });
    assert.equal(stopped.body.reason, 'entry');
    const f0 = await topFrame(c);
    assert.equal(f0.line, 13, 'asm line info maps the first instruction to its line');
    assert.match(f0.name, /r1 = 0x29|r1 = 41/);
    await c.resume('next', { threadId: 1 });
    assert.equal((await topFrame(c)).line, 14);
    const into = await c.resume('stepIn', { threadId: 1 });
    assert.equal(into.body.reason, 'step');
    const frames = (await c.request('stackTrace', { threadId: 1 })).body.stackFrames;
    assert.equal(frames.length, 2);
    assert.equal(frames[0].line, 5);
    assert.equal(frames[1].line, 14);
    const regs = await registers(c);
    assert.match(regs.get('r1')!, /\(41\)$/);
    await c.resume('stepOut', { threadId: 1 });
    assert.equal((await c.request('stackTrace', { threadId: 1 })).body.stackFrames.length, 1);
    assert.match((await registers(c)).get('r0')!, /\(42\)$/);

    const pc = Number(/@(\d+):/.exec((await topFrame(c)).name)![1]);
    const bp = await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `prog:${pc + 2}` }] });
    assert.ok(bp.body.breakpoints[0].verified);
    const hit = await c.resume('continue', { threadId: 1 });
    assert.equal(hit.body.reason, 'breakpoint');
    assert.match((await topFrame(c)).name, new RegExp(`@${pc + 2}: r0 -= 0x28`));
    const dis = await c.request('disassemble', { memoryReference: 'prog:0', instructionCount: 3 });
    assert.deepEqual(dis.body.instructions.map((i: { address: string }) => i.address), ['prog:0', 'prog:1', 'prog:2']);
    assert.deepEqual(dis.body.instructions.map((i: { line: number }) => i.line), [13, 14, 15]);
    assert.match(dis.body.instructions[2].instruction, /^\*\(u64 \*\)\(r10 - 0x8\) = r0$/);
    const end = await c.resume('continue', { threadId: 1 });
    assert.equal(end.event, 'terminated');
    assert.match(outputs(c), /Return value: 2 \(XDP_PASS\)/);
  } finally {
    c.close();
  }
});

test('a fault stops with an exception at the faulting instruction, then ends the run', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bpfls-dbg-'));
  const c = new DapClient();
  try {
    const file = path.join(dir, 'fault.s');
    writeFileSync(file, ['\t.section xdp,"ax",@progbits', '\t.globl f', '\t.type f,@function', 'f:', '\tr1 = 0', '\tr0 = *(u64 *)(r1 + 0)', '\texit', ''].join('\n'));
    const stopped = await start(c, { program: file, prog: 'f' });
    assert.equal(stopped.body.reason, 'exception');
    assert.equal((await topFrame(c)).line, 6);
    const from = c.messages.length;
    const end = await c.resume('continue', { threadId: 1 });
    assert.equal(end.event, 'terminated');
    assert.equal((await c.event('exited', from)).body.exitCode, 1);
  } finally {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('launch errors are reported: missing program name', async () => {
  const c = new DapClient();
  try {
    await c.request('initialize', { adapterID: 'bpf' });
    const r = await c.request('launch', { program: path.join(fixtures, 'calls.s'), prog: 'nope' });
    assert.equal(r.success, false);
    assert.match(r.message!, /no program 'nope' \(programs: prog\)/);
  } finally {
    c.close();
  }
});
