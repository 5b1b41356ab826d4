// Small programs with the verdict and final error line the 6.18 kernel gives for them.
// `expect` is 'ok' or the kernel's final error line. Each case is also checked against the running
// kernel when it can load programs (see verifier.test.ts).
import type { MapSpec } from './util';

export interface Case { name: string; progType: number; asm: string; expect: string; maps?: MapSpec[]; eat?: number; area: string }

const XDP = 6, SOCK = 1, TC = 3, KPROBE = 2, CGSKB = 8, TP = 5;
const ARRAY = (valueSize = 16, maxEntries = 4, flags = 0): MapSpec => ({ type: 2, keySize: 4, valueSize, maxEntries, flags });
const HASH = (valueSize = 16): MapSpec => ({ type: 1, keySize: 4, valueSize, maxEntries: 16 });
const RINGBUF: MapSpec = { type: 27, keySize: 0, valueSize: 0, maxEntries: 4096 };

const LOOKUP = `r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = m0 ll
call 1
`;
const PKT = `r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
`;

export const CASES: Case[] = [
  // ---- CFG ----
  { area: 'cfg', name: 'minimal program', progType: XDP, asm: 'r0 = 2\nexit', expect: 'ok' },
  { area: 'cfg', name: 'jump out of range', progType: SOCK, asm: 'r0 = 0\nif r0 == 0 goto +5\nexit', expect: 'jump out of range from insn 1 to 7' },
  { area: 'cfg', name: 'unreachable insn', progType: SOCK, asm: 'r0 = 0\nexit\nr0 = 1\nexit', expect: 'unreachable insn 2' },
  { area: 'cfg', name: 'last insn not exit', progType: SOCK, asm: 'r0 = 0', expect: 'last insn is not an exit or jmp' },
  { area: 'cfg', name: 'infinite loop', progType: SOCK, asm: 'r0 = 0\nl0:\nr1 = 1\nif r0 == 0 goto l0\nexit', expect: 'infinite loop detected at insn 1' },
  { area: 'cfg', name: 'bounded loop', progType: SOCK, asm: 'r0 = 0\nl0:\nr0 += 1\nif r0 < 100 goto l0\nr0 = 0\nexit', expect: 'ok' },
  // ---- registers ----
  { area: 'regs', name: 'R0 not initialised at exit', progType: XDP, asm: 'r2 = r1\nexit', expect: 'R0 !read_ok' },
  { area: 'regs', name: 'read of uninitialised register', progType: XDP, asm: 'r0 = r5\nexit', expect: 'R5 !read_ok' },
  { area: 'regs', name: 'frame pointer is read only', progType: XDP, asm: 'r10 = 0\nr0 = 0\nexit', expect: 'frame pointer is read only' },
  { area: 'regs', name: 'division by zero constant', progType: XDP, asm: 'r0 = 1\nr0 /= 0\nexit', expect: 'div by zero' },
  { area: 'regs', name: 'invalid shift', progType: XDP, asm: 'r0 = 1\nr0 <<= 64\nexit', expect: 'invalid shift 64' },
  { area: 'regs', name: 'scalar dereference', progType: XDP, asm: 'r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit', expect: "R1 invalid mem access 'scalar'" },
  // ---- stack ----
  { area: 'stack', name: 'stack read out of bounds', progType: XDP, asm: 'r0 = *(u64 *)(r10 - 520)\nexit', expect: 'invalid read from stack R10 off=-520 size=8' },
  { area: 'stack', name: 'stack write above frame', progType: XDP, asm: 'r0 = 0\n*(u64 *)(r10 + 0) = r0\nexit', expect: 'invalid write to stack R10 off=0 size=8' },
  { area: 'stack', name: 'spill and fill of a pointer', progType: XDP, asm: '*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit', expect: 'ok' },
  { area: 'stack', name: 'misaligned stack access', progType: XDP, asm: 'r0 = 0\n*(u32 *)(r10 - 6) = r0\nexit', expect: 'misaligned stack access off 0+0+-6 size 4' },
  { area: 'stack', name: 'uninitialised stack read allowed for root', progType: XDP, asm: 'r0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit', expect: 'ok' },
  { area: 'stack', name: 'stack pointer subtraction', progType: XDP, asm: 'r0 = 0\nr0 -= r10\nexit', expect: 'R0 tried to subtract pointer from scalar' },
  { area: 'stack', name: 'pointer minus pointer is a scalar', progType: XDP, asm: 'r2 = r10\nr2 -= r1\nr0 = 0\nexit', expect: 'ok' },
  // ---- ctx ----
  { area: 'ctx', name: 'xdp data load', progType: XDP, asm: 'r0 = *(u32 *)(r1 + 0)\nr0 = 0\nexit', expect: 'ok' },
  { area: 'ctx', name: 'xdp ctx narrow load', progType: XDP, asm: 'r0 = *(u16 *)(r1 + 0)\nr0 = 0\nexit', expect: 'invalid bpf_context access off=0 size=2' },
  { area: 'ctx', name: 'xdp ctx write', progType: XDP, asm: 'r0 = 0\n*(u32 *)(r1 + 12) = r0\nexit', expect: 'invalid bpf_context access off=12 size=4' },
  { area: 'ctx', name: 'modified ctx pointer', progType: XDP, asm: 'r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit', expect: 'dereference of modified ctx ptr R1 off=4 disallowed' },
  { area: 'ctx', name: 'skb mark write in tc', progType: TC, asm: 'r0 = 0\n*(u32 *)(r1 + 8) = r0\nexit', expect: 'ok' },
  { area: 'ctx', name: 'skb data in socket filter', progType: SOCK, asm: 'r0 = *(u32 *)(r1 + 76)\nr0 = 0\nexit', expect: 'invalid bpf_context access off=76 size=4' },
  { area: 'ctx', name: 'kprobe pt_regs read', progType: KPROBE, asm: 'r0 = *(u64 *)(r1 + 112)\nr0 = 0\nexit', expect: 'ok' },
  { area: 'ctx', name: 'kprobe pt_regs out of range', progType: KPROBE, asm: 'r0 = *(u64 *)(r1 + 168)\nr0 = 0\nexit', expect: 'invalid bpf_context access off=168 size=8' },
  { area: 'ctx', name: 'tracepoint common fields', progType: TP, asm: 'r0 = *(u64 *)(r1 + 0)\nr0 = 0\nexit', expect: 'invalid bpf_context access off=0 size=8' },
  // ---- packet ----
  { area: 'packet', name: 'packet read without check', progType: XDP, asm: `${PKT}r0 = *(u8 *)(r2 + 0)\nexit`, expect: 'R2 offset is outside of the packet' },
  { area: 'packet', name: 'packet read after check', progType: XDP,
    asm: `${PKT}r4 = r2\nr4 += 14\nif r4 > r3 goto l1\nr0 = *(u8 *)(r2 + 13)\nl1:\nr0 = 2\nexit`, expect: 'ok' },
  { area: 'packet', name: 'packet read past the checked range', progType: XDP,
    asm: `${PKT}r4 = r2\nr4 += 14\nif r4 > r3 goto l1\nr0 = *(u8 *)(r2 + 14)\nl1:\nr0 = 2\nexit`, expect: 'R2 offset is outside of the packet' },
  { area: 'packet', name: 'reversed comparison', progType: XDP,
    asm: `${PKT}r4 = r2\nr4 += 8\nif r3 < r4 goto l1\nr0 = *(u64 *)(r2 + 0)\nl1:\nr0 = 2\nexit`, expect: 'ok' },
  { area: 'packet', name: 'packet pointer invalidated by adjust_head', progType: XDP,
    asm: `r6 = r1\n${PKT.replace(/r1/g, 'r6')}r4 = r2\nr4 += 8\nif r4 > r3 goto l1\nr1 = r6\nr2 = 4\ncall 44\nr0 = *(u8 *)(r2 + 0)\nl1:\nr0 = 2\nexit`,
    expect: "R2 !read_ok" },
  // ---- maps ----
  { area: 'map', name: 'lookup result used without NULL check', progType: SOCK, maps: [HASH()],
    asm: `${LOOKUP}r0 = *(u64 *)(r0 + 0)\nexit`, expect: "R0 invalid mem access 'map_value_or_null'" },
  { area: 'map', name: 'lookup with NULL check', progType: SOCK, maps: [HASH()],
    asm: `${LOOKUP}if r0 == 0 goto l1\nr0 = *(u64 *)(r0 + 8)\nl1:\nr0 = 0\nexit`, expect: 'ok' },
  { area: 'map', name: 'map value out of bounds', progType: SOCK, maps: [HASH()],
    asm: `${LOOKUP}if r0 == 0 goto l1\nr0 = *(u64 *)(r0 + 12)\nl1:\nr0 = 0\nexit`, expect: 'R0 min value is outside of the allowed memory range' },
  { area: 'map', name: 'variable index without bound', progType: SOCK, maps: [HASH(64)],
    asm: `r6 = *(u32 *)(r1 + 0)\n${LOOKUP}if r0 == 0 goto l1\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\nl1:\nr0 = 0\nexit`,
    expect: 'R0 unbounded memory access, make sure to bounds check any such access' },
  { area: 'map', name: 'variable index with bound', progType: SOCK, maps: [HASH(64)],
    asm: `r6 = *(u32 *)(r1 + 0)\n${LOOKUP}if r0 == 0 goto l1\nif r6 > 63 goto l1\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\nl1:\nr0 = 0\nexit`, expect: 'ok' },
  { area: 'map', name: 'signed index', progType: SOCK, maps: [HASH(64)],
    asm: `r6 = *(u32 *)(r1 + 0)\nr6 <<= 32\nr6 s>>= 32\n${LOOKUP}if r0 == 0 goto l1\nif r6 s> 63 goto l1\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\nl1:\nr0 = 0\nexit`,
    expect: 'value -2147483648 makes map_value pointer be out of bounds' },
  { area: 'map', name: 'signed index checked at one end only', progType: SOCK, maps: [HASH(64)],
    asm: `r6 = *(u32 *)(r1 + 0)\nr6 <<= 56\nr6 s>>= 56\n${LOOKUP}if r0 == 0 goto l1\nif r6 s> 63 goto l1\nr0 += r6\nr0 = *(u8 *)(r0 + 0)\nl1:\nr0 = 0\nexit`,
    expect: 'R0 min value is negative, either use unsigned index or do a if (index >=0) check.' },
  { area: 'map', name: 'pointer arithmetic on map_ptr', progType: SOCK, maps: [HASH()],
    asm: 'r1 = m0 ll\nr1 += 8\nr0 = 0\nexit', expect: 'R1 pointer arithmetic on map_ptr prohibited' },
  { area: 'map', name: 'write into read-only map', progType: SOCK, maps: [ARRAY(16, 1, 0x80)],
    asm: `${LOOKUP}if r0 == 0 goto l1\nr1 = 1\n*(u64 *)(r0 + 0) = r1\nl1:\nr0 = 0\nexit`, expect: 'write into map forbidden, value_size=16 off=0 size=8' },
  { area: 'map', name: 'array lookup with constant key is not NULL', progType: SOCK, maps: [ARRAY()],
    asm: `${LOOKUP}r0 = *(u64 *)(r0 + 0)\nexit`, expect: 'ok' },
  // ---- helpers ----
  { area: 'helpers', name: 'unknown helper', progType: SOCK, asm: 'call 10000\nr0 = 0\nexit', expect: 'invalid func unknown#10000' },
  { area: 'helpers', name: 'helper not for this program type', progType: XDP, asm: 'call 14\nr0 = 0\nexit', expect: 'ok' },
  { area: 'helpers', name: 'helper clobbers R1-R5', progType: SOCK, asm: 'r6 = r1\ncall 7\nr0 = r1\nexit', expect: 'R1 !read_ok' },
  { area: 'helpers', name: 'wrong map type for helper', progType: SOCK, maps: [HASH()],
    asm: 'r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 = m0 ll\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall 130\nr0 = 0\nexit', expect: 'cannot pass map_type 1 into func bpf_ringbuf_output#130' },
  { area: 'helpers', name: 'map key argument not initialised pointer', progType: SOCK, maps: [HASH()],
    asm: 'r1 = m0 ll\nr2 = 0\ncall 1\nr0 = 0\nexit', expect: 'R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_' },
  { area: 'helpers', name: 'probe_read size unbounded', progType: KPROBE,
    asm: 'r2 = *(u32 *)(r1 + 0)\nr1 = r10\nr1 += -16\nr3 = 0\ncall 113\nr0 = 0\nexit', expect: "R2 unbounded memory access, use 'var &= const' or 'if (var < const)'" },
  // ---- references ----
  { area: 'refs', name: 'ringbuf reserve leaked', progType: SOCK, maps: [RINGBUF],
    asm: 'r1 = m0 ll\nr2 = 8\nr3 = 0\ncall 131\nr0 = 0\nexit', expect: 'BPF_EXIT instruction in main prog would lead to reference leak' },
  { area: 'refs', name: 'ringbuf reserve submitted', progType: SOCK, maps: [RINGBUF],
    asm: 'r1 = m0 ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto l1\nr1 = r0\nr2 = 0\ncall 132\nl1:\nr0 = 0\nexit', expect: 'ok' },
  { area: 'refs', name: 'ringbuf record out of bounds', progType: SOCK, maps: [RINGBUF],
    asm: 'r1 = m0 ll\nr2 = 8\nr3 = 0\ncall 131\nif r0 == 0 goto l1\nr1 = 0\n*(u64 *)(r0 + 8) = r1\nr1 = r0\nr2 = 0\ncall 132\nl1:\nr0 = 0\nexit',
    expect: 'R0 min value is outside of the allowed memory range' },
  // ---- calls ----
  { area: 'calls', name: 'bpf-to-bpf call', progType: SOCK, asm: 'r1 = 5\ncall f\nexit\nf:\nr0 = r1\nr0 += 1\nexit', expect: 'ok' },
  { area: 'calls', name: 'callee reads caller-clobbered register', progType: SOCK, asm: 'call f\nexit\nf:\nr0 = r6\nexit', expect: 'R6 !read_ok' },
  // ---- return values ----
  { area: 'retval', name: 'cgroup skb return out of range', progType: CGSKB, asm: 'r0 = 2\nexit', expect: 'At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]' },
  { area: 'retval', name: 'cgroup skb return in range', progType: CGSKB, asm: 'r0 = 1\nexit', expect: 'ok' },
];
