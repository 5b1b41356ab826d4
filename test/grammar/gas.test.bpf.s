# SYNTAX TEST "source.bpf-asm" "GAS/uBPF syntax"
    mov32 %r0, 0
#   ^^^^^ keyword.other.mnemonic.bpf-asm
#         ^ punctuation.definition.register.bpf-asm
#          ^^ variable.language.register.bpf-asm
#              ^ constant.numeric.decimal.bpf-asm
    ldxw %r0, [%r1+4]
#   ^^^^ keyword.other.mnemonic.bpf-asm
#             ^ punctuation.section.bpf-asm
#               ^^ variable.language.register.bpf-asm
#                  ^ constant.numeric.decimal.bpf-asm
    jslt %r1, 5, done
#   ^^^^ keyword.other.mnemonic.bpf-asm
#                ^^^^ variable.other.symbol.bpf-asm
    lock fetch add [%r10-8], %r1
#   ^^^^ keyword.other.atomic.bpf-asm
#        ^^^^^ keyword.other.atomic.bpf-asm
#              ^^^ keyword.other.mnemonic.bpf-asm
    be16 %r0
#   ^^^^ support.function.bpf-asm
    lddw %r1, 0x1122334455667788
#   ^^^^ keyword.other.mnemonic.bpf-asm
#             ^^^^^^^^^^^^^^^^^^ constant.numeric.hex.bpf-asm
    call local func1
#   ^^^^ keyword.control.call.bpf-asm
#        ^^^^^ storage.modifier.call-kind.bpf-asm
done:
# <---- entity.name.function.label.bpf-asm
    exit
#   ^^^^ keyword.control.exit.bpf-asm
