// kfuncs: kernel functions BPF programs call through BTF. Two sources meet here:
// - the target kernel's BTF (FUNC types tagged with the "bpf_kfunc" decl tag): which kfuncs this
//   kernel has and their prototypes with parameter names;
// - tables written from the kernel sources (kfuncs.data.ts, generated; plus the small hand-kept
//   tables below): KF_* flags, the program types each kfunc set is registered for, the release a
//   kfunc appeared in, and renames/removals.
// kfuncs are not stable UAPI: any release may change or drop them, which every hover says.
import { BtfKind } from '../bpf/btf/types';
import type { BtfType } from '../bpf/btf/types';
import { KFUNC_DATA } from './kfuncs.data';
import { PROBED_KFUNC_ADDITIONS, PROBED_KFUNC_KERNEL } from './kfuncs.probed.data';

export const KFUNC_STABILITY_NOTE =
  'kfuncs are not stable UAPI: any kernel release may change their signature or semantics, or remove them.';

/** The generated record form (kfuncs.data.ts). */
export interface RawKfunc {
  name: string;
  /** KF_* flags from BTF_ID_FLAGS(func, name, ...) */
  flags: readonly string[];
  /** the BTF id set that declares it, e.g. "generic_btf_ids" */
  set: string;
  /** short program type names the set is registered for; "*" = all program types */
  progTypes: readonly string[];
  /** kernel source file declaring the set */
  file: string;
}

export interface KfuncDeprecation {
  /** what to use instead (a kfunc or a wrapper macro) */
  successor: string;
  reason: string;
  /** the kfunc is gone from kernels newer than this release */
  removedIn?: string;
}

export interface KfuncInfo extends RawKfunc {
  since?: string;
  deprecated?: KfuncDeprecation;
  /** program types a newer kernel (PROBED_KFUNC_KERNEL) also registers the kfunc for, as measured on it */
  newerProgTypes?: readonly string[];
}

/** The kernel the newer program-type registrations were measured on. */
export const KFUNC_PROBED_KERNEL = PROBED_KFUNC_KERNEL;

/** Plain-words meaning of each KF_* flag (include/linux/btf.h). */
export const KF_FLAG_WORDS: Readonly<Record<string, string>> = {
  KF_ACQUIRE: 'returns a referenced (acquired) object: the program must release it before it ends',
  KF_RELEASE: 'releases the referenced object passed as its first argument',
  KF_RET_NULL: 'may return NULL: check the result before using it',
  KF_KPTR_GET: 'returns a reference taken from a kptr in a map value',
  KF_TRUSTED_ARGS: 'pointer arguments must be trusted (referenced, or passed to the program as trusted)',
  KF_SLEEPABLE: 'may sleep: only sleepable programs may call it',
  KF_DESTRUCTIVE: 'can destroy the running kernel (e.g. panic); needs CAP_SYS_BOOT',
  KF_RCU: 'arguments may be RCU-protected pointers (within bpf_rcu_read_lock or in RCU-protected programs)',
  KF_ITER_NEW: 'constructor of an open-coded iterator',
  KF_ITER_NEXT: 'next step of an open-coded iterator: returns NULL when exhausted',
  KF_ITER_DESTROY: 'destructor of an open-coded iterator: must be called on every path',
  KF_RCU_PROTECTED: 'must be called inside an RCU read-side critical section',
  KF_FASTCALL: 'may be called without the caller saving scratch registers it does not clobber (bpf_fastcall)',
  KF_ARENA_RET: 'returns a pointer into a BPF arena',
  KF_ARENA_ARG1: 'first argument is a pointer into a BPF arena',
  KF_ARENA_ARG2: 'second argument is a pointer into a BPF arena',
  KF_IMPLICIT_ARGS: 'some arguments are filled in by the verifier, not by the program',
};

/**
 * First kernel release of well-known kfuncs (from the kernel's git history). Kfuncs not listed
 * have no recorded release; hover says so rather than guessing.
 */
