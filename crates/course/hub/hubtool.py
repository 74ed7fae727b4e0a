#!/usr/bin/env python3
"""The classroom: the course on JupyterHub for a class on one server.

`cargo course hub ...` runs this file (as root: it makes accounts, and the
hub starts each student's server as that student). Everything a student's
server uses lives under one read-only prefix (default /opt/rust-ml-course):

    rust/        a copy of the Rust toolchain (with rust-src)
    bin/         evcxr_jupyter
    venv/        the students' Python: JupyterLab, nbclient, jupyterhub-singleuser
    hub/venv     the hub's own Python: JupyterHub, the idle culler
    hub/proxy    configurable-http-proxy, from npm
    course/      the support crate, data/, the notebooks, and student copies of them
    vendor/      the sources of the crate's dependencies (cargo vendor)
    cache/evcxr  the kernel's build cache, warmed once: no student compiles a dependency
    kernel/      the kernel's launcher and settings; jupyter/ its kernelspec
    etc/         jupyterhub_config.py;  state/ the hub's database and secrets (root only)

A student's own files: ~/course (their notebooks), ~/.local/share/rust-ml-course
(the build folder of each running kernel) and ~/.cache/evcxr (links into the
shared cache, and a hit counter per entry, which evcxr writes).
"""
from __future__ import annotations

import argparse
import csv
import grp
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PREFIX = Path(os.environ.get("RUST_COURSE_HUB_PREFIX", "/opt/rust-ml-course"))
GROUP = "rust-course"  # every account the hub lets in
TEACHERS = "rust-course-teachers"  # the hub's admins
USERNAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
# Accounts the test and the load test make, and remove again.
TEST_ACCOUNT = re.compile(r"^rc-(selftest|load)-[a-z0-9-]+$")
TEST_MARK = "course test account"  # their full name: only accounts so marked are removed
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_NAME = "rust-ml-course"
# Limits per student's server (everything it starts: kernels, cargo, rustc),
# from the load test (docs/classroom.md). `cargo course hub --memory --cpus`.
DEFAULT_MEMORY = "3G"
DEFAULT_CPUS = 1.0
# processes per student: a kernel, cargo and rustc's threads use well under 200
MAX_PROCESSES = 1024


class Failure(Exception):
    """An error for the teacher: what went wrong and what to do."""


def say(text: str = "") -> None:
    print(text, flush=True)


def run(cmd: list, **kw) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run([str(c) for c in cmd], **kw)
    except FileNotFoundError as e:
        raise Failure(f"{cmd[0]} was not found ({e})") from e
    if done.returncode != 0:
        raise Failure(f"`{' '.join(map(str, cmd))}` failed (exit status {done.returncode})")
    return done


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_files(root: Path, files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(str(f.relative_to(root)).encode() + b"\0")
        h.update(sha256_file(f).encode() + b"\0")
    return h.hexdigest()


class Prefix:
    """The paths of an install."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def __truediv__(self, other: str) -> Path:
        return self.root / other

    @property
    def python(self) -> Path:
        return self.root / "venv/bin/python"

    @property
    def crate(self) -> Path:
        return self.root / "course/crates/mlmath"

    @property
    def stamps(self) -> Path:
        return self.root / "stamps"

    def stamp(self, name: str) -> str | None:
        try:
            return (self.stamps / name).read_text().strip()
        except OSError:
            return None

    def write_stamp(self, name: str, value: str) -> None:
        self.stamps.mkdir(parents=True, exist_ok=True)
        (self.stamps / name).write_text(value + "\n")


def need_root(what: str) -> None:
    if os.geteuid() != 0:
        raise Failure(
            f"{what} needs root: it makes accounts, and the hub starts each student's server as "
            "that student. Run it with sudo (`sudo -E cargo course hub ...`) or as root.")


# ---------------------------------------------------------------- install


def step(name: str, wanted: str, prefix: Prefix, action) -> None:
    if prefix.stamp(name) == wanted:
        say(f"  ok       {name}")
        return
    t = time.time()
    action()
    prefix.write_stamp(name, wanted)
    say(f"  done     {name} ({time.time() - t:.0f} s)")


def copy_tree_atomic(src: Path, dest: Path, ignore=None) -> None:
    tmp = dest.with_name(dest.name + ".new")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp, symlinks=True, ignore=ignore)
    old = dest.with_name(dest.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        dest.rename(old)
    tmp.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


def tracked(repo: Path, *paths: str) -> list[Path]:
    """The repository's files under `paths` (git's list when there is one)."""
    if (repo / ".git").exists():
        done = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--", *paths],
                              capture_output=True)
        if done.returncode == 0:  # (git refuses a clone another user owns: then walk)
            files = [repo / p for p in done.stdout.decode().split("\0") if p]
            return [f for f in files if f.is_file()]
    return [f for p in paths for f in (repo / p).rglob("*") if f.is_file() and "target" not in f.parts]


def world_runnable(path: Path) -> bool:
    """Whether any account can run this program (every folder on its way
    searchable by others, the file executable by others)."""
    real = Path(os.path.realpath(path))
    if not real.is_file() or not os.stat(real).st_mode & 0o001:
        return False
    return all(os.stat(d).st_mode & 0o001 for d in real.parents)


def base_python() -> str:
    """A Python 3 every student can run, for the install's environments: the
    installing user's own (pyenv's under /root, say) is often unreadable to
    others."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3", sys.executable):
        if world_runnable(Path(candidate)) and subprocess.run(
                [candidate, "-c", "import venv, ensurepip"], capture_output=True).returncode == 0:
            return candidate
    raise Failure("no Python 3 with venv that every account can run was found (tried "
                  "/usr/bin/python3, /usr/local/bin/python3, " + sys.executable + "). Debian/"
                  "Ubuntu: `apt-get install python3 python3-venv`, then run this again")


