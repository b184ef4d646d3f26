# Shared helpers for the test/k8s scripts. Sourced, not executed.
# shellcheck shell=bash disable=SC2034

K8S_VERSION=1.34.4       # k8s.io/kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl)
ETCD_VERSION=3.6.16      # go.etcd.io/etcd/server/v3
KWOK_VERSION=0.8.0       # sigs.k8s.io/kwok (go.mod says go 1.26.0; v0.9+/main need newer Go)

K8S_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WHARF_CACHE=${WHARF_CACHE:-$HOME/.cache/wharf}
K8S_BIN_DIR=${K8S_BIN_DIR:-$WHARF_CACHE/k8s-v$K8S_VERSION/bin}
K8S_BINARIES=(etcd kwok kube-apiserver kube-controller-manager kube-scheduler kubectl)

k8s_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
k8s_die() { k8s_log "ERROR: $*"; exit 1; }

# k8s_ensure_cmds CMD=DEBIAN_PACKAGE ...: installs the Debian package of each missing command.
k8s_ensure_cmds() {
  local want=() spec cmd pkg sudo=
  for spec in "$@"; do
    cmd=${spec%%=*}; pkg=${spec#*=}
    command -v "$cmd" >/dev/null 2>&1 || want+=("$pkg")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || k8s_die "missing ${want[*]} and no apt-get to install them"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || k8s_die "missing ${want[*]}: run as root or install them"
    sudo=sudo
  fi
  k8s_log "installing Debian packages: ${want[*]}"
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}" >&2; then
    $sudo apt-get update -q >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}" >&2
  fi
}

# k8s_free_ports N: prints N distinct TCP ports that are free on 127.0.0.1, chosen at random outside the
# kernel's ephemeral range (ip_local_port_range), so an outgoing connection cannot take one of them as its
# source port between this check and the component's bind.
k8s_free_ports() {
  python3 - "$1" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
try:
    lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except OSError:
    lo, hi = 32768, 60999
pool = list(range(10000, lo)) if lo - 10000 >= 1000 else list(range(hi + 1, 65536))
random.shuffle(pool)
ports = []
for port in pool:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    ports.append(port)
    if len(ports) == n:
        break
if len(ports) < n:
    sys.exit("no free ports")
print(" ".join(map(str, ports)))
EOF
}

# k8s_pid_is PID NAME: true if PID is alive and runs the binary NAME (guards against PID reuse).
k8s_pid_is() {
  local pid=$1 name=$2 exe
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [ "${exe##*/}" = "$name" ] || [ "${exe##*/}" = "$name (deleted)" ]
}

