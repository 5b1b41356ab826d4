// fentry/fexit/lsm programs: common in libbpf-tools, but this machine's kernel refuses to load
// them (EPERM under lockdown), so the harness reports them as not comparable.
#include "common.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/do_unlinkat")
int BPF_PROG(fentry_unlink, int dfd, struct filename *name)
{
	bpf_printk("unlink %s", name->name);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(fexit_unlink, int dfd, struct filename *name, long ret)
{
	return ret != 0;
}

SEC("lsm/file_open")
int BPF_PROG(lsm_file_open, struct file *file)
{
	return file->f_flags & 1 ? 0 : 0;
}

SEC("fentry/tcp_v4_connect")
int BPF_PROG(fentry_null_deref, struct sock *sk)
{
	struct sock *p = 0;

	return p->__sk_common.skc_family;
}