def merged_constraints(files: list[Path], out: Path) -> Path:
    """One constraints file from several; a later file's pin of a package
    replaces an earlier one's."""
    pins: dict[str, str] = {}
    for f in files:
        for line in f.read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                pins[re.split(r"[=<>!~ ]", line)[0].lower().replace("_", "-")] = line
    out.write_text("\n".join(pins.values()) + "\n")
    return out


def venv(path: Path, requirements: list[Path], constraints: list[Path]) -> None:
    shutil.rmtree(path, ignore_errors=True)
    run([base_python(), "-m", "venv", path])
    pins = merged_constraints(constraints, path / "constraints.txt")
    pip = [path / "bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(pip + [a for r in requirements for a in ("-r", r)] + ["-c", pins])


def protect_state(prefix: Prefix) -> None:
    state = prefix / "state"
    state.mkdir(mode=0o700, exist_ok=True)
    os.chmod(state, 0o700)
    for f in state.rglob("*"):
        if f.is_file() and not f.is_symlink():
            os.chmod(f, 0o600)


def check_prefix_owner(root: Path) -> None:
    """Root runs the install's code (the hub imports hubtool.py from it): no one
    else may be able to change it."""
    for d in [root, *root.parents]:
        if not d.exists():
            continue
        st = os.stat(d)
        if st.st_uid != 0 or st.st_mode & 0o022:
            raise Failure(f"{d} is not owned by root alone (owner uid {st.st_uid}, mode "
                          f"{oct(st.st_mode & 0o777)}): another account could change what the hub "
                          "runs as root. Choose a --prefix under root-owned folders (the default "
                          "/opt/rust-ml-course)")


def install(args) -> None:
    need_root("Installing the classroom")
    repo = Path(args.repo).resolve()
    prefix = Prefix(args.prefix)
    prefix.root.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix.root, 0o755)
    check_prefix_owner(prefix.root)
    protect_state(prefix)
    say(f"the classroom's install in {prefix.root} (read-only to students)")
    course = repo / "crates/course"

    # The toolchain: students cannot read the installing user's ~/.rustup.
    sysroot = Path(subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                                  check=True).stdout.strip())
    version = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    if not (sysroot / "lib/rustlib/src/rust/library").is_dir():
        raise Failure("the Rust standard library's source is missing: run `rustup component add "
                      "rust-src` (or `cargo course setup`), then this again")
    host = re.search(r"^host: (\S+)", version, re.M).group(1)
    step("rust", hashlib.sha256(version.encode()).hexdigest(), prefix,
         lambda: copy_tree_atomic(sysroot, prefix / "rust",
                                  ignore=shutil.ignore_patterns("doc", "html")))

    evcxr = Path(args.evcxr)
    if not evcxr.is_file():
        raise Failure(f"{evcxr} is missing: run `cargo course setup` first")

    def copy_evcxr():
        (prefix / "bin").mkdir(exist_ok=True)
        shutil.copy2(evcxr, prefix / "bin/evcxr_jupyter")

    step("evcxr", sha256_file(evcxr), prefix, copy_evcxr)

    # The students' Python, and the hub's own.
    su_req = [course / "requirements.txt", HERE / "singleuser-requirements.txt"]
    su_con = [course / "constraints.txt", HERE / "singleuser-constraints.txt"]
    python = base_python()
    step("venv", sha256_files(repo, su_req + su_con) + python, prefix,
         lambda: venv(prefix / "venv", su_req, su_con))
    if not args.without_hub:
        hub_req, hub_con = [HERE / "hub-requirements.txt"], [HERE / "hub-constraints.txt"]
        step("hub", sha256_files(repo, hub_req + hub_con) + python, prefix,
             lambda: venv(prefix / "hub/venv", hub_req, hub_con))
        proxy = [HERE / "proxy/package.json", HERE / "proxy/package-lock.json"]
        step("proxy", sha256_files(repo, proxy), prefix, lambda: install_proxy(prefix))

    # The classroom's own tools and the hub's configuration.
    tools = [HERE / "hubtool.py", HERE / "hubclient.py", HERE / "jupyterhub_config.py"]
    step("tools", sha256_files(repo, tools), prefix, lambda: install_tools(prefix, tools))
    # The course: the crate, its data, the notebooks, and the students' copies.
    crate = tracked(repo, "crates/mlmath") + [repo / "Cargo.toml", repo / "Cargo.lock"]
    files = crate + tracked(repo, "data", "notebooks", "tests/notebooks.py")
    step("course", sha256_files(repo, files), prefix, lambda: install_course(repo, prefix, files))
    step("vendor", sha256_file(repo / "Cargo.lock"), prefix, lambda: vendor(repo, prefix))
    kernel_files = [course / "kernel.sh", course / "init.evcxr", course / "cargo-config.toml",
                    course / "jupyterlab-overrides.json", HERE / "hub-kernel.sh"]
    step("kernel", sha256_files(repo, kernel_files) + host, prefix,
         lambda: install_kernel(repo, prefix, host))
    # the shared cache depends on the crate, the kernel's settings and the compiler
    wanted = (sha256_files(repo, crate) + (prefix.stamp("kernel") or "") + version
              + (prefix.stamp("evcxr") or ""))
    step("warm", hashlib.sha256(wanted.encode()).hexdigest(), prefix, lambda: warm(prefix))
    # read-only for everyone but root; the hub's state (its database and cookie
    # secret) for root alone, never opened to others, not even for a moment
    protect_state(prefix)
    for entry in prefix.root.iterdir():
        if entry.name != "state":
            run(["chmod", "-R", "a+rX,go-w", entry])
    say(f"installed: {du(prefix.root) / 1e9:.1f} GB in {prefix.root}")


