#!/usr/bin/env bash
# shellcheck disable=SC2034  # some variables are only read by k8s_write_env (lib.sh), via ${!name}
# Starts a real Kubernetes control plane for tests on 127.0.0.1 with free random ports:
#   etcd, kube-apiserver (RBAC, client-cert + static-token auth), kube-controller-manager, kube-scheduler,
#   kwok (fakes 3 nodes and their pods).
# Usage: test/k8s/start-control-plane.sh DIR
# Writes into DIR: env (source it), kubeconfig (admin client cert), kubeconfig-token (admin bearer token),
#   pki/ (CA, certs, keys, tokens.csv), logs/<component>.log, run/<component>.{sh,pid}, etcd data.
# Stop with test/k8s/stop-control-plane.sh DIR. Builds the binaries first if needed (build-control-plane.sh).
# Environment: WHARF_K8S_START_TIMEOUT (seconds to wait for everything, default 120),
#              WHARF_K8S_NODES (fake node count, default 3),
#              WHARF_K8S_KEEP_ON_FAILURE=1 (leave the processes running when start fails).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
PLANE_DIR=$(cd "$1" && pwd)
TIMEOUT=${WHARF_K8S_START_TIMEOUT:-120}
NODES=${WHARF_K8S_NODES:-3}

for n in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
  if k8s_pid_is "$(cat "$PLANE_DIR/run/$n.pid" 2>/dev/null || true)" "$n"; then
    k8s_die "$n is already running from $PLANE_DIR (stop it with stop-control-plane.sh $PLANE_DIR)"
  fi
done

"$K8S_DIR/build-control-plane.sh"
k8s_ensure_cmds openssl=openssl curl=curl python3=python3 setsid=util-linux

t_start=$(k8s_now_ms)
deadline=$((SECONDS + TIMEOUT))
B=$K8S_BIN_DIR
PKI=$PLANE_DIR/pki
rm -rf "$PLANE_DIR/etcd" "$PKI" "$PLANE_DIR/run" "$PLANE_DIR/env" "$PLANE_DIR/logs"
mkdir -p "$PKI" "$PLANE_DIR/logs" "$PLANE_DIR/run" "$PLANE_DIR/etcd" "$PLANE_DIR/kwok"
chmod 700 "$PLANE_DIR/etcd" "$PKI"

started=0
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ $started = 1 ]; then
    k8s_log "control plane start FAILED (exit $rc); logs in $PLANE_DIR/logs"
    if [ "${WHARF_K8S_KEEP_ON_FAILURE:-0}" = 1 ]; then
      k8s_log "WHARF_K8S_KEEP_ON_FAILURE=1: leaving the processes running"
    else
      "$K8S_DIR/stop-control-plane.sh" "$PLANE_DIR" || true
    fi
  fi
}
trap on_exit EXIT

# ---- ports -----------------------------------------------------------------------------------------------
read -r ETCD_PORT ETCD_PEER_PORT APISERVER_PORT KUBE_CONTROLLER_MANAGER_PORT KUBE_SCHEDULER_PORT KWOK_PORT \
  <<< "$(k8s_free_ports 6)"

ETCD_ENDPOINT=http://127.0.0.1:$ETCD_PORT
ETCD=$ETCD_ENDPOINT

# ---- etcd (needs no PKI: it starts while the certificates are made) --------------------------------------
k8s_write_run_script "$PLANE_DIR" etcd "$B/etcd" \
  --name=wharf-test --data-dir="$PLANE_DIR/etcd" \
  --listen-client-urls="$ETCD_ENDPOINT" --advertise-client-urls="$ETCD_ENDPOINT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="wharf-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --log-level=warn

started=1
k8s_launch "$PLANE_DIR" etcd
k8s_write_env "$PLANE_DIR"

# ---- PKI (openssl, EC P-256) -----------------------------------------------------------------------------
cat > "$PKI/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:10.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF
ossl() { openssl "$@" 2>>"$PKI/openssl.log" || { cat "$PKI/openssl.log" >&2; k8s_die "openssl $1 failed"; }; }
mkca() { # NAME SUBJECT
  ossl req -x509 -config "$PKI/openssl.cnf" -extensions ca -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.crt" -days 3650 -subj "$2"
}
issue() { # CA NAME SUBJECT EXTENSION_SECTION
  ossl req -new -config "$PKI/openssl.cnf" -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/$2.key" -out "$PKI/$2.csr" -subj "$3"
  ossl x509 -req -in "$PKI/$2.csr" -CA "$PKI/$1.crt" -CAkey "$PKI/$1.key" -set_serial "0x$(openssl rand -hex 12)" \
    -days 3650 -extfile "$PKI/openssl.cnf" -extensions "$4" -out "$PKI/$2.crt"
  rm -f "$PKI/$2.csr"
}
mkca ca "/CN=wharf-test-ca"
issue ca apiserver "/CN=kube-apiserver" server
issue ca admin "/O=system:masters/CN=wharf-admin" client
issue ca kube-controller-manager "/O=system:masters/CN=system:kube-controller-manager" client
issue ca kube-scheduler "/CN=system:kube-scheduler" client
# Front proxy (aggregation layer / requestheader authentication): its own CA, as kubeadm does. Without it
# the controller manager and scheduler log "missing content for CA bundle" errors.
mkca front-proxy-ca "/CN=wharf-test-front-proxy-ca"
issue front-proxy-ca front-proxy-client "/CN=front-proxy-client" client
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/sa.key"
ossl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

