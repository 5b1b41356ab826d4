/* Annotations for the bpfls verifier corpus, in the style of the kernel's BPF selftests.
 *
 * Each program carries, between its SEC("...") and its name:
 *   __success                 the kernel accepts it
 *   __failure                 the kernel rejects it
 *   __msg("text")             text is a substring of the kernel's final error line
 *   __retval(N)               BPF_PROG_TEST_RUN on 64 zero bytes returns N (optional)
 *   __description("text")     what the program is about (optional)
 * The macros expand to BTF decl tags, so the annotations also travel in the object's BTF, but
 * the harness (server/test/diff/corpus.ts) reads them from the source text.
 * The running kernel is the truth: an annotation that disagrees with it is corrected.
 */
#ifndef BPFLS_CORPUS_MISC_H
#define BPFLS_CORPUS_MISC_H

#define __success		__attribute__((btf_decl_tag("comment:test_expect_success")))
#define __failure		__attribute__((btf_decl_tag("comment:test_expect_failure")))
#define __msg(m)		__attribute__((btf_decl_tag("comment:test_expect_msg=" m)))
#define __retval(v)		__attribute__((btf_decl_tag("comment:test_retval=" #v)))
#define __description(d)	__attribute__((btf_decl_tag("comment:test_description=" d)))

#define __naked			__attribute__((naked))
#define __noinline		__attribute__((noinline))
#define __always_inline_fn	inline __attribute__((always_inline))

/* operands for inline asm */
#define __imm(name)		[name] "i"(name)
#define __imm_const(name, expr)	[name] "i"(expr)
#define __imm_addr(name)	[name] "i"(&name)
#define __clobber_all		"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#define __clobber_common	"r0", "r1", "r2", "r3", "r4", "r5", "memory"

#ifndef NULL
#define NULL ((void *)0)
#endif

#endif
