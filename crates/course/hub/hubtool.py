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
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_NAME = "rust-ml-course"
# Limits per student's server (everything it starts: kernels, cargo, rustc),
# from the load test (docs/classroom.md). `cargo course hub --memory --cpus`.
DEFAULT_MEMORY = "3G"
DEFAULT_CPUS = 1.0


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
    def hub_python(self) -> Path:
        return self.root / "hub/venv/bin/python"

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
        out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--", *paths],
                             capture_output=True, check=True).stdout
        files = [repo / p for p in out.decode().split("\0") if p]
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


def install(args) -> None:
    need_root("Installing the classroom")
    repo = Path(args.repo).resolve()
    prefix = Prefix(args.prefix)
    prefix.root.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix.root, 0o755)
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
    wanted = sha256_files(repo, crate) + (prefix.stamp("kernel") or "") + version
    step("warm", hashlib.sha256(wanted.encode()).hexdigest(), prefix, lambda: warm(prefix))
    # read-only for everyone but root; the hub's state for root alone
    run(["chmod", "-R", "a+rX,go-w", prefix.root])
    (prefix / "state").mkdir(exist_ok=True)
    os.chmod(prefix / "state", 0o700)
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
    run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=dest)


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
    old = prefix / "course"
    if old.exists():
        shutil.rmtree(old)
    tmp.rename(old)
    # The students' copies of the notebooks, loading the crate from here.
    run([prefix.python, prefix / "hub/hubtool.py", "--prefix", prefix.root, "student-copies"])


