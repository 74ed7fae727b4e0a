# The classroom hub's configuration (`cargo course hub` starts JupyterHub with
# it; the install copies it to <prefix>/etc/). Paths and limits come from the
# environment the command sets: RUST_COURSE_PREFIX, RUST_COURSE_HUB_IP and _PORT,
# RUST_COURSE_MEMORY (bytes) and RUST_COURSE_CPUS (cores) per student.
import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 (JupyterHub provides it)

PREFIX = Path(os.environ.get("RUST_COURSE_PREFIX", Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(PREFIX / "hub"))
import hubtool  # noqa: E402

IP = os.environ.get("RUST_COURSE_HUB_IP", "127.0.0.1")
PORT = int(os.environ.get("RUST_COURSE_HUB_PORT", "8000"))
MEMORY = int(os.environ.get("RUST_COURSE_MEMORY", hubtool.parse_size(hubtool.DEFAULT_MEMORY)))
CPUS = float(os.environ.get("RUST_COURSE_CPUS", hubtool.DEFAULT_CPUS))
STATE = Path(os.environ.get("RUST_COURSE_STATE", PREFIX / "state"))
STATE.mkdir(mode=0o700, exist_ok=True)

# Where the hub listens; the hub's own API stays on loopback.
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("RUST_COURSE_HUB_API_PORT", PORT + 1))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [str(PREFIX / "hub/proxy/node_modules/.bin/configurable-http-proxy")]
c.ConfigurableHTTPProxy.auth_token = secrets.token_hex(32)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# (JupyterHub stops the process a stale proxy pid file names: keep it in root's folder)
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# Real accounts of this machine, checked by PAM against their hashed passwords;
# only the course's group gets in, its teachers' group are the admins. No
# sign-up page: accounts come from the roster (`cargo course hub add-students`).
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {os.environ.get("RUST_COURSE_GROUP", hubtool.GROUP)}
c.PAMAuthenticator.admin_groups = {os.environ.get("RUST_COURSE_TEACHERS", hubtool.TEACHERS)}
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allow_existing_users = False
# Teachers see every server on the admin page (/hub/admin) and may open them.
c.JupyterHub.admin_access = True


class CourseSpawner(LocalProcessSpawner):
    """Each student's server runs as that student. Before it starts, the
    course's notebooks are copied into ~/course (never over the student's own
    changes); once it runs, it is put into the student's cgroups (memory and
    CPU), which everything it starts (kernels, cargo, rustc) inherits."""

    async def start(self):
        try:
            await asyncio.to_thread(hubtool.sync_as, hubtool.Prefix(PREFIX), self.user.name)
        except hubtool.Failure as e:  # their server starts all the same
            self.log.warning("notebooks not copied for %s: %s", self.user.name, e)
        ip_port = await super().start()
        if hubtool.limits_available() is None:
            hubtool.place_in_cgroup(self.user.name, self.pid, MEMORY, CPUS)
        return ip_port


c.JupyterHub.spawner_class = CourseSpawner
# a student's server gets nothing of the terminal the hub was started from
c.LocalProcessSpawner.popen_kwargs = {"stdin": subprocess.DEVNULL}
c.Spawner.cmd = [str(PREFIX / "venv/bin/jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~/course"
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = MEMORY  # shown to the server; the cgroup enforces it
c.Spawner.cpu_limit = CPUS
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
c.Spawner.environment = {
    "PATH": f"{PREFIX / 'venv/bin'}:{PREFIX / 'rust/bin'}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_PATH": str(PREFIX / "jupyter"),
    "JUPYTER_PLATFORM_DIRS": "1",
    "RUST_COURSE_PREFIX": str(PREFIX),
}
c.Spawner.args = [
    # a kernel with no tab open for 30 minutes is stopped (its build folder stays)
    "--MappingKernelManager.cull_idle_timeout=1800",
    "--MappingKernelManager.cull_interval=120",
    "--MappingKernelManager.cull_connected=False",
    # when the class starts its kernels at once, a kernel may take more than the
    # default 60 s to answer its first message; the notebook's connection then
    # failed (seen with 8 students on 2 cores)
    "--ZMQChannelsWebsocketConnection.kernel_info_timeout=180",
]

# Servers with no activity for an hour are stopped (jupyterhub-idle-culler).
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600",
                "--cull-every=300"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
