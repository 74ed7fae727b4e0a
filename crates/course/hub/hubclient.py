"""The classroom seen from the students' side, over HTTP and the kernel's
websocket on loopback: `cargo course hub selftest` (the test suite's check of
the hub) and `cargo course hub loadtest` (simulated students, measured).

Both start their own hub on a free loopback port, make their own accounts
(rc-selftest-*, rc-load-*), and remove them again; every wait is bounded."""
from __future__ import annotations

import json
import os
import pwd
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket

import hubtool
from hubtool import Failure, Prefix, say

OK = (200, 201, 202, 204)


def course_tests(prefix: Prefix):
    """tests/notebooks.py as installed with the course: the test's own rules."""
    sys.path.insert(0, str(prefix / "course/tests"))
    import notebooks
    return notebooks


def notebook_to_run(prefix: Prefix, chapter: str):
    """A chapter as a student who did its exercises runs it: a student's copy
    (loading the crate from the install) with the solutions in the exercise
    cells."""
    import nbformat
    notebooks = course_tests(prefix)
    path = next((prefix / "course/notebooks").glob(f"{chapter}-*.ipynb"), None)
    if path is None:
        raise Failure(f"no chapter {chapter} in {prefix / 'course/notebooks'}")
    nb = notebooks.with_solutions(nbformat.read(path, as_version=4))
    return path.name, notebooks.student_copy(nb, prefix.crate)


@dataclass
class Measured:
    name: str
    login: float = 0.0
    to_kernel: float = 0.0  # server start asked until the kernel answered
    cells: list = field(default_factory=list)  # (chapter, index, seconds)
    errors: list = field(default_factory=list)  # HTTP or websocket problems
    cell_errors: list = field(default_factory=list)
    saved: list = field(default_factory=list)  # chapters saved with their outputs
    peak_rss: int = 0
    cpu_seconds: float | None = None
    peak_cgroup_memory: int | None = None
    disk: int = 0


