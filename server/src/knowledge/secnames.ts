// SEC() names for hover and completion: libbpf's program sections (the loader's table, reused), the
// special data sections, and a sentence per program type on what it is and what its context is.
import { SECTION_DEFS, classifySection, SEC_SLEEPABLE, SEC_ATTACH_BTF, SEC_XDP_FRAGS } from '../bpf/loader/sections';
import type { SecDef } from '../bpf/loader/sections';
import { PROG_TYPE_NAMES } from '../bpf/progtypes';

/** What a program of each type is, and its context argument. */
export const PROG_TYPE_DOCS: Readonly<Record<string, { what: string; ctx: string; since: string }>> = {
  SOCKET_FILTER: { what: 'Filters packets on a socket (SO_ATTACH_BPF); returns the number of bytes to keep', ctx: 'struct __sk_buff *', since: '3.19' },
  KPROBE: { what: 'Runs at a kernel or user function entry/return (kprobe, uprobe, USDT)', ctx: 'struct pt_regs *', since: '4.1' },
  SCHED_CLS: { what: 'Traffic-control classifier (tc/tcx) on ingress or egress; returns a TC_ACT_* verdict', ctx: 'struct __sk_buff *', since: '4.1' },
  SCHED_ACT: { what: 'Traffic-control action', ctx: 'struct __sk_buff *', since: '4.1' },
  TRACEPOINT: { what: 'Runs at a static kernel tracepoint', ctx: 'the tracepoint\'s record (struct trace_event_raw_*)', since: '4.7' },
  XDP: { what: 'Runs in the driver on each received packet before the stack; returns an XDP_* action', ctx: 'struct xdp_md *', since: '4.8' },
  PERF_EVENT: { what: 'Runs on a perf event (sampling, hardware/software counters)', ctx: 'struct bpf_perf_event_data *', since: '4.9' },
  CGROUP_SKB: { what: 'Filters a cgroup\'s ingress/egress packets; returns 1 to allow, 0 to drop', ctx: 'struct __sk_buff *', since: '4.10' },
  CGROUP_SOCK: { what: 'Runs on socket creation, release or bind in a cgroup', ctx: 'struct bpf_sock *', since: '4.10' },
  LWT_IN: { what: 'Lightweight tunnel, input path', ctx: 'struct __sk_buff *', since: '4.10' },
  LWT_OUT: { what: 'Lightweight tunnel, output path', ctx: 'struct __sk_buff *', since: '4.10' },
  LWT_XMIT: { what: 'Lightweight tunnel, transmit path', ctx: 'struct __sk_buff *', since: '4.10' },
  SOCK_OPS: { what: 'TCP socket operations callbacks in a cgroup (RTT, retransmit, state...)', ctx: 'struct bpf_sock_ops *', since: '4.13' },
  SK_SKB: { what: 'Stream parser/verdict on sockets in a sockmap', ctx: 'struct __sk_buff *', since: '4.14' },
  CGROUP_DEVICE: { what: 'Device access control for a cgroup', ctx: 'struct bpf_cgroup_dev_ctx *', since: '4.15' },
  SK_MSG: { what: 'Verdict on sendmsg data of sockets in a sockmap', ctx: 'struct sk_msg_md *', since: '4.17' },
  RAW_TRACEPOINT: { what: 'Runs at a tracepoint with its raw arguments', ctx: 'struct bpf_raw_tracepoint_args *', since: '4.17' },
  CGROUP_SOCK_ADDR: { what: 'Rewrites or refuses socket addresses on bind/connect/sendmsg... in a cgroup', ctx: 'struct bpf_sock_addr *', since: '4.17' },
  LWT_SEG6LOCAL: { what: 'SRv6 local end behaviour', ctx: 'struct __sk_buff *', since: '4.18' },
  LIRC_MODE2: { what: 'Decodes infrared remote-control signals', ctx: 'unsigned int *sample', since: '4.18' },
  SK_REUSEPORT: { what: 'Selects a socket in a SO_REUSEPORT group', ctx: 'struct sk_reuseport_md *', since: '4.19' },
  FLOW_DISSECTOR: { what: 'Replaces the kernel\'s flow dissector', ctx: 'struct __sk_buff *', since: '4.20' },
  CGROUP_SYSCTL: { what: 'Controls sysctl access in a cgroup', ctx: 'struct bpf_sysctl *', since: '5.2' },
  RAW_TRACEPOINT_WRITABLE: { what: 'Raw tracepoint that may write its tracepoint buffer', ctx: 'struct bpf_raw_tracepoint_args *', since: '5.2' },
  CGROUP_SOCKOPT: { what: 'Intercepts getsockopt/setsockopt in a cgroup', ctx: 'struct bpf_sockopt *', since: '5.3' },
  TRACING: { what: 'BTF-enabled tracing: fentry/fexit/fmod_ret trampolines, tp_btf, iterators', ctx: 'the traced function\'s arguments (u64 *ctx; BPF_PROG() unpacks them)', since: '5.5' },
  STRUCT_OPS: { what: 'Implements a member of a kernel struct_ops interface (e.g. TCP congestion control, sched_ext)', ctx: 'the member\'s arguments (u64 *ctx)', since: '5.6' },
  EXT: { what: 'Replaces a global function of another BPF program (freplace)', ctx: 'the replaced function\'s arguments', since: '5.6' },
  LSM: { what: 'Runs at a Linux Security Module hook; a non-zero return denies the operation', ctx: 'the hook\'s arguments (u64 *ctx)', since: '5.7' },
  SK_LOOKUP: { what: 'Selects the listening socket for an incoming connection', ctx: 'struct bpf_sk_lookup *', since: '5.9' },
  SYSCALL: { what: 'Runs from user space via BPF_PROG_RUN and may call bpf() itself (light skeletons)', ctx: 'a user-supplied buffer', since: '5.14' },
  NETFILTER: { what: 'Netfilter hook; returns NF_ACCEPT or NF_DROP', ctx: 'struct bpf_nf_ctx *', since: '6.4' },
};

