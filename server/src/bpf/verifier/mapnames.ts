// The kernel's struct name for each map type (the BTF type its map_ops->map_btf_id names), as
// messages about map pointers print it ("R1 is bpf_array invalid negative access: off=-8").
const NAMES: Record<number, string> = {
  1: 'bpf_htab', 5: 'bpf_htab', 9: 'bpf_htab', 10: 'bpf_htab', 13: 'bpf_htab',
  2: 'bpf_array', 3: 'bpf_array', 4: 'bpf_array', 6: 'bpf_array', 8: 'bpf_array', 12: 'bpf_array',
  7: 'bpf_stack_map', 11: 'lpm_trie', 14: 'bpf_dtab', 25: 'bpf_dtab', 15: 'bpf_stab', 18: 'bpf_shtab',
  16: 'bpf_cpu_map', 17: 'xsk_map', 19: 'bpf_cgroup_storage_map', 21: 'bpf_cgroup_storage_map',
  20: 'reuseport_array', 22: 'bpf_queue_stack', 23: 'bpf_queue_stack',
  24: 'bpf_local_storage_map', 28: 'bpf_local_storage_map', 29: 'bpf_local_storage_map', 32: 'bpf_local_storage_map',
  26: 'bpf_struct_ops_map', 27: 'bpf_ringbuf_map', 31: 'bpf_ringbuf_map', 30: 'bpf_bloom_filter', 33: 'bpf_arena',
};

export function mapStructName(type: number | undefined): string {
  return (type !== undefined && NAMES[type]) || 'bpf_map';
}
