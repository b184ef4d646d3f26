#!/usr/bin/env bash
# Smoke test of the test control plane: starts it in a temp dir, creates a namespace and a 3-replica
# Deployment (kwok fakes the pods: nothing is pulled), waits until 3 pods are Running and Ready on kwok
# nodes, checks that the no-RBAC token gets 403 listing pods (and the admin token 200), restarts only the
# kube-apiserver and checks it serves the same objects again, then stops everything.
# Prints "k8s smoke test: PASS" or "k8s smoke test: FAIL: <reason>" and exits 0 / 1.
# Usage: test/k8s/smoke-test.sh            Environment: WHARF_K8S_SMOKE_TIMEOUT (pods wait, default 90 s)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/wharf-k8s-smoke.XXXXXX")
t0=$(k8s_now_ms)
summary=
stopped=0

finish() {
  local rc=$? stop_ok=1
  [ "$stopped" = 1 ] || "$K8S_DIR/stop-control-plane.sh" "$DIR" || stop_ok=0
  if [ "$rc" -eq 0 ] && [ $stop_ok = 1 ]; then
    rm -rf "$DIR"
    echo "k8s smoke test: PASS ($summary, total $(( $(k8s_now_ms) - t0 )) ms)"
    exit 0
  fi
  [ $stop_ok = 1 ] || echo "stop-control-plane.sh failed" >&2
  echo "logs kept in $DIR/logs" >&2
  echo "k8s smoke test: FAIL: ${fail_reason:-exit code $rc}"
  exit 1
}
trap finish EXIT
fail() { fail_reason=$*; k8s_log "FAIL: $*"; exit 1; }

# 1. start (the build step inside exits at once when the binaries are cached)
"$K8S_DIR/build-control-plane.sh" || fail "build-control-plane.sh failed"
ts=$(k8s_now_ms)
"$K8S_DIR/start-control-plane.sh" "$DIR" || fail "start-control-plane.sh failed"
start_ms=$(( $(k8s_now_ms) - ts ))
summary="start ${start_ms} ms"
# shellcheck disable=SC1091
. "$DIR/env"
k() { "$KUBECTL" --kubeconfig="$KUBECONFIG" --request-timeout=10s "$@"; }
"$KUBECTL" version --kubeconfig="$KUBECONFIG" -o yaml | grep -E 'gitVersion' | sed 's/^/  /'

# 2. namespace + deployment
k create namespace smoke >/dev/null || fail "create namespace"
k -n smoke create deployment web --image=registry.invalid/wharf/smoke:1 --replicas=3 >/dev/null \
  || fail "create deployment"

# 3. three pods Running + Ready on kwok nodes (bounded poll)
tp=$(k8s_now_ms)
deadline=$((SECONDS + ${WHARF_K8S_SMOKE_TIMEOUT:-90}))
while :; do
  ready=$(k -n smoke get pods -l app=web -o \
    jsonpath='{range .items[*]}{.status.phase}/{.status.conditions[?(@.type=="Ready")].status}/{.spec.nodeName}{"\n"}{end}' \
    2>/dev/null | grep -c '^Running/True/kwok-node-' || true)
  [ "${ready:-0}" -ge 3 ] && break
  if [ $SECONDS -ge $deadline ]; then
    k -n smoke get deploy,rs,pods -o wide >&2 || true
    k -n smoke get events >&2 || true
    fail "only ${ready:-0}/3 pods Running+Ready on kwok nodes after ${WHARF_K8S_SMOKE_TIMEOUT:-90}s"
  fi
  sleep 0.25
done
pods_ms=$(( $(k8s_now_ms) - tp ))
summary+=", 3 pods ready ${pods_ms} ms"
k -n smoke get pods -o wide | sed 's/^/  /'
[ "$(k -n smoke get deploy web -o jsonpath='{.status.readyReplicas}')" = 3 ] || fail "deployment readyReplicas != 3"

# 4. authn/authz: no-RBAC token -> 403, admin token -> 200, bad token -> 401, token kubeconfig works
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$APISERVER_CA" "$@"; }
c=$(code -H "Authorization: Bearer $NORBAC_TOKEN" "$APISERVER_URL/api/v1/namespaces/smoke/pods")
[ "$c" = 403 ] || fail "no-RBAC token listing pods: HTTP $c, want 403"
c=$(code -H "Authorization: Bearer $ADMIN_TOKEN" "$APISERVER_URL/api/v1/namespaces/smoke/pods")
[ "$c" = 200 ] || fail "admin token listing pods: HTTP $c, want 200"
c=$(code -H "Authorization: Bearer not-a-token" "$APISERVER_URL/api/v1/namespaces/smoke/pods")
[ "$c" = 401 ] || fail "bad token: HTTP $c, want 401"
"$KUBECTL" --kubeconfig="$KUBECONFIG_TOKEN" -n smoke get deploy web >/dev/null || fail "kubeconfig-token does not work"
echo "  RBAC: no-RBAC token 403, admin token 200, bad token 401"

# 5. restart only the apiserver: same URL, same data
old_pid=$KUBE_APISERVER_PID
"$K8S_DIR/restart-apiserver.sh" "$DIR" || fail "restart-apiserver.sh failed"
# shellcheck disable=SC1091
. "$DIR/env"
[ "$KUBE_APISERVER_PID" != "$old_pid" ] || fail "apiserver PID unchanged after restart"
[ "$(k -n smoke get deploy web -o jsonpath='{.status.readyReplicas}')" = 3 ] || fail "deployment not served after apiserver restart"
for n in ETCD_PID KUBE_CONTROLLER_MANAGER_PID KUBE_SCHEDULER_PID KWOK_PID; do
  k8s_pid_running "${!n}" || fail "$n (${!n}) died during the apiserver restart"
done
summary+=", apiserver restart ok"

# 6. stop and check every recorded process is gone
all_pids="$ETCD_PID $KUBE_APISERVER_PID $KUBE_CONTROLLER_MANAGER_PID $KUBE_SCHEDULER_PID $KWOK_PID"
"$K8S_DIR/stop-control-plane.sh" "$DIR" || fail "stop-control-plane.sh failed"
stopped=1
for p in $all_pids; do
  k8s_pid_running "$p" && { stopped=0; fail "pid $p still running after stop"; }
done
exit 0
