# SYNTAX TEST "source.bpf-asm" "LLVM syntax"
    .section xdp,"ax",@progbits
#   ^^^^^^^^ keyword.control.directive.bpf-asm
#            ^^^ entity.name.section.bpf-asm
    .globl prog
#          ^^^^ entity.name.symbol.bpf-asm
prog:                                   # the program
# <---- entity.name.function.label.bpf-asm
#                                       ^^^^^^^^^^^^^ comment.line.number-sign.bpf-asm
    r0 = *(u32 *)(r1 + 0x4)
#   ^^ variable.language.register.bpf-asm
#      ^ keyword.operator.bpf-asm
#          ^^^ storage.type.size.bpf-asm
#                      ^^^ constant.numeric.hex.bpf-asm
    if w1 s> -7 goto +3 <prog+0x20>
#   ^^ keyword.control.jump.bpf-asm
#      ^^ variable.language.register.bpf-asm
#         ^^ keyword.operator.bpf-asm
#            ^^ constant.numeric.decimal.bpf-asm
#               ^^^^ keyword.control.jump.bpf-asm
#                        ^^^^^^^^^ entity.name.label.reference.bpf-asm
    r1 = map ll
#        ^^^ variable.other.symbol.bpf-asm
#            ^^ storage.modifier.wide.bpf-asm
    call bpf_map_lookup_elem
#   ^^^^ keyword.control.call.bpf-asm
#        ^^^^^^^^^^^^^^^^^^^ variable.other.symbol.bpf-asm
    lock *(u64 *)(r10 - 8) += r2
#   ^^^^ keyword.other.atomic.bpf-asm
#                 ^^^ variable.language.register.frame.bpf-asm
    r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)
#        ^^^^^^^^^^^^^^^^ support.function.bpf-asm
    r0 = bswap16 r0; exit
#        ^^^^^^^ support.function.bpf-asm
#                  ^ punctuation.terminator.statement.bpf-asm
#                    ^^^^ keyword.control.exit.bpf-asm
// a C++-style comment
# <-- comment.line.double-slash.bpf-asm
