#!/usr/bin/env bash
# Installs, from Debian's packages, the independent tools the tests check erphub against
# when they are missing: hledger (reads the exported journal and must agree with every
# account balance), and chromium with a CJK font (fonts-wqy-microhei; without it Chinese
# renders as empty boxes) for the browser tests of the phone web app at /app/.
# Usage: deploy/local/tools.sh [package ...] (default: hledger).
set -euo pipefail
want=("$@")
if [[ ${#want[@]} -eq 0 ]]; then want=(hledger); fi
missing=()
for p in "${want[@]}"; do
  case "$p" in
  chromium)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
    ;;
  *) command -v "$p" >/dev/null 2>&1 || missing+=("$p") ;;
  esac
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "installing ${missing[*]} from Debian's packages" >&2
sudo=""
if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