class Student:
    """One student at the hub, through its REST API and the kernel websocket."""

    def __init__(self, base: str, name: str, password: str, measured: Measured):
        self.base, self.name, self.password, self.m = base, name, password, measured
        self.http = requests.Session()

    def call(self, method: str, url: str, what: str, ok=OK, **kw) -> requests.Response:
        try:
            r = self.http.request(method, url, timeout=kw.pop("timeout", 60), **kw)
        except requests.RequestException as e:
            self.m.errors.append(f"{what}: {type(e).__name__}")
            raise Failure(f"{self.name}: {what}: {e}") from e
        if r.status_code not in ok:
            self.m.errors.append(f"{what}: HTTP {r.status_code}")
            raise Failure(f"{self.name}: {what}: HTTP {r.status_code} {r.text[:300]}")
        return r

    def login(self) -> None:
        t = time.time()
        self.call("GET", f"{self.base}/hub/login", "the login page")
        xsrf = self.http.cookies.get("_xsrf", path="/hub/") or self.http.cookies.get("_xsrf")
        r = self.call("POST", f"{self.base}/hub/login?next=", "log in", ok=(200, 302),
                      data={"username": self.name, "password": self.password, "_xsrf": xsrf},
                      allow_redirects=False)
        if r.status_code != 302:
            raise Failure(f"{self.name}: the hub refused the login (HTTP {r.status_code})")
        xsrf = self.http.cookies.get("_xsrf", path="/hub/") or xsrf
        r = self.call("POST", f"{self.base}/hub/api/users/{self.name}/tokens", "an API token",
                      json={"note": "course client", "expires_in": 7200},
                      headers={"X-XSRFToken": xsrf, "Referer": f"{self.base}/hub/home"})
        self.http.headers["Authorization"] = f"token {r.json()['token']}"
        self.m.login = time.time() - t

    def start_server(self, limit: float = 180) -> None:
        self.call("POST", f"{self.base}/hub/api/users/{self.name}/server", "start the server",
                  ok=(201, 202, 400))
        deadline = time.time() + limit
        while time.time() < deadline:
            r = self.call("GET", f"{self.base}/hub/api/users/{self.name}", "the server's state")
            server = r.json().get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        self.m.errors.append("server not ready in time")
        raise Failure(f"{self.name}: the server did not start within {limit:.0f} s")

    def stop_server(self) -> None:
        self.call("DELETE", f"{self.base}/hub/api/users/{self.name}/server", "stop the server",
                  ok=(202, 204))
        deadline = time.time() + 60
        while time.time() < deadline:
            r = self.call("GET", f"{self.base}/hub/api/users/{self.name}", "the server's state")
            if not r.json().get("servers"):
                return
            time.sleep(0.5)

    def api(self, method: str, path: str, what: str, ok=OK, **kw) -> requests.Response:
        return self.call(method, f"{self.base}/user/{self.name}/api/{path}", what, ok=ok, **kw)

    def save(self, path: str, nb) -> None:
        self.api("PUT", f"contents/{path}", f"save {path}",
                 json={"type": "notebook", "format": "json", "content": nb})

    def open_kernel(self, path: str) -> "Kernel":
        r = self.api("POST", "sessions", f"open {path}",
                     json={"path": path, "name": path, "type": "notebook",
                           "kernel": {"name": "rust-course"}})
        session = r.json()
        token = self.http.headers["Authorization"]
        url = (self.base.replace("http", "ws", 1) + f"/user/{self.name}/api/kernels/"
               f"{session['kernel']['id']}/channels?session_id={uuid.uuid4().hex}")
        try:
            ws = websocket.create_connection(url, header=[f"Authorization: {token}"], timeout=30)
        except (websocket.WebSocketException, OSError) as e:
            self.m.errors.append(f"websocket: {type(e).__name__}")
            raise Failure(f"{self.name}: the kernel's websocket: {e}") from e
        return Kernel(ws, session["id"], self)

    def close_kernel(self, kernel: "Kernel") -> None:
        kernel.ws.close()
        self.api("DELETE", f"sessions/{kernel.session}", "close the notebook")


