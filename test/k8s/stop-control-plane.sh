#!/usr/bin/env bash
# Stops the control plane started by start-control-plane.sh DIR, by the PIDs recorded in DIR/run/*.pid:
# TERM, then KILL after a bounded wait. The components first, etcd last. Leaves DIR (logs) in place.
# Usage: test/k8s/stop-control-plane.sh DIR
# Environment: WHARF_K8S_STOP_TIMEOUT (seconds to wait after TERM, default 10).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
[ -d "$1/run" ] || { k8s_log "nothing to stop in $1 (no run/ directory)"; exit 0; }
DIR=$(cd "$1" && pwd)
TIMEOUT=${WHARF_K8S_STOP_TIMEOUT:-10}

specs() { local n; for n in "$@"; do [ -f "$DIR/run/$n.pid" ] && echo "$n:$(cat "$DIR/run/$n.pid")"; done; return 0; }
mapfile -t first < <(specs kwok kube-scheduler kube-controller-manager kube-apiserver)
[ ${#first[@]} -gt 0 ] && k8s_stop_pids "$TIMEOUT" "${first[@]}"
mapfile -t last < <(specs etcd)
[ ${#last[@]} -gt 0 ] && k8s_stop_pids "$TIMEOUT" "${last[@]}"
for n in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  if k8s_pid_is "$(cat "$DIR/run/$n.pid" 2>/dev/null || true)" "$n"; then k8s_die "$n is still running"; fi
  rm -f "$DIR/run/$n.pid"
done
k8s_log "control plane in $DIR stopped"
