#!/usr/bin/env bash
# `make run`: starts `wharf server` in the foreground with its embedded defaults, and once it is ready
# creates the demo project, environment and app (idempotent: an existing demo is left as it is).
# Usage: run-demo.sh WHARF_BIN DATA_DIR LISTEN
set -euo pipefail
bin=$1 data=$2 listen=$3
url="http://$listen"

# The demo image, offline: a local docker-registry with demo/web:v1 and v2 (scripts/demo-registry.sh).
registry=$(bash "$(dirname "$0")/demo-registry.sh" "$data")
image="$registry/demo/web"

"$bin" server --data-dir "$data" --listen "$listen" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; kill "$(cat "$data/registry/pid")" 2>/dev/null' INT TERM

for _ in $(seq 1 100); do
  curl -fs "$url/readyz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "run-demo: wharf server exited" >&2; exit 1; }
  sleep 0.1
done
curl -fs "$url/readyz" >/dev/null || { echo "run-demo: wharf server did not become ready" >&2; exit 1; }

export WHARF_CONFIG="$data/cli-config"
"$bin" login --server "$url" --token-file "$data/admin-token" --context demo --project demo >/dev/null
if ! "$bin" project get demo >/dev/null 2>&1; then
  "$bin" project create demo --display-name "Demo" --description "Created by make run" >/dev/null
  "$bin" env create dev --cluster local >/dev/null
  sed "s|^image: .*|image: $image:v1|" scripts/demo-app.yaml >"$data/demo-app.yaml"
  "$bin" app create -f "$data/demo-app.yaml" >/dev/null
  "$bin" deploy demo -e dev --image "$image:v1" -m "first deploy by make run" >/dev/null
fi

cat <<MSG

Wharf is running at $url  (admin token: $data/admin-token)
  curl $url/healthz
  export WHARF_CONFIG=$data/cli-config
  $bin status demo                    # the demo app in every environment
  $bin releases demo -e dev           # its release history
  $bin deploy demo -e dev --image $image:v2 -m "upgrade to v2"
  $bin rollback demo -e dev           # back to the previous successful release
Releases stay pending until the local runtime driver lands (see README). Ctrl-C stops the server.

MSG
wait $pid
