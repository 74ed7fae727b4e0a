"""Runs the course notebooks through the real Rust kernel.

Called by the course runner (`cargo course test | bench | setup | export`)
with the course's virtual environment, which has nbclient and nbformat:

    python tests/notebooks.py test [NOTEBOOK ...]    execute, check, print a line per notebook
    python tests/notebooks.py bench [--json FILE]    time cells: probe notebook, course, Python
    python tests/notebooks.py warm                   compile the support crate into the cache
    python tests/notebooks.py student OUT_DIR        copies without solution cells

A notebook passes when every code cell ran, in a fresh kernel, from the
notebook's own folder, with the solution cells included, and no cell
- failed to compile or raised an error,
- panicked or returned an `Err` through `?` (evcxr prints both to stderr
  and still reports the cell as "ok", so stderr is read),
- ran past the time limit;
and the committed file is valid nbformat, holds no outputs, names the
course kernel, and every exercise has a solution and a check.

An exercise is three cells: the learner's code cell (tagged `exercise`,
holding a stub that compiles), the solution as a collapsed markdown cell
(tagged `solution`, one ```rust block: a learner opens it with a click, and
Run All never executes it, so it can never overwrite the learner's work),
and a check cell (tagged `check`). The exercise cell also carries, in its
metadata under `wrong_answer`, a plausible mistake a learner could make (a
population for a sample deviation, a missing factor 2): code that compiles
and runs, and is wrong. The `test` pass puts each solution's code into its
exercise cell; the `exercises` pass types each wrong answer into its
exercise cell and runs the notebook top to bottom, as a learner who has
made those mistakes runs it with Run All, and every check must then fail.
Every line of code fits a projector: at most 100 characters.
Cells tagged `raises-exception` may fail, and cells tagged `allow-stderr`
may write to stderr: notebook 00 uses them to show what errors look like.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
NOTEBOOKS = REPO / "notebooks"
KERNEL = "rust-course"
SUPPORT_CRATE_DEP = ':dep mlmath = { path = "../crates/mlmath" }'
LINE_LIMIT = 100
FRAMES_DEP = ':dep mlmath = { path = "../crates/mlmath", features = ["frames"] }'


@dataclass
class Run:
    """What executing one notebook measured."""

    name: str
    startup: float = 0.0  # kernel start until the first cell began
    cells: list[tuple[int, float, str]] = field(default_factory=list)  # (index, seconds, first line)
    problems: list[str] = field(default_factory=list)
    total: float = 0.0

    @property
    def slowest(self) -> tuple[int, float, str]:
        return max(self.cells, key=lambda c: c[1]) if self.cells else (-1, 0.0, "")


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def first_line(cell) -> str:
    lines = [l for l in cell.source.splitlines() if l.strip()]
    return (lines[0][:60] if lines else "").strip()


def lint(path: Path) -> tuple[object | None, list[str]]:
    """The committed notebook's own problems (before anything runs)."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as e:  # any parse or schema error
        return None, [f"not a valid notebook: {e}"]
    problems = []
    stored = sum(len(c.get("outputs", [])) for c in nb.cells if c.cell_type == "code")
    counted = sum(1 for c in nb.cells if c.cell_type == "code" and c.get("execution_count"))
    if stored or counted:
        problems.append(
            f"committed with {stored} outputs and {counted} execution counts: clear them "
            "(JupyterLab: Edit > Clear Outputs of All Cells, then save)"
        )
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != KERNEL:
        problems.append(f"kernelspec is {kernel!r}, expected {KERNEL!r}")
    kinds = {k: [i for i, c in enumerate(nb.cells) if k in tags(c)] for k in ("exercise", "solution", "check")}
    if not (len(kinds["exercise"]) == len(kinds["solution"]) == len(kinds["check"])):
        problems.append(
            "exercises need one exercise, one solution and one check cell each; found "
            + ", ".join(f"{len(v)} {k}" for k, v in kinds.items())
        )
    for i in kinds["exercise"]:
        wrong = nb.cells[i].get("metadata", {}).get("wrong_answer")
        if not isinstance(wrong, str) or not wrong.strip() or wrong.strip() == nb.cells[i].source.strip():
            problems.append(
                f"exercise cell {i} needs a metadata field \"wrong_answer\": a plausible mistake, "
                "different from the stub, that compiles and runs and that its check must catch"
            )
    for i, cell in enumerate(nb.cells):
        code = cell.source if cell.cell_type == "code" else solution_code(cell) if "solution" in tags(cell) else None
        wrong = cell.get("metadata", {}).get("wrong_answer") or ""
        for n, line in enumerate(f"{code or ''}\n{wrong}".splitlines(), 1):
            if len(line) > LINE_LIMIT:
                problems.append(
                    f"cell {i} has a line of {len(line)} characters (at most {LINE_LIMIT} fit a projector): "
                    f"{line[:50]!r}...; break it into named steps"
                )
    for i in kinds["check"]:
        if 'println!("✓' not in nb.cells[i].source:
            problems.append(f"check cell {i} does not end by printing its ✓ line (the sign that every assert passed)")
    for i in kinds["solution"]:
        cell = nb.cells[i]
        if cell.cell_type != "markdown" or solution_code(cell) is None or "<details>" not in cell.source:
            problems.append(
                f"solution cell {i} must be a markdown cell with the code in one ```rust block inside "
                "<details> (collapsed, never executed by Run All)"
            )
        if i == 0 or "exercise" not in tags(nb.cells[i - 1]) or nb.cells[i - 1].cell_type != "code":
            problems.append(f"solution cell {i} must come right after its exercise code cell")
    return nb, problems


