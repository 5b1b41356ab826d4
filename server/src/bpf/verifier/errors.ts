// The error a verification stops with: the kernel's message and the instruction it concerns.
// It is a verdict, not a fault: no stack trace is captured (capturing one through the verifier's
// frames cost more than verifying a small program).
export class VerifierError extends Error {
  insn: number;
  constructor(message: string, insn: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.insn = insn;
  }
}
