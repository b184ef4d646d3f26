"""Image pulls through ImageStore (wharf-image-probe) against the real docker-registry: index/schema 2/OCI
manifests, basic and token auth, catalog and tag pagination, clear errors, whiteouts, concurrent pulls,
resume of a partial blob, garbage collection."""
import json
import os
import pathlib
import subprocess

import pytest

from oci_registry import ROOT, Registry, missing_requirement, registry  # noqa: F401 (fixture)
from oci_image import Layer

PROBE = os.environ.get("WHARF_IMAGE_PROBE", str(ROOT / "build" / "test" / "wharf-image-probe"))

pytestmark = pytest.mark.skipif(missing_requirement() is not None or not pathlib.Path(PROBE).exists(),
                                reason=missing_requirement() or f"{PROBE} not built (target wharf-image-probe)")


def probe(*args, root, auth_file=None, check=True):
    cmd = [PROBE, *args, "--root", str(root)]
    if auth_file:
        cmd += ["--auth-file", str(auth_file)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if check and proc.returncode != 0:
        raise AssertionError(f"probe {args} failed: {proc.stdout} {proc.stderr}")
    return out


def pull(ref, root, **kw):
    out = probe("pull", ref, root=root, **kw)
    return out["images"][0], out["stats"]


def pull_error(ref, root, **kw):
    out = probe("pull", ref, root=root, check=False, **kw)
    assert "error" in out["images"][0], out
    return out["images"][0]["error"]


def auth_file(tmp_path, reg):
    path = tmp_path / "registries.json"
    path.write_text(json.dumps({"auths": {reg.host: {"username": reg.username, "password": reg.password}}}))
    return path


def test_pull_docker_schema2(registry, tmp_path):
    pushed = registry.busybox_image("shop/web", "1", page="one\n", cmd=["/bin/httpd", "-f", "-p", "9000"])
    image, stats = pull(pushed.ref, tmp_path / "store")
    assert image["digest"] == pushed.digest
    assert image["reference"] == pushed.ref
    assert image["config"]["cmd"] == ["/bin/httpd", "-f", "-p", "9000"]
    assert image["config"]["exposedPorts"] == ["8080/tcp"]
    assert len(image["layers"]) == 2
    assert (pathlib.Path(image["layers"][1]) / "www/index.html").read_text() == "one\n"
    assert os.readlink(pathlib.Path(image["layers"][0]) / "bin/sh") == "busybox"
    assert stats == {"blobsDownloaded": 3, "bytesDownloaded": stats["bytesDownloaded"], "layersUnpacked": 2}
    # A second pull of the same image downloads nothing; by digest it needs no registry at all.
    _, again = pull(pushed.ref, tmp_path / "store")
    assert again["blobsDownloaded"] == 0
    registry.stop()
    image, _ = pull(f"{registry.host}/shop/web@{pushed.digest}", tmp_path / "store")
    assert image["digest"] == pushed.digest
    # ...and a tag falls back to its last resolution while the registry is down.
    image, _ = pull(pushed.ref, tmp_path / "store")
    assert image["digest"] == pushed.digest


def test_pull_oci_index_picks_amd64(registry, tmp_path):
    pushed = registry.push_image("shop/multi", "2", layers=[{"etc/motd": "hello\n"}], config={"Cmd": ["/x"]},
                                 index=True, media="oci")
    amd64 = [img for img in pushed.image.images if img.architecture == "amd64"][0]
    image, stats = pull(pushed.ref, tmp_path / "store")
    assert image["digest"] == amd64.digest != pushed.digest
    assert len(image["layers"]) == 1  # the arm64 entry has an extra layer
    assert stats["blobsDownloaded"] == 2


def test_docker_manifest_list(registry, tmp_path):
    pushed = registry.push_image("shop/list", "1", layers=[{"a": "a"}], index=True, media="docker")
    image, _ = pull(pushed.ref, tmp_path / "store")
    assert image["digest"] == [i for i in pushed.image.images if i.architecture == "amd64"][0].digest


def test_index_without_amd64(registry, tmp_path):
    from oci_image import Image, Index
    arm = Image([Layer.from_files({"a": "a"})], {}, media="oci", architecture="arm64")
    pushed = registry.push("shop/armonly", "1", Index([arm]))
    err = pull_error(pushed.ref, tmp_path / "store")
    assert err["code"] == "invalid"
    assert "no linux/amd64 variant (it has: linux/arm64)" in err["message"]


def test_unknown_tag_and_repository_and_bad_reference(registry, tmp_path):
    registry.push_image("shop/web", "1", layers=[{"a": "1"}])
    registry.push_image("shop/web", "2", layers=[{"a": "2"}])
    err = pull_error(f"{registry.host}/shop/web:9", tmp_path / "store")
    assert err["code"] == "invalid"
    assert err["message"] == (f'image {registry.host}/shop/web:9 not found: the registry has no tag "9" '
                              f"(tags: 1, 2)")
    err = pull_error(f"{registry.host}/shop/nothing:1", tmp_path / "store")
    assert 'the registry has no repository "shop/nothing"' in err["message"]
    err = pull_error(f"{registry.host}/Shop/Web:1", tmp_path / "store")
    assert err["code"] == "invalid" and "must be lower case" in err["message"]
    err = pull_error("127.0.0.1:1/shop/web:1", tmp_path / "store")
    assert err["code"] == "unavailable"


def test_wrong_digest(registry, tmp_path):
    pushed = registry.push_image("shop/bad", "1", layers=[{"big": "x" * 5000}])
    blob = registry.blob_path(pushed.image.layers[0].digest)
    data = bytearray(blob.read_bytes())
    data[100] ^= 0xFF
    blob.write_bytes(bytes(data))
    err = pull_error(pushed.ref, tmp_path / "store")
    assert err["code"] == "invalid"
    assert "digest mismatch" in err["message"] and pushed.image.layers[0].digest in err["message"]
    assert not list((tmp_path / "store/layers").iterdir())
    assert not list((tmp_path / "store/partial").iterdir())
    assert not list((tmp_path / "store/images").iterdir())


def test_basic_auth(tmp_path):
    reg = Registry(tmp_path / "reg", auth="basic")
    try:
        pushed = reg.busybox_image("private/web", "1")
        err = pull_error(pushed.ref, tmp_path / "store")
        assert err["code"] == "invalid"
        assert f'registry {reg.host} requires a username and password: add them for "{reg.host}"' in err["message"]
        image, _ = pull(pushed.ref, tmp_path / "store", auth_file=auth_file(tmp_path, reg))
        assert image["digest"] == pushed.digest
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"auths": {reg.host: {"username": reg.username, "password": "wrong"}}}))
        err = pull_error(pushed.ref.replace(":1", ":2"), tmp_path / "store2", auth_file=bad)
        assert err["code"] == "invalid" and f'check the credentials for "{reg.host}" in {bad}' in err["message"]
        assert "wrong" not in err["message"]
    finally:
        reg.stop()


