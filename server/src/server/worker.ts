// Worker-thread entry for long analyses (compile, verify, emulate). Filled in by the server.
export {};
