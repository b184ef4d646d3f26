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

# Wait (bounded) for the demo's instances to answer, to print where they are.
token=$(cat "$data/admin-token")
instances="$url/api/v1/projects/demo/apps/demo/environments/dev/instances"
addresses=""
for _ in $(seq 1 600); do
  addresses=$(curl -fs -H "Authorization: Bearer $token" "$instances" 2>/dev/null | python3 -c '
import json, sys
items = json.load(sys.stdin)
items = items.get("items", items) if isinstance(items, dict) else items
print(" ".join("http://%s/" % i["address"] for i in items if i.get("ready") and i.get("address")))
' 2>/dev/null || true)
  [ -n "$addresses" ] && break
  kill -0 $pid 2>/dev/null || { echo "run-demo: wharf server exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addresses" ] || addresses="(not ready yet: see \`$bin status demo\` and the server log above)"

cat <<MSG

Wharf is running at $url  (admin token: $data/admin-token)
The web console: $url/  (user admin; the first password is in $data/admin-password until you change it)
The demo app answers at: $addresses
  curl $(echo "$addresses" | cut -d' ' -f1)
  export WHARF_CONFIG=$data/cli-config
  $bin status demo                    # the demo app in every environment
  $bin releases demo -e dev           # its release history
  $bin deploy demo -e dev --image $image:v2 -m "upgrade to v2"
  $bin rollback demo -e dev           # back to the previous successful release
  $bin logs demo -e dev --follow      # its logs
Ctrl-C stops the server (the demo's containers keep running until the next start adopts them).

MSG
wait $pid
