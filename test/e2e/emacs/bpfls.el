;;; bpfls.el --- bpfls with Eglot (Emacs 28 + elpa-eglot, or Emacs 29+ built-in) -*- lexical-binding: t -*-
;; Put this in your init file. `bpfls' must be on PATH.
;; BPF C files (*.bpf.c, *.bpf.h) are c-mode buffers; BPF assembly gets its own mode so that
;; Eglot sends languageId "bpf-asm".
(require 'eglot)

(define-derived-mode bpf-asm-mode asm-mode "BPF-asm"
  "Major mode for BPF assembly (LLVM or GAS syntax).")
(add-to-list 'auto-mode-alist '("\\.bpf\\.\\(s\\|S\\|asm\\)\\'" . bpf-asm-mode))

(add-to-list 'eglot-server-programs
             '((c-mode c-ts-mode bpf-asm-mode) . ("bpfls" "lsp" "--stdio")))

(defun bpfls-eglot-maybe ()
  "Start Eglot with bpfls for BPF sources only (other C files keep their usual server)."
  (when (and buffer-file-name
             (or (derived-mode-p 'bpf-asm-mode)
                 (string-match-p "\\.bpf\\.[ch]\\'" buffer-file-name)))
    (eglot-ensure)))
(add-hook 'c-mode-hook #'bpfls-eglot-maybe)
(add-hook 'c-ts-mode-hook #'bpfls-eglot-maybe)
(add-hook 'bpf-asm-mode-hook #'bpfls-eglot-maybe)