# k8s_pid_running PID: true while PID exists and is no zombie. (A dying process loses /proc/PID/exe before
# it closes its sockets, so "exited" means gone or zombie, not "exe unreadable".)
k8s_pid_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# k8s_stop_pids TIMEOUT_SECONDS NAME:PID ...: TERM each, wait up to TIMEOUT, then KILL the rest.
k8s_stop_pids() {
  local timeout=$1; shift
  local spec name pid live=() deadline
  for spec in "$@"; do
    name=${spec%%:*}; pid=${spec#*:}
    if k8s_pid_is "$pid" "$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      live+=("$spec")
    fi
  done
  deadline=$((SECONDS + timeout))
  while [ ${#live[@]} -gt 0 ] && [ $SECONDS -lt $deadline ]; do
    local still=()
    for spec in "${live[@]}"; do
      k8s_pid_running "${spec#*:}" && still+=("$spec")
    done
    live=("${still[@]+"${still[@]}"}")
    [ ${#live[@]} -gt 0 ] && sleep 0.1
  done
  for spec in "${live[@]+"${live[@]}"}"; do
    k8s_log "${spec%%:*} (pid ${spec#*:}) did not exit after TERM within ${timeout}s: KILL"
    kill -KILL "${spec#*:}" 2>/dev/null || true
  done
  # Reap the KILLed ones (bounded: KILL cannot be ignored).
  for spec in "${live[@]+"${live[@]}"}"; do
    deadline=$((SECONDS + 5))
    while k8s_pid_running "${spec#*:}" && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
  done
}

# k8s_tail_log FILE: prints the last lines of a component log to stderr.
k8s_tail_log() {
  local f=$1
  [ -f "$f" ] || return 0
  printf '%s\n' "----- last 40 lines of $f -----" >&2
  tail -n 40 "$f" >&2
  printf '%s\n' "----- end of $f -----" >&2
}

# k8s_now_ms: milliseconds since the epoch.
k8s_now_ms() { date +%s%3N; }

# ---- running the control plane (used by start-control-plane.sh and restart-apiserver.sh) ------------------

# k8s_launch DIR NAME: runs DIR/run/NAME.sh (which execs the binary) in its own session, logging to
# DIR/logs/NAME.log, records DIR/run/NAME.pid and sets the variable LAUNCHED_PID.
k8s_launch() {
  local dir=$1 name=$2 pid deadline
  printf '==== %s starting %s\n' "$(date -u +%FT%T.%3NZ)" "$name" >> "$dir/logs/$name.log"
  setsid "$dir/run/$name.sh" >> "$dir/logs/$name.log" 2>&1 < /dev/null &
  pid=$!
  # setsid does not fork here (a background job is no process-group leader), and the run script execs the
  # binary, so $! becomes the binary's PID: wait (bounded) for the exec.
  deadline=$((SECONDS + 10))
  until k8s_pid_is "$pid" "$name"; do
    [ -d "/proc/$pid" ] || break
    [ $SECONDS -lt $deadline ] || break
    sleep 0.01
  done
  echo "$pid" > "$dir/run/$name.pid"
  LAUNCHED_PID=$pid
}

# k8s_write_run_script DIR NAME BINARY ARGS...: writes DIR/run/NAME.sh that execs BINARY with ARGS.
k8s_write_run_script() {
  local dir=$1 name=$2; shift 2
  { echo '#!/bin/sh'
    printf 'exec'; printf ' %q' "$@"; printf '\n'
  } > "$dir/run/$name.sh"
  chmod +x "$dir/run/$name.sh"
}

# k8s_wait_http_ok DEADLINE NAME WHAT CURL_ARGS...: polls with curl until HTTP 200 or SECONDS >= DEADLINE,
# failing early if the component NAME (pid in $PLANE_DIR/run/NAME.pid) exits. On failure prints the tail of
# $PLANE_DIR/logs/NAME.log and returns 1.
k8s_wait_http_ok() {
  local deadline=$1 name=$2 what=$3; shift 3
  local pid code
  pid=$(cat "$PLANE_DIR/run/$name.pid" 2>/dev/null || true)
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" 2>/dev/null || true)
    [ "$code" = 200 ] && return 0
    if ! k8s_pid_is "$pid" "$name"; then
      k8s_log "$name exited while waiting for $what"
      k8s_tail_log "$PLANE_DIR/logs/$name.log"
      return 1
    fi
    if [ $SECONDS -ge "$deadline" ]; then
      k8s_log "timed out waiting for $what (last HTTP status: ${code:-none})"
      k8s_tail_log "$PLANE_DIR/logs/$name.log"
      return 1
    fi
    sleep 0.1
  done
}

# k8s_wait_apiserver DEADLINE: waits for kube-apiserver /readyz (needs PLANE_DIR and DIR/env values).
k8s_wait_apiserver() {
  k8s_wait_http_ok "$1" kube-apiserver "kube-apiserver /readyz" \
    --cacert "$PLANE_DIR/pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "$APISERVER_URL/readyz"
}

# k8s_write_env DIR: (re)writes DIR/env from the variables below and the pid files.
k8s_write_env() {
  local dir=$1 v n
  local -A pids=()
  for n in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
    pids[$n]=$(cat "$dir/run/$n.pid" 2>/dev/null || true)
  done
  {
    echo "# Written by test/k8s/start-control-plane.sh; source it: . $dir/env"
    for v in K8S_CONTROL_PLANE_DIR K8S_BIN_DIR KUBECTL KUBECONFIG KUBECONFIG_TOKEN APISERVER_URL APISERVER_PORT \
             APISERVER_CA ADMIN_USER ADMIN_TOKEN NORBAC_USER NORBAC_TOKEN ETCD ETCD_ENDPOINT \
             KUBE_CONTROLLER_MANAGER_PORT KUBE_SCHEDULER_PORT KWOK_PORT; do
      printf 'export %s=%q\n' "$v" "${!v-}"
    done
    printf 'export ETCD_PID=%q\n' "${pids[etcd]}"
    printf 'export KUBE_APISERVER_PID=%q\n' "${pids[kube-apiserver]}"
    printf 'export KUBE_CONTROLLER_MANAGER_PID=%q\n' "${pids[kube-controller-manager]}"
    printf 'export KUBE_SCHEDULER_PID=%q\n' "${pids[kube-scheduler]}"
    printf 'export KWOK_PID=%q\n' "${pids[kwok]}"
  } > "$dir/env.new"
  mv -f "$dir/env.new" "$dir/env"
}
