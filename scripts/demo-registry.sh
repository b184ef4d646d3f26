#!/usr/bin/env bash
# Starts (or restarts) the local image registry of `make run` and pushes the demo image to it, offline:
# Debian's docker-registry with its data in DATA_DIR/registry, on 127.0.0.1:5000 (or, when that port is
# taken by something else, a free port remembered in DATA_DIR/registry/port so that stored releases stay
# valid); then demo/web:v1 and demo/web:v2, busybox-static's httpd serving a page that shows its version,
# built and pushed with tools/oci_image.py. Prints the registry's host:port on stdout.
# Usage: demo-registry.sh DATA_DIR
set -euo pipefail
data=$1
dir="$data/registry"
mkdir -p "$dir/storage"
here=$(cd "$(dirname "$0")/.." && pwd)

registry_bin=/usr/bin/docker-registry
[ -x "$registry_bin" ] || { echo "demo-registry: $registry_bin missing (apt-get install docker-registry)" >&2; exit 1; }
busybox=$(command -v busybox || echo /bin/busybox)
[ -x "$busybox" ] || { echo "demo-registry: busybox missing (apt-get install busybox-static)" >&2; exit 1; }

# A registry left by an earlier run: stopped by its pid (only if that pid still is a docker-registry).
if [ -f "$dir/pid" ]; then
  old=$(cat "$dir/pid")
  if [ -n "$old" ] && grep -q docker-registry "/proc/$old/cmdline" 2>/dev/null; then
    kill "$old" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$dir/pid"
fi

port_free() { python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null; }
port=$(cat "$dir/port" 2>/dev/null || echo 5000)
if ! port_free "$port"; then
  port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  echo "demo-registry: the registry port is taken; using 127.0.0.1:$port" >&2
fi
echo "$port" >"$dir/port"

cat >"$dir/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $(cd "$dir/storage" && pwd)
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: wharf-demo
CONFIG
setsid "$registry_bin" serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null &
echo $! >"$dir/pid"
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  kill -0 "$(cat "$dir/pid")" 2>/dev/null || { echo "demo-registry: docker-registry exited; see $dir/registry.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/v2/" >/dev/null || { echo "demo-registry: docker-registry did not answer" >&2; exit 1; }

# Two layers: busybox with its applets (shared by both versions), and the page.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
mkdir -p "$build/base/bin" "$build/base/etc" "$build/base/tmp" "$build/base/proc" "$build/base/sys" "$build/base/dev"
cp "$busybox" "$build/base/bin/busybox"
for applet in sh httpd sleep cat echo wget ls; do ln -s busybox "$build/base/bin/$applet"; done
echo 'root:x:0:0:root:/:/bin/sh' >"$build/base/etc/passwd"
for version in v1 v2; do
  mkdir -p "$build/$version/www"
  cat >"$build/$version/www/index.html" <<PAGE
<!doctype html><title>Wharf demo $version</title>
<h1>Hello from the Wharf demo, version $version</h1>
PAGE
  python3 "$here/tools/oci_image.py" push --registry "127.0.0.1:$port" --repo demo/web --tag "$version" \
    --dir "$build/base" --dir "$build/$version" --cmd '["/bin/httpd","-f","-p","8080","-h","/www"]' \
    --env PATH=/bin --expose 8080/tcp >/dev/null
done
echo "127.0.0.1:$port"
