#!/usr/bin/env bash
# Runs every Kubernetes test against one control plane: the client and driver gtests (ctest label k8s)
# and the end-to-end pytest through the wharf server. Builds the control plane if needed (cached: the
# first build takes about half an hour), starts it in a temp dir, and stops it by PID when done.
# Usage: test/k8s/run-tests.sh BUILD_DIR        (WHARF_K8S_DIR=<running plane> reuses one instead)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)

if [ -z "${WHARF_K8S_DIR:-}" ]; then
  bash "$HERE/build-control-plane.sh"
  WHARF_K8S_DIR=$(mktemp -d /tmp/wharf-k8s-XXXXXX)
  trap 'bash "$HERE/stop-control-plane.sh" "$WHARF_K8S_DIR" && rm -rf "$WHARF_K8S_DIR"' EXIT
  bash "$HERE/start-control-plane.sh" "$WHARF_K8S_DIR"
fi
export WHARF_K8S_DIR

(cd "$BUILD" && ctest --output-on-failure -L k8s)
WHARF_BIN="$BUILD/wharf" python3 -m pytest -q -p no:cacheprovider "$HERE/test_kubernetes_driver.py"