def solution_code(cell) -> str | None:
    """The code of a solution cell: the one ```rust block of its markdown."""
    found = re.findall(r"```rust\n(.*?)\n```", cell.source, flags=re.S)
    return found[0] if len(found) == 1 else None


def with_solutions(nb):
    """A copy of the notebook with each exercise cell holding its solution's code."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for i, cell in enumerate(nb.cells):
        if "solution" in tags(cell) and i > 0 and "exercise" in tags(nb.cells[i - 1]):
            nb.cells[i - 1].source = solution_code(cell) or nb.cells[i - 1].source
    return nb


def with_wrong_answers(nb):
    """A copy of the notebook with each exercise cell holding its wrong answer."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if "exercise" in tags(cell):
            cell.source = cell.get("metadata", {}).get("wrong_answer") or cell.source
    return nb


def execute(nb, path: Path, timeout: float, kernel: str = KERNEL, allow_errors: bool = False) -> Run:
    """Runs every code cell in a fresh kernel from the notebook's folder."""
    run = Run(path.name)
    marks: dict[str, float] = {}

    def started(cell, cell_index, **_):
        marks["cell"] = time.perf_counter()
        marks.setdefault("first", marks["cell"])

    def finished(cell, cell_index, **_):
        run.cells.append((cell_index, time.perf_counter() - marks["cell"], first_line(cell)))

    kept = add_end_marks(nb)
    # Jupyter's server names the notebook to its kernel the same way.
    os.environ["JPY_SESSION_NAME"] = str(path.resolve())
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        startup_timeout=180,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_execute=started,
        on_cell_executed=finished,
    )
    begin = time.perf_counter()
    try:
        client.execute()
    except CellTimeoutError as e:
        run.problems.append(f"a cell ran past the {timeout:.0f} s limit: {str(e).splitlines()[0]}")
    except CellExecutionError:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and "raises-exception" not in tags(cell):
                    detail = "\n".join([f"{out.get('ename', '')}: {out.get('evalue', '')}", *out.get("traceback", [])])
                    run.problems.append(f"cell {i} ({first_line(cell)!r}) failed:\n{indent(ANSI.sub('', detail))}")
    except (DeadKernelError, RuntimeError) as e:
        run.problems.append(f"the kernel died or did not start: {e} (run `cargo course doctor`)")
    run.total = time.perf_counter() - begin
    for cell, source in kept:
        cell.source = source
    run.startup = marks.get("first", begin) - begin
    for i, cell in enumerate(nb.cells):
        if "check" in tags(cell) and not run.problems and not printed_tick(cell):
            run.problems.append(f"check cell {i} ({first_line(cell)!r}) did not print its ✓ line: an assert failed")
        if cell.cell_type != "code" or tags(cell) & {"allow-stderr", "raises-exception"}:
            continue
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "")
            if out.get("output_type") == "execute_result" and text.startswith(("Chart ", "ImageGrid ", "Panels ")):
                run.problems.append(f"cell {i} ({first_line(cell)!r}) showed a plot as text: {text[:80]}")
        stderr = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr")
        if stderr.strip():
            what = "panicked" if "panicked at" in stderr else "wrote to stderr (an Err returned with `?`, or a panic)"
            run.problems.append(f"cell {i} ({first_line(cell)!r}) {what}:\n{indent(stderr)}")
    return run


