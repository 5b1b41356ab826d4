// Unit tests of the emulator that need no kernel: ISA corner cases, faults and their messages,
// maps, helpers, contexts, tail calls and callbacks, and `bpfls run`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemble, asmErrors } from '../../src/bpf/asm/assembler';
import { insn, type Insn } from '../../src/bpf/isa/insn';
import { ProgType, MapType } from '../../src/bpf/progtypes';
import type { LoadedObject, MapDef } from '../../src/bpf/loader/types';
import { Emulator, rawObject, type RunOptions } from '../../src/bpf/emulator/emulator';
import { describeRetval } from '../../src/bpf/emulator/retval';

function asm(text: string): Insn[] {
  const r = assemble(text, { syntax: 'llvm' });
  const errs = asmErrors(r);
  assert.deepEqual(errs, [], text);
  return r.insns;
}

function run(text: string | Insn[], progType = ProgType.UNSPEC, opts: RunOptions = {}, maps: Partial<MapDef>[] = []) {
  const obj = rawObject(typeof text === 'string' ? asm(text) : text, progType);
  obj.maps = maps.map((m, i) => ({ index: i, name: `m${i}`, type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, ...m }));
  const emu = new Emulator(obj);
  // programs without a program type run on no context (r1 = 0), like the conformance suite's
  return { emu, r: emu.run('prog', progType === ProgType.UNSPEC && !opts.args ? { ...opts, args: [] } : opts) };
}

const mapRef = (reg: number, idx: number): Insn[] => [insn(0x18, reg, 5, 0, idx), insn(0, 0, 0, 0, 0)];

test('ALU corner cases: division by zero, modulo by zero, 32-bit zero extension, shifts, sdiv/smod, movsx, bswap', () => {
  const cases: [string, bigint][] = [
    ['r0 = 7\nr1 = 0\nr0 /= r1\nexit', 0n],
    ['r0 = 7\nr1 = 0\nr0 %= r1\nexit', 7n],
    ['r0 = -1\nw1 = 0\nw0 %= w1\nexit', 0xffffffffn], // 32-bit modulo by zero keeps the low half, zero-extended
    ['r0 = -1\nw0 += 1\nexit', 0n],
    ['r0 = -1\nw0 = w0\nexit', 0xffffffffn],
    ['r0 = 1\nr1 = 65\nr0 <<= r1\nexit', 2n], // shift counts are masked
    ['r0 = -8\nr0 s>>= 1\nexit', BigInt.asUintN(64, -4n)],
    ['r0 = -7\nr1 = 2\nr0 s/= r1\nexit', BigInt.asUintN(64, -3n)],
    ['r0 = -7\nr1 = 2\nr0 s%= r1\nexit', BigInt.asUintN(64, -1n)],
    ['r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nexit', 0x8000000000000000n],
    ['r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s%= r1\nexit', 0n],
    ['r1 = 0x80\nr0 = (s8)r1\nexit', BigInt.asUintN(64, -128n)],
    ['r1 = 0x1234\nw0 = (s8)w1\nexit', 0x34n],
    ['r0 = 0x1122334455667788 ll\nr0 = bswap64 r0\nexit', 0x8877665544332211n],
    ['r0 = 0x1122334455667788 ll\nr0 = be16 r0\nexit', 0x8877n],
    ['r0 = 0x1122334455667788 ll\nr0 = le32 r0\nexit', 0x55667788n],
    ['r0 = 0xffffffff ll\nr1 = 0xffffffff ll\nr0 *= r1\nexit', 0xfffffffe00000001n],
    ['r0 = -1\nr1 = 3\nr0 /= r1\nexit', 0x5555555555555555n],
  ];
  for (const [text, want] of cases) {
    const { r } = run(text);
    assert.equal(r.error, undefined, text);
    assert.equal(r.r0, want, `${text} -> 0x${r.r0.toString(16)}`);
  }
});

