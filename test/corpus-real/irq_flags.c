// bpf_local_irq_save/restore: the flag word on the stack is a reference of its own kind; restores in
// order, never on an uninitialised or overwritten flag, and none left held at exit.
#include "common.h"
char LICENSE[] SEC("license") = "GPL";

extern void bpf_local_irq_save(unsigned long *flags__irq_flag) __ksym;
extern void bpf_local_irq_restore(unsigned long *flags__irq_flag) __ksym;

SEC("tc")
int irq_ok(struct __sk_buff *skb)
{
	unsigned long f;
	bpf_local_irq_save(&f);
	bpf_local_irq_restore(&f);
	return 0;
}

/* Mistake: interrupts left disabled. */
SEC("tc")
int irq_missing_restore(struct __sk_buff *skb)
{
	unsigned long f;
	bpf_local_irq_save(&f);
	return 0;
}

/* Mistake: restoring a flag never saved. */
SEC("tc")
int irq_restore_unsaved(struct __sk_buff *skb)
{
	unsigned long f = 0;
	bpf_local_irq_restore(&f);
	return 0;
}

/* Mistake: nested saves restored out of order. */
SEC("tc")
int irq_nested_wrong_order(struct __sk_buff *skb)
{
	unsigned long f1, f2;
	bpf_local_irq_save(&f1);
	bpf_local_irq_save(&f2);
	bpf_local_irq_restore(&f1);
	bpf_local_irq_restore(&f2);
	return 0;
}

/* Mistake: the saved flag is overwritten before the restore. */
SEC("tc")
int irq_overwrite_flag(struct __sk_buff *skb)
{
	unsigned long f;
	bpf_local_irq_save(&f);
	*(volatile unsigned long *)&f = 0;
	bpf_local_irq_restore(&f);
	return 0;
}
