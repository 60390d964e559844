#!/usr/bin/env bash
# Installs what dtb needs on Debian: the C libraries it links, the PostgreSQL server it embeds,
# HDF5's command-line tools and Open MPI (library and mpirun, for runs over ranks). Idempotent, and quick
# when everything is present.
set -euo pipefail

# chromium: the dashboard's browser test (WebServiceTests) loads every page headless.
packages=(pkg-config libpq-dev libssl-dev libhdf5-dev hdf5-tools libnifti2-dev zlib1g-dev postgresql libopenmpi-dev openmpi-bin chromium)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # Debian's postgresql package starts a system cluster on port 5432; dtb runs its own
  # private cluster on a unix socket and does not need that one.
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH (dtb needs Swift 6.1 or newer)" >&2
  exit 1
fi