test('atomics, load-acquire/store-release and may_goto', () => {
  const { r } = run(`r1 = 5
*(u64 *)(r10 - 8) = r1
r2 = 3
lock *(u64 *)(r10 - 8) += r2
r3 = 10
r3 = atomic_fetch_add((u64 *)(r10 - 8), r3)
r0 = 18
r4 = 99
r0 = cmpxchg_64(r10 - 8, r0, r4)
r5 = *(u64 *)(r10 - 8)
r0 <<= 16
r0 |= r3
r0 <<= 8
r0 |= r5
exit`);
  assert.equal(r.error, undefined);
  assert.equal(r.r0, (18n << 24n) | (8n << 8n) | 99n);
  // may_goto falls through until its budget (8M per frame) runs out, then jumps
  assert.equal(run('may_goto l1\nr0 = 1\nexit\nl1:\nr0 = 2\nexit').r.r0, 1n);
  const obj = rawObject(asm('r0 = 0\nl0:\nmay_goto l1\nr0 += 1\ngoto l0\nl1:\nexit'), ProgType.UNSPEC);
  const loop = new Emulator(obj, { maxInsns: 30_000_000 }).run('prog', { args: [] });
  assert.equal(loop.error, undefined);
  assert.equal(loop.r0, 8n * 1024n * 1024n);
});

