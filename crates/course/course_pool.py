"""Warm Rust kernels, started before anyone asks for one.

Opening a notebook on the Rust kernel costs seconds before its cells answer
at their usual speed: the kernel's own start, the `:dep` cell that links the
support crate, and the first compiled cell (evcxr's embedded rust-analyzer
reads the standard library once per process). None of it depends on the
notebook. This module pays it in advance: a pool keeps K kernels that have
run the support crate's `:dep` line, the prelude and one `let`, then `:clear`
(which drops every variable, item and dependency and restarts the process
that runs the code, keeping what was compiled). A kernel taken from the pool
has no state from its warm-up; the one trace it keeps is the kernel's count
of requests, so its first cell is numbered [4] where a cold kernel's is [2].

Two pieces use it:

- `PoolProvisioner`, a jupyter_client kernel provisioner named in the course's
  own kernelspec (the one `cargo course lab` and the tests see): when a
  notebook in the pool's folder asks for a kernel, it is handed a warm one and
  the pool starts a replacement a little later. When the pool is empty (and
  none is about to be ready), the notebook lives elsewhere, the kernel is
  being restarted, or anything at all goes wrong, the kernel starts cold,
  exactly as without a pool.
- a Jupyter server extension (this module, loaded by `cargo course lab`),
  which fills the pool as soon as JupyterLab starts and empties it when
  JupyterLab stops.

`RUST_COURSE_POOL` sets K (default 1; 0 turns the pool off). Other programs
that start the kernel (nbconvert, a script) never make a pool: only the server
extension, or a caller of `Pool.instance()`, does. No kernel outlives the
process that started it: the pool stops its kernels when it stops, and the
kernel's launcher (kernel.sh) ends the kernel's whole process group when its
parent process dies, however it dies.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import LocalPortCache, write_connection_file
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import List, Unicode

POOL_ENV = "RUST_COURSE_POOL"
DEFAULT_SIZE = 1
MAX_SIZE = 16
# The build folder pooled kernels use (kernel.sh keys folders by this name).
SESSION_NAME = "pool"
# Seconds between handing a kernel out and starting its replacement: the
# replacement's start and warm-up take both cores for seconds, and the
# notebook that was just opened runs its first cells in that time.
REFILL_DELAY = 10.0
# How long a notebook opened while the pool's kernel is still warming waits
# for it, rather than starting a cold kernel that would compete with it.
WAIT_FOR_WARMING = 30.0
FIX = (
    "notebooks start their kernels cold meanwhile. If this persists, run `cargo course setup` "
    "(or `cargo course doctor`), or turn the pool off with `cargo course lab --pool 0`"
)

log = logging.getLogger("rust-course-pool")


def pool_size() -> int:
    """K, from RUST_COURSE_POOL; a value that is not a count is refused by name."""
    text = os.environ.get(POOL_ENV, str(DEFAULT_SIZE)).strip()
    if not text.isdigit() or int(text) > MAX_SIZE:
        raise ValueError(
            f"{POOL_ENV}={text!r} is not a pool size: give a whole number from 0 (no pool) to {MAX_SIZE}"
        )
    return int(text)


class WarmKernel:
    """A started kernel that has run the warm-up and waits to be handed out."""

    def __init__(self, process: subprocess.Popen, info: dict[str, Any], connection_file: str):
        self.process = process
        self.info = info
        self.connection_file = connection_file
        self.started = _start_time(process.pid)

    def stop(self) -> None:
        """Stops the kernel and everything it started (its process group)."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
            except OSError:
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever the kernel left running
        except OSError:
            pass
        Path(self.connection_file).unlink(missing_ok=True)
        _return_ports(self.info)


def _start_time(pid: int) -> str | None:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _return_ports(info: dict[str, Any]) -> None:
    cache = LocalPortCache.instance()
    for name in ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port"):
        if info.get(name):
            cache.return_port(info[name])


