#!/usr/bin/env bash
# Installs the system packages dlquiz needs when they are missing: Redis (broker), bubblewrap
# (the grading sandbox), Chromium (browser tests), PostgreSQL and iproute2 (the PostgreSQL run
# and its worker-host tests). Only as root on Debian; otherwise it says
# what is missing and leaves the choice to the operator.
set -euo pipefail

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v chromium >/dev/null || missing+=(chromium)
[[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]] || missing+=(fonts-noto-cjk)
command -v msgfmt >/dev/null || missing+=(gettext)
# Worker-host tests (network namespaces) and `make test-postgres` (scripts/postgres.sh).
command -v ip >/dev/null || missing+=(iproute2)
command -v nsenter >/dev/null || missing+=(util-linux)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)

((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -eq 0 && -f /etc/debian_version ]]; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages (install them, e.g. apt-get install ${missing[*]}): ${missing[*]}" >&2
fi