# Appended, for the run only, to every check cell: an expression whose value
# the kernel sends with the cell's reply. The kernel forwards what a cell
# prints on a thread of its own, which under load can deliver it after the
# cell has finished, when nothing listens any more; a cell's value is sent
# before the reply, so it always arrives. It is reached only when every
# assert above it passed.
REACHED_END = '"✓ every assert passed"'


def add_end_marks(nb) -> list[tuple[object, str]]:
    """Ends each check cell with REACHED_END; returns what to put back."""
    kept = []
    for cell in nb.cells:
        if "check" in tags(cell):
            kept.append((cell, cell.source))
            code = cell.source.rstrip()
            cell.source = f"{code}{'' if code.endswith((';', '}')) else ';'}\n{REACHED_END}"
    return kept


def printed_tick(cell) -> bool:
    """Whether a check cell got to its end: its ✓ line was printed or its
    end mark returned. A panicking check never gets there; its panic
    message, sent to stderr asynchronously by the kernel, may even arrive
    after the cell has finished, so stderr alone cannot be trusted to show
    a failure."""
    for out in cell.get("outputs", []):
        if out.get("name") == "stdout" and "✓" in out.get("text", ""):
            return True
        if out.get("output_type") == "execute_result" and "✓" in out.get("data", {}).get("text/plain", ""):
            return True
    return False


def indent(text: str, limit: int = 40) -> str:
    """Indents a message; a long one keeps its head and its tail (where compilers put the error)."""
    lines = text.strip().splitlines()
    if len(lines) > limit:
        lines = lines[:10] + [f"... {len(lines) - limit + 10} lines left out ..."] + lines[-(limit - 10):]
    return "\n".join("    " + l for l in lines)


def pick(names: list[str]) -> list[Path]:
    if not names:
        return sorted(NOTEBOOKS.glob("*.ipynb"))
    chosen = []
    for name in names:
        matches = [p for p in sorted(NOTEBOOKS.glob("*.ipynb")) if name in p.name] or [Path(name)]
        chosen.extend(m for m in matches if m not in chosen)
    missing = [p for p in chosen if not p.exists()]
    if missing:
        sys.exit(f"no notebook matches {', '.join(map(str, missing))} (looked in {NOTEBOOKS})")
    return chosen


def command_test(args) -> int:
    paths = pick(args.notebooks)
    passed = failed = 0
    begin = time.perf_counter()
    print(f"{'notebook':<42} {'cells':>5} {'seconds':>8}  slowest cell")
    for path in paths:
        nb, problems = lint(path)
        nb = with_solutions(nb) if nb is not None else None
        run = execute(nb, path, args.timeout) if nb is not None else Run(path.name)
        run.problems[:0] = problems
        if args.save and nb is not None:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, Path(args.save) / path.name)
        code_cells = sum(1 for c in (nb.cells if nb else []) if c.cell_type == "code")
        index, seconds, line = run.slowest
        status = "ok" if not run.problems else "FAILED"
        print(f"{path.name:<42} {code_cells:>5} {run.total:>8.1f}  cell {index} ({seconds:.1f} s) {line}  {status}", flush=True)
        for p in run.problems:
            print(indent(f"- {p}", 60))
        if run.problems:
            failed += 1
        else:
            passed += 1
    print(f"notebooks: {passed} passed, {failed} failed")
    print(f"notebook suite took {time.perf_counter() - begin:.1f} s")
    return 1 if failed else 0


