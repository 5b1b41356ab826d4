;;; check.el --- driven by test/e2e/emacs.test.ts -*- lexical-binding: t -*-
;; Loaded after bpfls.el by `emacs --batch': visits $BPFLS_E2E_FILE, lets eglot-ensure connect
;; (batch mode has no command loop, so the post-command hook it waits for is run by hand), waits
;; for bpfls's diagnostics in Flymake, asks for a hover on $BPFLS_E2E_HOVER, applies the preferred
;; code action for the diagnostic, waits for it to go, and writes what it saw as JSON to
;; $BPFLS_E2E_OUT.
(require 'json)
(require 'cl-lib)

(defvar bpfls-e2e-out (list))
(defun bpfls-e2e-put (k v) (setq bpfls-e2e-out (append bpfls-e2e-out (list (cons k v)))))

(defun bpfls-e2e-wait (pred secs)
  "Wait up to SECS for PRED. Batch mode runs no idle timers, so what Eglot and Flymake do on
idle timers after a change (send didChange; ask Eglot's backend) is done by hand every half second."
  (let ((deadline (+ (float-time) secs)) (next-start 0))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (when (and (bound-and-true-p flymake-mode) (> (float-time) next-start))
        (setq next-start (+ (float-time) 0.5))
        (when (bound-and-true-p eglot--managed-mode) (eglot--signal-textDocument/didChange))
        (flymake-start))
      (accept-process-output nil 0.05))
    (and (funcall pred) t)))

(defun bpfls-e2e-diags ()
  (mapcar (lambda (d)
            (let ((lsp (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d)))))
              (list (cons 'line (1- (line-number-at-pos (flymake-diagnostic-beg d))))
                    (cons 'type (format "%s" (flymake-diagnostic-type d)))
                    (cons 'code (plist-get lsp :code))
                    (cons 'message (flymake-diagnostic-text d)))))
          (flymake-diagnostics)))

(defun bpfls-e2e-find (code)
  (cl-find-if (lambda (d) (equal (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))) :code) code))
              (flymake-diagnostics)))

(let ((code (getenv "BPFLS_E2E_CODE")))
  (condition-case err
      (progn
        (find-file (getenv "BPFLS_E2E_FILE"))
        (run-hooks 'post-command-hook)
        (bpfls-e2e-put 'attached (bpfls-e2e-wait (lambda () (and (eglot-current-server) eglot--managed-mode)) 20))
        (bpfls-e2e-put 'diagnostic_seen (bpfls-e2e-wait (lambda () (bpfls-e2e-find code)) 25))
        (bpfls-e2e-put 'diagnostics (vconcat (bpfls-e2e-diags)))
        ;; Hover on the first call (outside comments) of the helper.
        (goto-char (point-min))
        (let ((word (getenv "BPFLS_E2E_HOVER")) found)
          (while (and (not found) (search-forward (concat word "(") nil t))
            (unless (nth 4 (syntax-ppss)) (setq found t)))
          (when found
            (goto-char (match-beginning 0))
            (let ((h (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                      (eglot--TextDocumentPositionParams))))
              (bpfls-e2e-put 'hover (let ((c (plist-get h :contents)))
                                      (if (stringp c) c (plist-get c :value)))))))
        ;; The code action for the diagnostic: what M-x eglot-code-actions offers there, applied
        ;; the way Eglot applies a chosen action.
        (let ((d (bpfls-e2e-find code)))
          (when d
            (let* ((actions (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
                   (chosen (or (cl-find-if (lambda (a) (plist-get a :isPreferred)) actions) (car actions))))
              (bpfls-e2e-put 'actions (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
              (when chosen
                (bpfls-e2e-put 'chosen (plist-get chosen :title))
                (when (plist-get chosen :edit) (eglot--apply-workspace-edit (plist-get chosen :edit)))
                (let ((cmd (plist-get chosen :command)))
                  (when cmd
                    (eglot-execute-command (eglot--current-server-or-lose)
                                           (intern (plist-get cmd :command)) (plist-get cmd :arguments)))))
              (bpfls-e2e-put 'diagnostic_gone (bpfls-e2e-wait (lambda () (not (bpfls-e2e-find code))) 25))
              (bpfls-e2e-put 'diagnostics_after (vconcat (bpfls-e2e-diags)))
              (bpfls-e2e-put 'text_after (buffer-substring-no-properties (point-min) (point-max)))))))
    (error (bpfls-e2e-put 'error (format "%S" err)))))

(with-temp-file (getenv "BPFLS_E2E_OUT")
  (insert (json-encode bpfls-e2e-out)))
(let ((s (eglot-current-server))) (when s (ignore-errors (eglot-shutdown s))))
(kill-emacs 0)