class Pool:
    """K warm kernels for one kernelspec and one folder, refilled by a thread."""

    _instance: Pool | None = None
    _instance_lock = threading.Lock()

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, warm_up: list[str], size: int):
        self.argv = argv
        self.env = env
        self.cwd = str(Path(cwd).resolve())
        self.warm_up = warm_up
        self.size = size
        self.ready: list[WarmKernel] = []
        self.starting: WarmKernel | None = None
        self.stopped = False
        self.changed = threading.Condition()
        self.handed_out = 0
        self.last_taken = 0.0
        # While paused, the pool neither hands out nor starts kernels (the
        # benchmark times cold kernels on a quiet machine this way).
        self.paused = False
        self.failures: list[str] = []
        self.thread = threading.Thread(target=self._run, name="rust-course-pool", daemon=True)
        self.thread.start()
        atexit.register(self.stop)

    @classmethod
    def instance(cls) -> Pool | None:
        """The process's pool, made on first call from the course's kernelspec.

        The kernelspec's provisioner config names the folder whose notebooks
        the pool serves (`notebooks`) and the cells that warm a kernel
        (`warm_up`). None when the pool is off (K = 0)."""
        with cls._instance_lock:
            if cls._instance is None:
                size = pool_size()
                from jupyter_client.kernelspec import KernelSpecManager

                spec = KernelSpecManager().get_kernel_spec("rust-course")
                config = spec.metadata.get("kernel_provisioner", {}).get("config", {})
                if size == 0:
                    return None
                if not config.get("notebooks"):
                    raise ValueError(
                        "the rust-course kernelspec names no notebooks folder for the pool: "
                        "run `cargo course setup`"
                    )
                env = {**os.environ, **spec.env, "JPY_SESSION_NAME": SESSION_NAME}
                cls._instance = Pool(spec.argv, env, config["notebooks"], config.get("warm_up", []), size)
            return cls._instance

    def take(self, cwd: str | None, wait: float = 0.0) -> WarmKernel | None:
        """A warm kernel for a notebook run from `cwd`, or None (start cold).
        With `wait`, waits that long for a kernel that is warming now."""
        if self.stopped or self.paused or cwd is None or str(Path(cwd).resolve()) != self.cwd:
            return None
        deadline = time.monotonic() + wait
        with self.changed:
            while True:
                while self.ready:
                    kernel = self.ready.pop(0)
                    self.changed.notify_all()
                    if kernel.process.poll() is None and _start_time(kernel.process.pid) == kernel.started:
                        self.handed_out += 1
                        self.last_taken = time.monotonic()
                        return kernel
                    kernel.stop()
                left = deadline - time.monotonic()
                if self.starting is None or self.stopped or left <= 0:
                    return None
                self.changed.wait(left)

    def suits(self, notebook: str | None, cwd: str | None) -> bool:
        """Whether a warm kernel suits this notebook: unless its first code cell
        loads the support crate another way than the warm-up did (with the
        DataFrames feature, say). Such a notebook would pay more for relinking a
        warm kernel than for a cold start in its own build folder."""
        first_line = (self.warm_up[0].splitlines() or [""])[0] if self.warm_up else ""
        try:
            path = Path(notebook)
            if not path.is_absolute() and not path.exists():
                path = Path(cwd or self.cwd) / path.name
            cells = json.loads(path.read_text())["cells"]
            code = next(c for c in cells if c.get("cell_type") == "code")
        except Exception:  # a new notebook, an unnamed one, or not yet saved
            return True
        source = code.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        dep = next((l.strip() for l in source.splitlines() if l.strip().startswith(":dep ")), None)
        return dep is None or dep == first_line.strip()

    def wait_ready(self, count: int, timeout: float) -> bool:
        """Waits until `count` kernels are warm (for tests and the benchmark)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.ready) < count and not self.stopped:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
        return len(self.ready) >= count

    def wait_idle(self, timeout: float) -> bool:
        """Waits until no kernel is warming (for the benchmark's quiet cold runs)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.starting is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
        return True

    def pause(self, paused: bool) -> None:
        with self.changed:
            self.paused = paused
            self.changed.notify_all()

    def pids(self) -> dict[int, str | None]:
        """The kernels the pool holds or is warming: process id and start time."""
        with self.changed:
            kernels = self.ready + ([self.starting] if self.starting else [])
            return {k.process.pid: k.started for k in kernels}

    def stop(self) -> None:
        """Stops every kernel the pool holds; handed-out kernels belong to their notebooks."""
        with self.changed:
            self.stopped = True
            kernels, self.ready = self.ready, []
            if self.starting:
                kernels.append(self.starting)
            self.changed.notify_all()
        for kernel in kernels:
            kernel.stop()

    def _failed(self, what: str) -> None:
        self.failures.append(what)
        log.warning("Rust kernel pool: %s; %s", what, FIX)

    def _run(self) -> None:
        failures_in_a_row = 0
        while True:
            with self.changed:
                if failures_in_a_row >= 3:
                    # Three failed warm-ups in a row: wait a minute before the next try.
                    deadline = time.monotonic() + 60
                    while not self.stopped and time.monotonic() < deadline:
                        self.changed.wait(deadline - time.monotonic())
                    failures_in_a_row = 2
                while not self.stopped and (self.paused or len(self.ready) >= self.size):
                    self.changed.wait()
                if self.stopped:
                    return
                delay = self.last_taken + REFILL_DELAY - time.monotonic()
                if delay > 0:
                    self.changed.wait(delay)
                    continue
            kernel = None
            try:
                kernel = self._start()
                warmed = kernel is not None and self._warm(kernel)
            except Exception as e:  # anything at all: the pool must keep running
                self._failed(f"starting a warm kernel failed: {e!r}")
                warmed = False
            with self.changed:
                self.starting = None
                self.changed.notify_all()
                if warmed and not self.stopped:
                    self.ready.append(kernel)
                    failures_in_a_row = 0
                    log.info("Rust kernel pool: a warm kernel is ready (%d of %d)", len(self.ready), self.size)
                    continue
            if kernel is not None:
                kernel.stop()
            if not self.stopped:
                failures_in_a_row += 1

    def _start(self) -> WarmKernel | None:
        folder = Path(jupyter_runtime_dir())
        folder.mkdir(parents=True, exist_ok=True)
        connection_file = str(folder / f"kernel-rust-course-pool-{uuid.uuid4()}.json")
        key = str(uuid.uuid4()).encode()
        ports = LocalPortCache.instance()
        connection_file, info = write_connection_file(
            connection_file,
            ip="127.0.0.1",
            key=key,
            kernel_name="rust-course",
            **{name: ports.find_available_port("127.0.0.1") for name in
               ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")},
        )
        info = dict(info)
        info["key"] = key
        argv = [a.replace("{connection_file}", connection_file) for a in self.argv]
        try:
            process = subprocess.Popen(
                argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, start_new_session=True
            )
        except (OSError, subprocess.SubprocessError) as e:
            Path(connection_file).unlink(missing_ok=True)
            _return_ports(info)
            self._failed(f"could not start {argv[0]}: {e}")
            return None
        kernel = WarmKernel(process, info, connection_file)
        with self.changed:
            if self.stopped:
                kernel.stop()
                return None
            self.starting = kernel
        return kernel

    def _warm(self, kernel: WarmKernel) -> bool:
        client = BlockingKernelClient()
        try:
            client.load_connection_info(kernel.info)
            client.start_channels()
            client.wait_for_ready(timeout=180)
            for code in self.warm_up:
                reply = client.execute_interactive(code, timeout=1800, store_history=False, output_hook=lambda _: None)
                if reply["content"].get("status") != "ok":
                    self._failed(f"the warm-up cell {code!r} failed: {reply['content'].get('evalue', reply['content'])}")
                    return False
            if kernel.process.poll() is not None:
                self._failed(f"the kernel exited while warming (exit code {kernel.process.returncode})")
                return False
            return True
        except Exception as e:  # a kernel that dies or hangs while warming is discarded
            if not self.stopped:
                self._failed(f"warming a kernel failed: {e!r}")
            return False
        finally:
            client.stop_channels()


class PoolProvisioner(LocalProvisioner):
    """Starts the course's kernels, taking a warm one from the pool when it can."""

    warm: WarmKernel | None = None
    launched = False
    # Read by Pool.instance from the kernelspec; declared so the provisioner accepts them.
    notebooks = Unicode("", config=True)
    warm_up = List(Unicode(), config=True)

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        self.warm = None
        pool = Pool._instance
        # A restart starts cold: the notebook's open channels expect its ports.
        notebook = kwargs.get("env", os.environ).get("JPY_SESSION_NAME")
        if pool is not None and not self.launched and pool.suits(notebook, kwargs.get("cwd")):
            try:
                self.warm = await asyncio.to_thread(pool.take, kwargs.get("cwd"), WAIT_FOR_WARMING)
                if self.warm is not None:
                    taken = {k: v for k, v in kwargs.items() if k != "extra_arguments"}
                    taken = await super(LocalProvisioner, self).pre_launch(**taken)
                    taken["cmd"] = list(self.kernel_spec.argv)
                    self.connection_info = dict(self.warm.info)
                    self.ports_cached = True  # cleanup returns the warm kernel's ports
                    return taken
            except Exception as e:  # never keep a notebook from starting
                log.warning("Rust kernel pool: handing out a warm kernel failed (%r); starting cold", e)
                if self.warm is not None:
                    self.warm.stop()
                self.warm = None
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        self.launched = True
        if self.warm is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = self.warm.process
        self.pid = self.process.pid
        self.pgid = self.pid  # the pool starts each kernel in a session of its own
        self.cwd = kwargs.get("cwd")
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        if self.warm is not None:
            Path(self.warm.connection_file).unlink(missing_ok=True)
            self.warm = None
            if restart and self.parent is not None:
                # The next (cold) start writes a connection file of its own.
                self.parent.cleanup_connection_file()
                _return_ports(self.connection_info)
                self.ports_cached = False
                return
        await super().cleanup(restart=restart)


# The Jupyter server extension: fill the pool when JupyterLab starts, empty it when it stops.


def _jupyter_server_extension_points():
    return [{"module": "course_pool"}]


def _load_jupyter_server_extension(serverapp) -> None:
    log.parent = serverapp.log if isinstance(serverapp.log, logging.Logger) else log.parent
    try:
        pool = Pool.instance()
    except Exception as e:  # no kernelspec yet, a bad RUST_COURSE_POOL
        serverapp.log.warning("Rust kernel pool not started: %s; %s", e, FIX)
        return
    if pool is None:
        serverapp.log.info("Rust kernel pool is off (%s=0): notebooks start their kernels cold", POOL_ENV)
    else:
        serverapp.log.info("Rust kernel pool: warming %d kernel(s) for %s", pool.size, pool.cwd)


def _unload_jupyter_server_extension(serverapp) -> None:
    if Pool._instance is not None:
        Pool._instance.stop()