def command_exercises(args) -> int:
    """Runs each notebook top to bottom as committed, with each exercise's
    wrong answer typed into its cell, as a learner who made those mistakes
    runs it with Run All: every check cell must then fail. This proves both
    that no check passes a wrong answer and that nothing in the run order
    puts the solution in place of the learner's code."""
    failed = 0
    for path in pick(args.notebooks):
        nb, problems = lint(path)
        if nb is None or problems:
            print(f"{path.name:<42} FAILED")
            for p in problems:
                print(indent(f"- {p}"))
            failed += 1
            continue
        nb = with_wrong_answers(nb)
        run = execute(nb, path, args.timeout, allow_errors=True)
        checks = [i for i, c in enumerate(nb.cells) if "check" in tags(c)]
        passing = [i for i in checks if printed_tick(nb.cells[i])]
        unrun = [i for i in checks if nb.cells[i].get("execution_count") is None]
        status = "ok" if not passing and not unrun else "FAILED"
        print(f"{path.name:<42} {len(checks)} checks fail on wrong answers, run in order  {status}", flush=True)
        for i in passing:
            print(indent(f"- check cell {i} ({first_line(nb.cells[i])!r}) passes on the wrong answer"))
        for i in unrun:
            print(indent(f"- check cell {i} did not run: {'; '.join(p.splitlines()[0] for p in run.problems)}"))
        failed += bool(passing or unrun)
    print(f"exercises: {len(pick(args.notebooks)) - failed} passed, {failed} failed")
    return 1 if failed else 0


def scratch_notebook(cells: list[str], kernel: str = KERNEL):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "rust"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    return nb


def command_warm(args) -> int:
    """Compiles the support crate, with and without DataFrames, through the kernel."""
    for dep in (SUPPORT_CRATE_DEP, FRAMES_DEP):
        nb = scratch_notebook([dep, "use mlmath::prelude::*;", "let x = array![[1.0, 2.0]];\nx.table()"])
        run = execute(nb, NOTEBOOKS / "warm-up.ipynb", timeout=3600)
        print(f"  {dep}: {run.total:.0f} s", flush=True)
        if run.problems:
            print("\n".join(run.problems))
            return 1
    return 0


# The probe: one cell of each kind a course notebook has. It is fixed here, so
# that its figures do not drift with the course's content.
PROBE = [
    ("support crate", SUPPORT_CRATE_DEP),
    ("use", "use mlmath::prelude::*;"),
    ("first let", "let x = array![[1.0, 2.0], [3.0, 4.0]];"),
    ("statement", 'println!("{}", x.sum());'),
    ("let", "let doubled = &x * 2.0;"),
    ("expression", "doubled.sum() / x.sum()"),
    ("table", "doubled.table()"),
    ("plot", 'Chart::new("probe").labels("x", "y").line("y = x²", &[0.0, 1.0, 2.0], &[0.0, 1.0, 4.0])'),
    (
        "training loop",
        "let mut progress = Progress::new(\"step\", 200);\nlet mut w = 5.0_f64;\n"
        "for step in 1..=200 {\n    w -= 0.05 * 2.0 * (w - 1.0);\n    progress.step(step, &[(\"loss\", (w - 1.0).powi(2))]);\n}\nw",
    ),
    ("let", 'let names = vec!["perceptron", "attention"];'),
    ("expression", "names.len() + x.len()"),
    ("statement", "let names = names.join(\", \");"),
]
PYTHON_PROBE = ["x = 1", "x + 1", "y = [i * i for i in range(100)]", "sum(y)", "print(x)"] * 2


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def summarise(run: Run, skip_first: int) -> dict:
    """Opening time (kernel start through the first `let`) and the spread of the other cells."""
    cells = sorted(run.cells)
    opened = run.startup + sum(t for _, t, _ in cells[: skip_first + 1])
    rest = [t for _, t, _ in cells[skip_first:]]
    index, slowest, line = run.slowest
    return {
        "notebook": run.name,
        "startup_s": round(run.startup, 2),
        "first_cells_s": [round(t, 2) for _, t, _ in cells[: skip_first + 1]],
        "open_s": round(opened, 2),
        "cells": len(cells),
        "median_s": round(statistics.median(rest), 3) if rest else 0.0,
        "p95_s": round(quantile(rest, 0.95), 3),
        "over_1s": sum(1 for t in rest if t > 1.0),
        "slowest_s": round(slowest, 2),
        "slowest_cell": f"{index}: {line}",
        "total_s": round(run.total, 1),
        "problems": run.problems,
    }


