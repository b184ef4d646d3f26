#!/usr/bin/env bash
# Stops and/or starts only the kube-apiserver of a control plane from start-control-plane.sh, with the same
# port, flags, certificates and tokens; etcd and the other components keep running.
# Usage: test/k8s/restart-apiserver.sh DIR [restart|stop|start]     (default: restart)
#   stop   TERM (KILL after WHARF_K8S_STOP_TIMEOUT, default 10 s) and wait until it has exited
#   start  start it again and wait for /readyz (WHARF_K8S_START_TIMEOUT, default 60 s)
# Updates DIR/run/kube-apiserver.pid and KUBE_APISERVER_PID in DIR/env.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: $0 DIR [restart|stop|start]" >&2; exit 2; fi
if [ ! -f "$1/env" ] || [ ! -x "$1/run/kube-apiserver.sh" ]; then
  k8s_die "$1 holds no control plane (no env / run script)"
fi
PLANE_DIR=$(cd "$1" && pwd)
action=${2:-restart}
# shellcheck disable=SC1091
. "$PLANE_DIR/env"
pidfile=$PLANE_DIR/run/kube-apiserver.pid

do_stop() {
  local pid t0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  t0=$(k8s_now_ms)
  if k8s_pid_is "$pid" kube-apiserver; then
    k8s_stop_pids "${WHARF_K8S_STOP_TIMEOUT:-10}" "kube-apiserver:$pid"
    k8s_pid_running "$pid" && k8s_die "kube-apiserver (pid $pid) is still running"
    k8s_log "kube-apiserver (pid $pid) stopped in $(( $(k8s_now_ms) - t0 )) ms"
  else
    k8s_log "kube-apiserver is not running"
  fi
  rm -f "$pidfile"
  k8s_write_env "$PLANE_DIR"
}

do_start() {
  local t0
  k8s_pid_is "$(cat "$pidfile" 2>/dev/null || true)" kube-apiserver && k8s_die "kube-apiserver is already running"
  t0=$(k8s_now_ms)
  k8s_ensure_cmds curl=curl setsid=util-linux
  k8s_launch "$PLANE_DIR" kube-apiserver
  k8s_write_env "$PLANE_DIR"
  k8s_wait_apiserver $((SECONDS + ${WHARF_K8S_START_TIMEOUT:-60})) || exit 1
  k8s_log "kube-apiserver (pid $LAUNCHED_PID) ready on $APISERVER_URL in $(( $(k8s_now_ms) - t0 )) ms"
}

case $action in
  restart) do_stop; do_start ;;
  stop) do_stop ;;
  start) do_start ;;
  *) echo "usage: $0 DIR [restart|stop|start]" >&2; exit 2 ;;
esac