def test_token_auth(tmp_path):
    reg = Registry(tmp_path / "reg", auth="token")
    try:
        pushed = reg.push_image("private/app", "1", layers=[{"a": "a"}], media="oci")
        err = pull_error(pushed.ref, tmp_path / "store")
        assert err["code"] == "invalid" and f'requires credentials; add them for "{reg.host}"' in err["message"], err
        image, _ = pull(pushed.ref, tmp_path / "store", auth_file=auth_file(tmp_path, reg))
        assert image["digest"] == pushed.digest
        users = {user for user, scope in reg.token_server.requests if scope == "repository:private/app:pull"}
        assert reg.username in users
        out = probe("repos", reg.host, root=tmp_path / "store", auth_file=auth_file(tmp_path, reg))
        assert out["items"] == ["private/app"]
    finally:
        reg.stop()


def test_catalog_and_tags_paginate(registry, tmp_path):
    layer = Layer.from_files({"a": "a"})
    names = [f"team/app{i}" for i in range(5)]
    for name in names:
        registry.push_image(name, "1", layers=[layer])
    for tag in ("1", "2", "3"):
        registry.push_image("team/app0", tag, layers=[layer])
    seen, token, pages = [], "", 0
    while True:
        args = ["repos", registry.host, "--limit", "2"] + (["--continue", token] if token else [])
        out = probe(*args, root=tmp_path / "store")
        assert len(out["items"]) <= 2
        seen += out["items"]
        pages += 1
        token = out["continue"]
        if not token:
            break
    assert seen == names and pages >= 3
    # docker-registry 2.8 ignores ?n= on tags/list (pagination came with 3.0): all tags in one page.
    tags, token = [], ""
    while True:
        args = ["tags", registry.host, "team/app0", "--limit", "2"] + (["--continue", token] if token else [])
        out = probe(*args, root=tmp_path / "store")
        tags += out["items"]
        token = out["continue"]
        if not token:
            break
    assert sorted(tags) == ["1", "2", "3"]


