// The error a verification stops with: the kernel's message and the instruction it concerns.
export class VerifierError extends Error {
  constructor(message: string, public insn: number) { super(message); }
}
