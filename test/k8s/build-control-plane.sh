#!/usr/bin/env bash
# Builds the binaries of the test Kubernetes control plane from the Go module proxy:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes v1.34.4)
#   etcd                                                             (go.etcd.io/etcd/server/v3)
#   kwok                                                             (sigs.k8s.io/kwok)
# into ${WHARF_CACHE:-$HOME/.cache/wharf}/k8s-v1.34.4/bin/, plus bin/kwok-stages.yaml (kwok's default
# "fast" node/pod Stage objects, taken from the kwok module: standalone kwok has no built-in stages).
# Each comes from its own wrapper module under test/k8s/modules/ (go.mod + go.sum pinned there). Exits at
# once when everything is there and the stamp file matches this script, the versions and the modules.
#
# Usage: test/k8s/build-control-plane.sh [--force] [--update-modules]
#   --force           rebuild even if the stamp matches
#   --update-modules  regenerate the wrapper modules' go.mod/go.sum from the pinned versions (needs the
#                     module proxy), then build
# Environment: WHARF_CACHE, GO (go binary), WHARF_BUILD_JOBS (go build -p, default 2),
#              WHARF_BUILD_NICE (nice level, default 19).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

force=0 update=0
for a in "$@"; do
  case $a in
    --force) force=1 ;;
    --update-modules) update=1; force=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) k8s_die "unknown argument: $a" ;;
  esac
done

MODS=$K8S_DIR/modules
STAMP=$K8S_BIN_DIR/.stamp

inputs_hash() {
  (cd "$K8S_DIR" && echo "$K8S_VERSION $ETCD_VERSION $KWOK_VERSION" && cat build-control-plane.sh \
     modules/kubernetes/go.mod modules/kubernetes/go.sum \
     modules/etcd/go.mod modules/etcd/go.sum modules/kwok/go.mod modules/kwok/go.sum
   uname -m) | sha256sum | cut -d' ' -f1
}

all_present() {
  local b
  for b in "${K8S_BINARIES[@]}"; do [ -x "$K8S_BIN_DIR/$b" ] || return 1; done
  [ -s "$K8S_BIN_DIR/kwok-stages.yaml" ]
}

if [ $force = 0 ] && all_present && [ -f "$STAMP" ] && [ "$(head -n1 "$STAMP")" = "$(inputs_hash)" ]; then
  k8s_log "control-plane binaries up to date in $K8S_BIN_DIR"
  exit 0
fi

# ---- toolchain -------------------------------------------------------------------------------------------
GO=${GO:-$(command -v go || true)}
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
if [ -z "$GO" ] || [ ! -x "$GO" ]; then k8s_die "no Go toolchain found (need Go >= 1.26.0; set GO=/path/to/go)"; fi
k8s_ensure_cmds sha256sum=coreutils flock=util-linux
[ -f /etc/ssl/certs/ca-certificates.crt ] || k8s_ensure_cmds update-ca-certificates=ca-certificates

export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"
unset GOOS GOARCH
gover=$("$GO" env GOVERSION)
case $gover in
  go1.2[6-9]*|go1.[3-9][0-9]*) ;;
  *) k8s_die "$GO is $gover; etcd $ETCD_VERSION and kwok v$KWOK_VERSION need Go >= 1.26.0" ;;
esac
JOBS=${WHARF_BUILD_JOBS:-2}
NICE=${WHARF_BUILD_NICE:-19}

mkdir -p "$K8S_BIN_DIR"
# One build at a time per cache (concurrent test runs wait here).
exec 9>"$K8S_BIN_DIR/.lock"
if ! flock -n 9; then
  k8s_log "another build holds $K8S_BIN_DIR/.lock: waiting"
  flock 9
  if [ $force = 0 ] && all_present && [ -f "$STAMP" ] && [ "$(head -n1 "$STAMP")" = "$(inputs_hash)" ]; then
    k8s_log "control-plane binaries up to date in $K8S_BIN_DIR (built by the other run)"
    exit 0
  fi
fi