test('faults: out-of-region access names the address and the region, budget, unknown helper, kfunc', () => {
  let { r } = run('r0 = *(u64 *)(r10 - 520)\nexit');
  assert.match(r.error!.message, /invalid read of 8 bytes at 0x[0-9a-f]{16}: outside stack 'stack frame 0' \(valid offsets 0\.\.512, access at offset -8\)/);
  assert.equal(r.error!.insn, 0);
  ({ r } = run('r1 = 0\nr0 = *(u32 *)(r1 + 0)\nexit'));
  assert.match(r.error!.message, /NULL pointer dereference/);
  ({ r } = run('r0 = 0\nl0:\nr0 += 1\ngoto l0'));
  assert.match(r.error!.message, /instruction budget exceeded: more than 1000000 instructions/);
  ({ r } = run('call 112\nexit'.replace('112', '99')));
  assert.equal(r.error!.message, 'helper bpf_skc_lookup_tcp#99 is not emulated');
  ({ r } = run([insn(0x85, 0, 0, 0, 999), insn(0x95)]));
  assert.match(r.error!.message, /helper #999 is not emulated/);
  ({ r } = run([insn(0x85, 0, 2, 0, 1234), insn(0x95)]));
  assert.match(r.error!.message, /kfunc calls are not emulated/);
  ({ r } = run([insn(0xb7, 0, 0, 0, 1)]));
  assert.match(r.error!.message, /fell off the end/);
  ({ r } = run([insn(0x05, 0, 0, 5, 0), insn(0x95)]));
  assert.match(r.error!.message, /jump out of the program/);
});

test('BPF-to-BPF calls keep r6-r9 and get their own stack frame; recursion depth is bounded', () => {
  const { r } = run(`r6 = 6
*(u64 *)(r10 - 8) = r6
r1 = 5
call sub
r7 = *(u64 *)(r10 - 8)
r0 += r7
r0 += r6
exit
sub:
r6 = 100
*(u64 *)(r10 - 8) = r6
r0 = r1
r0 *= 10
exit`);
  assert.equal(r.error, undefined);
  assert.equal(r.r0, 50n + 6n + 6n);
  const deep = run('call f\nexit\nf:\ncall f\nexit');
  assert.match(deep.r.error!.message, /call stack deeper than 8 frames/);
});

test('maps: array bounds, hash flags and capacity, percpu, LPM longest prefix, queue/stack', () => {
  // hash: NOEXIST twice, EXIST on a missing key, then full
  const prog: Insn[] = [
    insn(0x62, 10, 0, -4, 1), insn(0x7a, 10, 0, -16, 42),
    ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -4), insn(0xbf, 3, 10), insn(0x07, 3, 0, 0, -16), insn(0xb7, 4, 0, 0, 1),
    insn(0x85, 0, 0, 0, 2), insn(0xbf, 6, 0), // first NOEXIST -> 0
    ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -4), insn(0xbf, 3, 10), insn(0x07, 3, 0, 0, -16), insn(0xb7, 4, 0, 0, 1),
    insn(0x85, 0, 0, 0, 2), insn(0x67, 6, 0, 0, 8), insn(0x57, 0, 0, 0, 0xff), insn(0x4f, 6, 0), // again -> -EEXIST
    insn(0x62, 10, 0, -4, 2),
    ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -4), insn(0xbf, 3, 10), insn(0x07, 3, 0, 0, -16), insn(0xb7, 4, 0, 0, 2),
    insn(0x85, 0, 0, 0, 2), insn(0x67, 6, 0, 0, 8), insn(0x57, 0, 0, 0, 0xff), insn(0x4f, 6, 0), // EXIST on missing -> -ENOENT
    insn(0xbf, 0, 6), insn(0x95),
  ];
  const { emu, r } = run(prog, ProgType.UNSPEC, {}, [{ type: MapType.HASH, maxEntries: 1 }]);
  assert.equal(r.error, undefined);
  assert.equal(r.r0, (0n << 16n) | (BigInt(256 - 17) << 8n) | BigInt(256 - 2));
  assert.equal((emu.maps[0] as unknown as { size: number }).size, 1);

  const lpm = run([
    // insert 10.0.0.0/8 -> 8 and 10.1.0.0/16 -> 16, look up 10.1.2.3/32
    insn(0x62, 10, 0, -8, 8), insn(0x62, 10, 0, -4, 10), insn(0x7a, 10, 0, -16, 8),
    ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -8), insn(0xbf, 3, 10), insn(0x07, 3, 0, 0, -16), insn(0xb7, 4, 0, 0, 0), insn(0x85, 0, 0, 0, 2),
    insn(0x62, 10, 0, -8, 16), insn(0x62, 10, 0, -4, 0x010a), insn(0x7a, 10, 0, -16, 16),
    ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -8), insn(0xbf, 3, 10), insn(0x07, 3, 0, 0, -16), insn(0xb7, 4, 0, 0, 0), insn(0x85, 0, 0, 0, 2),
    insn(0x62, 10, 0, -8, 32), insn(0x62, 10, 0, -4, 0x0302010a),
    ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -8), insn(0x85, 0, 0, 0, 1),
    insn(0x15, 0, 0, 2, 0), insn(0x79, 0, 0, 0, 0), insn(0x95), insn(0xb7, 0, 0, 0, -1), insn(0x95),
  ], ProgType.UNSPEC, {}, [{ type: MapType.LPM_TRIE, keySize: 8, valueSize: 8, maxEntries: 8 }]);
  assert.equal(lpm.r.error, undefined);
  assert.equal(lpm.r.r0, 16n);

  const qs = run([
    insn(0x62, 10, 0, -4, 1), ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -4), insn(0xb7, 3, 0, 0, 0), insn(0x85, 0, 0, 0, 87),
    insn(0x62, 10, 0, -4, 2), ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -4), insn(0xb7, 3, 0, 0, 0), insn(0x85, 0, 0, 0, 87),
    insn(0x62, 10, 0, -4, 3), ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -4), insn(0xb7, 3, 0, 0, 0), insn(0x85, 0, 0, 0, 87),
    insn(0xbf, 6, 0), // third push into a 2-slot queue: -E2BIG
    ...mapRef(1, 0), insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -8), insn(0x85, 0, 0, 0, 88), // pop -> 1 (FIFO)
    insn(0x61, 0, 10, -8), insn(0x67, 6, 0, 0, 32), insn(0x4f, 0, 6), insn(0x95),
  ], ProgType.UNSPEC, {}, [{ type: MapType.QUEUE, keySize: 0, valueSize: 4, maxEntries: 2 }]);
  assert.equal(qs.r.error, undefined);
  assert.equal(qs.r.r0, (BigInt.asUintN(32, -7n) << 32n) | 1n);

  assert.throws(() => run('r0 = 0\nexit', ProgType.UNSPEC, {}, [{ type: MapType.SOCKMAP }]), /BPF_MAP_TYPE_SOCKMAP is not supported by the emulator/);
});

