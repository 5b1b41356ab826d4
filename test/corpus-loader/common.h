/* Shared includes for the loader corpus: uapi headers and libbpf's BPF-side headers only. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
