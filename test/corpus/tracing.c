/* Trampoline and LSM programs. Kernels in lockdown refuse to load them (EPERM) whatever their code:
 * the oracle reports them as "not loadable here" and the harness leaves them out of the figures. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("fentry/do_nanosleep") __success
int trace_fentry(unsigned long long *ctx) { return 0; }

SEC("fexit/do_nanosleep") __success
int trace_fexit(unsigned long long *ctx) { return 0; }

SEC("lsm/file_open") __success
int trace_lsm(unsigned long long *ctx) { return 0; }

char _license[] SEC("license") = "GPL";
