# SYNTAX TEST "source.bpf-asm" "llvm-objdump listing"
Disassembly of section xdp:
#                      ^^^ entity.name.section.bpf-asm

0000000000000000 <prog>:
#                 ^^^^ entity.name.function.bpf-asm
; int x = 1;
# <------------ comment.line.semicolon.bpf-asm
       5:	18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00	r1 = 0x0 ll
#      ^ constant.numeric.index.bpf-asm
#         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.other.bytes.bpf-asm
#                                                         ^^ variable.language.register.bpf-asm
#                                                                  ^^ storage.modifier.wide.bpf-asm
		0000000000000028:  R_BPF_64_64	m
#                    ^^^^^^^^^^^ support.type.relocation.bpf-asm
# ^^^^^^^^^^^^^^^^ constant.numeric.address.bpf-asm