def install_proxy(prefix: Prefix) -> None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        say("  installing Node.js and npm from Debian's packages ...")
        run(["apt-get", "install", "-y", "--no-install-recommends", "nodejs", "npm"],
            stdout=subprocess.DEVNULL)
    major = int(subprocess.run(["node", "--version"], capture_output=True, text=True,
                               check=True).stdout.strip().lstrip("v").split(".")[0])
    if major < 20:
        raise Failure(f"configurable-http-proxy 5 needs Node.js 20 or newer; this is {major}. "
                      "Install a newer nodejs, then run this again")
    dest = prefix / "hub/proxy"
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(HERE / "proxy" / name, dest / name)
    run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=dest,
        stdout=subprocess.DEVNULL)


def install_tools(prefix: Prefix, tools: list[Path]) -> None:
    (prefix / "hub").mkdir(exist_ok=True)
    (prefix / "etc").mkdir(exist_ok=True)
    for f in tools:
        dest = prefix / ("etc" if f.name == "jupyterhub_config.py" else "hub") / f.name
        shutil.copy2(f, dest)


def install_course(repo: Path, prefix: Prefix, files: list[Path]) -> None:
    tmp = prefix / "course.new"
    shutil.rmtree(tmp, ignore_errors=True)
    for f in files:
        dest = tmp / f.relative_to(repo)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, dest)
    # A workspace of the crate alone (its manifest takes edition etc. from it).
    root = (repo / "Cargo.toml").read_text()
    keep = re.search(r"(\[workspace\.package\][^\[]*)", root).group(1)
    (tmp / "Cargo.toml").write_text(
        '# The support crate as the classroom installs it.\n[workspace]\nmembers = '
        f'["crates/mlmath"]\nresolver = "3"\n\n{keep}')
    # The students' copies of the notebooks (loading the crate from where it will
    # be), written before the folder takes its place: students never see it half made.
    run([prefix.python, prefix / "hub/hubtool.py", "--prefix", prefix.root, "student-copies",
         "--into", tmp])
    old = prefix / "course.old"
    shutil.rmtree(old, ignore_errors=True)
    if (prefix / "course").exists():
        (prefix / "course").rename(old)
    tmp.rename(prefix / "course")
    shutil.rmtree(old, ignore_errors=True)


