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
  libldap-dev                 # OpenLDAP client (LDAP login); Debian 12's libldap2-dev is a transitional name
  libarchive-dev              # image layers (tar + gzip)
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format
)
TEST_PKGS=(
  python3 curl procps openssl
  runc containernetworking-plugins iptables busybox-static  # local runtime integration tests
  docker-registry apache2-utils  # a real registry for image tests (htpasswd for basic auth)
  slapd ldap-utils            # a real OpenLDAP for the LDAP login tests (ldapmodify for changes)
  chromium                    # the console's browser tests (test/e2e: playwright-core drives it; no download)
  fonts-wqy-microhei          # CJK glyphs, so the zh-CN screenshots of those tests are legible
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
  # slapd: the tests start their own slapd (test/integration/ldap_fixture.py) on 127.0.0.1 with a config in a
  # temp dir; the package must not leave a system daemon listening on every address. Two guards: debconf's
  # slapd/no_configuration makes the postinst create no configuration or database (so an init script has
  # nothing to serve), and a policy-rc.d that refuses every start exists for the install only, unless the
  # machine already has one (containers usually do; this one answered "policy-rc.d denied execution of
  # start"). A slapd installed before is left as it is.
  policy_rc=""
  if [[ " ${missing[*]} " == *" slapd "* ]]; then
    echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      policy_rc=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\n# written by wharf scripts/install-deps.sh for the duration of one apt-get install\nexit 101\n' |
        $SUDO tee "$policy_rc" >/dev/null
      $SUDO chmod 755 "$policy_rc"
      trap '$SUDO rm -f "$policy_rc"' EXIT
    fi
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [[ -n "$policy_rc" ]]; then
    $SUDO rm -f "$policy_rc"
    trap - EXIT
  fi
fi

# pytest drives the integration tests; the machine's Python may come from pyenv rather than Debian.
if ! python3 -c 'import pytest' 2>/dev/null; then
  echo "install-deps: installing pytest"
  python3 -m pip install --quiet pytest 2>/dev/null || apt-get install -y -qq python3-pytest
fi