const SINCE: Readonly<Record<string, string>> = (() => {
  const t: Record<string, string> = {};
  const at = (v: string, names: string) => { for (const n of names.split(/\s+/)) if (n) t[n] = v; };
  at('5.18', 'bpf_xdp_ct_lookup bpf_skb_ct_lookup bpf_ct_release');
  at('6.0', 'bpf_xdp_ct_alloc bpf_skb_ct_alloc bpf_ct_insert_entry bpf_ct_set_timeout bpf_ct_change_timeout bpf_ct_set_status bpf_ct_change_status');
  at('6.1', 'bpf_lookup_user_key bpf_lookup_system_key bpf_key_put bpf_verify_pkcs7_signature bpf_ct_set_nat_info');
  at('6.2', 'bpf_obj_new_impl bpf_obj_drop_impl bpf_list_pop_front bpf_list_pop_back bpf_task_acquire bpf_task_release bpf_cgroup_acquire bpf_cgroup_release bpf_cgroup_ancestor bpf_rcu_read_lock bpf_rcu_read_unlock bpf_cast_to_kern_ctx bpf_rdonly_cast');
  at('6.3', 'bpf_task_from_pid bpf_cgroup_from_id bpf_rbtree_remove bpf_rbtree_first bpf_dynptr_from_skb bpf_dynptr_from_xdp bpf_dynptr_slice bpf_dynptr_slice_rdwr bpf_xdp_metadata_rx_timestamp bpf_xdp_metadata_rx_hash');
  at('6.3', 'bpf_cpumask_create bpf_cpumask_release bpf_cpumask_acquire bpf_cpumask_first bpf_cpumask_first_zero bpf_cpumask_set_cpu bpf_cpumask_clear_cpu bpf_cpumask_test_cpu bpf_cpumask_test_and_set_cpu bpf_cpumask_test_and_clear_cpu bpf_cpumask_setall bpf_cpumask_clear bpf_cpumask_and bpf_cpumask_or bpf_cpumask_xor bpf_cpumask_equal bpf_cpumask_intersects bpf_cpumask_subset bpf_cpumask_empty bpf_cpumask_full bpf_cpumask_copy');
  at('6.4', 'bpf_iter_num_new bpf_iter_num_next bpf_iter_num_destroy bpf_refcount_acquire_impl bpf_list_push_front_impl bpf_list_push_back_impl bpf_rbtree_add_impl bpf_task_under_cgroup');
  at('6.5', 'bpf_dynptr_adjust bpf_dynptr_is_null bpf_dynptr_is_rdonly bpf_dynptr_size bpf_dynptr_clone bpf_cpumask_any_distribute bpf_cpumask_any_and_distribute');
  at('6.6', 'bpf_percpu_obj_new_impl bpf_percpu_obj_drop_impl');
  at('6.7', 'bpf_throw bpf_iter_task_vma_new bpf_iter_task_vma_next bpf_iter_task_vma_destroy bpf_iter_css_task_new bpf_iter_css_task_next bpf_iter_css_task_destroy bpf_iter_task_new bpf_iter_task_next bpf_iter_task_destroy bpf_iter_css_new bpf_iter_css_next bpf_iter_css_destroy bpf_get_fsverity_digest');
  at('6.8', 'bpf_xdp_metadata_rx_vlan_tag bpf_get_file_xattr bpf_cpumask_weight');
  at('6.9', 'bpf_arena_alloc_pages bpf_arena_free_pages');
  at('6.10', 'bpf_wq_init bpf_wq_start bpf_wq_set_callback_impl bpf_preempt_disable bpf_preempt_enable bpf_session_is_return bpf_session_cookie');
  at('6.11', 'bpf_iter_bits_new bpf_iter_bits_next bpf_iter_bits_destroy');
  at('6.12', 'bpf_copy_from_user_str');
  at('6.13', 'bpf_get_kmem_cache bpf_iter_kmem_cache_new bpf_iter_kmem_cache_next bpf_iter_kmem_cache_destroy bpf_send_signal_task bpf_task_from_vpid');
  at('6.14', 'bpf_local_irq_save bpf_local_irq_restore');
  at('6.15', 'bpf_res_spin_lock bpf_res_spin_unlock bpf_res_spin_lock_irqsave bpf_res_spin_unlock_irqrestore');
  return t;
})();

