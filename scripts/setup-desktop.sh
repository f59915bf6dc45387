#!/usr/bin/env bash
# Installs everything the desktop app (src-tauri/ + ui/) needs on a fresh
# Debian 12 machine: Tauri 2 system libraries, the Xvfb/WebDriver tools the
# end-to-end tests and screenshots use, the UI's npm packages and
# tauri-driver. Idempotent and non-interactive; run as root (or with sudo).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_packages=(
  # Tauri 2 on Linux (WebKitGTK 4.1 and friends)
  libwebkit2gtk-4.1-dev build-essential file pkg-config curl
  libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  # a real window without a screen, WebDriver for it, screenshots
  xvfb xauth webkit2gtk-driver imagemagick xclip
  # CJK glyphs so the Chinese UI renders in the window
  fonts-wqy-microhei
)

missing=()
for pkg in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "setup-desktop: installing ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup-desktop: system packages already installed" >&2
fi

# Vite 7 needs Node.js 20.19+ (Debian 12's own nodejs is 18: too old).
if ! command -v npm >/dev/null; then
  echo "setup-desktop: node/npm not found; install Node.js 20.19+ first" >&2
  exit 1
fi

# The exact versions of ui/package-lock.json; skipped when node_modules
# already matches it. Not `npm ci`: the registry reachable here has no
# entries for other platforms' optional packages (@tauri-apps/cli-darwin-*,
# @rollup/rollup-win32-*, ...), so the lock file cannot list them and npm ci
# refuses it as "out of sync"; `npm install --no-save` installs the same
# locked versions and leaves the lock file untouched.
# --ignore-scripts: no package may download anything at install time (the
# WebDriver client pulls in driver installers we never use; esbuild works
# from its platform package without its check script).
lock="$repo/ui/package-lock.json"
stamp="$repo/ui/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$lock" -nt "$stamp" ]]; then
  echo "setup-desktop: npm install (locked versions) in ui/" >&2
  (cd "$repo/ui" && npm install --no-save --no-audit --no-fund --ignore-scripts)
else
  echo "setup-desktop: ui/node_modules up to date" >&2
fi

if ! command -v tauri-driver >/dev/null; then
  echo "setup-desktop: cargo install tauri-driver" >&2
  cargo install tauri-driver --locked
else
  echo "setup-desktop: tauri-driver already installed" >&2
fi