class Kernel:
    """A kernel over the websocket (Jupyter's messages as JSON text)."""

    def __init__(self, ws, session: str, student: Student):
        self.ws, self.session, self.student = ws, session, student
        self.client = uuid.uuid4().hex

    def request(self, msg_type: str, content: dict, limit: float):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.student.name, "session": self.client,
                       "msg_type": msg_type, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
            "buffers": []}))
        outputs, reply, idle = [], None, False
        deadline = time.time() + limit
        while not (reply and idle):
            left = deadline - time.time()
            if left <= 0:
                raise Failure(f"{self.student.name}: no answer to {msg_type} in {limit:.0f} s")
            self.ws.settimeout(left)
            try:
                msg = json.loads(self.ws.recv())
            except (websocket.WebSocketException, OSError) as e:
                self.student.m.errors.append(f"websocket: {type(e).__name__}")
                raise Failure(f"{self.student.name}: the websocket: {e}") from e
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, c = msg["msg_type"], msg["content"]
            if msg["channel"] == "shell":
                reply = c
            elif kind == "status" and c.get("execution_state") == "idle":
                idle = True
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
            elif kind in ("execute_result", "display_data"):
                out = {"output_type": kind, "data": c["data"], "metadata": c.get("metadata", {})}
                if kind == "execute_result":
                    out["execution_count"] = c.get("execution_count")
                outputs.append(out)
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": c["ename"],
                                "evalue": c["evalue"], "traceback": c["traceback"]})
        return reply, outputs

    def ready(self, limit: float) -> None:
        self.request("kernel_info_request", {}, limit)

    def execute(self, code: str, limit: float):
        return self.request("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}, limit)


def run_chapter(student: Student, prefix: Prefix, chapter: str, cell_limit: float,
                first: bool, started: float) -> None:
    """Puts the chapter into the student's folder, opens it, runs every cell as
    a student does, saves it with its outputs, and checks the file on disk."""
    name, nb = notebook_to_run(prefix, chapter)
    path = f"run-{name}"
    student.save(path, nb)
    kernel = student.open_kernel(path)
    try:
        kernel.ready(300)
        if first:
            student.m.to_kernel = time.time() - started
        count = 0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            t = time.time()
            reply, outputs = kernel.execute(cell.source, cell_limit)
            student.m.cells.append((chapter, i, time.time() - t))
            count += 1
            cell.outputs, cell.execution_count = outputs, count
            may_fail = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            if reply.get("status") != "ok" and not may_fail:
                student.m.cell_errors.append(f"{chapter} cell {i}: {reply.get('evalue', '')[:120]}")
    finally:
        student.close_kernel(kernel)
    student.save(path, nb)
    home = Path(pwd.getpwnam(student.name).pw_dir)
    on_disk = json.loads((home / "course" / path).read_text())
    kept = [c for c in on_disk["cells"] if c["cell_type"] == "code" and c.get("outputs")]
    ran = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    owner = pwd.getpwuid((home / "course" / path).stat().st_uid).pw_name
    if len(kept) == len(ran) and owner == student.name:
        student.m.saved.append(chapter)


# ---------------------------------------------------------------- the hub and the accounts


class Hub:
    """A hub of our own on a free loopback port, stopped on exit."""

    def __init__(self, prefix: Prefix, log: Path, memory: str, cpus: float):
        hubtool.check_installed(prefix)
        self.port = hubtool.free_port()
        for _ in range(50):
            if all(hubtool.port_free(self.port + k) for k in (1, 2)):
                break
            self.port = hubtool.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(log, "w")
        env = hubtool.hub_env(prefix, "127.0.0.1", self.port, memory, cpus)
        state = Path(prefix / "state") / f"test-{self.port}"
        state.mkdir(mode=0o700, parents=True, exist_ok=True)
        # its own database and secret, apart from the class's hub
        env["RUST_COURSE_STATE"] = str(state)
        self.process = subprocess.Popen(
            [str(prefix / "hub/venv/bin/jupyterhub"), "-f", str(prefix / "etc/jupyterhub_config.py")],
            env=env, cwd=state, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.state = state
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"the hub stopped at start (exit {self.process.returncode}); see "
                              f"{log}")
            try:
                if requests.get(f"{self.base}/hub/api", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise Failure(f"the hub did not answer within 90 s; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the hub stops the servers it started
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
        self.log.close()
        import shutil
        shutil.rmtree(self.state, ignore_errors=True)

    def log_errors(self) -> list[str]:
        text = self.log_path.read_text(errors="replace")
        return [l for l in text.splitlines() if " ERROR " in l or "[E " in l]


def make_accounts(names: list[str]) -> dict[str, str]:
    passwords = {}
    for name in names:
        if not hubtool.TEST_ACCOUNT.match(name):
            raise Failure(f"{name} is not a test account's name")
        passwords[name] = hubtool.make_password()
        hubtool.add_account(name, "course test account", "student", passwords[name])
    return passwords


def uid_of(name: str) -> int:
    return pwd.getpwnam(name).pw_uid


def rss_by_uid(uids: set[int]) -> dict[int, int]:
    total = dict.fromkeys(uids, 0)
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        uid = rss = None
        for line in status.splitlines():
            if line.startswith("Uid:"):
                uid = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
        if uid in total and rss:
            total[uid] += rss
    return total


class Sampler(threading.Thread):
    """The peak, over the run, of the summed RSS of each student's processes."""

    def __init__(self, measured: list[Measured]):
        super().__init__(daemon=True)
        self.by_uid = {uid_of(m.name): m for m in measured}
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.5):
            for uid, rss in rss_by_uid(set(self.by_uid)).items():
                self.by_uid[uid].peak_rss = max(self.by_uid[uid].peak_rss, rss)


def cgroup_read(user: str, controller: str, name: str) -> int | None:
    try:
        return int((hubtool.cgroup_dirs(user)[controller] / name).read_text())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- selftest


def selftest(args) -> None:
    hubtool.need_root("The hub's test")
    prefix = Prefix(args.prefix)
    t0 = time.time()
    a, b = "rc-selftest-a", "rc-selftest-b"
    hubtool.remove_test_accounts([a, b])  # left by a stopped run
    check_sync(prefix)
    passwords = make_accounts([a, b])
    try:
        hub = Hub(prefix, Path("target/hub/selftest.log").resolve(), "3G", 1.0)
    except Failure:
        hubtool.remove_test_accounts([a, b])
        raise
    problems = []
    try:
        say(f"  a hub on {hub.base}; students {a} and {b}")
        wrong = Student(hub.base, a, passwords[a] + "x", Measured(a))
        try:
            wrong.login()
            problems.append("a wrong password was let in")
        except Failure:
            say("  a wrong password is refused")
        students = [Student(hub.base, n, passwords[n], Measured(n)) for n in (a, b)]
        for s in students:
            s.login()
        say("  both logged in with their passwords")
        results = {n: "did not finish within 15 minutes" for n in (a, b)}

        def work(s: Student, chapter: str):
            try:
                started = time.time()
                s.start_server()
                run_chapter(s, prefix, chapter, 300, True, started)
                results[s.name] = None
            except Exception as e:  # noqa: BLE001 (any failure of the run is the test's)
                results[s.name] = f"{type(e).__name__}: {e}"

        threads = [threading.Thread(target=work, args=(s, ch)) for s, ch in zip(students, ("00", "01"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(900)
        for s, chapter in zip(students, ("00", "01")):
            m = s.m
            if results.get(s.name) or not m.cells:
                problems.append(results.get(s.name) or f"{s.name}: no cell ran")
                continue
            slowest = max(m.cells, key=lambda c: c[2])
            say(f"  {s.name}: chapter {chapter}, {len(m.cells)} cells in "
                f"{sum(c[2] for c in m.cells):.1f} s (slowest: cell {slowest[1]}, {slowest[2]:.1f} s); "
                f"kernel running {m.to_kernel:.1f} s after the server was asked for")
            problems += [f"{s.name}: {e}" for e in m.cell_errors]
            if chapter not in m.saved:
                problems.append(f"{s.name}: chapter {chapter} was not saved with its outputs")
            home = Path(pwd.getpwnam(s.name).pw_dir)
            shipped = json.loads((prefix / "course/student/manifest.json").read_text())
            missing = [n for n in shipped if not (home / "course" / n).is_file()]
            if missing:
                problems.append(f"{s.name}: no copy of {', '.join(missing)}")
            if not problems:
                say(f"  {s.name}: {len(shipped)} notebooks copied into {home / 'course'}")
        problems += isolation(prefix, hub, students, passwords)
        problems += collected(prefix, students)
        state = prefix / "state"
        # its folders closed to others (the database and files inside are then out of
        # reach whatever their own mode), and every cookie secret root's alone
        opened = [str(p) for p in [state, *state.rglob("*")]
                  if not p.is_symlink() and (p.is_dir() or p.name.endswith("cookie_secret"))
                  and os.stat(p).st_mode & 0o077]
        if opened:
            problems.append(f"the hub's state is open to others: {', '.join(opened[:5])}")
        for s in students:
            s.stop_server()
    finally:
        hub.stop()
        errors = hub.log_errors()
        leftover = [n for n in (a, b) if any(rss_by_uid({uid_of(n)}).values())]
        hubtool.remove_test_accounts([a, b])
    if leftover:
        problems.append(f"processes of {', '.join(leftover)} outlived the hub")
    say(f"  the hub stopped; its log: {hub.log_path} ({len(errors)} error lines)")
    if problems:
        raise Failure("the hub's test failed:\n  " + "\n  ".join(problems))
    limits = ("limits" if hubtool.limits_available() is None
              else f"(limits NOT tested: {hubtool.limits_available()})")
    say(f"hub: login, two students' notebooks, isolation, {limits}, collecting and stop: ok "
        f"({time.time() - t0:.0f} s)")


def isolation(prefix: Prefix, hub: Hub, students: list[Student], passwords) -> list[str]:
    """What one student can reach of another's, from their kernel and through
    the hub; and that their kernels run under their limits."""
    a, b = students
    problems = []
    b_home = pwd.getpwnam(b.name).pw_dir
    secret = hub.state / "jupyterhub_cookie_secret"  # this hub's own
    targets = {
        "read another student's notebook": f'std::fs::read_to_string("{b_home}/course/01-hyperplanes-and-the-perceptron.ipynb")',
        "list another student's folder": f'std::fs::read_dir("{b_home}/course").map(|_| String::new())',
        "write into another student's folder": f'std::fs::write("{b_home}/course/x.txt", "x").map(|_| String::new())',
        "change the course's install": f'std::fs::write("{prefix.crate}/src/lib.rs", "x").map(|_| String::new())',
        "read the hub's secrets": f'std::fs::read_to_string("{secret}")',
        "change the shared cache": f'std::fs::write("{prefix / "cache/evcxr/.version"}", "x").map(|_| String::new())',
    }
    for path in (f"{b_home}/course/01-hyperplanes-and-the-perceptron.ipynb", secret,
                 prefix.crate / "src/lib.rs", prefix / "cache/evcxr/.version"):
        if not Path(path).is_file():
            problems.append(f"the isolation check's target {path} does not exist")
    a.start_server()
    name, nb = notebook_to_run(prefix, "00")
    a.save("isolation.ipynb", {"cells": [], "metadata": nb.metadata, "nbformat": 4,
                               "nbformat_minor": 5})
    kernel = a.open_kernel("isolation.ipynb")
    try:
        kernel.ready(300)
        for what, expr in targets.items():
            reply, outputs = kernel.execute(f"match {expr} {{ Ok(_) => \"allowed\".to_string(), "
                                            f"Err(e) => format!(\"refused: {{e}}\") }}", 120)
            shown = [o["data"].get("text/plain", "") for o in outputs
                     if o.get("output_type") == "execute_result"]
            if (reply.get("status") != "ok" or len(shown) != 1
                    or not shown[0].startswith('"refused: Permission denied')):
                problems.append(f"{a.name} could {what}, or the check did not run "
                                f"({json.dumps(outputs)[:200]})")
        say(f"  from {a.name}'s kernel, {len(targets)} reaches into {b.name}'s files, the install "
            "and the hub's secrets: all refused" if not problems else "")
        pids = [p for p in kernel_pids(uid_of(a.name))]
        limit = cgroup_read(a.name, "memory", "memory.limit_in_bytes")
        quota = cgroup_read(a.name, "cpu", "cpu.cfs_quota_us")
        if hubtool.limits_available() is None:
            def placed(pid: int) -> bool:  # its memory and its cpu line both name a's cgroup
                lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
                want = f":/{hubtool.CGROUP_NAME}/{a.name}"
                return all(any(l.split(":")[1] in (c, f"{c},cpuacct", f"cpuacct,{c}")
                               and l.endswith(want) for l in lines) for c in ("memory", "cpu"))

            inside = [p for p in pids if placed(p)]
            if not pids or len(inside) != len(pids):
                problems.append(f"{a.name}'s kernel is not in the student's cgroup")
            elif limit != hubtool.parse_size("3G") or quota != 100000:
                problems.append(f"{a.name}'s limits are {limit} bytes, quota {quota}")
            else:
                say(f"  {a.name}'s kernel runs in their cgroup: memory limit {limit / 2**30:.0f} GiB, "
                    f"CPU quota {quota / 1e5:.1f} core")
        if hubtool.limits_available() is None:
            problems += memory_limit(kernel, a.name, limit)
    finally:
        a.close_kernel(kernel)
    # through the hub: a's token on b's server and b's account
    for url, what in ((f"{hub.base}/user/{b.name}/api/contents", f"{b.name}'s files"),
                      (f"{hub.base}/hub/api/users/{b.name}", f"{b.name}'s account")):
        r = a.http.get(url, timeout=30, allow_redirects=False)
        if r.status_code not in (403, 404):
            problems.append(f"{a.name}'s token asking for {what}: HTTP {r.status_code}, not "
                            "refused (403 or 404)")
    say(f"  through the hub, {a.name}'s token is refused {b.name}'s server and account")
    return problems


def memory_limit(kernel: Kernel, name: str, limit: int) -> list[str]:
    """A cell that fills more memory than the student's limit: the system
    kills the process running it (the kernel says so), and only that one."""
    failed_before = cgroup_read(name, "memory", "memory.failcnt") or 0
    size = limit + 2**30
    reply, outputs = kernel.execute(f"let big = vec![1u8; {size}_usize];\nbig[{size - 1}_usize]", 300)
    text = json.dumps(outputs) + json.dumps(reply)
    failed = (cgroup_read(name, "memory", "memory.failcnt") or 0) - failed_before
    if reply.get("status") == "ok" or "SIGKILL" not in text or failed <= 0:
        return [f"{name}: a cell filling {size / 2**30:.0f} GiB under a {limit / 2**30:.0f} GiB "
                f"limit was not stopped by it (status {reply.get('status')}, {failed} times at "
                f"the limit, {text[:300]})"]
    again, _ = kernel.execute("1 + 1", 120)
    if again.get("status") != "ok":
        return [f"{name}: the kernel did not answer after its cell was killed"]
    say(f"  a cell filling {size / 2**30:.0f} GiB in {name}'s kernel is killed at their "
        f"{limit / 2**30:.0f} GiB limit; the kernel answers the next cell")
    return []


def collected(prefix: Prefix, students: list[Student]) -> list[str]:
    """The teacher's collection of chapter 01: one student saved it with the
    exercises done, the other left the stubs; the checks table must say so."""
    import argparse
    import nbformat
    a, b = students
    name, solved = notebook_to_run(prefix, "01")
    a.save(name, json.loads(nbformat.writes(solved)))
    out = Path("target/hub/collected").resolve()
    rows = hubtool.collect(argparse.Namespace(prefix=prefix.root, chapter="01", out=str(out),
                                              timeout=120, no_checks=False,
                                              students=[a.name, b.name]))
    got = {u: passed for u, _, passed, _ in rows}
    b_row = next((r for r in rows if r[0] == b.name), None)
    if b_row is None or not b_row[3].startswith("cell "):
        return [f"collecting 01: {b.name}'s copy did not run its checks: {b_row}"]
    checks = sum("check" in c.get("metadata", {}).get("tags", []) for c in solved.cells)
    want = {a.name: f"{checks} of {checks}", b.name: f"0 of {checks}"}
    if got != want or not (out / f"{a.name}.ipynb").is_file():
        return [f"collecting 01: the table says {got}, expected {want}"]
    say(f"  collected 01: {a.name} (exercises done) passes {checks} of {checks} checks, "
        f"{b.name} (stubs) 0")
    return []


def kernel_pids(uid: int) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if d.stat().st_uid == uid and b"evcxr_jupyter" in (d / "cmdline").read_bytes():
                    pids.append(int(d.name))
            except OSError:
                pass
    return pids


def check_sync(prefix: Prefix) -> None:
    """The update rule, on a scratch install and home: new chapters added, an
    unchanged copy replaced, a student's changed copy kept and said so."""
    import shutil
    import tempfile
    tmp = Path(tempfile.mkdtemp(prefix="rc-sync-"))
    try:
        fake = tmp / "prefix"
        student = fake / "course/student"
        student.mkdir(parents=True)
        for n in ("01-a.ipynb", "02-b.ipynb"):
            (student / n).write_text(f"{n} version 1\n")

        def ship():
            manifest = {p.name: hubtool.sha256_file(p) for p in sorted(student.glob("*.ipynb"))}
            (student / "manifest.json").write_text(json.dumps(manifest))

        def sync():
            env = dict(os.environ, HOME=str(tmp / "home"))
            out = subprocess.run([sys.executable, str(Path(hubtool.__file__)), "--prefix", str(fake),
                                  "sync"], env=env, capture_output=True, text=True, check=True,
                                 timeout=30)
            return out.stdout

        ship()
        (tmp / "home").mkdir()
        first = sync()
        course = tmp / "home/course"
        (course / "02-b.ipynb").write_text("the student's own work\n")
        for n in ("01-a.ipynb", "02-b.ipynb"):
            (student / n).write_text(f"{n} version 2\n")
        (student / "03-c.ipynb").write_text("a new chapter\n")
        ship()
        second = sync()
        third = sync()  # the course unchanged: nothing to say
        (course / "01-a.ipynb").unlink()
        fourth = sync()  # a deleted chapter comes back
        os.mkfifo(course / "04-d.ipynb")  # not a file: left alone, and no wait on it
        (student / "04-d.ipynb").write_text("chapter 4\n")
        ship()
        fifth = sync()
        ok = ("added    01-a.ipynb" in first and "added    02-b.ipynb" in first
              and (course / "02-b.ipynb").read_text() == "the student's own work\n"
              and (course / "02-b.course-update.ipynb").read_text() == "02-b.ipynb version 2\n"
              and (course / "03-c.ipynb").read_text() == "a new chapter\n"
              and "kept     02-b.ipynb" in second and "updated  01-a.ipynb" in second
              and "added    03-c.ipynb" in second
              and "02-b.ipynb" in (course / "COURSE-UPDATES.txt").read_text()
              and third.strip() == ""
              and fourth.strip() == "added    01-a.ipynb"
              and (course / "01-a.ipynb").read_text() == "01-a.ipynb version 2\n"
              and "skipped  04-d.ipynb" in fifth)
        if not ok:
            raise Failure("the notebooks' update rule is broken:\n"
                          + "\n---\n".join([first, second, third, fourth, fifth]))
        say("  update rule: new chapter added, unchanged copy replaced, the student's changed "
            "copy kept (the new version beside it, reported), nothing said when nothing changed, "
            "a deleted copy restored, a FIFO skipped")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- load test


def loadtest(args) -> None:
    hubtool.need_root("The load test")
    prefix = Prefix(args.prefix)
    out = Path(args.out or "target/hub/loadtest.json").resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    if not all(1 <= k <= 16 for k in args.students):
        raise Failure("--students takes numbers from 1 to 16")
    before = machine()
    for k in args.students:
        names = [f"rc-load-{k}-{i:02d}" for i in range(1, k + 1)]
        hubtool.remove_test_accounts(names)
        passwords = make_accounts(names)
        try:
            hub = Hub(prefix, out.parent / f"loadtest-{k}.log", args.memory, args.cpus)
        except Failure:
            hubtool.remove_test_accounts(names)
            raise
        measured = [Measured(n) for n in names]
        sampler = Sampler(measured)
        cpu0 = {}
        say(f"K = {k}: {', '.join(args.chapters)} for each of {k} students at once")
        try:
            sampler.start()
            results = {}

            def work(m: Measured):
                s = Student(hub.base, m.name, passwords[m.name], m)
                try:
                    s.login()
                    started = time.time()
                    s.start_server()
                    cpu0[m.name] = cgroup_read(m.name, "cpuacct", "cpuacct.usage")
                    for j, chapter in enumerate(args.chapters):
                        run_chapter(s, prefix, chapter, 300, j == 0, started)
                    m.cpu_seconds = ((cgroup_read(m.name, "cpuacct", "cpuacct.usage") or 0)
                                     - (cpu0[m.name] or 0)) / 1e9 if cpu0[m.name] is not None else None
                    m.peak_cgroup_memory = cgroup_read(m.name, "memory", "memory.max_usage_in_bytes")
                    s.stop_server()
                except Failure as e:
                    results[m.name] = str(e)

            t = time.time()
            threads = [threading.Thread(target=work, args=(m,)) for m in measured]
            for th in threads:
                th.start()
            for th in threads:
                th.join(max(1.0, 3600 - (time.time() - t)))
            wall = time.time() - t
        finally:
            sampler.done.set()
            hub.stop()
            hub_errors = hub.log_errors()
        for m in measured:
            m.disk = hubtool.du(Path(pwd.getpwnam(m.name).pw_dir))
        hubtool.remove_test_accounts(names)
        quantile = course_tests(prefix).quantile
        cells = [c[2] for m in measured for c in m.cells]
        by_chapter = {ch: [c[2] for m in measured for c in m.cells if c[0] == ch]
                      for ch in args.chapters}
        row = {
            "students": k, "chapters": args.chapters, "wall_seconds": round(wall, 1),
            "to_kernel_median": round(statistics.median(m.to_kernel for m in measured), 1),
            "to_kernel_max": round(max(m.to_kernel for m in measured), 1),
            "cells": len(cells), "cell_median": round(quantile(cells, 0.5), 2),
            "cell_p95": round(quantile(cells, 0.95), 2), "cell_max": round(max(cells or [0]), 2),
            "by_chapter": {ch: {"median": round(quantile(t, 0.5), 2),
                                "p95": round(quantile(t, 0.95), 2), "max": round(max(t or [0]), 2)}
                           for ch, t in by_chapter.items()},
            "http_errors": sum(len(m.errors) for m in measured),
            "hub_log_errors": len(hub_errors),
            "cell_errors": sum(len(m.cell_errors) for m in measured),
            "failures": results,
            "peak_rss_mb_median": round(statistics.median(m.peak_rss for m in measured) / 1e6),
            "peak_rss_mb_max": round(max(m.peak_rss for m in measured) / 1e6),
            "cgroup_peak_mb_max": round(max((m.peak_cgroup_memory or 0) for m in measured) / 1e6),
            "cpu_seconds_median": round(statistics.median((m.cpu_seconds or 0) for m in measured), 1),
            "disk_mb_median": round(statistics.median(m.disk for m in measured) / 1e6),
            "saved": f"{sum(len(m.saved) for m in measured)} of {k * len(args.chapters)}",
            "students_detail": [m.__dict__ | {"cells": len(m.cells)} for m in measured],
        }
        rows.append(row)
        say(json.dumps({key: v for key, v in row.items() if key != "students_detail"}))
        out.write_text(json.dumps({"machine": before, "runs": rows}, indent=1) + "\n")
    say(table(rows))
    say(f"written to {out}")


def machine() -> dict:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "?")
    mem = next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines()
               if l.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(mem) / 2**20, 1),
            "load_before": os.getloadavg()[0]}


def table(rows: list[dict]) -> str:
    lines = ["| K | to kernel, median / max (s) | cell median / p95 / max (s) | errors (HTTP, hub log, "
             "cells) | peak RSS per student, median / max (MB) | CPU-s per student | disk per "
             "student (MB) | saved |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['students']} | {r['to_kernel_median']} / {r['to_kernel_max']} | "
                     f"{r['cell_median']} / {r['cell_p95']} / {r['cell_max']} | {r['http_errors']}, "
                     f"{r['hub_log_errors']}, {r['cell_errors']} | {r['peak_rss_mb_median']} / "
                     f"{r['peak_rss_mb_max']} | {r['cpu_seconds_median']} | {r['disk_mb_median']} | "
                     f"{r['saved']} |")
    return "\n".join(lines)


def main(args) -> None:
    if args.command == "selftest":
        selftest(args)
    else:
        loadtest(args)
