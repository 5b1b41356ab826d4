// Programs bpfls once accepted while the kernel refused them (issue 5: "never accept what the
// kernel rejects"), minimised from the differential harness's corpus mutants. Each case states the
// kernel's message; bpfls must give it, and, when the kernel can load programs here, the running
// kernel is asked too so the expectation itself stays true. Accepted neighbours keep the fixes
// from over-rejecting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Insn } from '../../src/bpf/isa/insn';
import { ProgType } from '../../src/bpf/progtypes';
import { verifyProgram } from '../../src/bpf/verifier';
import { toLoadedObject, toRawSpec, type GenProgram } from '../diff/gen';
import { kernelVerifyRaw, oracle, type KernelVerdict } from '../diff/oracle';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const MOV0 = (imm: number): Insn => I(0xb7, 0, 0, 0, imm); // r0 = imm
const EXIT = I(0x95, 0, 0, 0, 0);
const CALL_PSEUDO = (off: number, imm: number): Insn => I(0x85, 0, 1, off, imm);
const ST_W = (dst: number, off: number, imm: number): Insn => I(0x62, dst, 0, off, imm); // *(u32 *)(dst + off) = imm
const LDX = (sz: number, dst: number, src: number, off: number): Insn => I(0x61 | sz, dst, src, off, 0);
const W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
const CGROUP_SYSCTL_ATTACH = 18; // BPF_CGROUP_SYSCTL

interface Case { name: string; progType: number; eat?: number; insns: Insn[]; msg: string | null }

const cases: Case[] = [
  // bpf-to-bpf call with the off field set: only kfunc calls may use it
  { name: 'pseudo_call_off', progType: ProgType.SOCKET_FILTER, insns: [CALL_PSEUDO(1, 2), MOV0(0), EXIT, MOV0(0), EXIT], msg: 'BPF_CALL uses reserved fields' },
  { name: 'pseudo_call_off_neg', progType: ProgType.SOCKET_FILTER, insns: [MOV0(0), CALL_PSEUDO(-1, 1), EXIT, MOV0(0), EXIT], msg: 'BPF_CALL uses reserved fields' },
  { name: 'pseudo_call_ok', progType: ProgType.SOCKET_FILTER, insns: [CALL_PSEUDO(0, 2), MOV0(0), EXIT, MOV0(0), EXIT], msg: null },
  // sock_ops: only reply and sk_txhash are writable; reads are full u32 except skb_tcp_flags
  { name: 'sockops_args1_write', progType: ProgType.SOCK_OPS, insns: [ST_W(1, 12, 0), MOV0(1), EXIT], msg: 'invalid bpf_context access off=12 size=4' },
  { name: 'sockops_family_narrow', progType: ProgType.SOCK_OPS, insns: [LDX(H, 0, 1, 20), MOV0(1), EXIT], msg: 'invalid bpf_context access off=20 size=2' },
  { name: 'sockops_local_port_write', progType: ProgType.SOCK_OPS, insns: [ST_W(1, 68, 0), MOV0(1), EXIT], msg: 'invalid bpf_context access off=68 size=4' },
  { name: 'sockops_reply_write', progType: ProgType.SOCK_OPS, insns: [ST_W(1, 4, 0), MOV0(1), EXIT], msg: null },
  { name: 'sockops_txhash_write', progType: ProgType.SOCK_OPS, insns: [ST_W(1, 164, 0), MOV0(1), EXIT], msg: null },
  { name: 'sockops_tcp_flags_narrow', progType: ProgType.SOCK_OPS, insns: [LDX(B, 0, 1, 212), MOV0(1), EXIT], msg: null },
  // cgroup/sysctl: struct bpf_sysctl { u32 write; u32 file_pos; }
  { name: 'sysctl_misaligned', progType: ProgType.CGROUP_SYSCTL, eat: CGROUP_SYSCTL_ATTACH, insns: [LDX(W, 0, 1, 1), MOV0(1), EXIT], msg: 'invalid bpf_context access off=1 size=4' },
  { name: 'sysctl_u64', progType: ProgType.CGROUP_SYSCTL, eat: CGROUP_SYSCTL_ATTACH, insns: [LDX(DW, 0, 1, 0), MOV0(1), EXIT], msg: 'invalid bpf_context access off=0 size=8' },
  { name: 'sysctl_write_write', progType: ProgType.CGROUP_SYSCTL, eat: CGROUP_SYSCTL_ATTACH, insns: [ST_W(1, 0, 1), MOV0(1), EXIT], msg: 'invalid bpf_context access off=0 size=4' },
  { name: 'sysctl_past_end', progType: ProgType.CGROUP_SYSCTL, eat: CGROUP_SYSCTL_ATTACH, insns: [LDX(W, 0, 1, 8), MOV0(1), EXIT], msg: 'invalid bpf_context access off=8 size=4' },
  { name: 'sysctl_read_write_u8', progType: ProgType.CGROUP_SYSCTL, eat: CGROUP_SYSCTL_ATTACH, insns: [LDX(B, 2, 1, 0), MOV0(1), EXIT], msg: null },
  { name: 'sysctl_file_pos_write', progType: ProgType.CGROUP_SYSCTL, eat: CGROUP_SYSCTL_ATTACH, insns: [ST_W(1, 4, 0), MOV0(1), EXIT], msg: null },
  // lwt_*: __sk_buff with mark, priority and cb[] writable
  { name: 'lwt_misaligned', progType: ProgType.LWT_IN, insns: [ST_W(1, 7, 0), MOV0(0), EXIT], msg: 'invalid bpf_context access off=7 size=4' },
  { name: 'lwt_protocol_write', progType: ProgType.LWT_IN, insns: [ST_W(1, 16, 0), MOV0(0), EXIT], msg: 'invalid bpf_context access off=16 size=4' },
  { name: 'lwt_tc_classid_read', progType: ProgType.LWT_XMIT, insns: [LDX(W, 2, 1, 72), MOV0(0), EXIT], msg: 'invalid bpf_context access off=72 size=4' },
  { name: 'lwt_mark_write', progType: ProgType.LWT_IN, insns: [ST_W(1, 8, 0), MOV0(0), EXIT], msg: null },
  { name: 'lwt_len_read', progType: ProgType.LWT_OUT, insns: [LDX(W, 2, 1, 0), MOV0(0), EXIT], msg: null },
];

