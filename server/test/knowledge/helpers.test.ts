import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { allHelpers, helperById, helperByName, helperProtoFor, isHelperAllowed, MAX_HELPER_ID } from '../../src/knowledge/helpers';
import { parseHelperDocs } from '../../src/knowledge/helperdocs';
import { ProgType } from '../../src/bpf/progtypes';

test('the table has every helper of the uapi, IDs 1..211 without gaps', () => {
  assert.equal(MAX_HELPER_ID, 211);
  const hs = allHelpers();
  assert.equal(hs.length, 211);
  hs.forEach((h, i) => assert.equal(h.id, i + 1));
  for (const h of hs) {
    assert.match(h.name, /^bpf_\w+$/);
    assert.ok(h.proto.includes(`${h.name}(`), `${h.name} has a prototype`);
    assert.ok(h.since, `${h.name} has a since version`);
    assert.ok(h.progTypes.length > 0, `${h.name} is available to some program type`);
    assert.ok(h.ret.kind.startsWith('RET_'), `${h.name} ret kind`);
    for (const a of h.args) assert.ok(a.base.startsWith('ARG_'), `${h.name} arg ${a.name}`);
  }
});

for (const [file, label] of [['/usr/include/linux/bpf.h', 'installed uapi header'], ['/usr/include/bpf/bpf_helper_defs.h', "installed libbpf header"]]) {
  test(`names and IDs agree with the ${label}`, (t) => {
    if (!existsSync(file)) return t.skip(`${file} not installed`);
    const set = parseHelperDocs(readFileSync(file, 'utf8'));
    assert.ok(set.ids.size > 150, `${file} lists helpers`);
    for (const [name, id] of set.ids) {
      if (id === 0) continue;
      assert.equal(helperById(id)?.name, `bpf_${name}`, `ID ${id}`);
    }
  });
}

test('verifier argument and return kinds, with flags', () => {
  const lookup = helperByName('bpf_map_lookup_elem')!;
  assert.equal(lookup.id, 1);
  assert.equal(lookup.ret.kind, 'RET_PTR_TO_MAP_VALUE_OR_NULL');
  assert.deepEqual(lookup.ret.flags, ['PTR_MAYBE_NULL']);
  assert.deepEqual(lookup.args.map((a) => a.kind), ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY']);
  const pr = helperByName('probe_read_kernel')!;
  assert.equal(pr.gplOnly, true);
  assert.equal(pr.args[0].base, 'ARG_PTR_TO_MEM');
  assert.ok(pr.args[0].flags.includes('MEM_UNINIT'));
  assert.equal(pr.args[1].kind, 'ARG_CONST_SIZE_OR_ZERO');
  const ro = helperByName('bpf_ringbuf_output')!;
  assert.ok(ro.args[1].flags.includes('MEM_RDONLY'));
  const task = helperByName('bpf_get_current_task_btf')!;
  assert.equal(task.ret.btfType, 'task_struct');
  assert.ok(task.ret.flags.includes('PTR_TRUSTED'));
  const tcp = helperByName('bpf_skc_to_tcp_sock')!;
  assert.equal(tcp.ret.btfType, 'tcp_sock');
  assert.ok(tcp.ret.flags.includes('PTR_MAYBE_NULL'));
  const pid = helperByName('bpf_get_ns_current_pid_tgid')!;
  assert.ok(pid.args.some((a) => a.flags.includes('MEM_FIXED_SIZE') || a.kind === 'ARG_PTR_TO_UNINIT_MEM'));
});

test('program types follow the func_proto switches, with capability gates', () => {
  assert.deepEqual(isHelperAllowed('bpf_xdp_adjust_head', ProgType.XDP), { allowed: true });
  assert.equal(isHelperAllowed('bpf_xdp_adjust_head', ProgType.KPROBE).allowed, false);
  assert.equal(isHelperAllowed('bpf_skb_load_bytes', 'SCHED_CLS').allowed, true);
  assert.equal(isHelperAllowed('bpf_skb_load_bytes', 'XDP').allowed, false);
  assert.deepEqual(isHelperAllowed('bpf_trace_printk', 'XDP'), { allowed: true, requires: 'CAP_PERFMON' });
  assert.deepEqual(isHelperAllowed('bpf_trace_printk', 'KPROBE'), { allowed: true });
  assert.equal(isHelperAllowed('bpf_get_stackid', 'KPROBE').allowed, true);
  assert.match(isHelperAllowed('bpf_perf_event_read', 'XDP').requires ?? '', /newer kernels only/, 'offered to XDP only by kernels after 6.12');
  assert.equal(isHelperAllowed('bpf_skb_load_bytes', 'XDP').allowed, false);
  assert.match(isHelperAllowed('bpf_probe_write_user', 'KPROBE').requires ?? '', /CAP_SYS_ADMIN/);
  assert.equal(isHelperAllowed('bpf_tcp_send_ack', 'STRUCT_OPS').allowed, true);
  assert.equal(isHelperAllowed('bpf_rc_keydown', 'LIRC_MODE2').allowed, true);
  assert.equal(isHelperAllowed('bpf_map_lookup_elem', 'BPF_PROG_TYPE_NETFILTER').allowed, true);
  assert.equal(isHelperAllowed('bpf_xdp_adjust_head', ProgType.EXT).allowed, true, 'freplace inherits its target');
});

test('deprecated helpers name their successors', () => {
  assert.deepEqual(helperByName('bpf_probe_read')!.deprecated!.successors, ['bpf_probe_read_kernel', 'bpf_probe_read_user']);
  assert.deepEqual(helperByName('bpf_probe_read_str')!.deprecated!.successors, ['bpf_probe_read_kernel_str', 'bpf_probe_read_user_str']);
  assert.equal(helperByName('bpf_probe_read_kernel')!.deprecated, undefined);
});

test('per-program-type prototypes where the kernel swaps the bpf_func_proto', () => {
  const stackid = helperByName('bpf_get_stackid')!;
  assert.equal(helperProtoFor(stackid, 'KPROBE').args[0].kind, 'ARG_PTR_TO_CTX');
  const pe = helperProtoFor(stackid, 'PERF_EVENT');
  assert.notEqual(pe, stackid, 'perf_event programs get their own proto');
  const cookie = helperByName('bpf_get_socket_cookie')!;
  assert.equal(helperProtoFor(cookie, 'SCHED_CLS').args[0].kind, 'ARG_PTR_TO_CTX');
  assert.match(helperProtoFor(cookie, 'TRACING').args[0].kind, /BTF_ID/);
  assert.deepEqual(isHelperAllowed('bpf_get_stack', 'KPROBE'), { allowed: true }, 'a sleepable variant is not a restriction');
});
