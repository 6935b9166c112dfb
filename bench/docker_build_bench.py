"""Benchmark: an image built by nixlite's dockerTools builders vs. the seed's own shell pipeline.

Both build the same image (no base image, no extraCommands) from the same
contents — many small files and a few large ones (half random, i.e.
incompressible, half text-like) — in the same run:

- nixlite: the `docker-layer` and `docker-image` Python builders, called
  in a child process with a hand-made BuildContext (as tests/docker does);
- the seed: mkPureLayer's and the result step's commands — `rsync -ak`,
  GNU `tar`, Docker's own tarsum (pkg/tarsum, built here with golang-go
  from Debian's golang-github-docker-docker-dev, as the seed builds it),
  `jshon`, the closure `find`/`comm`/`tar -r`, `sha256sum`, `tar -c | pigz -nT`.

Printed: both times and their ratio (bar: nixlite ≥ 2× faster), the peak
resident memory of each side (nixlite's must not grow with the image), and
the time of a rebuild after one small file of the contents changed. In Nix
terms that change makes a new contents store path, so the layer and the
image — the derivations that depend on it — are redone, and nothing else.

    python3 bench/docker_build_bench.py [--size-mb 1024] [--small-files 20000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORE_DIR = "/nix/store"
TARSUM_MAIN = os.path.join(ROOT, "tests", "docker", "tarsum_vectors", "main.go")
BASE_JSON = {"architecture": "amd64", "config": {"Cmd": ["/bin/app"]}, "created": "1970-01-01T00:00:01Z",
             "os": "linux"}
WORDS = [b"layer", b"image", b"store", b"nix", b"docker", b"tarsum", b"closure", b"config", b"hello", b"world"]


def store_path(name: str) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"{STORE_DIR}/{digest[:32].translate(str.maketrans('eotu', 'abcd'))}-{name}"


def text_bytes(rng: random.Random, size: int) -> bytes:
    words = [rng.choice(WORDS) for _ in range(size // 5 + 1)]
    return b" ".join(words)[:size]


def make_contents(root: str, name: str, size_mb: int, small_files: int, seed: int = 1) -> str:
    """A store path with `small_files` small files and four large ones; files 0444, dirs 0555, mtime 1."""
    rng = random.Random(seed)
    path = store_path(name)
    top = root + path
    small_total = 0
    for i in range(small_files):
        directory = os.path.join(top, "share", f"d{i // 500:03d}")
        os.makedirs(directory, exist_ok=True)
        data = text_bytes(rng, rng.randint(200, 8000))
        small_total += len(data)
        with open(os.path.join(directory, f"f{i:05d}.txt"), "wb") as f:
            f.write(data)
    large_each = max(0, size_mb * 2**20 - small_total) // 4
    os.makedirs(os.path.join(top, "lib"))
    for j in range(4):
        with open(os.path.join(top, "lib", f"blob{j}"), "wb") as f:
            block = os.urandom(1 << 20) if j % 2 == 0 else text_bytes(rng, 1 << 20)
            for _ in range(large_each // (1 << 20)):
                f.write(block if j % 2 else os.urandom(1 << 20))
    canonicalise(top)
    return path


def canonicalise(top: str) -> None:
    """Store-like metadata: read-only, mtime 1."""
    for dirpath, dirnames, filenames in os.walk(top, topdown=False):
        for name in filenames:
            full = os.path.join(dirpath, name)
            os.chmod(full, 0o444)
            os.utime(full, (1, 1))
        os.chmod(dirpath, 0o555)
        os.utime(dirpath, (1, 1))


def add_text(root: str, name: str, text: str) -> str:
    path = store_path(name)
    with open(root + path, "w") as f:
        f.write(text)
    return path


# ------------------------------------------------------------ nixlite side (child process)

def run_nixlite(work: str, contents: str, tag: str) -> dict:
    from nixlite.build import sandbox
    from nixlite.build.python_builders import BuildContext, lookup

    root = os.path.join(work, "store")
    physical = lambda p: root + p  # noqa: E731 (a one-line mapping)
    base_json = add_text(root, "bench-config.json", json.dumps(BASE_JSON, sort_keys=True, separators=(",", ":")))
    timings = {}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime

    def realise(builder: str, env: dict, name: str) -> str:
        out = store_path(name)
        build_dir = tempfile.mkdtemp(dir=work)
        ctx = BuildContext(drv_path=out + ".drv", env={"out": out, **env}, outputs={"out": physical(out)},
                           physical=physical, build_dir=build_dir, log=lambda line: None,
                           run_sandboxed=lambda argv, **kw: sandbox.run_sandboxed(argv, **kw))
        start = time.perf_counter()
        lookup("builtin:" + builder)(ctx)
        timings[builder] = time.perf_counter() - start
        shutil.rmtree(build_dir)
        return out

    layer = realise("docker-layer", {"baseJson": base_json, "contents": contents, "extraCommands": ""},
                    f"docker-layer-bench-{tag}")
    closure = add_text(root, f"closure-{tag}", "".join(p + "\n" for p in sorted([contents, base_json, layer])))
    image = realise("docker-image", {"imageName": "bench", "imageTag": "latest", "fromImage": "", "baseJson": base_json,
                                     "layer": layer, "layerClosure": closure}, f"docker-image-bench-{tag}.tar.gz")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"layer_s": timings["docker-layer"], "image_s": timings["docker-image"],
            "total_s": timings["docker-layer"] + timings["docker-image"], "image_bytes": os.path.getsize(physical(image)),
            "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before, "peak_rss_mb": usage.ru_maxrss / 1024}


# ------------------------------------------------------------ the seed's pipeline

SEED_SCRIPT = r"""
set -euo pipefail
cd "$WORK"
rm -rf seed && mkdir seed && cd seed
# mkPureLayer
mkdir layer
for item in $contents; do rsync -ak "$STORE$item/" layer/; done
mkdir out
tar -C layer --mtime=0 -cf out/layer.tar .
ts=$("$TARSUM" < out/layer.tar)
cat "$baseJson" | jshon -s "$ts" -i checksum > out/json
echo -n "1.0" > out/VERSION
# the image (result) step, without fromImage
ls_tar() { for f in $(tar -tf $1 | xargs realpath -ms --relative-to=.); do [[ "$f" != "." ]] && echo "/$f"; done; }
mkdir image temp
touch baseFiles
cp out/* temp/
chmod ug+w temp/*
echo /nix >> layerFiles
echo /nix/store >> layerFiles
for dep in $closure; do (cd "$STORE" && find ".$dep" | sed 's,^\.,,') >> layerFiles; done
ls_tar temp/layer.tar >> baseFiles
comm <(sort -n baseFiles | uniq) <(sort -n layerFiles | uniq) -1 -3 > newFiles
tar -C "$STORE" -rpf temp/layer.tar --mtime=0 --no-recursion --files-from <(sed 's,^/,,' newFiles)
layerID=$(sha256sum temp/json | cut -d ' ' -f 1)
size=$(stat --printf="%s" temp/layer.tar)
cat temp/json | jshon -s "$layerID" -i id -n $size -i Size > tmpjson
mv tmpjson temp/json
mv temp image/$layerID
jshon -n object -n object -s "$layerID" -i latest -i bench < /dev/null > image/repositories
chmod -R a-w image
tar -C image --mtime=0 -c . | pigz -nT > image.tar.gz
"""


def build_go_tarsum(work: str) -> str:
    binary = os.path.join(work, "tarsum")
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOCACHE": os.path.join(work, "gocache"),
           "GOFLAGS": "", "CGO_ENABLED": "0"}
    subprocess.run(["go", "build", "-o", binary, TARSUM_MAIN], check=True, env=env, capture_output=True)
    return binary


def run_seed(work: str, contents: str, tarsum: str) -> dict:
    root = os.path.join(work, "store")
    base_json = root + add_text(root, "bench-config.json", json.dumps(BASE_JSON, sort_keys=True, separators=(",", ":")))
    env = {**os.environ, "WORK": work, "STORE": root, "contents": contents, "baseJson": base_json,
           "closure": contents, "TARSUM": tarsum, "LC_ALL": "C"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["bash", "-c", SEED_SCRIPT], check=True, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    image = os.path.join(work, "seed", "image.tar.gz")
    result = {"total_s": elapsed, "cpu_s": cpu, "image_bytes": os.path.getsize(image),
              "peak_rss_mb": max(before.ru_maxrss, after.ru_maxrss) / 1024}
    subprocess.run(["chmod", "-R", "u+w", os.path.join(work, "seed")], check=True)
    shutil.rmtree(os.path.join(work, "seed"))
    return result


def nixlite_child(work: str, contents: str, tag: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", work, contents, tag], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def change_one_file(root: str, contents: str, name: str) -> str:
    """A new contents store path equal to `contents` but for one small file (the user's edit)."""
    new = store_path(name)
    shutil.copytree(root + contents, root + new, symlinks=True, copy_function=os.link)
    target = os.path.join(root + new, "share", "d000", "f00000.txt")
    os.unlink(target)  # break the hard link before writing
    with open(target, "wb") as f:
        f.write(b"changed\n")
    canonicalise(root + new)
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--small-files", type=int, default=20000)
    parser.add_argument("--child", nargs=3, metavar=("WORK", "CONTENTS", "TAG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_nixlite(*args.child)))
        return
    work = tempfile.mkdtemp(prefix="nixlite-docker-bench-")
    try:
        report(work, args.size_mb, args.small_files)
    finally:
        subprocess.run(["chmod", "-R", "u+w", work], check=False)
        shutil.rmtree(work, ignore_errors=True)


def report(work: str, size_mb: int, small_files: int) -> None:
    root = os.path.join(work, "store")
    os.makedirs(root + STORE_DIR)
    contents = make_contents(root, "bench-contents", size_mb, small_files)
    tarsum = build_go_tarsum(work)
    print(f"contents: {small_files} small files + 4 large (2 random, 2 text), {size_mb} MiB; {os.cpu_count()} CPUs")
    seed = run_seed(work, contents, tarsum)
    nix = nixlite_child(work, contents, "a")
    print(f"seed pipeline (rsync, tar, go tarsum, jshon, tar -r, sha256sum, pigz): {seed['total_s']:.2f} s wall, "
          f"{seed['cpu_s']:.2f} s CPU, peak RSS {seed['peak_rss_mb']:.0f} MiB, image {seed['image_bytes'] / 2**20:.0f} MiB")
    print(f"nixlite builders: {nix['total_s']:.2f} s wall (layer {nix['layer_s']:.2f} s, image {nix['image_s']:.2f} s), "
          f"{nix['cpu_s']:.2f} s CPU, peak RSS {nix['peak_rss_mb']:.0f} MiB, image {nix['image_bytes'] / 2**20:.0f} MiB")
    print(f"ratio seed / nixlite: {seed['total_s'] / nix['total_s']:.2f}x wall, {seed['cpu_s'] / nix['cpu_s']:.2f}x CPU "
          f"(bar: >= 2x; on a machine shared with other work, CPU time is the steadier measure)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    changed = change_one_file(root, contents, "bench-contents-changed")
    rebuilt = nixlite_child(work, changed, "b")
    seed_rebuilt = run_seed(work, changed, tarsum)
    print(f"rebuild after one small file changed (new contents path -> layer and image redone, nothing else): "
          f"nixlite {rebuilt['total_s']:.2f} s wall / {rebuilt['cpu_s']:.2f} s CPU, "
          f"seed {seed_rebuilt['total_s']:.2f} s wall / {seed_rebuilt['cpu_s']:.2f} s CPU")


if __name__ == "__main__":
    main()