def command_bench(args) -> int:
    """Times real kernels: the probe, each course notebook, and Python for reference."""
    rows = []
    probe = scratch_notebook([src for _, src in PROBE])
    for round_ in range(args.rounds):
        run = execute(probe, NOTEBOOKS / "probe.ipynb", timeout=600)
    probe_row = summarise(run, skip_first=2) | {"notebook": "probe (fixed cells)"}
    probe_row["by_kind"] = {}
    for (kind, _), (_, t, _) in zip(PROBE, sorted(run.cells)):
        probe_row["by_kind"].setdefault(kind, []).append(round(t, 3))
    rows.append(probe_row)
    for path in pick(args.notebooks) if not args.probe_only else []:
        nb, _ = lint(path)
        if nb is None:
            continue
        for _ in range(args.rounds):
            nb, _ = lint(path)
            nb = with_solutions(nb)
            run = execute(nb, path, timeout=600)
        first_let = next((i for i, c in enumerate(c for c in nb.cells if c.cell_type == "code") if "let " in c.source), 2)
        rows.append(summarise(run, skip_first=first_let))
    python = scratch_notebook(PYTHON_PROBE, kernel="python3")
    python.metadata["kernelspec"]["language"] = "python"
    run = execute(python, NOTEBOOKS / "python-probe.ipynb", timeout=60, kernel="python3")
    rows.append(summarise(run, skip_first=0) | {"notebook": "python3 kernel (reference)"})

    print(f"\n{'notebook':<30} {'open':>6} {'start':>6} {'median':>7} {'p95':>6} {'>1s':>4} {'slowest':>8} {'total':>7}")
    for r in rows:
        print(
            f"{r['notebook'][:30]:<30} {r['open_s']:>6.1f} {r['startup_s']:>6.1f} {r['median_s']:>7.3f} {r['p95_s']:>6.2f}"
            f" {r['over_1s']:>4} {r['slowest_s']:>8.1f} {r['total_s']:>7.1f}"
        )
        for p in r["problems"]:
            print(indent(f"- {p}"))
    print("open: kernel start through the first `let`; median, p95, >1s: the cells after it; seconds")
    print("probe cells by kind: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in probe_row["by_kind"].items()))
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cores": os.cpu_count(),
        "label": args.label,
        "rows": rows,
    }
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
        print(f"written to {args.json}")
    return 1 if any(r["problems"] for r in rows) else 0



def command_student(args) -> int:
    """Copies of the notebooks without the solution cells, for handing out."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in pick(args.notebooks):
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if "solution" not in tags(c)]
        for c in nb.cells:
            if c.cell_type == "code":
                c.outputs, c.execution_count = [], None
        nbformat.write(nb, out / path.name)
        print(f"  {out / path.name}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="execute and check notebooks")
    test.add_argument("notebooks", nargs="*", help="names or parts of names (default: all)")
    test.add_argument("--timeout", type=float, default=120, help="seconds a cell may take (default 120)")
    test.add_argument("--save", metavar="DIR", help="write the executed notebooks, with outputs, to DIR")
    bench = sub.add_parser("bench", help="time the kernel cell by cell")
    bench.add_argument("notebooks", nargs="*")
    bench.add_argument("--json", help="also write the figures to this file")
    bench.add_argument("--label", default="", help="a note stored with the figures (what was tried)")
    bench.add_argument("--rounds", type=int, default=1, help="run each notebook this many times, keep the last")
    bench.add_argument("--probe-only", action="store_true", help="only the probe and the Python reference")
    exercises = sub.add_parser("exercises", help="check that every check cell fails on its wrong answer")
    exercises.add_argument("notebooks", nargs="*")
    exercises.add_argument("--timeout", type=float, default=120)
    sub.add_parser("warm", help="compile the support crate into the kernel's cache")
    student = sub.add_parser("student", help="write copies without solutions")
    student.add_argument("out")
    student.add_argument("notebooks", nargs="*")
    args = parser.parse_args()
    commands = {"test": command_test, "exercises": command_exercises, "bench": command_bench, "warm": command_warm, "student": command_student}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
