// SYNTAX TEST "source.c" "BPF asm injected into C inline asm"
static void f(void)
{
    asm volatile ("r1 = 0;"
//  ^^^ storage.type.asm.c
//      ^^^^^^^^ storage.modifier.c
//                 ^^ variable.language.register.bpf-asm
//                    ^ keyword.operator.bpf-asm
//                       ^ punctuation.terminator.statement.bpf-asm
        "call %[bpf_map_lookup_elem];"
//       ^^^^ keyword.control.call.bpf-asm
//            ^^^^^^^^^^^^^^^^^^^^^^ variable.parameter.operand.bpf-asm
        "if r0 == 0 goto l0_%=;"
//       ^^ keyword.control.jump.bpf-asm
//             ^^ keyword.operator.bpf-asm
//                       ^^^^^ entity.name.label.reference.bpf-asm
        "r2 = *(u64 *)(r10 - 8); # spill"
//              ^^^ storage.type.size.bpf-asm
//                     ^^^ variable.language.register.frame.bpf-asm
//                               ^^^^^^^ comment.line.number-sign.bpf-asm
        "l0_%=: exit;"
//       ^^^^^ entity.name.function.label.bpf-asm
//              ^^^^ keyword.control.exit.bpf-asm
        :
//      ^ punctuation.separator.operands.c
        : [bpf_map_lookup_elem]"i"(1)
//         ^^^^^^^^^^^^^^^^^^^ variable.parameter.operand.c
//                             ^^^ string.quoted.double.constraint.c
        : "r1");
//        ^^^^ string.quoted.double.constraint.c
    return;
//  ^^^^^^ storage.type.c
    char *s = "r0 = 1";
//            ^^^^^^^^ string.quoted.double.c
}
/* asm("r0 = 0") in a comment */
// ^^^ comment.block.c
