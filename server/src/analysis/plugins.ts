// Every analysis feature, loaded for its registrations (see ./registry.ts). Add one line per
// feature module; the LSP server, the analysis worker and `bpfls check` all import this file.
import '../parse/syntax-errors';
import './clang-fixits';
import '../features/knowledge';
import '../features/fixes';
import '../features/emulator';
import '../features/asm';
import '../features/verifier';
import '../features/kernel-verifier';
