// What the kernel's environment decides before or around verification: lockdown withholding
// bpf_probe_write_user, LINUX_KERNEL_VERSION as libbpf computes it, sections libbpf cannot type,
// helper prototypes per program type. (Kernel-checked versions: test/corpus-real/tracing_lockdown.c,
// usdt_kver.c, btf_helper_ret.c.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './util';
import { verifyProgram } from '../../src/bpf/verifier';
import { lockedDownHelper, parseLockdown } from '../../src/bpf/verifier/lockdown';
import { helperProto } from '../../src/bpf/verifier/helpers';
import { kernelVersionCode } from '../../src/toolchain/running-kernel';

const KPROBE = 2;
const TRACING = 26;
const SOCKET_FILTER = 1;

const WRITE_USER = 'r1 = 0\nr2 = r10\nr2 += -8\n*(u64 *)(r10 - 8) = r1\nr3 = 8\ncall 36\nr0 = 0\nexit';

test('bpf_probe_write_user is withheld under lockdown (integrity by default), allowed with lockdown none', () => {
  const { obj, prog } = build(WRITE_USER, KPROBE);
  obj.license = 'GPL';
  const locked = verifyProgram(obj, prog);
  assert.equal(locked.ok, false);
  assert.equal(locked.error?.message, 'program of this type cannot use helper bpf_probe_write_user#36');
  assert.equal(verifyProgram(obj, prog, { lockdown: 'none' }).ok, true);
  assert.equal(lockedDownHelper('bpf_probe_read_kernel', 'integrity'), false);
  assert.equal(lockedDownHelper('bpf_probe_read_kernel', 'confidentiality'), true);
  assert.equal(parseLockdown('none [integrity] confidentiality\n'), 'integrity');
  assert.equal(parseLockdown(''), undefined);
});

test('LINUX_KERNEL_VERSION as libbpf encodes a release string', () => {
  assert.equal(kernelVersionCode('6.18.44-fc-v669'), 0x6122c);
  assert.equal(kernelVersionCode('5.10.300'), (5 << 16) + (10 << 8) + 255);
  assert.equal(kernelVersionCode('6.18'), undefined);
});

test('a section libbpf cannot map to a program type is refused with its message', () => {
  const { obj, prog } = build('r0 = 0\nexit', 0);
  prog.section = 'socket1';
  const r = verifyProgram(obj, prog);
  assert.equal(r.ok, false);
  assert.equal(r.error?.message, "missing BPF prog type, check ELF section name 'socket1'");
});

test('helper prototypes follow the program type (bpf_get_socket_cookie)', () => {
  assert.equal(helperProto(46, SOCKET_FILTER)?.args[0].base, 'ARG_PTR_TO_CTX');
  assert.equal(helperProto(46, TRACING)?.args[0].base, 'ARG_PTR_TO_BTF_ID_SOCK_COMMON');
  assert.equal(helperProto(46)?.args[0].base, 'ARG_PTR_TO_CTX');
});