# ---- regenerate the wrapper modules (only with --update-modules) ----------------------------------------
update_modules() {
  local GF=$GOFLAGS; export GOFLAGS=-buildvcs=false
  local kmin=${K8S_VERSION#1.} m modfile
  k8s_log "regenerating modules/kubernetes for k8s.io/kubernetes v$K8S_VERSION"
  ( cd "$MODS/kubernetes"
    printf 'module wharf.local/test/k8s/modules/kubernetes\n\ngo 1.24.0\n' > go.mod; : > go.sum
    "$GO" mod download -json "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null
    modfile=$("$GO" env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$K8S_VERSION.mod
    # Match the upstream go directive and GODEBUG defaults of k8s.io/kubernetes.
    "$GO" mod edit -go="$(sed -n 's/^go //p' "$modfile")"
    sed -n 's/^godebug \(.*\)/\1/p' "$modfile" | while read -r d; do "$GO" mod edit -godebug="$d"; done
    # Every staging module (replaced by ./staging/src/... upstream) -> its published v0.X.Y tag.
    for m in $(sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$modfile"); do
      "$GO" mod edit -replace="$m=$m@v0.$kmin"
    done
    for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
      "$GO" get -tool "k8s.io/kubernetes/cmd/$c@v$K8S_VERSION"
    done
    "$GO" mod tidy )
  k8s_log "regenerating modules/etcd for go.etcd.io/etcd/server/v3 v$ETCD_VERSION"
  ( cd "$MODS/etcd"
    printf 'module wharf.local/test/k8s/modules/etcd\n\ngo 1.26.0\n' > go.mod; : > go.sum
    "$GO" get -tool "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    "$GO" mod tidy )
  k8s_log "regenerating modules/kwok for sigs.k8s.io/kwok v$KWOK_VERSION"
  ( cd "$MODS/kwok"
    printf 'module wharf.local/test/k8s/modules/kwok\n\ngo 1.26.0\n' > go.mod; : > go.sum
    "$GO" get -tool "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
    "$GO" mod tidy )
  export GOFLAGS=$GF
}
[ $update = 1 ] && update_modules

# ---- build -----------------------------------------------------------------------------------------------
P=k8s.io/component-base/version C=k8s.io/client-go/pkg/version
K8S_LDFLAGS="-s -w"
for pkg in $P $C; do
  K8S_LDFLAGS+=" -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=${K8S_VERSION%%.*}"
  K8S_LDFLAGS+=" -X $pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  K8S_LDFLAGS+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

TMP=$K8S_BIN_DIR/.tmp
rm -rf "$TMP"; mkdir -p "$TMP"
rm -f "$STAMP"
t_all=$SECONDS
declare -A took

build_one() { # NAME MODULE_DIR PACKAGE LDFLAGS
  local name=$1 dir=$2 pkg=$3 ldflags=$4 t0=$SECONDS
  k8s_log "building $name ($pkg) ..."
  ( cd "$dir" && exec nice -n "$NICE" "$GO" build -p "$JOBS" -trimpath -ldflags "$ldflags" -o "$TMP/$name" "$pkg" ) &
  local pid=$! next=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $next ]; then
      k8s_log "  still building $name: $((SECONDS - t0))s (total elapsed $((SECONDS - t_all))s)"
      next=$((SECONDS + 60))
    fi
    sleep 1
  done
  wait "$pid" || k8s_die "building $name failed"
  mv -f "$TMP/$name" "$K8S_BIN_DIR/$name"
  took[$name]=$((SECONDS - t0))
  k8s_log "built $name in ${took[$name]}s (total elapsed $((SECONDS - t_all))s)"
}

# Download first so the build timings are compile time only.
for d in etcd kwok kubernetes; do
  k8s_log "downloading modules for modules/$d ..."
  (cd "$MODS/$d" && "$GO" mod download) || k8s_die "go mod download failed in modules/$d"
done
k8s_log "module download took $((SECONDS - t_all))s"

build_one etcd                    "$MODS/etcd"       go.etcd.io/etcd/server/v3 \
  "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=v$ETCD_VERSION"
build_one kwok                    "$MODS/kwok"       sigs.k8s.io/kwok/cmd/kwok "-s -w"
build_one kube-apiserver          "$MODS/kubernetes" k8s.io/kubernetes/cmd/kube-apiserver "$K8S_LDFLAGS"
build_one kube-controller-manager "$MODS/kubernetes" k8s.io/kubernetes/cmd/kube-controller-manager "$K8S_LDFLAGS"
build_one kube-scheduler          "$MODS/kubernetes" k8s.io/kubernetes/cmd/kube-scheduler "$K8S_LDFLAGS"
build_one kubectl                 "$MODS/kubernetes" k8s.io/kubernetes/cmd/kubectl "$K8S_LDFLAGS"

# kwok's default stages, as kwokctl configures them: node-initialize, node-heartbeat-with-lease, pod-ready,
# pod-complete, pod-delete.
kwok_src=$(cd "$MODS/kwok" && "$GO" list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  echo "---"; cat "$kwok_src/kustomize/stage/$f"
done > "$TMP/kwok-stages.yaml" || k8s_die "copying kwok's stages from $kwok_src failed"
mv -f "$TMP/kwok-stages.yaml" "$K8S_BIN_DIR/kwok-stages.yaml"
rmdir "$TMP" 2>/dev/null || true

# Sanity: the versions the binaries report.
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  if [ $b = kubectl ]; then v=$("$K8S_BIN_DIR/$b" version --client 2>&1 || true); else v=$("$K8S_BIN_DIR/$b" --version 2>&1 || true); fi
  case $v in *"v$K8S_VERSION"*) ;; *) k8s_die "$b reports '$v', want v$K8S_VERSION" ;; esac
done

{ inputs_hash
  echo "k8s=v$K8S_VERSION etcd=v$ETCD_VERSION kwok=v$KWOK_VERSION go=$gover built=$(date -u +%FT%TZ)"
  for b in "${K8S_BINARIES[@]}"; do echo "$b ${took[$b]:-0}s"; done
  echo "total $((SECONDS - t_all))s"
} > "$STAMP.new"
mv -f "$STAMP.new" "$STAMP"
k8s_log "all control-plane binaries built in $((SECONDS - t_all))s -> $K8S_BIN_DIR"