ADMIN_USER=wharf-admin NORBAC_USER=wharf-norbac
ADMIN_TOKEN=$(openssl rand -hex 24)
NORBAC_TOKEN=$(openssl rand -hex 24)
cat > "$PKI/tokens.csv" <<EOF
$ADMIN_TOKEN,$ADMIN_USER,wharf-admin-uid,"system:masters"
$NORBAC_TOKEN,$NORBAC_USER,wharf-norbac-uid
EOF
chmod 600 "$PKI"/*.key "$PKI/tokens.csv"

APISERVER_URL=https://127.0.0.1:$APISERVER_PORT
APISERVER_CA=$PKI/ca.crt
KUBECONFIG=$PLANE_DIR/kubeconfig
KUBECONFIG_TOKEN=$PLANE_DIR/kubeconfig-token
KUBECTL=$B/kubectl
K8S_CONTROL_PLANE_DIR=$PLANE_DIR

kubeconfig() { # FILE USER AUTH_LINES...
  local f=$1 user=$2; shift 2
  { cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: wharf-test
  cluster:
    server: $APISERVER_URL
    certificate-authority: $PKI/ca.crt
contexts:
- name: wharf-test
  context:
    cluster: wharf-test
    user: $user
current-context: wharf-test
users:
- name: $user
  user:
EOF
    printf '    %s\n' "$@"; } > "$f"
  chmod 600 "$f"
}
kubeconfig "$KUBECONFIG" "$ADMIN_USER" "client-certificate: $PKI/admin.crt" "client-key: $PKI/admin.key"
kubeconfig "$KUBECONFIG_TOKEN" "$ADMIN_USER" "token: $ADMIN_TOKEN"
kubeconfig "$PLANE_DIR/kubeconfig-norbac" "$NORBAC_USER" "token: $NORBAC_TOKEN"
for c in kube-controller-manager kube-scheduler; do
  kubeconfig "$PKI/$c.kubeconfig" "system:$c" "client-certificate: $PKI/$c.crt" "client-key: $PKI/$c.key"
done
export KUBECONFIG
k8s_log "PKI and kubeconfigs ready ($(( $(k8s_now_ms) - t_start )) ms)"

# ---- run scripts -----------------------------------------------------------------------------------------
# --endpoint-reconciler-type=none: the "kubernetes" Endpoints would hold 127.0.0.1, which validation refuses
# ("may not be in the loopback range"), logged every 10 s. --shutdown-send-retry-after=true: on TERM, drain
# the in-flight requests, then give open watches 2 s instead of --request-timeout (60 s), so a stop or
# restart-apiserver.sh is quick while controllers hold watches open.
k8s_write_run_script "$PLANE_DIR" kube-apiserver "$B/kube-apiserver" \
  --etcd-servers="$ETCD_ENDPOINT" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
  --cert-dir="$PKI/kube-apiserver" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --token-auth-file="$PKI/tokens.csv" \
  --authorization-mode=RBAC \
  --service-account-issuer="https://kubernetes.default.svc.cluster.local" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --endpoint-reconciler-type=none \
  --allow-privileged=true \
  --shutdown-send-retry-after=true \
  --profiling=false

# The controller manager runs every controller under its own identity (client cert in system:masters),
# not --use-service-account-credentials=true as kubeadm does: that creates a ServiceAccount and requests a
# token per controller one after the other, which made the start ~4.5 s slower here.
k8s_write_run_script "$PLANE_DIR" kube-controller-manager "$B/kube-controller-manager" \
  --kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig="$PKI/kube-controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KUBE_CONTROLLER_MANAGER_PORT" \
  --cert-dir="$PKI/kube-controller-manager" \
  --leader-elect=false \
  --use-service-account-credentials=false \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --profiling=false

k8s_write_run_script "$PLANE_DIR" kube-scheduler "$B/kube-scheduler" \
  --kubeconfig="$PKI/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig="$PKI/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig="$PKI/kube-scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KUBE_SCHEDULER_PORT" \
  --leader-elect=false \
  --profiling=false

# kwok: standalone kwok has no built-in stages ("no stages found"): its config is the default fast stages
# (node-initialize, node-heartbeat-with-lease, pod-ready/complete/delete) that build-control-plane.sh copied
# from the kwok module. --config also keeps a ~/.kwok/kwok.yaml on the machine out. Node IP 127.0.0.1 so
# nothing ever dials an outside address for a fake kubelet; pod IPs are fake (never dialled).
cp "$B/kwok-stages.yaml" "$PLANE_DIR/kwok/kwok.yaml"
k8s_write_run_script "$PLANE_DIR" kwok "$B/kwok" \
  --kubeconfig="$KUBECONFIG" \
  --config="$PLANE_DIR/kwok/kwok.yaml" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-ip=127.0.0.1 --cidr=10.244.0.0/16 \
  --node-lease-duration-seconds=40 \
  --server-address="127.0.0.1:$KWOK_PORT"

# ---- start -----------------------------------------------------------------------------------------------
k8s_wait_http_ok "$deadline" etcd "etcd /health" "$ETCD_ENDPOINT/health"
k8s_log "etcd ready on $ETCD_ENDPOINT ($(( $(k8s_now_ms) - t_start )) ms)"

k8s_launch "$PLANE_DIR" kube-apiserver
k8s_write_env "$PLANE_DIR"
k8s_wait_apiserver "$deadline"
k8s_log "kube-apiserver ready on $APISERVER_URL ($(( $(k8s_now_ms) - t_start )) ms)"

for n in kube-controller-manager kube-scheduler kwok; do k8s_launch "$PLANE_DIR" "$n"; done
k8s_write_env "$PLANE_DIR"

# Fake nodes, managed by kwok through the annotation; allocatable so pods schedule.
{
  for i in $(seq 0 $((NODES - 1))); do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110", ephemeral-storage: 100Gi}
  capacity: {cpu: "32", memory: 256Gi, pods: "110", ephemeral-storage: 100Gi}
  nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: fake, kubeProxyVersion: fake}
EOF
  done
} > "$PLANE_DIR/kwok/nodes.yaml"
"$KUBECTL" create -f "$PLANE_DIR/kwok/nodes.yaml" > "$PLANE_DIR/logs/create-nodes.log" 2>&1 \
  || { cat "$PLANE_DIR/logs/create-nodes.log" >&2; k8s_die "creating the fake nodes failed"; }

k8s_wait_http_ok "$deadline" kube-controller-manager "kube-controller-manager /healthz" -k \
  "https://127.0.0.1:$KUBE_CONTROLLER_MANAGER_PORT/healthz"
k8s_wait_http_ok "$deadline" kube-scheduler "kube-scheduler /healthz" -k \
  "https://127.0.0.1:$KUBE_SCHEDULER_PORT/healthz"
k8s_log "kube-controller-manager and kube-scheduler healthy ($(( $(k8s_now_ms) - t_start )) ms)"

# Nodes Ready (kwok) and untainted (the node lifecycle controller lifts the not-ready taint), and the
# default ServiceAccount exists (the controller manager works): then pods can be created and scheduled.
ready_nodes() {
  "$KUBECTL" get nodes -l type=kwok --request-timeout=5s -o \
    jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}/{.spec.taints}{"\n"}{end}' \
    2>/dev/null | grep -c '^True/$' || true
}
while :; do
  n=$(ready_nodes)
  if [ "${n:-0}" -ge "$NODES" ] && "$KUBECTL" get serviceaccount default -n default --request-timeout=5s >/dev/null 2>&1; then
    break
  fi
  for c in kwok kube-controller-manager kube-scheduler kube-apiserver etcd; do
    k8s_pid_is "$(cat "$PLANE_DIR/run/$c.pid")" "$c" || { k8s_log "$c exited"; k8s_tail_log "$PLANE_DIR/logs/$c.log"; exit 1; }
  done
  if [ $SECONDS -ge $deadline ]; then
    k8s_log "timed out waiting for $NODES Ready untainted nodes (have ${n:-0}) and the default ServiceAccount"
    "$KUBECTL" get nodes -o wide >&2 || true
    k8s_tail_log "$PLANE_DIR/logs/kwok.log"
    k8s_tail_log "$PLANE_DIR/logs/kube-controller-manager.log"
    exit 1
  fi
  sleep 0.2
done

k8s_write_env "$PLANE_DIR"
k8s_log "control plane ready in $(( $(k8s_now_ms) - t_start )) ms: $APISERVER_URL; source $PLANE_DIR/env"