/** Renamed or removed kfuncs, and kfuncs meant to be called only through a wrapper macro. */
export const KFUNC_DEPRECATIONS: Readonly<Record<string, KfuncDeprecation>> = {
  bpf_cpumask_any: { successor: 'bpf_cpumask_any_distribute', reason: 'renamed', removedIn: '6.4' },
  bpf_cpumask_any_and: { successor: 'bpf_cpumask_any_and_distribute', reason: 'renamed', removedIn: '6.4' },
  bpf_cpumask_kptr_get: { successor: 'bpf_kptr_xchg() or RCU-protected kptr access with bpf_cpumask_acquire', reason: 'removed', removedIn: '6.4' },
  bpf_task_kptr_get: { successor: 'RCU-protected kptr access with bpf_task_acquire', reason: 'removed', removedIn: '6.4' },
  bpf_cgroup_kptr_get: { successor: 'RCU-protected kptr access with bpf_cgroup_acquire', reason: 'removed', removedIn: '6.4' },
  cgroup_rstat_updated: { successor: 'css_rstat_updated', reason: 'renamed when rstat moved from cgroups to css' },
  cgroup_rstat_flush: { successor: 'css_rstat_flush', reason: 'renamed when rstat moved from cgroups to css' },
  bpf_obj_new_impl: { successor: 'the bpf_obj_new() macro (bpf_experimental.h), or the bpf_obj_new kfunc on kernels that have it', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_obj_drop_impl: { successor: 'the bpf_obj_drop() macro (bpf_experimental.h)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_percpu_obj_new_impl: { successor: 'the bpf_percpu_obj_new() macro (bpf_experimental.h)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_percpu_obj_drop_impl: { successor: 'the bpf_percpu_obj_drop() macro (bpf_experimental.h)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_refcount_acquire_impl: { successor: 'the bpf_refcount_acquire() macro (bpf_experimental.h)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_list_push_front_impl: { successor: 'the bpf_list_push_front() macro (bpf_experimental.h)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_list_push_back_impl: { successor: 'the bpf_list_push_back() macro (bpf_experimental.h)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_rbtree_add_impl: { successor: 'the bpf_rbtree_add() macro (bpf_experimental.h)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; call it through its wrapper' },
  bpf_wq_set_callback_impl: { successor: 'bpf_wq_set_callback (newer kernels) or its bpf_experimental.h wrapper', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; newer kernels drop the _impl form' },
  bpf_task_work_schedule_signal_impl: { successor: 'bpf_task_work_schedule_signal (newer kernels)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; newer kernels drop the _impl form' },
  bpf_task_work_schedule_resume_impl: { successor: 'bpf_task_work_schedule_resume (newer kernels)', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; newer kernels drop the _impl form' },
  bpf_stream_vprintk_impl: { successor: 'the bpf_stream_printk() macro, or bpf_stream_vprintk on newer kernels', reason: 'an _impl kfunc takes a hidden argument the verifier fills in; newer kernels drop the _impl form' },
};

/**
 * kfuncs the generated table (Linux 6.12 sources) lacks: sets in files outside that tree and kfuncs
 * of later releases, written from their BTF_ID_FLAGS sets. Entries of the generated table win.
 */
const SUPPLEMENT: readonly { set: string; file: string; progTypes: readonly string[]; kfuncs: Readonly<Record<string, string>> }[] = [
  {
    set: 'common_btf_ids', file: 'kernel/bpf/helpers.c (after 6.12)', progTypes: ['*'],
    kfuncs: {
      bpf_dynptr_copy: '', bpf_dynptr_memset: '', bpf_get_kmem_cache: '', bpf_local_irq_save: '', bpf_local_irq_restore: '',
      bpf_iter_kmem_cache_new: 'KF_ITER_NEW KF_SLEEPABLE', bpf_iter_kmem_cache_next: 'KF_ITER_NEXT KF_RET_NULL KF_SLEEPABLE',
      bpf_iter_kmem_cache_destroy: 'KF_ITER_DESTROY KF_SLEEPABLE',
      bpf_probe_read_user_dynptr: '', bpf_probe_read_kernel_dynptr: '', bpf_probe_read_user_str_dynptr: '', bpf_probe_read_kernel_str_dynptr: '',
      bpf_copy_from_user_dynptr: 'KF_SLEEPABLE', bpf_copy_from_user_str_dynptr: 'KF_SLEEPABLE',
      bpf_copy_from_user_task_dynptr: 'KF_SLEEPABLE', bpf_copy_from_user_task_str_dynptr: 'KF_SLEEPABLE',
      bpf_copy_from_user_task_str: 'KF_SLEEPABLE',
      bpf_iter_dmabuf_new: 'KF_ITER_NEW KF_SLEEPABLE', bpf_iter_dmabuf_next: 'KF_ITER_NEXT KF_RET_NULL KF_SLEEPABLE',
      bpf_iter_dmabuf_destroy: 'KF_ITER_DESTROY KF_SLEEPABLE',
      __bpf_trap: '', bpf_strcmp: '', bpf_strcasecmp: '', bpf_strncasecmp: '', bpf_strchr: '', bpf_strchrnul: '', bpf_strnchr: '',
      bpf_strrchr: '', bpf_strlen: '', bpf_strnlen: '', bpf_strspn: '', bpf_strcspn: '', bpf_strstr: '', bpf_strcasestr: '',
      bpf_strnstr: '', bpf_strncasestr: '', bpf_cgroup_read_xattr: 'KF_RCU',
      bpf_wq_set_callback: 'KF_IMPLICIT_ARGS', bpf_stream_vprintk: 'KF_IMPLICIT_ARGS', bpf_stream_print_stack: 'KF_IMPLICIT_ARGS',
      bpf_task_work_schedule_signal: 'KF_IMPLICIT_ARGS', bpf_task_work_schedule_resume: 'KF_IMPLICIT_ARGS',
      bpf_dynptr_from_file: '', bpf_dynptr_file_discard: '', bpf_timer_cancel_async: '',
    },
  },
  {
    set: 'generic_btf_ids', file: 'kernel/bpf/helpers.c (after 6.12)',
    progTypes: ['TRACING', 'TRACEPOINT', 'PERF_EVENT', 'LSM', 'SCHED_CLS', 'XDP', 'STRUCT_OPS', 'SYSCALL', 'CGROUP_SKB', 'CGROUP_SOCK', 'CGROUP_DEVICE', 'CGROUP_SOCK_ADDR', 'CGROUP_SOCKOPT', 'CGROUP_SYSCTL'],
    kfuncs: {
      bpf_obj_new: 'KF_ACQUIRE KF_RET_NULL KF_IMPLICIT_ARGS', bpf_percpu_obj_new: 'KF_ACQUIRE KF_RET_NULL KF_IMPLICIT_ARGS',
      bpf_obj_drop: 'KF_RELEASE KF_IMPLICIT_ARGS', bpf_percpu_obj_drop: 'KF_RELEASE KF_IMPLICIT_ARGS',
      bpf_refcount_acquire: 'KF_ACQUIRE KF_RET_NULL KF_RCU KF_IMPLICIT_ARGS',
      bpf_list_push_front: 'KF_IMPLICIT_ARGS', bpf_list_push_back: 'KF_IMPLICIT_ARGS', bpf_rbtree_add: 'KF_IMPLICIT_ARGS',
      bpf_list_front: 'KF_RET_NULL', bpf_list_back: 'KF_RET_NULL',
      bpf_rbtree_root: 'KF_RET_NULL', bpf_rbtree_left: 'KF_RET_NULL', bpf_rbtree_right: 'KF_RET_NULL',
      bpf_task_from_vpid: 'KF_ACQUIRE KF_RET_NULL', bpf_send_signal_task: '',
    },
  },
  {
    set: 'rqspinlock_kfunc_ids', file: 'kernel/bpf/rqspinlock.c', progTypes: ['*'],
    kfuncs: { bpf_res_spin_lock: 'KF_RET_NULL', bpf_res_spin_unlock: '', bpf_res_spin_lock_irqsave: 'KF_RET_NULL', bpf_res_spin_unlock_irqrestore: '' },
  },
  {
    set: 'bpf_fs_kfunc_set_ids', file: 'fs/bpf_fs_kfuncs.c', progTypes: ['LSM'],
    kfuncs: {
      bpf_get_task_exe_file: 'KF_ACQUIRE KF_TRUSTED_ARGS KF_RET_NULL', bpf_put_file: 'KF_RELEASE', bpf_path_d_path: 'KF_TRUSTED_ARGS',
      bpf_get_dentry_xattr: 'KF_SLEEPABLE KF_TRUSTED_ARGS', bpf_get_file_xattr: 'KF_SLEEPABLE KF_TRUSTED_ARGS',
      bpf_set_dentry_xattr: 'KF_SLEEPABLE KF_TRUSTED_ARGS', bpf_remove_dentry_xattr: 'KF_SLEEPABLE KF_TRUSTED_ARGS',
    },
  },
  {
    set: 'nf_ct_kfunc_set', file: 'net/netfilter/nf_conntrack_bpf.c', progTypes: ['XDP', 'SCHED_CLS'],
    kfuncs: {
      bpf_xdp_ct_alloc: 'KF_ACQUIRE KF_RET_NULL', bpf_xdp_ct_lookup: 'KF_ACQUIRE KF_RET_NULL',
      bpf_skb_ct_alloc: 'KF_ACQUIRE KF_RET_NULL', bpf_skb_ct_lookup: 'KF_ACQUIRE KF_RET_NULL',
      bpf_ct_insert_entry: 'KF_ACQUIRE KF_RET_NULL KF_RELEASE', bpf_ct_release: 'KF_RELEASE',
      bpf_ct_set_timeout: 'KF_TRUSTED_ARGS', bpf_ct_change_timeout: 'KF_TRUSTED_ARGS',
      bpf_ct_set_status: 'KF_TRUSTED_ARGS', bpf_ct_change_status: 'KF_TRUSTED_ARGS', bpf_ct_set_nat_info: 'KF_TRUSTED_ARGS',
    },
  },
  {
    set: 'xdp_metadata_kfunc_ids', file: 'net/core/xdp.c', progTypes: ['XDP'],
    kfuncs: { bpf_xdp_metadata_rx_timestamp: '', bpf_xdp_metadata_rx_hash: '', bpf_xdp_metadata_rx_vlan_tag: '' },
  },
  {
    set: 'xfrm_state_kfunc_set', file: 'net/xfrm/xfrm_state_bpf.c', progTypes: ['XDP'],
    kfuncs: { bpf_xdp_get_xfrm_state: 'KF_RET_NULL KF_ACQUIRE', bpf_xdp_xfrm_state_release: 'KF_RELEASE' },
  },
  {
    set: 'tcp congestion control', file: 'net/ipv4/bpf_tcp_ca.c, tcp_cubic.c, tcp_bbr.c', progTypes: ['STRUCT_OPS'],
    kfuncs: {
      tcp_reno_ssthresh: '', tcp_reno_cong_avoid: '', tcp_reno_undo_cwnd: '', tcp_slow_start: '', tcp_cong_avoid_ai: '',
      cubictcp_init: '', cubictcp_recalc_ssthresh: '', cubictcp_cong_avoid: '', cubictcp_state: '', cubictcp_cwnd_event: '', cubictcp_acked: '',
      bbr_init: '', bbr_main: '', bbr_sndbuf_expand: '', bbr_undo_cwnd: '', bbr_cwnd_event: '', bbr_ssthresh: '', bbr_min_tso_segs: '', bbr_set_state: '',
    },
  },
];

const table = new Map<string, KfuncInfo>();
for (const raw of KFUNC_DATA) table.set(raw.name, { ...raw, since: SINCE[raw.name], deprecated: KFUNC_DEPRECATIONS[raw.name] });
for (const s of SUPPLEMENT) {
  for (const [name, flags] of Object.entries(s.kfuncs)) {
    if (table.has(name)) continue;
    table.set(name, {
      name, flags: flags ? flags.split(' ') : [], set: s.set, progTypes: s.progTypes, file: s.file,
      since: SINCE[name], deprecated: KFUNC_DEPRECATIONS[name],
    });
  }
}

for (const [name, pts] of Object.entries(PROBED_KFUNC_ADDITIONS)) {
  const k = table.get(name);
  if (k) table.set(name, { ...k, newerProgTypes: pts });
}

/**
 * Macros of bpf_experimental.h that call an `_impl` kfunc with a hidden argument. A call written
 * with the macro's name is the `_impl` kfunc on kernels that lack a kfunc of the macro's own name.
 */
export const KFUNC_WRAPPER_MACROS: ReadonlySet<string> = new Set([
  'bpf_obj_new', 'bpf_obj_drop', 'bpf_percpu_obj_new', 'bpf_percpu_obj_drop', 'bpf_refcount_acquire',
  'bpf_list_push_front', 'bpf_list_push_back', 'bpf_rbtree_add', 'bpf_wq_set_callback',
  'bpf_task_work_schedule_signal', 'bpf_task_work_schedule_resume',
]);

/** Facts the tables hold about a kfunc (flags, program types, since, deprecation), if any. */
export function kfuncFacts(name: string): KfuncInfo | undefined {
  return table.get(name);
}

export function kfuncSince(name: string): string | undefined {
  return SINCE[name];
}

export function kfuncDeprecation(name: string): KfuncDeprecation | undefined {
  return KFUNC_DEPRECATIONS[name];
}

/** All kfunc names the tables know (for completion without a target BTF). */
export function knownKfuncNames(): string[] {
  return [...table.keys()];
}

/** Whether a program type (short name, e.g. "XDP") may call the kfunc, per the tables; undefined = unknown. */
export function kfuncAllowedFor(name: string, progType: string): boolean | undefined {
  const k = table.get(name);
  if (!k) return undefined;
  const pt = progType.replace(/^BPF_PROG_TYPE_/, '');
  // freplace programs take the program type of their target: nothing to say here.
  if (pt === 'EXT') return undefined;
  return k.progTypes.includes('*') || k.progTypes.includes(pt) || !!k.newerProgTypes?.includes(pt);
}

export function describeKfuncFlags(flags: readonly string[]): string[] {
  return flags.map((f) => `${f}: ${KF_FLAG_WORDS[f] ?? 'see include/linux/btf.h'}`);
}

// ---------------------------------------------------------------------------------------------
// kfuncs from a BTF

export interface KfuncParam {
  name: string;
  cType: string;
}

export interface KfuncProto {
  name: string;
  /** BTF id of the FUNC in the BTF it came from */
  btfId: number;
  retType: string;
  params: KfuncParam[];
  /** "struct task_struct *bpf_task_acquire(struct task_struct *p)" */
  proto: string;
}

/** The slice of the BTF reader this module needs (server/src/bpf/btf/btf.ts provides it). */
export interface KfuncBtf {
  readonly types: readonly BtfType[];
  typeName(id: number): string;
  /** split BTF (a kernel module's): the first id of its own types; the base's are skipped */
  readonly startId?: number;
}

function declare(cType: string, name: string): string {
  // "int (*)(void *)" style types put the name inside; plain types take "type name".
  if (cType.includes('(*)')) return cType.replace('(*)', `(*${name})`);
  return cType.endsWith('*') ? `${cType}${name}` : `${cType} ${name}`;
}

/**
 * Every FUNC tagged `bpf_kfunc` (DECL_TAG with component_idx -1) in the BTF, with its prototype.
 * Bounded by the number of types; never throws on malformed ids.
 */
export function kfuncsFromBtf(btf: KfuncBtf): KfuncProto[] {
  const out: KfuncProto[] = [];
  const seen = new Set<number>();
  const types = btf.types;
  for (let i = Math.max(1, btf.startId ?? 1); i < types.length; i++) {
    const tag = types[i];
    if (!tag || tag.kind !== BtfKind.DECL_TAG || tag.name !== 'bpf_kfunc') continue;
    if (tag.componentIdx !== undefined && tag.componentIdx !== -1) continue;
    const fn = types[tag.type];
    if (!fn || fn.kind !== BtfKind.FUNC || seen.has(fn.id)) continue;
    seen.add(fn.id);
    const fp = types[fn.type];
    if (!fp || fp.kind !== BtfKind.FUNC_PROTO) continue;
    const retType = btf.typeName(fp.type);
    const params = (fp.params ?? []).map((p, j) => ({ name: p.name || `arg${j + 1}`, cType: p.type === 0 ? '...' : btf.typeName(p.type) }));
    const plist = params.length ? params.map((p) => (p.cType === '...' ? '...' : declare(p.cType, p.name))).join(', ') : 'void';
    out.push({ name: fn.name, btfId: fn.id, retType, params, proto: `${declare(retType, fn.name)}(${plist})` });
  }
  return out;
}
