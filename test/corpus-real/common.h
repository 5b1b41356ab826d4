/* Shared prelude for the real-world-style corpus: vmlinux.h (generated into the build directory by
 * the test, never committed), libbpf's headers, and the few macros public projects define themselves. */
#ifndef CORPUS_REAL_COMMON_H
#define CORPUS_REAL_COMMON_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define AF_INET 2
#define AF_INET6 10
#define TASK_COMM_LEN 16
#define ETH_ALEN 6
#define ETH_HLEN 14
#define MAX_FILENAME_LEN 127

/* open-coded numeric iterator, as bpf_experimental.h spells it */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __weak __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __weak __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __weak __ksym;
#ifndef bpf_for
#define bpf_for(i, start, end) for (						\
	struct bpf_iter_num ___it __attribute__((aligned(8),			\
						 cleanup(bpf_iter_num_destroy))),	\
	/* initialize and define destructor */					\
	*___p __attribute__((unused)) = (					\
		bpf_iter_num_new(&___it, (start), (end)),			\
		(void)bpf_iter_num_destroy, (void *)0);				\
	({									\
		int *___t = bpf_iter_num_next(&___it);				\
		(___t && ((i) = *___t, (i) >= (start) && (i) < (end)));		\
	});									\
)
#endif
#endif