/** Sections that are not programs. */
export const DATA_SECTIONS: Readonly<Record<string, string>> = {
  license: 'The program license string (e.g. "GPL" or "Dual BSD/GPL"). GPL-only helpers and kfuncs need a GPL-compatible license.',
  '.maps': 'BTF-defined maps: struct { __uint(type, ...); __type(key, ...); ... } name SEC(".maps");',
  '.rodata': 'Read-only global data (const volatile variables); libbpf freezes it, so the verifier treats it as constant.',
  '.data': 'Initialised global variables, backed by an array map.',
  '.bss': 'Zero-initialised global variables, backed by an array map.',
  '.kconfig': 'extern variables libbpf fills from the running kernel\'s config (__kconfig).',
  '.ksyms': 'extern kernel symbols and kfuncs (__ksym).',
  '.struct_ops': 'struct_ops map variables (the kernel interface implemented by BPF programs).',
  '.struct_ops.link': 'struct_ops map variables attached through a BPF link.',
  version: 'Kernel version for old kprobe programs (obsolete; ignored by current kernels).',
};

function shortProgType(t: number): string {
  return (PROG_TYPE_NAMES[t] ?? '').replace(/^BPF_PROG_TYPE_/, '');
}

export interface SecDescription {
  /** Markdown */
  markdown: string;
  /** short program type name, when the section is a program */
  progType?: string;
}

/** Hover text for a SEC("...") name. */
export function describeSection(section: string): SecDescription | undefined {
  if (DATA_SECTIONS[section]) return { markdown: `**SEC("${section}")** — ${DATA_SECTIONS[section]}` };
  if (section.startsWith('.rodata') || section.startsWith('.data') || section.startsWith('.bss')) {
    return { markdown: `**SEC("${section}")** — custom global-data section, backed by its own array map.` };
  }
  const info = classifySection(section);
  if (!info.def) {
    return { markdown: `**SEC("${section}")** — libbpf does not recognise this section name, so it cannot tell the program type (loading will fail unless the type is set by hand).` };
  }
  const pt = shortProgType(info.progType);
  const doc = PROG_TYPE_DOCS[pt];
  const lines = [`**SEC("${section}")** — program type \`BPF_PROG_TYPE_${pt}\``];
  if (doc) lines.push('', `${doc.what}. Context: \`${doc.ctx}\`. Since Linux ${doc.since}.`);
  const facts: string[] = [];
  if (info.def.attachType) facts.push(`expected attach type \`${info.def.attachType}\``);
  if (info.attachTo) facts.push(`attaches to \`${info.attachTo}\``);
  if (info.sleepable) facts.push('sleepable (may call sleepable helpers and kfuncs)');
  if (info.def.flags & SEC_XDP_FRAGS) facts.push('multi-buffer (XDP frags) aware');
  if (!info.autoload) facts.push('not loaded automatically ("?" prefix)');
  if (facts.length) lines.push('', facts.map((f) => `- ${f}`).join('\n'));
  lines.push('', `libbpf form: \`${secForm(info.def)}\``);
  return { markdown: lines.join('\n'), progType: pt };
}

/** The libbpf pattern of a section definition: "kprobe/<function>", "xdp", "cgroup/connect4"... */
export function secForm(d: SecDef): string {
  if (d.sec.endsWith('+')) {
    const base = d.sec.slice(0, -1);
    const target = d.flags & SEC_ATTACH_BTF ? '<kernel function>' :
      base.startsWith('tracepoint') || base.startsWith('tp') ? '<category>/<name>' :
      base.startsWith('raw_t') ? '<tracepoint>' :
      base.startsWith('struct_ops') ? '<member>' :
      base.startsWith('u') ? '<binary>:<function>' :
      base.startsWith('ksyscall') || base.startsWith('kretsyscall') ? '<syscall>' :
      '<function>';
    return `${base}[/${target}]`;
  }
  if (d.sec.endsWith('/')) return `${d.sec}<target>`;
  return d.sec;
}

export interface SecCompletion {
  label: string;
  /** snippet text for the part inside the quotes */
  insert: string;
  progType: string;
  detail: string;
  sleepable: boolean;
}

/** Every section name libbpf knows, as completion entries. */
export function sectionCompletions(): SecCompletion[] {
  return SECTION_DEFS.map((d) => {
    const base = d.sec.replace(/[+/]$/, '');
    const pt = shortProgType(d.progType);
    const needsTarget = d.sec.endsWith('+') || d.sec.endsWith('/');
    return {
      label: base,
      insert: needsTarget ? `${base}/\${1:${secForm(d).replace(/^.*\[\/|\]$|^.*\//g, '').replace(/[<>]/g, '')}}` : base,
      progType: pt,
      detail: `BPF_PROG_TYPE_${pt}${d.flags & SEC_SLEEPABLE ? ' (sleepable)' : ''} — ${secForm(d)}`,
      sleepable: (d.flags & SEC_SLEEPABLE) !== 0,
    };
  });
}
