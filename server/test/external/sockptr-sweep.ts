// Differential sweep of loads through socket pointers in a tc program: skb->sk (sock_common),
// bpf_sk_fullsock(sk) (sock) and bpf_tcp_sock(sk) (tcp_sock), every aligned offset and size.
//
//   node --import tsx server/test/external/sockptr-sweep.ts
import type { Insn } from '../../src/bpf/isa/insn';
import { oracle } from '../diff/oracle';
import { judgeSweep, newTally, sweepSummary } from './sweep';
import type { GenProgram } from '../diff/gen';

const I = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const SZ: [number, number][] = [[1, 0x10], [2, 0x08], [4, 0x00], [8, 0x18]];
const o = oracle();
if (!o.ok) {
  console.log(`skipped: ${o.reason}`);
  process.exit(0);
}
const progs: GenProgram[] = [];
for (const [kind, helper] of [['common', 0], ['full', 95], ['tcp', 96]] as [string, number][]) {
  for (const [size, sz] of SZ) for (let off = -size; off < 128; off += size) {
    const insns: Insn[] = [I(0x79, 1, 1, 168, 0), I(0x55, 1, 0, 2, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)];
    if (helper) insns.push(I(0x85, 0, 0, 0, helper), I(0x55, 0, 0, 2, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0), I(0xbf, 1, 0, 0, 0));
    insns.push(I(0x61 | sz, 2, 1, off, 0), I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0));
    progs.push({ name: `k_${kind}_${size}_${off}`, progType: 3, expectedAttachType: 0, license: 'GPL', insns, maps: [], origin: 'sockptr sweep' });
  }
}
console.log(sweepSummary('sockptr sweep', judgeSweep(progs, newTally())));
