#!/usr/bin/env bash
# Installs what the editor end-to-end tests need (test/e2e), on Debian 12 as root:
#   apt: chromium (driven by playwright-core, never a downloaded browser), neovim, emacs-nox +
#        elpa-eglot, libkrb5-dev (code-server's kerberos addon builds against it), ripgrep;
#   npm: code-server 4.100.3 (the last release that runs on Node 20) into a cache directory
#        outside the repository ($BPFLS_E2E_CACHE, default ~/.cache/bpfls-e2e).
# playwright-core is a root devDependency, installed by `npm ci`.
# Idempotent: each step is skipped when its result is already there. Usage: scripts/e2e-setup.sh
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# code-server 4.100.3's lib/vscode/npm-shrinkwrap.json pins @vscode/ripgrep 1.15.11, whose
# postinstall fetches ripgrep-v13.0.0-10-<target>.tar.gz from GitHub unless the file is already in
# $TMPDIR/vscode-ripgrep-cache-1.15.11. We put Debian's rg there instead.
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_PREBUILT=v13.0.0-10

CACHE="${BPFLS_E2E_CACHE:-$HOME/.cache/bpfls-e2e}"
export DEBIAN_FRONTEND=noninteractive

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v nvim >/dev/null || need+=(neovim)
command -v emacs >/dev/null || need+=(emacs-nox)
[ -d /usr/share/emacs/site-lisp/elpa-src ] && ls -d /usr/share/emacs/site-lisp/elpa-src/eglot-* >/dev/null 2>&1 || need+=(elpa-eglot)
[ -f /usr/include/krb5.h ] || need+=(libkrb5-dev)
command -v rg >/dev/null || need+=(ripgrep)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "e2e-setup: apt-get install ${need[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi

cs="$CACHE/code-server-$CODE_SERVER_VERSION"
csbin="$cs/node_modules/.bin/code-server"
if [ -x "$csbin" ] && [ -e "$cs/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; then
  echo "e2e-setup: code-server $CODE_SERVER_VERSION already in $cs"
else
  case "$(uname -m)" in
    x86_64) target=x86_64-unknown-linux-musl ;;
    aarch64) target=aarch64-unknown-linux-musl ;;
    *) echo "e2e-setup: no ripgrep target for $(uname -m)" >&2; exit 1 ;;
  esac
  work="$CACHE/install-tmp"
  rm -rf "$work" "$cs"
  mkdir -p "$work/rg-cache/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION" "$work/rg" "$cs"
  cp "$(command -v rg)" "$work/rg/rg"
  tar czf "$work/rg-cache/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION/ripgrep-$RIPGREP_PREBUILT-$target.tar.gz" -C "$work/rg" rg
  # Native addons build with node-gyp; Debian's nodejs ships its headers, so nothing is downloaded.
  if [ -f /usr/include/node/common.gypi ]; then export npm_config_nodedir=/usr; fi
  # A local install in its own directory, not -g: under a global install the postinstall's nested
  # `npm install` in lib/vscode inherits global mode and fails (ENOTEMPTY) with npm 10/11.
  printf '{ "name": "bpfls-e2e-code-server", "private": true }\n' > "$cs/package.json"
  echo "e2e-setup: npm install code-server@$CODE_SERVER_VERSION in $cs (takes a few minutes)"
  (cd "$cs" && TMPDIR="$work/rg-cache" npm_config_yes=true npm_config_update_notifier=false \
    npm install --unsafe-perm --no-audit --no-fund --no-package-lock "code-server@$CODE_SERVER_VERSION")
  rm -rf "$work"
  [ -x "$csbin" ] || { echo "e2e-setup: code-server did not install" >&2; exit 1; }
fi
echo "e2e-setup: done (code-server: $csbin)"
