#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/debian_packages.txt, which the
# interoperability, benchmark, browser and shared-file-system tests use. Needs
# root and apt-get; elsewhere it says so and those tests skip with a message.
set -uo pipefail
cd "$(dirname "$0")/.."
mapfile -t packages < <(grep -v '^\s*#' scripts/debian_packages.txt | awk 'NF { print $1 }')
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install_system_deps: not root or no apt-get; tests that need ${packages[*]} will skip"
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_system_deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install_system_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || echo "install_system_deps: apt-get update failed; trying the install anyway"
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/filestore-apt.log 2>&1; then
  echo "install_system_deps: apt-get install failed (see /tmp/filestore-apt.log); the tests that need them will skip"
  tail -5 /tmp/filestore-apt.log
fi
exit 0
