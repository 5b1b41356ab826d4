// Map types (enum bpf_map_type) with what each one demands of keys, values and max_entries, and
// the fields of a libbpf BTF-defined map (SEC(".maps")). Written from the kernel's map_alloc_check
// functions and libbpf's map parsing.
import { MAP_TYPE_NAMES } from '../bpf/progtypes';

export interface MapTypeInfo {
  /** "BPF_MAP_TYPE_HASH" */
  name: string;
  /** enum value */
  id: number;
  since: string;
  summary: string;
  key: string;
  value: string;
  maxEntries: string;
  /** extra notes: flags, per-CPU semantics, helpers that operate on it */
  notes?: string;
  deprecated?: { successor: string; reason: string };
}

const m = (name: string, since: string, summary: string, key: string, value: string, maxEntries: string, notes?: string): Omit<MapTypeInfo, 'id'> =>
  ({ name: `BPF_MAP_TYPE_${name}`, since, summary, key, value, maxEntries, notes });

const TABLE: Omit<MapTypeInfo, 'id'>[] = [
  m('HASH', '3.19', 'Hash table.', 'any size > 0', 'any size > 0', 'maximum number of elements, > 0', 'BPF_F_NO_PREALLOC allocates elements on demand.'),
  m('ARRAY', '3.19', 'Array indexed by u32; all elements exist and start zeroed.', '4 bytes (u32 index)', 'any size > 0', 'number of elements, > 0', 'Elements cannot be deleted. BPF_F_MMAPABLE allows mmap() from user space.'),
  m('PROG_ARRAY', '4.2', 'Array of program file descriptors for bpf_tail_call().', '4 bytes', '4 bytes (program fd from user space)', 'number of slots'),
  m('PERF_EVENT_ARRAY', '4.3', 'Per-CPU perf event buffers for bpf_perf_event_output().', '4 bytes', '4 bytes (perf event fd)', 'number of CPUs (libbpf sets it when 0)'),
  m('PERCPU_HASH', '4.6', 'Hash table with one value per CPU.', 'any size > 0', 'any size > 0 (per CPU)', 'maximum number of elements'),
  m('PERCPU_ARRAY', '4.6', 'Array with one value per CPU.', '4 bytes', 'any size > 0 (per CPU)', 'number of elements'),
  m('STACK_TRACE', '4.6', 'Stack traces collected by bpf_get_stackid().', '4 bytes (stack id)', 'multiple of 8 bytes (array of u64 instruction pointers)', 'number of stacks'),
  m('CGROUP_ARRAY', '4.8', 'Array of cgroup file descriptors for bpf_skb_under_cgroup()/bpf_current_task_under_cgroup().', '4 bytes', '4 bytes', 'number of slots'),
  m('LRU_HASH', '4.10', 'Hash table that evicts the least recently used elements when full.', 'any size > 0', 'any size > 0', 'maximum number of elements'),
  m('LRU_PERCPU_HASH', '4.10', 'LRU hash table with one value per CPU.', 'any size > 0', 'any size > 0 (per CPU)', 'maximum number of elements'),
  m('LPM_TRIE', '4.11', 'Longest-prefix-match trie (IP routing tables).', 'struct bpf_lpm_trie_key_u8 header (u32 prefixlen) + data, 5..260 bytes', 'any size > 0', 'maximum number of elements', 'Requires BPF_F_NO_PREALLOC.'),
  m('ARRAY_OF_MAPS', '4.12', 'Array whose values are inner maps.', '4 bytes', '4 bytes (inner map fd); declare with __array(values, ...)', 'number of slots'),
  m('HASH_OF_MAPS', '4.12', 'Hash table whose values are inner maps.', 'any size > 0', '4 bytes (inner map fd); declare with __array(values, ...)', 'maximum number of elements'),
  m('DEVMAP', '4.14', 'Array of network devices for bpf_redirect_map() from XDP.', '4 bytes', '4 bytes (ifindex) or struct bpf_devmap_val', 'number of slots'),
  m('SOCKMAP', '4.14', 'Array of sockets for sk_skb/sk_msg redirection.', '4 bytes', '4 or 8 bytes (socket fd or cookie)', 'number of slots'),
  m('CPUMAP', '4.15', 'Array of CPUs for XDP redirection to another CPU.', '4 bytes', '4 bytes (queue size) or struct bpf_cpumap_val', 'number of CPUs'),
  m('XSKMAP', '4.18', 'Array of AF_XDP sockets for bpf_redirect_map() from XDP.', '4 bytes', '4 bytes (socket fd)', 'number of slots'),
  m('SOCKHASH', '4.18', 'Hash table of sockets for sk_skb/sk_msg redirection.', 'any size > 0', '4 or 8 bytes (socket fd or cookie)', 'maximum number of elements'),
  m('CGROUP_STORAGE', '4.19', 'Per-cgroup storage attached with the program (bpf_get_local_storage()).', 'struct bpf_cgroup_storage_key or 8 bytes', 'any size > 0', '0'),
  m('REUSEPORT_SOCKARRAY', '4.19', 'Array of sockets for SO_REUSEPORT selection (bpf_sk_select_reuseport()).', '4 bytes', '4 or 8 bytes', 'number of slots'),
  m('PERCPU_CGROUP_STORAGE', '4.20', 'Per-cgroup, per-CPU storage (bpf_get_local_storage()).', 'struct bpf_cgroup_storage_key or 8 bytes', 'any size > 0', '0'),
  m('QUEUE', '4.20', 'FIFO queue (bpf_map_push_elem/pop_elem/peek_elem).', 'none: key_size must be 0', 'any size > 0', 'maximum number of elements'),
  m('STACK', '4.20', 'LIFO stack (bpf_map_push_elem/pop_elem/peek_elem).', 'none: key_size must be 0', 'any size > 0', 'maximum number of elements'),
  m('SK_STORAGE', '5.2', 'Socket-local storage (bpf_sk_storage_get()).', '4 bytes (int, socket fd from user space)', 'any size > 0', '0', 'Requires BPF_F_NO_PREALLOC and BTF for key and value.'),
  m('DEVMAP_HASH', '5.4', 'Hash table of network devices for bpf_redirect_map() from XDP.', '4 bytes', '4 bytes (ifindex) or struct bpf_devmap_val', 'maximum number of elements'),
  m('STRUCT_OPS', '5.6', 'Implements a kernel struct_ops interface (e.g. tcp_congestion_ops) with BPF programs.', '4 bytes', 'the kernel struct (declare the variable in SEC(".struct_ops"))', '1'),
  m('RINGBUF', '5.8', 'Multi-producer, single-consumer ring buffer (bpf_ringbuf_reserve/submit/output).', 'none: key_size must be 0', 'none: value_size must be 0', 'buffer size in bytes: a power of 2 and a multiple of the page size'),
  m('INODE_STORAGE', '5.10', 'Inode-local storage (bpf_inode_storage_get()) for LSM programs.', '4 bytes', 'any size > 0', '0', 'Requires BPF_F_NO_PREALLOC.'),
  m('TASK_STORAGE', '5.11', 'Task-local storage (bpf_task_storage_get()).', '4 bytes (pidfd from user space)', 'any size > 0', '0', 'Requires BPF_F_NO_PREALLOC.'),
  m('BLOOM_FILTER', '5.16', 'Bloom filter (bpf_map_push_elem adds, bpf_map_peek_elem tests).', 'none: key_size must be 0', 'any size > 0', 'expected number of elements', 'map_extra holds the number of hash functions (1..15).'),
  m('USER_RINGBUF', '6.1', 'Ring buffer written by user space and drained by BPF (bpf_user_ringbuf_drain()).', 'none: key_size must be 0', 'none: value_size must be 0', 'buffer size in bytes: a power of 2 and a multiple of the page size'),
  m('CGRP_STORAGE', '6.2', 'Cgroup-local storage (bpf_cgrp_storage_get()).', '4 bytes (cgroup fd from user space)', 'any size > 0', '0', 'Requires BPF_F_NO_PREALLOC.'),
  m('ARENA', '6.9', 'Memory region shared by BPF programs and user space (bpf_arena_alloc_pages()).', 'none: key_size must be 0', 'none: value_size must be 0', 'number of pages', 'Requires BPF_F_MMAPABLE.'),
];