test('XDP context like the test run: headroom for adjust_head, data_out from data_meta, ctx_out', () => {
  const pkt = new Uint8Array(20).map((_, i) => i);
  const { r } = run(`r6 = r1
r1 = r6
r2 = -4
call 44
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
*(u32 *)(r2 + 0) = 0x04030201
r0 = 2
exit
out:
r0 = 0
exit`, ProgType.XDP, { dataIn: pkt });
  assert.equal(r.error, undefined);
  assert.equal(r.retval, 2);
  assert.equal(Buffer.from(r.dataOut).toString('hex'), '01020304' + Buffer.from(pkt).toString('hex'));
  const short = run('r0 = 2\nexit', ProgType.XDP, { dataIn: new Uint8Array(10) });
  assert.match(short.r.error!.message, /at least an Ethernet header/);
  const meta = run('r0 = *(u32 *)(r1 + 8)\nr1 = *(u32 *)(r1 + 0)\nr1 -= r0\nr0 = r1\nexit', ProgType.XDP, {
    dataIn: new Uint8Array(24), ctxIn: Uint8Array.from([8, 0, 0, 0, 24, 0, 0, 0, ...new Array(16).fill(0)]),
  });
  assert.equal(meta.r.error, undefined);
  assert.equal(meta.r.retval, 8);
  assert.equal(Buffer.from(meta.r.ctxOut!).toString('hex').slice(0, 16), '0800000018000000');
});

test('socket filter: LD_ABS reads from the network header; out of bounds ends the program with 0', () => {
  const pkt = new Uint8Array(40);
  pkt[12] = 0x08; pkt[14] = 0x45; pkt[23] = 17;
  const prog = (off: number): Insn[] => [insn(0xbf, 6, 1), insn(0x30, 0, 0, 0, off), insn(0x07, 0, 0, 0, 1000), insn(0x95)];
  assert.equal(run(prog(9), ProgType.SOCKET_FILTER, { dataIn: pkt }).r.retval, 1017);
  assert.equal(run(prog(100), ProgType.SOCKET_FILTER, { dataIn: pkt }).r.retval, 0);
  const out = run(prog(0), ProgType.SOCKET_FILTER, { dataIn: pkt }).r.dataOut;
  assert.equal(Buffer.from(out.subarray(0, 14)).toString('hex'), '00'.repeat(14)); // the test run clears the MAC header
});

