#!/usr/bin/env bash
# Installs, when missing, exactly the Debian packages that building and testing Wharf need.
# Idempotent and quiet when everything is present; called by `make run` and `make test`.
set -euo pipefail

BUILD_PKGS=(
  g++ cmake ninja-build pkg-config make ccache
  libboost1.81-dev            # Asio/Beast (1.81: as_tuple, cancellation, awaitable operators)
  libexpected-dev             # tl::expected
  nlohmann-json3-dev libsimdjson-dev
  libsqlite3-dev libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev
  libargon2-dev
  libarchive-dev              # image layers (tar + gzip)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format
)
TEST_PKGS=(
  python3 curl procps openssl
  runc containernetworking-plugins iptables busybox-static  # local runtime integration tests
  docker-registry apache2-utils  # a real registry for image tests (htpasswd for basic auth)
)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
  [[ "$p" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # libboost1.81-dev conflicts with libboost-all-dev (1.74); the 1.81 packages are installed by name.
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# pytest drives the integration tests; the machine's Python may come from pyenv rather than Debian.
if ! python3 -c 'import pytest' 2>/dev/null; then
  echo "install-deps: installing pytest"
  python3 -m pip install --quiet pytest 2>/dev/null || apt-get install -y -qq python3-pytest
fi