def student_copies(args) -> None:
    """(In the students' Python.) Writes course/student/ and its manifest."""
    prefix = Prefix(args.prefix)
    course = Path(args.into)
    sys.path.insert(0, str(course / "tests"))
    import nbformat
    import notebooks  # tests/notebooks.py, copied with the course

    out = course / "student"
    out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for path in sorted((course / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        nb = notebooks.student_copy(nbformat.read(path, as_version=4), prefix.crate)
        nbformat.write(nb, out / path.name)
        manifest[path.name] = sha256_file(out / path.name)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def vendor(repo: Path, prefix: Prefix) -> None:
    """The sources of every crate in Cargo.lock, so that students' builds never
    reach the network. Crates already downloaded are taken from cargo's cache;
    the others (those of other platforms, which a build here never fetched)
    come from crates.io, during the install only."""
    tmp = prefix / "vendor.new"
    shutil.rmtree(tmp, ignore_errors=True)
    done = subprocess.run(["cargo", "vendor", "--locked", "--manifest-path",
                           str(repo / "Cargo.toml"), str(tmp)], capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure("`cargo vendor` could not gather the dependencies' sources:\n"
                      + done.stderr[-2000:] + "\ncrates.io must be reachable during the "
                      "install (only then); run this again when it is")
    shutil.rmtree(prefix / "vendor", ignore_errors=True)
    tmp.rename(prefix / "vendor")


def install_kernel(repo: Path, prefix: Prefix, host: str) -> None:
    course = repo / "crates/course"
    k = prefix / "kernel"
    (k / "evcxr").mkdir(parents=True, exist_ok=True)
    shutil.copy2(course / "kernel.sh", k / "kernel.sh")
    shutil.copy2(course / "init.evcxr", k / "evcxr/init.evcxr")
    launcher = (HERE / "hub-kernel.sh").read_text()
    (k / "hub-kernel.sh").write_text(launcher.replace("@PREFIX@", str(prefix.root))
                                     .replace("@HOST@", host))
    # the course's cargo settings, and the dependencies' sources from vendor/, offline
    (k / "cargo-config.toml").write_text(
        (course / "cargo-config.toml").read_text()
        + "\n# The classroom: the dependencies' sources from the install, never the network.\n"
        + '[source.crates-io]\nreplace-with = "course-vendor"\n\n[source.course-vendor]\n'
        + f'directory = "{prefix / "vendor"}"\n\n[net]\noffline = true\n')
    spec = {
        "argv": ["/bin/sh", str(k / "hub-kernel.sh"), "{connection_file}"],
        "display_name": "Rust (ML course)",
        "language": "rust",
        "interrupt_mode": "message",
    }
    dest = prefix / "jupyter/kernels/rust-course"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    settings = prefix / "venv/share/jupyter/lab/settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copy2(course / "jupyterlab-overrides.json", settings / "overrides.json")


def warm(prefix: Prefix) -> None:
    """Compiles the crate once, with and without DataFrames, through the
    students' kernel, into the shared cache."""
    cache = prefix / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    (cache / "evcxr").mkdir(parents=True)
    say("  compiling the support crate into the shared cache (about 10-20 minutes on 2 cores)")
    home = prefix / "warm-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    for features in ("", ', features = ["frames"]'):
        dep = f':dep mlmath = {{ path = {json.dumps(str(prefix.crate))}{features} }}'
        cells = [dep, "use mlmath::prelude::*;", "let x = array![[1.0, 2.0]];\nx.table()"]
        run([prefix.python, prefix / "hub/hubtool.py", "run-cells", "--timeout", "3600", "--",
             *cells], env=student_like_env(prefix, home), cwd=home)
    shutil.rmtree(prefix / "warm-builds", ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    (cache / "evcxr/.version").write_text(secrets.token_hex(8) + "\n")


def student_like_env(prefix: Prefix, home: Path) -> dict:
    """The environment a student's kernel starts in (the spawner's), for the
    warm-up: nothing of the installing user's cargo or rustup (`cargo course`
    runs under cargo, which sets CARGO, RUSTC, CARGO_HOME ...)."""
    return {"PATH": f"{prefix / 'venv/bin'}:{prefix / 'rust/bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home), "LANG": "C.UTF-8", "RUST_COURSE_WARM": "1",
            "JUPYTER_PATH": str(prefix / "jupyter"), "JUPYTER_PLATFORM_DIRS": "1"}


def run_cells(args) -> None:
    """(In the students' Python.) Runs cells in a fresh rust-course kernel."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="rust-course", startup_timeout=300)
    try:
        for code in args.cells:
            t = time.time()
            reply = kc.execute_interactive(code, timeout=args.timeout, output_hook=lambda m: None)
            if reply["content"]["status"] != "ok":
                raise Failure(f"the cell {code.splitlines()[0]!r} failed: "
                              f"{reply['content'].get('evalue', '')}")
            say(f"    {time.time() - t:6.1f} s  {code.splitlines()[0]}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def du(path: Path) -> int:
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True).stdout
    return int(out.split()[0]) if out else 0


# ---------------------------------------------------------------- a student's side


def kernel_home(args) -> None:
    """(As the student, when a kernel starts.) Their build settings, and their
    view of the shared cache: a folder per entry with links to the shared
    files, and a hit counter of their own (evcxr writes it on every hit)."""
    prefix = Prefix(args.prefix)
    own = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "rust-ml-course"
    config = own / "builds/.cargo/config.toml"
    wanted = (prefix / "kernel/cargo-config.toml").read_bytes()
    if not config.exists() or config.read_bytes() != wanted:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_bytes(wanted)
    shared = prefix / "cache/evcxr"
    mine = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "evcxr"
    version = (shared / ".version").read_text()
    stamp = mine / ".course-cache"
    if stamp.exists() and stamp.read_text() == version:
        return
    mine.mkdir(parents=True, exist_ok=True)
    for entry in shared.iterdir():
        if not entry.is_dir():
            continue
        own_entry = mine / entry.name
        own_entry.mkdir(exist_ok=True)
        for f in entry.iterdir():
            link = own_entry / f.name
            if f.name == "hits":
                if not link.exists():
                    link.write_text("0")
            elif not link.is_symlink():
                link.symlink_to(f)
    # entries of an older shared cache: their links point nowhere now
    for entry in mine.iterdir():
        if entry.is_dir() and not (shared / entry.name).exists() and any(
                f.is_symlink() for f in entry.iterdir()):
            shutil.rmtree(entry)
    stamp.write_text(version)


def regular_digest(path: Path) -> str | None:
    """The SHA-256 of a regular file; None for anything else (a folder, a link,
    a FIFO, which is never opened: reading one would wait for ever)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        import stat
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        h = hashlib.sha256()
        while block := os.read(fd, 1 << 20):
            h.update(block)
        return h.hexdigest()
    finally:
        os.close(fd)


def sync(args) -> None:
    """(As the student.) Copies the course's notebooks into ~/course:

    - a chapter the student has no file of is copied (a new chapter, or one
      they deleted);
    - a copy still byte for byte the one given before is replaced by the
      course's new version;
    - a copy the student changed is left alone; when the course's version
      changed too, the new one is put beside it (NN-name.course-update.ipynb)
      and COURSE-UPDATES.txt says so."""
    prefix = Prefix(args.prefix)
    student = prefix / "course/student"
    shipped = json.loads((student / "manifest.json").read_text())
    home = Path.home() / "course"
    if home.is_symlink() or (home.exists() and not home.is_dir()):
        raise Failure(f"{home} is not a folder: move it away, then log in again")
    home.mkdir(exist_ok=True)
    os.chmod(home, 0o700)
    record_path = home / ".course-copies.json"
    try:
        record = json.loads(record_path.read_text())
        if not isinstance(record, dict):
            record = {}
    except (OSError, ValueError):
        record = {}
    kept, added, updated, skipped = [], [], [], []

    def put(src: Path, dest: Path) -> None:
        tmp = home / f".{dest.name}.new"
        tmp.unlink(missing_ok=True)
        shutil.copyfile(student / src, tmp)
        os.replace(tmp, dest)

    for name, digest in shipped.items():
        dest = home / name
        if not dest.exists() and not dest.is_symlink():
            put(Path(name), dest)
            record[name] = digest
            added.append(name)
            continue
        now = regular_digest(dest)
        if now is None:
            skipped.append(name)  # not a regular file: not ours to touch
        elif now == digest:
            record[name] = digest  # in step with the course
        elif record.get(name) == now:
            put(Path(name), dest)  # unchanged since it was given: the new version
            record[name] = digest
            updated.append(name)
        elif record.get(name) != digest:
            # changed by the student, and the course's version changed as well
            put(Path(name), home / (name[:-len(".ipynb")] + ".course-update.ipynb"))
            record[name] = digest
            kept.append(name)
    tmp = home / ".course-copies.json.new"
    tmp.write_text(json.dumps(record, indent=1) + "\n")
    os.replace(tmp, record_path)
    for name in added:
        say(f"  added    {name}")
    for name in updated:
        say(f"  updated  {name} (unchanged since it was copied)")
    for name in kept:
        say(f"  kept     {name}: changed by you; the course's new version is beside it")
    for name in skipped:
        say(f"  skipped  {name}: not a regular file")
    notice = home / "COURSE-UPDATES.txt"
    if kept:
        notice.write_text(
            "The course was updated. These notebooks have your changes, so they were left as "
            "they are; the course's new version of each is beside it, named "
            "NN-….course-update.ipynb:\n" + "".join(f"  {n}\n" for n in kept))


# ---------------------------------------------------------------- accounts


def members(group: str) -> list[str]:
    try:
        g = grp.getgrnam(group)
    except KeyError:
        return []
    names = set(g.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == g.gr_gid}
    return sorted(names)


def ensure_group(name: str) -> None:
    try:
        grp.getgrnam(name)
    except KeyError:
        run(["groupadd", "--system", name])


def read_roster(path: Path) -> list[dict]:
    """Rows `username,name,role,password` (a header line; name, role and password
    may be empty). Every row is checked before any account is made."""
    if not path.is_file():
        raise Failure(f"{path}: no such file. Write a CSV with a header line "
                      "`username,name,role,password` and one row per person")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is fine
    except (OSError, UnicodeDecodeError) as e:
        raise Failure(f"{path}: cannot be read as UTF-8 text ({e}); save it as CSV (UTF-8)")
    import io
    with io.StringIO(text, newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "username" not in [h.strip() for h in reader.fieldnames]:
            raise Failure(f"{path}: the first line must be a header naming the columns, with "
                          "`username` among them (`username,name,role,password`)")
        rows, problems, seen = [], [], set()
        for n, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            user, role = row.get("username", ""), row.get("role", "") or "student"
            if TEST_ACCOUNT.match(user):
                problems.append(f"line {n}: {user}: names starting rc-selftest- or rc-load- are "
                                "kept for the tests, which make and remove such accounts")
            elif not USERNAME.match(user):
                problems.append(f"line {n}: username {user!r} is not a login name (a lowercase "
                                "letter, then up to 30 lowercase letters, digits, _ or -)")
            elif user in seen:
                problems.append(f"line {n}: {user} appears twice")
            elif role not in ("student", "teacher"):
                problems.append(f"line {n}: role {role!r}: write student or teacher")
            else:
                try:
                    existing = pwd.getpwnam(user)
                except KeyError:
                    existing = None
                if existing and user not in members(GROUP):
                    problems.append(f"line {n}: {user} is an account of this machine that is not "
                                    f"the course's (not in group {GROUP}); choose another name")
                elif not existing and group_exists(user):
                    problems.append(f"line {n}: {user} is the name of a group of this machine; "
                                    "choose another name")
            pw = row.get("password", "")
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in pw + row.get("name", "")) or any(
                    ch in row.get("name", "") for ch in ":,"):
                problems.append(f"line {n}: a control character (or : or , in the name): "
                                "write each on one line, in plain characters")
            elif pw and len(pw) < 8:
                problems.append(f"line {n}: the password given for {user} is shorter than 8 "
                                "characters; leave it empty to have one made")
            seen.add(user)
            rows.append({"username": user, "name": row.get("name", ""), "role": role,
                         "password": pw})
    if problems:
        raise Failure(f"{path}: nothing was changed, because:\n  " + "\n  ".join(problems))
    return rows


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def make_password() -> str:
    # 4 groups of 4 from an alphabet without look-alikes: about 78 bits
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def add_account(user: str, full_name: str, role: str, password: str) -> bool:
    """Makes (or updates) one account; returns whether it is new."""
    ensure_group(GROUP)
    ensure_group(TEACHERS)
    groups = GROUP + ("," + TEACHERS if role == "teacher" else "")
    try:
        pwd.getpwnam(user)
        new = False
        run(["usermod", "-a", "-G", groups, user])
        if role != "teacher" and user in members(TEACHERS):
            run(["gpasswd", "--delete", user, TEACHERS], stdout=subprocess.DEVNULL)
    except KeyError:
        new = True
        run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", full_name or user,
             "--groups", groups, "--user-group", user])
    home = Path(pwd.getpwnam(user).pw_dir)
    os.chmod(home, 0o700)  # no one else reads a student's files
    if password:
        # chpasswd hashes it (the system's method, /etc/login.defs); only the hash is kept
        run(["chpasswd"], input=f"{user}:{password}\n", text=True)
    return new


def add_students(args) -> None:
    need_root("Adding students")
    roster = Path(args.roster)
    rows = read_roster(roster)
    out = roster.with_name(f"{roster.stem}-passwords-{time.strftime('%Y%m%d-%H%M%S')}.csv")
    made = None
    try:
        for row in rows:
            pw, exists = row["password"], True
            try:
                pwd.getpwnam(row["username"])
            except KeyError:
                exists = False
            generated = not pw and not exists
            if generated:
                pw = make_password()
                if made is None:
                    # a new file (never a link, never another's), readable by root alone
                    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                    made = os.fdopen(fd, "w")
                    made.write("username,password\n")
                made.write(f"{row['username']},{pw}\n")
                made.flush()
            add_account(row["username"], row["name"], row["role"], pw)
            say(f"  {'updated' if exists else 'added':<8} {row['username']} ({row['role']})")
    finally:
        if made is not None:
            made.close()
            say(f"first passwords of the new accounts: {out} (readable by root alone; hand them "
                "out, then delete the file; the machine keeps only their hashes)")


def remove_test_accounts(names: list[str]) -> None:
    for user in names:
        if not TEST_ACCOUNT.match(user):
            raise Failure(f"refusing to remove {user}: not an account the tests made")
        try:
            marked = pwd.getpwnam(user).pw_gecos == TEST_MARK
        except KeyError:
            continue
        if user in members(GROUP) and marked:
            subprocess.run(["pkill", "-KILL", "-u", user], stderr=subprocess.DEVNULL)
            run(["userdel", "--remove", user], stderr=subprocess.DEVNULL)


# ---------------------------------------------------------------- limits


def cgroup_dirs(user: str) -> dict[str, Path]:
    return {c: CGROUP_ROOT / c / CGROUP_NAME / user for c in ("memory", "cpu", "cpuacct")}


def limits_available() -> str | None:
    """None when per-student limits can be set here, else why not."""
    for c in ("memory", "cpu", "cpuacct"):
        base = CGROUP_ROOT / c
        if not (base / "cgroup.procs").exists():
            return f"no cgroup (version 1) {c} controller at {base}"
        if not os.access(base, os.W_OK):
            return f"{base} is not writable (the hub must run as root)"
    return None


def place_in_cgroup(user: str, pid: int, memory: int, cpus: float) -> None:
    """Puts a student's server (and so everything it starts later) into the
    student's own cgroups: a memory limit and a CPU quota."""
    dirs = cgroup_dirs(user)
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    (dirs["memory"] / "memory.limit_in_bytes").write_text(str(memory))
    (dirs["cpu"] / "cpu.cfs_period_us").write_text("100000")
    (dirs["cpu"] / "cpu.cfs_quota_us").write_text(str(int(cpus * 100000)))
    pids = CGROUP_ROOT / "pids" / CGROUP_NAME / user
    if (CGROUP_ROOT / "pids/cgroup.procs").exists():
        pids.mkdir(parents=True, exist_ok=True)
        (pids / "pids.max").write_text(str(MAX_PROCESSES))  # no fork bomb takes the server
        dirs["pids"] = pids
    for d in dirs.values():
        (d / "cgroup.procs").write_text(str(pid))


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)", text.strip().upper())
    if not m:
        raise Failure(f"{text!r} is not a size: write e.g. 3G or 1500M")
    return int(float(m.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[m.group(2)])


# ---------------------------------------------------------------- the hub


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_env(prefix: Prefix, ip: str, port: int, memory: str, cpus: float) -> dict:
    return dict(os.environ, RUST_COURSE_PREFIX=str(prefix.root), RUST_COURSE_HUB_IP=ip,
                RUST_COURSE_HUB_PORT=str(port), RUST_COURSE_MEMORY=str(parse_size(memory)),
                RUST_COURSE_CPUS=str(cpus), RUST_COURSE_GROUP=GROUP,
                RUST_COURSE_TEACHERS=TEACHERS)


def check_installed(prefix: Prefix) -> None:
    for name in ("venv", "hub", "proxy", "tools", "course", "vendor", "kernel", "warm"):
        if prefix.stamp(name) is None:
            raise Failure(f"the classroom is not installed in {prefix.root} ({name} is missing): "
                          "run `cargo course hub install`")


def start(args) -> None:
    need_root("Starting the hub")
    prefix = Prefix(args.prefix)
    check_installed(prefix)
    if args.ip not in ("127.0.0.1", "localhost", "::1"):
        say(f"WARNING: the hub will listen on {args.ip}, beyond this machine, over plain HTTP: "
            "passwords would cross the network readable. Put TLS in front of it (a reverse "
            "proxy such as nginx or Caddy with a certificate, forwarding to this port), or set "
            "JupyterHub's ssl_cert and ssl_key.")
    if not 0 < args.cpus <= (os.cpu_count() or 1):
        raise Failure(f"--cpus {args.cpus}: give a number of cores above 0 and at most "
                      f"{os.cpu_count()}, this machine's")
    if parse_size(args.memory) < 2**30:
        raise Failure(f"--memory {args.memory}: a student's kernel needs about 1.4 GB at its peak "
                      "(docs/classroom.md); give 2G or more")
    why = limits_available()
    say(f"per-student limits: {args.memory} of memory, {args.cpus} cores" if why is None
        else f"WARNING: per-student limits are NOT enforced: {why}")
    say(f"accounts: members of group {GROUP} ({len(members(GROUP))}); teachers (admins): "
        f"{', '.join(members(TEACHERS)) or 'none yet: add one with role teacher'}")
    env = hub_env(prefix, args.ip, args.port, args.memory, args.cpus)
    host = f"[{args.ip}]" if ":" in args.ip else args.ip
    say(f"the hub: http://{host}:{args.port}/  (Ctrl-C stops it)")
    for port in (args.port, args.port + 1, args.port + 2):
        if not port_free(port):
            raise Failure(f"port {port} is taken (the hub uses {args.port}, and {args.port + 1} "
                          f"and {args.port + 2} on loopback for its API and its proxy's): stop "
                          "what holds it, or choose another --port")
    protect_state(prefix)
    os.chdir(prefix / "state")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # nothing the hub starts can read or type into this terminal
    os.execve(str(prefix / "hub/venv/bin/jupyterhub"),
              [str(prefix / "hub/venv/bin/jupyterhub"), "-f",
               str(prefix / "etc/jupyterhub_config.py")], env)


def update(args) -> None:
    """After `git pull`: the install brought up to date, then every student's
    notebooks (new chapters added, their own work left alone)."""
    install(args)
    prefix = Prefix(args.prefix)
    failed = []
    for user in members(GROUP):
        say(f"{user}:")
        try:
            sync_as(prefix, user)
        except Failure as e:
            say(f"  {e}")
            failed.append(user)
    if failed:
        raise Failure(f"the notebooks of {', '.join(failed)} were not brought up to date "
                      "(above, why); the others were")


def as_student(user: str, cmd: list, timeout: float, **kw) -> subprocess.CompletedProcess:
    """Runs a command as the student: their uid and groups, a clean
    environment, no terminal (a new session, stdin from /dev/null: nothing of
    root's session reachable), inside the student's cgroups when there are
    limits, bounded in time."""
    p = pwd.getpwnam(user)
    env = {"HOME": p.pw_dir, "USER": user, "LOGNAME": user, "PATH": "/usr/bin:/bin",
           "LANG": "C.UTF-8", **kw.pop("env", {})}

    def enter_cgroup():
        if limits_available() is None:
            for d in cgroup_dirs(user).values():
                if (d / "cgroup.procs").exists():
                    (d / "cgroup.procs").write_text(str(os.getpid()))

    full = ["setpriv", f"--reuid={p.pw_uid}", f"--regid={p.pw_gid}", "--init-groups",
            *map(str, cmd)]
    return subprocess.run(full, env=env, cwd=p.pw_dir, stdin=kw.pop("stdin", subprocess.DEVNULL),
                          start_new_session=True, preexec_fn=enter_cgroup, timeout=timeout,
                          text=True, capture_output=True, **kw)


def sync_as(prefix: Prefix, user: str) -> None:
    try:
        done = as_student(user, [prefix.python, prefix / "hub/hubtool.py", "--prefix",
                                 prefix.root, "sync"], timeout=60)
    except subprocess.TimeoutExpired:
        raise Failure(f"copying the notebooks for {user} took over 60 s") from None
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        raise Failure(f"copying the notebooks for {user} failed: {done.stderr.strip()[-500:]}")


# ---------------------------------------------------------------- collecting work


def collect(args) -> list:
    """Copies each student's saved copy of a chapter into one folder (read as
    the student: a link in their folder reaches only what they may read), and
    runs that copy in a fresh kernel as the student, under their limits,
    bounded in time, to say which of its checks pass."""
    need_root("Collecting notebooks")
    prefix = Prefix(args.prefix)
    shipped = sorted((prefix / "course/student").glob(f"{args.chapter}-*.ipynb"))
    if not shipped:
        have = sorted(p.name[:2] for p in (prefix / "course/student").glob("[0-9][0-9]-*.ipynb"))
        raise Failure(f"no chapter {args.chapter!r}; the course has {', '.join(have)}")
    name = shipped[0].name
    students = [u for u in (args.students or members(GROUP)) if u not in members(TEACHERS)]
    strangers = [u for u in students if u not in members(GROUP)]
    if strangers:
        raise Failure(f"{', '.join(strangers)}: not in the class (group {GROUP})")
    os.umask(0o077)  # the class's work is for the teacher's eyes
    out = Path(args.out or f"collected/{name[:-6]}")
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    rows = []
    for user in students:
        src = Path(pwd.getpwnam(user).pw_dir) / "course" / name
        try:
            done = as_student(user, ["cat", "--", src], timeout=60)
        except subprocess.TimeoutExpired:
            done = None
        if done is None or done.returncode != 0 or not done.stdout:
            rows.append((user, "no copy", "", ""))
            continue
        dest = out / f"{user}.ipynb"
        dest.unlink(missing_ok=True)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(done.stdout)
        if args.no_checks:
            rows.append((user, "collected", "", ""))
            continue
        result = checks_as(prefix, user, done.stdout, args.timeout)
        rows.append((user, "collected", result.get("passed", ""), result.get("summary", "")))
    lines = [f"# {name}: checks passed per student", "",
             "| student | copy | checks passed | failing or not run |", "|---|---|---|---|"]
    lines += [f"| {u} | {c} | {p} | {s} |" for u, c, p, s in rows]
    (out / "checks.md").write_text("\n".join(lines) + "\n")
    say("\n".join(lines))
    say(f"\ncollected into {out}/ (checks.md is the table)")
    return rows


def checks_as(prefix: Prefix, user: str, notebook: str, timeout: int) -> dict:
    """The collected copy (given on stdin) run as its student."""
    try:
        cells = sum(1 for c in json.loads(notebook).get("cells", []) if c.get("cell_type") == "code")
    except (ValueError, AttributeError):
        return {"passed": "", "summary": "not a notebook (the file is not valid JSON)"}
    # every cell may take `timeout`, the crate's first build 10 minutes more
    limit = cells * timeout + 600
    env = {"JUPYTER_PATH": str(prefix / "jupyter"), "JUPYTER_PLATFORM_DIRS": "1"}
    try:
        done = as_student(user, [prefix.python, prefix / "hub/hubtool.py", "--prefix", prefix.root,
                                 "checks", "--timeout", timeout, "-"], timeout=limit,
                          input=notebook, stdin=None, env=env)
    except subprocess.TimeoutExpired:
        return {"passed": "", "summary": f"stopped after {limit} s"}
    for line in reversed(done.stdout.strip().splitlines()):
        if line.startswith("{") and '"passed"' in line:
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    return {"passed": "", "summary": "the run failed: " + done.stderr.strip()[-200:]}


def checks(args) -> None:
    """(As the student.) Runs a copy top to bottom in a fresh kernel (not saving
    it) and prints which check cells passed, as one JSON line."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(sys.stdin if args.notebook == "-" else args.notebook, as_version=4)
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="rust-course",
                            allow_errors=True, resources={"metadata": {"path": str(Path.home())}})
    started = time.time()
    try:
        client.execute()
    except Exception as e:  # a cell over its time: the rest did not run
        say(f"stopped: {type(e).__name__}")
    checks_ = [(i, c) for i, c in enumerate(nb.cells)
               if "check" in c.get("metadata", {}).get("tags", [])]
    passed, failing = 0, []
    sys.path.insert(0, str(Path(args.prefix) / "course/tests"))
    from notebooks import printed_tick  # the test's own rule: the check got to its ✓

    for i, c in checks_:
        if c.get("execution_count") is not None and printed_tick(c):
            passed += 1
        else:
            failing.append(f"cell {i}" + (" (not run)" if c.get("execution_count") is None else ""))
    print(json.dumps({"passed": f"{passed} of {len(checks_)}", "summary": ", ".join(failing),
                      "seconds": round(time.time() - started, 1)}))


def main() -> int:
    parser = argparse.ArgumentParser(prog="cargo course hub", description=__doc__.split("\n")[0])
    parser.add_argument("--prefix", default=str(DEFAULT_PREFIX),
                        help=f"the classroom's install (default {DEFAULT_PREFIX})")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("install", help="install (or bring up to date) the classroom")
    p.add_argument("--repo", required=True)
    p.add_argument("--evcxr", required=True)
    p.add_argument("--without-hub", action="store_true",
                   help="only what a student's server needs (for a container image)")
    p = sub.add_parser("start", help="start the hub (the default)")
    p.add_argument("--ip", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--memory", default=DEFAULT_MEMORY, help="memory per student, e.g. 3G")
    p.add_argument("--cpus", type=float, default=DEFAULT_CPUS, help="cores per student")
    p = sub.add_parser("add-students", help="make accounts from a roster (CSV)")
    p.add_argument("roster")
    p = sub.add_parser("update", help="bring the install and every student's notebooks up to date")
    p.add_argument("--repo", required=True)
    p.add_argument("--evcxr", required=True)
    p.add_argument("--without-hub", action="store_true")
    p = sub.add_parser("collect", help="collect a chapter's copies and say which checks pass")
    p.add_argument("chapter")
    p.add_argument("--out")
    p.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    p.add_argument("--no-checks", action="store_true")
    p.add_argument("--students", nargs="+", help="only these students (default: the class)")
    p = sub.add_parser("loadtest", help="simulated students on loopback")
    p.add_argument("--students", type=int, nargs="+", default=[1, 2, 4, 8])
    p.add_argument("--chapters", nargs="+", default=["01", "09"])
    p.add_argument("--out")
    p.add_argument("--memory", default=DEFAULT_MEMORY)
    p.add_argument("--cpus", type=float, default=DEFAULT_CPUS)
    sub.add_parser("selftest", help="a hub on loopback, two students, isolation, stop")
    # run by the tool itself, inside the students' Python or as a student
    p = sub.add_parser("student-copies")
    p.add_argument("--into", required=True)
    p = sub.add_parser("run-cells")
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("cells", nargs="+")
    sub.add_parser("kernel-home")
    sub.add_parser("sync")
    p = sub.add_parser("checks")
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("notebook")
    args = parser.parse_args()
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command in ("loadtest", "selftest"):
            prefix = Prefix(args.prefix)
            if Path(sys.prefix).resolve() != (prefix / "venv").resolve():
                # the students' Python has the client's libraries (requests, websocket-client)
                check_installed(prefix)
                os.execv(prefix.python, [str(prefix.python), str(prefix / "hub/hubtool.py"),
                                         *sys.argv[1:]])
            import hubclient  # beside this file
            hubclient.main(args)
        else:
            globals()[args.command.replace("-", "_")](args)
    except Failure as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