test('helpers: trace_printk formats, bpf_loop, tail calls with the 33-call limit, ringbuf records, probe_read from an image', () => {
  const fmt = 'v=%d u=%u s=%s\n\0';
  const bytes = Buffer.from(fmt.padEnd(Math.ceil(fmt.length / 8) * 8, '\0'), 'latin1');
  const stores: Insn[] = [];
  for (let i = 0; i < bytes.length; i += 4) stores.push(insn(0x62, 10, 0, -64 + i, bytes.readInt32LE(i)));
  const str = Buffer.from('hi\0\0', 'latin1').readInt32LE(0);
  const printk = run([
    ...stores, insn(0x62, 10, 0, -72, str),
    insn(0xbf, 1, 10), insn(0x07, 1, 0, 0, -64), insn(0xb7, 2, 0, 0, fmt.length),
    insn(0xb7, 3, 0, 0, -5), insn(0xb7, 4, 0, 0, -5), insn(0xbf, 5, 10), insn(0x07, 5, 0, 0, -72),
    insn(0x85, 0, 0, 0, 6), insn(0x95),
  ]);
  assert.equal(printk.r.error, undefined);
  assert.deepEqual(printk.r.trace, ['v=-5 u=4294967291 s=hi']);
  assert.equal(printk.r.r0, 23n); // the formatted length, newline included

  const loopInsns = asm(`r1 = 10
r2 = 0 ll
r3 = 0
r4 = 0
call 181
exit
cb:
r0 = 0
if r1 == 6 goto stop
exit
stop:
r0 = 1
exit`);
  loopInsns[1] = { ...loopInsns[1], src: 4, imm: 7 - 2 }; // BPF_PSEUDO_FUNC: cb is instruction 7
  const loop = run(loopInsns);
  assert.equal(loop.r.error, undefined);
  assert.equal(loop.r.r0, 7n);

  // a program that tail-calls itself: the 34th attempt falls through
  const self = rawObject(asm(`r6 = r1
r0 = *(u32 *)(r10 - 4)
r0 += 1
*(u32 *)(r10 - 4) = r0
r1 = r6
call 12
r0 = *(u32 *)(r10 - 4)
exit`), ProgType.XDP);
  self.programs[0].insns.splice(4, 0, ...mapRef(2, 0));
  self.maps = [{ index: 0, name: 'jmp', type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0, initSlots: ['prog'] }];
  self.programs[0].insns.splice(6, 0, insn(0xb7, 3, 0, 0, 0));
  const tail = new Emulator(self).run('prog', { dataIn: new Uint8Array(14) });
  assert.equal(tail.error, undefined);
  assert.equal(tail.retval, 34);

  const rb = run([
    ...mapRef(1, 0), insn(0xb7, 2, 0, 0, 16), insn(0xb7, 3, 0, 0, 0), insn(0x85, 0, 0, 0, 131),
    insn(0x15, 0, 0, 5, 0), insn(0x7a, 0, 0, 0, 0x1234), insn(0xbf, 1, 0), insn(0xb7, 2, 0, 0, 0), insn(0x85, 0, 0, 0, 132), insn(0xb7, 0, 0, 0, 1),
    insn(0x95),
  ], ProgType.UNSPEC, {}, [{ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }]);
  assert.equal(rb.r.error, undefined);
  assert.equal(rb.r.records.length, 1);
  assert.equal(Buffer.from(rb.r.records[0].data).toString('hex'), '3412000000000000' + '00'.repeat(8));

  const obj = rawObject(asm(`r1 = r10
r1 += -8
r2 = 8
r3 = 0xffff888000001000 ll
call 113
r0 = *(u64 *)(r10 - 8)
exit`), ProgType.UNSPEC);
  const img = new Emulator(obj, { images: [{ addr: 0xffff888000001000n, bytes: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }] }).run('prog', { args: [] });
  assert.equal(img.error, undefined);
  assert.equal(img.r0, 0x0807060504030201n);
});

test('retval meanings', () => {
  assert.equal(describeRetval(ProgType.XDP, 2), 'XDP_PASS');
  assert.equal(describeRetval(ProgType.SCHED_CLS, 2), 'TC_ACT_SHOT');
  assert.equal(describeRetval(ProgType.SCHED_CLS, 0xffffffff), 'TC_ACT_UNSPEC');
  assert.equal(describeRetval(ProgType.TRACING, 2), '');
});

test('bpfls run --json on an assembly program', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpfls-run-'));
  try {
    const src = path.join(dir, 'p.s');
    fs.writeFileSync(src, '\t.section xdp,"ax",@progbits\n\t.globl prog\n\t.type prog,@function\nprog:\n\tr2 = *(u32 *)(r1 + 0)\n\tr3 = *(u8 *)(r2 + 0)\n\tr0 = r3\n\texit\n');
    const data = path.join(dir, 'pkt');
    fs.writeFileSync(data, Buffer.from('03' + '00'.repeat(13), 'hex'));
    const cli = path.resolve(__dirname, '../../src/cli/main.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'run', src, '--prog', 'prog', '--data-in', data, '--json'], { encoding: 'utf8' });
    if (r.error) return t.skip(`cannot run the CLI: ${r.error.message}`);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.retval, 3);
    assert.equal(j.data_out, '03' + '00'.repeat(13));
    assert.equal(j.insns, 4);
    assert.equal(typeof j.duration_ns, 'number');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', cli, 'run', src, '--prog', 'nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /has no program 'nope'/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