def test_whiteouts_and_opaque_dirs(registry, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("whiteouts need root (mknod, trusted.* xattrs)")
    lower = {"etc/keep": "k", "etc/gone": "g", "etc/dir/x": "x", "data/old1": "1", "data/sub/old2": "2",
             "lib/file-then-dir": "f"}
    upper = {"etc/.wh.gone": "", "etc/.wh.dir": "", "data/.wh..wh..opq": "", "data/new": "n",
             "lib/file-then-dir/inside": "i"}
    pushed = registry.push_image("shop/wh", "1", layers=[lower, upper])
    out = probe("materialize", pushed.ref, "--dest", str(tmp_path / "rootfs"), root=tmp_path / "store")
    image = out["images"][0]
    top = pathlib.Path(image["layers"][1])
    assert os.stat(top / "etc/gone").st_rdev == 0 and pathlib.Path(top / "etc/gone").is_char_device()
    assert os.getxattr(top / "data", "trusted.overlay.opaque") == b"y"
    assert not (top / "etc/.wh.gone").exists()
    rootfs = tmp_path / "rootfs"
    assert (rootfs / "etc/keep").read_text() == "k"
    assert not (rootfs / "etc/gone").exists() and not (rootfs / "etc/dir").exists()
    assert sorted(p.name for p in (rootfs / "data").iterdir()) == ["new"]
    assert (rootfs / "lib/file-then-dir/inside").read_text() == "i"


def test_path_traversal_refused(registry, tmp_path):
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("../../escaped")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    pushed = registry.push_image("shop/evil", "1", layers=[Layer(buf.getvalue())])
    err = pull_error(pushed.ref, tmp_path / "store")
    assert err["code"] == "invalid" and "outside the layer" in err["message"]
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "store" / "escaped").exists()


def test_concurrent_pulls_fetch_once(registry, tmp_path):
    pushed = registry.busybox_image("shop/web", "1")
    out = probe("pull", pushed.ref, pushed.ref, pushed.ref, root=tmp_path / "store")
    assert [i["digest"] for i in out["images"]] == [pushed.digest] * 3
    assert out["stats"]["blobsDownloaded"] == 3 and out["stats"]["layersUnpacked"] == 2


def test_resume_partial_blob(registry, tmp_path):
    big = os.urandom(3 << 20)
    pushed = registry.push_image("shop/big", "1", layers=[{"blob.bin": big}])
    layer = pushed.image.layers[0]
    store = tmp_path / "store"
    (store / "partial").mkdir(parents=True)
    half = len(layer.blob) // 2
    (store / "partial" / layer.digest.split(":")[1]).write_bytes(layer.blob[:half])
    image, stats = pull(pushed.ref, store)
    assert (pathlib.Path(image["layers"][0]) / "blob.bin").read_bytes() == big
    config_size = len(pushed.image.config_blob)
    assert stats["bytesDownloaded"] == len(layer.blob) - half + config_size
    # A partial file with wrong bytes is detected and downloaded again from the start.
    store2 = tmp_path / "store2"
    (store2 / "partial").mkdir(parents=True)
    (store2 / "partial" / layer.digest.split(":")[1]).write_bytes(b"\0" * half)
    image, stats = pull(pushed.ref, store2)
    assert (pathlib.Path(image["layers"][0]) / "blob.bin").read_bytes() == big


def test_gc_frees_unused_layers(registry, tmp_path):
    a = registry.busybox_image("shop/web", "a", page="a\n")
    b = registry.busybox_image("shop/web", "b", page="b\n")
    store = tmp_path / "store"
    image_a, _ = pull(a.ref, store)
    image_b, _ = pull(b.ref, store)
    assert image_a["layers"][0] == image_b["layers"][0]  # the busybox layer is shared
    out = probe("gc", "--keep", a.digest, root=store)
    assert out["freed"] > 0
    assert sorted(out["layers"]) == sorted(pathlib.Path(p).name for p in image_a["layers"])
    image_a2, stats = pull(a.ref, store)
    assert stats["blobsDownloaded"] == 0 and image_a2["layers"] == image_a["layers"]
    out = probe("gc", root=store)
    assert out["layers"] == [] and out["freed"] > 1_000_000


def test_registry_browsing_api(registry, server):
    layer = Layer.from_files({"a": "a"})
    for name in ("team/api", "team/web", "team/worker"):
        registry.push_image(name, "1", layers=[layer])
    registry.push_image("team/web", "2", layers=[layer])
    base = f"/api/v1/registries/{registry.host}"
    page = server.ok("GET", f"{base}/repositories?limit=2")
    assert [i["name"] for i in page["items"]] == ["team/api", "team/web"] and page["continue"]
    page = server.ok("GET", f"{base}/repositories?limit=2&continue={page['continue']}")
    assert page["items"] == [{"name": "team/worker", "image": f"{registry.host}/team/worker"}]
    assert page["continue"] == ""
    tags = server.ok("GET", f"{base}/tags?repository=team/web")
    assert sorted(i["image"] for i in tags["items"]) == [f"{registry.host}/team/web:1", f"{registry.host}/team/web:2"]
    r = server.request("GET", f"{base}/tags?repository=team/nothing")
    assert r.status == 404 and "team/nothing" in r.error["message"]
    r = server.request("GET", "/api/v1/registries/127.0.0.1:1/repositories")
    assert r.status == 503
    assert server.request("GET", f"{base}/repositories", token=None).status == 401