const byName = new Map<string, MapTypeInfo>();
for (const t of TABLE) {
  const id = (MAP_TYPE_NAMES as readonly string[]).indexOf(t.name);
  const info: MapTypeInfo = { ...t, id };
  if (t.name === 'BPF_MAP_TYPE_CGROUP_STORAGE' || t.name === 'BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE') {
    info.deprecated = { successor: 'BPF_MAP_TYPE_CGRP_STORAGE', reason: 'the uapi marks cgroup storage maps deprecated in favour of cgroup-local storage' };
  }
  byName.set(t.name, info);
}

export function mapTypeInfo(name: string): MapTypeInfo | undefined {
  return byName.get(name);
}

export function allMapTypes(): MapTypeInfo[] {
  return [...byName.values()];
}

/** Fields of a BTF-defined map (struct { __uint(type, ...); ... } name SEC(".maps")). */
export interface MapField {
  name: string;
  /** how it is written with libbpf's macros */
  form: string;
  doc: string;
}

export const MAP_FIELDS: readonly MapField[] = [
  { name: 'type', form: '__uint(type, BPF_MAP_TYPE_${1})', doc: 'The map type (BPF_MAP_TYPE_*).' },
  { name: 'key', form: '__type(key, ${1:u32})', doc: 'The key type; libbpf derives key_size and records the BTF type.' },
  { name: 'value', form: '__type(value, ${1:u64})', doc: 'The value type; libbpf derives value_size and records the BTF type.' },
  { name: 'key_size', form: '__uint(key_size, ${1:4})', doc: 'Key size in bytes, when no key type is given.' },
  { name: 'value_size', form: '__uint(value_size, ${1:8})', doc: 'Value size in bytes, when no value type is given.' },
  { name: 'max_entries', form: '__uint(max_entries, ${1:1024})', doc: 'Capacity; its meaning depends on the map type (bytes for ring buffers).' },
  { name: 'map_flags', form: '__uint(map_flags, ${1:BPF_F_NO_PREALLOC})', doc: 'BPF_F_* creation flags (BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, BPF_F_MMAPABLE, ...).' },
  { name: 'numa_node', form: '__uint(numa_node, ${1:0})', doc: 'NUMA node to allocate on (with BPF_F_NUMA_NODE).' },
  { name: 'pinning', form: '__uint(pinning, LIBBPF_PIN_BY_NAME)', doc: 'LIBBPF_PIN_BY_NAME pins the map under /sys/fs/bpf (or the object\'s pin root) and reuses it.' },
  { name: 'map_extra', form: '__uint(map_extra, ${1:0})', doc: 'Type-specific extra value (bloom filter: number of hash functions; arena: user address).' },
  { name: 'values', form: '__array(values, ${1:struct inner_map})', doc: 'Inner map template (map-in-map) or initial program slots (prog array).' },
];