def student_copies(args) -> None:
    """(In the students' Python.) Writes course/student/ and its manifest."""
    prefix = Prefix(args.prefix)
    sys.path.insert(0, str(prefix / "course/tests"))
    import nbformat
    import notebooks  # tests/notebooks.py, copied with the course

    out = prefix / "course/student"
    out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for path in sorted((prefix / "course/notebooks").glob("[0-9][0-9]-*.ipynb")):
        nb = notebooks.student_copy(nbformat.read(path, as_version=4), prefix.crate)
        nbformat.write(nb, out / path.name)
        manifest[path.name] = sha256_file(out / path.name)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def vendor(repo: Path, prefix: Prefix) -> None:
    tmp = prefix / "vendor.new"
    shutil.rmtree(tmp, ignore_errors=True)
    env = dict(os.environ, CARGO_NET_OFFLINE="true")
    done = subprocess.run(["cargo", "vendor", "--locked", "--manifest-path",
                           str(repo / "Cargo.toml"), str(tmp)], env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise Failure("`cargo vendor` could not gather the dependencies' sources offline:\n"
                      + done.stderr[-2000:] + "\nRun `cargo fetch` once with the network, "
                      "then this again")
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


def sync(args) -> None:
    """(As the student.) Copies the course's notebooks into ~/course. A notebook
    is copied when the student has none of that name, and replaced by a newer
    version only when the student's copy is byte for byte the one copied
    before; a notebook the student changed is left alone, and said so."""
    prefix = Prefix(args.prefix)
    student = prefix / "course/student"
    shipped = json.loads((student / "manifest.json").read_text())
    home = Path.home() / "course"
    home.mkdir(exist_ok=True)
    os.chmod(home, 0o700)
    record_path = home / ".course-copies.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    kept, added, updated = [], [], []
    for name, digest in shipped.items():
        dest = home / name
        if dest.exists():
            now = sha256_file(dest)
            if now == digest:
                record[name] = digest
                continue
            if record.get(name) != now:
                kept.append(name)  # the student's work
                continue
            updated.append(name)
        else:
            added.append(name)
        tmp = home / f".{name}.new"
        shutil.copyfile(student / name, tmp)
        tmp.rename(dest)
        record[name] = digest
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    for name in added:
        say(f"  added    {name}")
    for name in updated:
        say(f"  updated  {name} (unchanged since it was copied)")
    for name in kept:
        say(f"  kept     {name}: changed by you, so the course's new version was not copied "
            f"(it is in {student / name})")
    if kept:
        (home / "COURSE-UPDATES.txt").write_text(
            "The course was updated. These notebooks have your changes, so they were left as "
            "they are; the course's new version of each is in " + str(student) + ":\n"
            + "".join(f"  {n}\n" for n in kept))


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
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "username" not in [h.strip() for h in reader.fieldnames]:
            raise Failure(f"{path}: the first line must be a header naming the columns, with "
                          "`username` among them (`username,name,role,password`)")
        rows, problems, seen = [], [], set()
        for n, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            user, role = row.get("username", ""), row.get("role", "") or "student"
            if not USERNAME.match(user):
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
            pw = row.get("password", "")
            if pw and len(pw) < 8:
                problems.append(f"line {n}: the password given for {user} is shorter than 8 "
                                "characters; leave it empty to have one made")
            seen.add(user)
            rows.append({"username": user, "name": row.get("name", ""), "role": role,
                         "password": pw})
    if problems:
        raise Failure(f"{path}: nothing was changed, because:\n  " + "\n  ".join(problems))
    return rows


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
    made = []
    for row in rows:
        pw = row["password"]
        generated = False
        exists = True
        try:
            pwd.getpwnam(row["username"])
        except KeyError:
            exists = False
        if not pw and not exists:
            pw, generated = make_password(), True
        add_account(row["username"], row["name"], row["role"], pw)
        if generated:
            made.append((row["username"], pw))
        say(f"  {'updated' if exists else 'added':<8} {row['username']} ({row['role']})")
    if made:
        out = roster.with_name(roster.stem + "-passwords.csv")
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("username,password\n" + "".join(f"{u},{p}\n" for u, p in made))
        say(f"first passwords of the {len(made)} new accounts: {out} (readable by you alone; "
            "hand them out, then delete the file; the machine keeps only their hashes)")


def remove_test_accounts(names: list[str]) -> None:
    for user in names:
        if not TEST_ACCOUNT.match(user):
            raise Failure(f"refusing to remove {user}: not an account the tests made")
        if user in members(GROUP):
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
    for d in dirs.values():
        (d / "cgroup.procs").write_text(str(pid))


def parse_size(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)", text.strip().upper())
    if not m:
        raise Failure(f"{text!r} is not a size: write e.g. 3G or 1500M")
    return int(float(m.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[m.group(2)])


# ---------------------------------------------------------------- the hub


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
    why = limits_available()
    say(f"per-student limits: {args.memory} of memory, {args.cpus} cores" if why is None
        else f"WARNING: per-student limits are NOT enforced: {why}")
    say(f"accounts: members of group {GROUP} ({len(members(GROUP))}); teachers (admins): "
        f"{', '.join(members(TEACHERS)) or 'none yet: add one with role teacher'}")
    env = hub_env(prefix, args.ip, args.port, args.memory, args.cpus)
    say(f"the hub: http://{args.ip}:{args.port}/  (Ctrl-C stops it)")
    os.execve(str(prefix / "hub/venv/bin/jupyterhub"),
              [str(prefix / "hub/venv/bin/jupyterhub"), "-f",
               str(prefix / "etc/jupyterhub_config.py")], env)


def update(args) -> None:
    """After `git pull`: the install brought up to date, then every student's
    notebooks (new chapters added, their own work left alone)."""
    install(args)
    prefix = Prefix(args.prefix)
    for user in members(GROUP):
        say(f"{user}:")
        sync_as(prefix, user)


def sync_as(prefix: Prefix, user: str) -> None:
    p = pwd.getpwnam(user)
    env = {"HOME": p.pw_dir, "USER": user, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    run(["setpriv", f"--reuid={p.pw_uid}", f"--regid={p.pw_gid}", "--init-groups",
         prefix.python, prefix / "hub/hubtool.py", "--prefix", prefix.root, "sync"],
        env=env, cwd=p.pw_dir)


# ---------------------------------------------------------------- collecting work


def collect(args) -> None:
    """Copies each student's saved copy of a chapter into one folder, and runs
    each in a fresh kernel as that student, bounded in time, to say which of
    its checks pass."""
    need_root("Collecting notebooks")
    prefix = Prefix(args.prefix)
    shipped = sorted((prefix / "course/student").glob(f"{args.chapter}-*.ipynb"))
    if not shipped:
        have = sorted(p.name[:2] for p in (prefix / "course/student").glob("[0-9][0-9]-*.ipynb"))
        raise Failure(f"no chapter {args.chapter!r}; the course has {', '.join(have)}")
    name = shipped[0].name
    out = Path(args.out or f"collected/{name[:-6]}")
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for user in members(GROUP):
        if user in members(TEACHERS):
            continue
        src = Path(pwd.getpwnam(user).pw_dir) / "course" / name
        if not src.is_file():
            rows.append((user, "no copy", "", ""))
            continue
        shutil.copyfile(src, out / f"{user}.ipynb")
        if args.no_checks:
            rows.append((user, "collected", "", ""))
            continue
        result = checks_as(prefix, user, src, args.timeout)
        rows.append((user, "collected", result.get("passed", ""), result.get("summary", "")))
    lines = [f"# {name}: checks passed per student", "",
             "| student | copy | checks passed | failing or not run |", "|---|---|---|---|"]
    lines += [f"| {u} | {c} | {p} | {s} |" for u, c, p, s in rows]
    (out / "checks.md").write_text("\n".join(lines) + "\n")
    say("\n".join(lines))
    say(f"\ncollected into {out}/ (checks.md is the table)")


def checks_as(prefix: Prefix, user: str, notebook: Path, timeout: int) -> dict:
    p = pwd.getpwnam(user)
    env = {"HOME": p.pw_dir, "USER": user, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "JUPYTER_PATH": str(prefix / "jupyter"), "JUPYTER_PLATFORM_DIRS": "1"}
    cmd = ["setpriv", f"--reuid={p.pw_uid}", f"--regid={p.pw_gid}", "--init-groups",
           str(prefix.python), str(prefix / "hub/hubtool.py"), "--prefix", str(prefix.root),
           "checks", "--timeout",
           str(timeout), str(notebook)]
    try:
        done = subprocess.run(cmd, env=env, cwd=p.pw_dir, capture_output=True, text=True,
                              timeout=timeout + 120)
    except subprocess.TimeoutExpired:
        return {"passed": "", "summary": f"stopped after {timeout + 120} s"}
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"passed": "", "summary": "the run failed: " + done.stderr.strip()[-200:]}


def checks(args) -> None:
    """(As the student.) Runs a copy top to bottom in a fresh kernel (not saving
    it) and prints which check cells passed, as one JSON line."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(args.notebook, as_version=4)
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
    for i, c in checks_:
        text = "".join(o.get("text", "") for o in c.get("outputs", []))
        errors = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
        if c.get("execution_count") is not None and not errors and "✓" in text:
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
    p = sub.add_parser("loadtest", help="simulated students on loopback")
    p.add_argument("--students", type=int, nargs="+", default=[1, 2, 4, 8])
    p.add_argument("--chapters", nargs="+", default=["01", "09"])
    p.add_argument("--out")
    p.add_argument("--memory", default=DEFAULT_MEMORY)
    p.add_argument("--cpus", type=float, default=DEFAULT_CPUS)
    sub.add_parser("selftest", help="a hub on loopback, two students, isolation, stop")
    # run by the tool itself, inside the students' Python or as a student
    p = sub.add_parser("student-copies")
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