const programs: GenProgram[] = cases.map((c) => ({
  name: `unsound_${cases.indexOf(c)}`, progType: c.progType, expectedAttachType: c.eat ?? 0, license: 'GPL', insns: c.insns, maps: [], origin: 'unsound.test',
}));

for (const [k, c] of cases.entries()) {
  test(`bpfls: ${c.name} ${c.msg === null ? 'accepted' : `rejected with "${c.msg}"`}`, () => {
    const { obj, prog } = toLoadedObject(programs[k]);
    const r = verifyProgram(obj, prog);
    if (c.msg === null) assert.equal(r.ok, true, `unexpected rejection: ${r.error?.message}`);
    else {
      assert.equal(r.ok, false, 'bpfls accepted a program the kernel rejects');
      assert.equal(r.error?.message, c.msg);
    }
  });
}

test('the running kernel agrees with every expectation above', (t) => {
  const o = oracle();
  if (!o.ok) { t.skip(o.reason); return; }
  const names = new Set(programs.map((p) => p.name));
  assert.equal(names.size, programs.length, 'program names must be distinct (the oracle keys verdicts by name)');
  const { verdicts, error } = kernelVerifyRaw(programs.map(toRawSpec));
  if (error && verdicts.size === 0) { t.skip(`kernel oracle failed: ${error}`); return; }
  for (const [k, c] of cases.entries()) {
    const v: KernelVerdict | undefined = verdicts.get(programs[k].name);
    assert.ok(v, `no kernel verdict for ${c.name}`);
    if (v.ok === null) { t.diagnostic(`${c.name}: kernel could not judge (${v.skip ?? v.spec_error ?? 'unknown'})`); continue; }
    if (c.msg === null) assert.equal(v.ok, true, `${c.name}: kernel rejected: ${v.error_line}`);
    else {
      assert.equal(v.ok, false, `${c.name}: kernel accepted`);
      assert.equal(v.error_line, c.msg, `${c.name}: kernel message`);
    }
  }
});
