"""Runs the course notebooks through the real Rust kernel.

Called by the course runner (`cargo course test | bench | setup | export`)
with the course's virtual environment, which has nbclient and nbformat:

    python tests/notebooks.py test [NOTEBOOK ...]    execute, check, print a line per notebook
    python tests/notebooks.py exercises [NOTEBOOK ...]  wrong answers typed in: every check must fail
    python tests/notebooks.py pool [NOTEBOOK]        the notebook through a pooled kernel, compared
                                                     with a cold one; JupyterLab leaves no kernel
    python tests/notebooks.py interrupt [NOTEBOOK]   the Stop button during a training cell: what is
                                                     lost, and that rerunning the cells above resumes
    python tests/notebooks.py bench [--json FILE]    time cells: probe notebook, course (cold and
                                                     pooled), Python
    python tests/notebooks.py warm plain|frames      compile the support crate into the cache
    python tests/notebooks.py student OUT_DIR        copies without solution cells, runnable anywhere
    python tests/notebooks.py student-run [NOTEBOOK] a student's copy, exported outside the
                                                     repository, run with its stubs
    python tests/notebooks.py slides                 set every cell's slide type (the rule below)

A notebook passes when every code cell ran, in a fresh kernel, from the
notebook's own folder, with the solution cells included, and no cell
- failed to compile or raised an error,
- panicked or returned an `Err` through `?` (evcxr prints both to stderr
  and still reports the cell as "ok", so stderr is read),
- ran past the time limit (`--timeout`; a `:dep` cell, which may compile the
  support crate, has BUILD_TIMEOUT);
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

The chapters are the files `notebooks/NN-*.ipynb`, in the order of their
names. Each ends with a markdown cell that links the chapter before it and
the one after it (`**Previous:** [..](NN-....ipynb) · **Next:** [..](...)`),
and every notebook it links must exist; the last chapter may name, as Next,
the chapter that follows it before that one is written. Every chapter from
01 on has at least one code cell tagged `theory`: a "The math says / we
measured" cell, which asserts theory against the numbers of the run and
prints both (`cargo course results` collects them in docs/results.md).

Every cell carries its slide type (`metadata.slideshow.slide_type`, read by
nbconvert's reveal.js slides, `cargo course handout`), set by one rule
(`slide_types` below; `python tests/notebooks.py slides` applies it): a
`#` or `##` heading starts a slide, a `###` heading a sub-slide; a code
cell that shows a value (a plot, a table) is a sub-slide of its own; a
solution is skipped; a cell that would overflow the slide so far starts a
sub-slide; every other cell continues the slide ("-").

`test --save DIR` writes each executed notebook (solutions in place, with
its outputs) to DIR, and records in its metadata under `course_run` whether
the run passed, when, and how long it took: `cargo course test` saves them
in target/executed/, where `cargo course results` reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
NOTEBOOKS = REPO / "notebooks"
KERNEL = "rust-course"
SUPPORT_CRATE_DEP = ':dep mlmath = { path = "../crates/mlmath" }'
LINE_LIMIT = 100
FRAMES_DEP = ':dep mlmath = { path = "../crates/mlmath", features = ["frames"] }'
# A chapter's file name: two digits, a dash, a name.
CHAPTER = re.compile(r"^(\d\d)-[^/]*\.ipynb$")
# A markdown link to a notebook, with an optional #anchor.
NOTEBOOK_LINK = re.compile(r"\[[^\]]*\]\(([^)\s#]+\.ipynb)(?:#[^)\s]*)?\)")


@dataclass
class Run:
    """What executing one notebook measured."""

    name: str
    startup: float = 0.0  # kernel start until the first cell began
    cells: list[tuple[int, float, str]] = field(default_factory=list)  # (index, seconds, first line)
    problems: list[str] = field(default_factory=list)
    total: float = 0.0
    late: int = 0  # cells whose printed lines came after they had finished (see SYNC)

    @property
    def slowest(self) -> tuple[int, float, str]:
        return max(self.cells, key=lambda c: c[1]) if self.cells else (-1, 0.0, "")


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def first_line(cell) -> str:
    lines = [l for l in cell.source.splitlines() if l.strip()]
    return (lines[0][:60] if lines else "").strip()


def chapters() -> list[Path]:
    """The course's chapters: the notebooks named NN-*.ipynb, in order."""
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if CHAPTER.match(p.name))


def labelled_link(source: str, label: str) -> str | None:
    """The notebook that `label` (Previous, Next) links in `source`, if any."""
    found = re.search(rf"{label}:?[*_ ]*\[[^\]]*\]\(([^)\s]+)\)", source)
    return found.group(1).split("#")[0] if found else None


def link_problems(nb, path: Path) -> list[str]:
    """The last cell must link the chapters before and after this one, in the
    folder's order, and every notebook it links must exist."""
    order = [p.name for p in chapters()]
    if path.name not in order or path.parent.resolve() != NOTEBOOKS.resolve():
        return []
    i = order.index(path.name)
    last = nb.cells[-1] if nb.cells else None
    wanted = [("Previous", order[i - 1])] if i > 0 else []
    wanted += [("Next", order[i + 1])] if i + 1 < len(order) else []
    example = " · ".join(f"**{label}:** [NN · its title]({name})" for label, name in wanted)
    if last is None or last.cell_type != "markdown":
        return [f"the last cell must be a markdown cell linking the neighbouring chapters: {example}"]
    problems = []
    for label, name in wanted:
        linked = labelled_link(last.source, label)
        if linked != name:
            problems.append(
                f"the last cell must link the {label.lower()} chapter, {name}, as {label}: "
                f"{example} (it links {linked or 'none'})"
            )
    following = f"{int(path.name[:2]) + 1:02d}-"
    for name in NOTEBOOK_LINK.findall(last.source):
        if (path.parent / name).exists():
            continue
        # The last chapter may link the next one before it is written.
        if i == len(order) - 1 and name.startswith(following) and labelled_link(last.source, "Next") == name:
            continue
        problems.append(f"the last cell links {name}, which is not in {NOTEBOOKS}: correct the link")
    return problems


def theory_problems(nb, path: Path) -> list[str]:
    """Every chapter from 01 on has a code cell tagged `theory`; only code cells are."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if "theory" in tags(cell) and cell.cell_type != "code":
            problems.append(f"cell {i} is tagged theory but is not a code cell: only the cells that run the check are")
    chapter = CHAPTER.match(path.name)
    has_theory = any("theory" in tags(c) and c.cell_type == "code" for c in nb.cells)
    if chapter and int(chapter.group(1)) >= 1 and not has_theory:
        problems.append(
            "no code cell is tagged `theory`: tag each \"The math says / we measured\" cell (the code that "
            "asserts theory against the numbers of the run, printing both) with `theory` in metadata.tags"
        )
    return problems


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
    problems += link_problems(nb, path) + theory_problems(nb, path) + slide_problems(nb)
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


# Slides: how many lines of text fit a 960x700 reveal.js slide at the
# presenter's font size (assets/course.css of the handouts), and how many
# characters a line of prose holds there.
SLIDE_LINES = 18
SLIDE_LINE_CHARS = 80
# What a cell's value is shown through: its last line is an expression, or it
# writes a picture itself.
SHOWN_BY_HAND = ("evcxr_display()", "EVCXR_BEGIN_CONTENT")


def shows_value(cell) -> bool:
    """Whether a code cell shows a value (a plot, a table): its last line of
    code is an expression (no `;`, not the end of a block), or it displays
    one by hand."""
    if cell.cell_type != "code":
        return False
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    if any(mark in source for mark in SHOWN_BY_HAND):
        return True
    lines = [l.split("//")[0].rstrip() for l in source.splitlines()]
    lines = [l for l in lines if l.strip()]
    if not lines or lines[-1].lstrip().startswith(":"):
        return False
    return not lines[-1].endswith((";", "}", "{"))


def slide_height(cell) -> int:
    """The lines a cell takes on a slide: prose wrapped at SLIDE_LINE_CHARS,
    code line for line, and one line of space."""
    source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
    if cell.cell_type == "markdown":
        rows = sum(max(1, -(-len(l) // SLIDE_LINE_CHARS)) for l in source.splitlines() if l.strip())
    else:
        rows = len(source.splitlines())
    return rows + 1


def slide_types(nb) -> list[str]:
    """Each cell's slide type, by the rule in this file's docstring."""
    kinds, used = [], 0
    for i, cell in enumerate(nb.cells):
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        first = source.lstrip().split("\n", 1)[0]
        height = slide_height(cell)
        if "solution" in tags(cell):
            kinds.append("skip")
            continue
        if i == 0 or (cell.cell_type == "markdown" and re.match(r"#{1,2} ", first)):
            kind = "slide"
        elif cell.cell_type == "markdown" and first.startswith("### "):
            kind = "subslide"
        elif shows_value(cell) or (used and used + height > SLIDE_LINES):
            kind = "subslide"
        else:
            kind = "-"
        kinds.append(kind)
        used = height if kind != "-" else used + height
        if shows_value(cell):
            used = SLIDE_LINES  # the value fills its slide: what follows starts another
    return kinds


def slide_problems(nb) -> list[str]:
    """Every cell's slide type is the one the rule gives."""
    wrong = [
        (i, cell.get("metadata", {}).get("slideshow", {}).get("slide_type"), want)
        for i, (cell, want) in enumerate(zip(nb.cells, slide_types(nb)))
        if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") != want
    ]
    if not wrong:
        return []
    shown = ", ".join(f"cell {i} has {have!r}, the rule gives {want!r}" for i, have, want in wrong[:3])
    more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
    return [
        f"slide types (metadata.slideshow.slide_type) do not follow the slide rule: {shown}{more}; "
        "run `python tests/notebooks.py slides` (with the course's Python) to set them"
    ]


def command_slides(args) -> int:
    """Sets every cell's slide type in the chapters by the rule; touches
    nothing else (the file is rewritten as it was written, keys in order)."""
    changed = 0
    for path in pick(args.notebooks):
        raw = path.read_text()
        data = json.loads(raw)
        nb = nbformat.from_dict(json.loads(raw))
        for cell, kind in zip(data["cells"], slide_types(nb)):
            cell.setdefault("metadata", {}).setdefault("slideshow", {})["slide_type"] = kind
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        if text != raw:
            path.write_text(text)
            changed += 1
            print(f"  {path.name}: slide types set")
    print(f"slides: {changed} notebook(s) changed")
    return 0


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


# A `:dep` cell compiles the support crate into the notebook's build folder
# when the crate changed since that folder last saw it (40-70 s on 2 quiet
# cores, more on a busy machine): a build, once, not a cell's answer. It may
# take this long; every other cell is held to --timeout.
BUILD_TIMEOUT = 1800

# `test --save DIR` lists the notebooks that failed, and why, in DIR/FAILURES.
FAILURES = "failures.txt"


def cell_timeout(cell, timeout: float) -> int:
    """The seconds a cell may take: BUILD_TIMEOUT for a `:dep` cell, else timeout."""
    return int(BUILD_TIMEOUT if cell.source.lstrip().startswith(":dep") else timeout)


def execute(nb, path: Path, timeout: float, kernel: str = KERNEL, allow_errors: bool = False,
            sync: bool = True) -> Run:
    """Runs every code cell in a fresh kernel from the notebook's folder
    (with SYNC unless `sync` is False)."""
    run = Run(path.name)
    marks: dict[str, float] = {}

    def started(cell, cell_index, **_):
        marks["cell"] = time.perf_counter()
        marks.setdefault("first", marks["cell"])

    async def finished(cell, cell_index, execute_reply=None, **_):
        run.cells.append((cell_index, time.perf_counter() - marks["cell"], first_line(cell)))
        if execute_reply is None:
            return
        synced = SYNC in cell.source and execute_reply.get("content", {}).get("status") == "ok"
        msg_id = execute_reply["parent_header"]["msg_id"]
        if await wait_for_sync(client, cell, cell_index, msg_id, synced):
            run.late += 1
        if not remove_sync(cell) and synced and not stream_text(cell, "stderr").strip():
            run.problems.append(
                f"cell {cell_index} ({first_line(cell)!r}): what it printed had not all arrived "
                f"{SYNC_WAIT} s after it finished (the machine is overloaded?)"
            )

    kept = add_end_marks(nb, sync=sync and kernel == KERNEL)
    # Jupyter's server names the notebook to its kernel the same way.
    os.environ["JPY_SESSION_NAME"] = str(path.resolve())
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        timeout_func=lambda cell: cell_timeout(cell, timeout),
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
            if out.get("output_type") in ("execute_result", "display_data") and text == "()":
                run.problems.append(
                    f"cell {i} ({first_line(cell)!r}) shows `()`: it ends in an expression with no value "
                    "(a `for` loop, say), which the kernel prints; end it with `;`"
                )
        stderr = stream_text(cell, "stderr")
        if stderr.strip():
            what = "panicked" if "panicked at" in stderr else "wrote to stderr (an Err returned with `?`, or a panic)"
            run.problems.append(f"cell {i} ({first_line(cell)!r}) {what}:\n{indent(stderr)}")
    return run


# Appended, for the run only, to every check cell: an expression whose value
# the kernel sends with the cell's reply. It is reached only when every
# assert above it passed, and a cell's value always arrives (see SYNC).
REACHED_END = '"✓ every assert passed"'

# The kernel forwards what a cell prints on a thread of its own, which under
# load can send the last lines after the cell's reply, when nothing listens
# any more (and marks them as the next cell's once that has started): the
# lines would be missing from the run, or blamed on another cell. So, for the
# run only, each Rust cell prints SYNC last, on stdout and on stderr, where
# its code allows it (see with_sync); after the cell has finished, the run
# waits until both have arrived, and removes them. The kernel sends a
# stream's lines in the order printed, so when SYNC is there, all is.
SYNC = "\u2063course-run: output complete\u2063"
SYNC_PRINT = f'println!("{SYNC}"); eprintln!("{SYNC}");'
# A value that prints SYNC when it is dropped: at the end of the statement
# that shows the cell's value, after the value has been shown.
SYNC_GUARD = ("{ struct OutputComplete; impl Drop for OutputComplete { fn drop(&mut self) { "
              f"{SYNC_PRINT} }} }} OutputComplete }}")
# How long a finished cell's late lines may take to arrive.
SYNC_WAIT = 60
# A cell that cannot print SYNC (not rewritten, failed, or panicked): the
# wait for its late lines ends after this many seconds without any.
QUIET = 1.0
# An item, which must stay at the top level of a cell: anywhere in the code
# that would be wrapped, and as the code's last statement.
ITEM = re.compile(r"(?m)^\s*(?:(?:pub|fn|struct|enum|impl|trait|mod|use|type|const|static|extern)\b|macro_rules!|#\[)")
LAST_ITEM = re.compile(r"(?:(?:pub|fn|struct|enum|impl|trait|mod|unsafe\s+impl)\b|macro_rules!|#\[)")
# After a block that ends a line, what continues the same expression.
CONTINUES = re.compile(r"[ \t]*\n\s*(?:else\b|as\b|[.?]|$)")


def code_only(code: str) -> str:
    """The code with its comments and the insides of its string and character
    literals blanked (same length, newlines kept), so brackets and `;` can be
    counted."""
    out, i, n = list(code), 0, len(code)

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif code.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if code.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif code.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif (raw := re.match(r'b?r(#*)"', code[i:])) and (i == 0 or not (code[i - 1].isalnum() or code[i - 1] == "_")):
            end = '"' + raw.group(1)
            j = code.find(end, i + raw.end())
            j = n if j < 0 else j + len(end)
            blank(i + 1, j - 1)
            i = j
        elif c == '"':
            j = i + 1
            while j < n and code[j] != '"':
                j += 2 if code[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
        elif c == "'":
            # a character literal ('a', '\n', '\'', '\u{2063}'), or else a lifetime or label ('a)
            if i + 1 < n and code[i + 1] == "\\":
                j = code.find("'", i + 3)
                j = n if j < 0 else j
                blank(i + 1, j)
                i = j + 1
            elif i + 2 < n and code[i + 2] == "'":
                blank(i + 1, i + 2)
                i += 3
            else:
                i += 1
        else:
            i += 1
    return "".join(out)


def last_statement(bare: str) -> int | None:
    """Where the cell's last statement begins, in code_only's text: after
    the last `;`, or after the last block that ends a line and is not
    continued (by `.`, `?`, `else`, `as`), as Rust reads a block-like
    statement; None if the brackets do not pair."""
    depth, last = 0, 0
    for k, c in enumerate(bare):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if c == "}" and depth == 0 and re.match(r"[ \t]*\n", bare[k + 1:]) \
                    and not CONTINUES.match(bare, k + 1):
                last = k + 1
        elif c == ";" and depth == 0:
            last = k + 1
    return last if depth == 0 else None


def with_sync(code: str) -> str | None:
    """The cell's code made to print SYNC last, keeping what the cell shows
    and which variables it keeps; None where that cannot be done safely (the
    run then waits for QUIET seconds instead)."""
    if not code.strip() or code.lstrip().startswith(":"):
        return None
    bare = code_only(code)
    last = last_statement(bare)
    if last is None:
        return None
    tail = bare[last:].strip()
    if not tail or (LAST_ITEM.match(tail) and tail.endswith("}")):  # a statement or an item: nothing shown
        return f"{code.rstrip()}\n{SYNC_PRINT}"
    if ITEM.search(tail):
        return None
    # It ends in a value, which the kernel shows with a method that borrows
    # it (or with Debug). Borrowed and dereferenced, it is the same place: a
    # variable stays where it is for the next cells, and the method found is
    # the same; the guard beside it prints SYNC once it has been shown.
    head, value = code[:last], code[last:].strip()
    return f"{head}\n(*(&(\n{value}\n), {SYNC_GUARD}).0)"


def add_end_marks(nb, sync: bool = True) -> list[tuple[object, str]]:
    """Ends each check cell with REACHED_END and, if `sync`, each Rust cell
    with SYNC where it can; returns what to put back."""
    kept = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        original = cell.source
        code = original.rstrip()
        if "check" in tags(cell):
            # on a line of its own: the code may end in a comment
            end = "" if code_only(code).rstrip().endswith((";", "}")) else "\n;"
            cell.source = f"{code}{end}\n{SYNC_PRINT if sync else ''}\n{REACHED_END}"
        elif sync and (synced := with_sync(code)) is not None:
            cell.source = synced
        else:
            continue
        kept.append((cell, original))
    return kept


def without_sync(text: str) -> str:
    return text.replace(SYNC + "\n", "").replace(SYNC, "")


def stream_text(cell, name: str) -> str:
    """What the cell printed on the stream `name` (stdout, stderr)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == name)


async def wait_for_sync(client, cell, cell_index: int, msg_id: str, synced: bool) -> int:
    """Takes in the cell's messages that arrive after it finished: up to its
    SYNC on both streams if `synced`, for SYNC_WAIT seconds at most. A cell
    that was not rewritten, or that failed (the kernel may report a panic as
    a cell run, with the panic on stderr), prints no SYNC: its wait ends
    after QUIET seconds without a message. Late lines go before the value
    the cell shows. Returns how many outputs came late, SYNC aside."""
    def arrived() -> bool:
        return synced and SYNC in stream_text(cell, "stdout") and SYNC in stream_text(cell, "stderr")

    def quiet_rule() -> bool:
        return not synced or bool(without_sync(stream_text(cell, "stderr")).strip())

    start = heard = time.monotonic()
    late = []
    while not arrived():
        now = time.monotonic()
        if now - start >= SYNC_WAIT or (quiet_rule() and now - heard >= QUIET):
            break
        limit = QUIET - (now - heard) if quiet_rule() else 1.0
        try:
            msg = await ensure_async(client.kc.get_iopub_msg(timeout=max(0.01, min(limit, SYNC_WAIT - (now - start)))))
        except queue.Empty:
            if not await ensure_async(client.km.is_alive()):
                break
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        heard = time.monotonic()
        if msg["msg_type"] == "stream":
            out = nbformat.v4.output_from_msg(msg)
            late.append(out)
            cell.outputs.append(out)
        elif msg["msg_type"] in ("execute_result", "display_data", "error"):
            late.append(client.process_message(msg, cell, cell_index))
    if late:
        streams = [o for o in late if o is not None and o.get("output_type") == "stream"]
        rest = [o for o in cell.outputs if not any(o is s for s in streams)]
        values = [k for k, o in enumerate(rest) if o.get("output_type") == "execute_result"]
        at = values[0] if values else len(rest)
        cell.outputs = rest[:at] + streams + rest[at:]
    # the lines the cell printed that came late, SYNC aside
    return sum(1 for o in late if o is not None and (
        o.get("output_type") != "stream" or without_sync(o.get("text", "")).strip()))


def remove_sync(cell) -> bool:
    """Removes SYNC from the cell's outputs; whether both streams had it."""
    found = set()
    kept = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and SYNC in out.get("text", ""):
            found.add(out.get("name"))
            out["text"] = without_sync(out["text"])
            if not out["text"]:
                continue
        kept.append(out)
    if "outputs" in cell:
        cell.outputs = kept
    return found == {"stdout", "stderr"}


# with_sync's cases: a cell, and what it must become (None: left alone).
# LATE_RUST runs them in the kernel.
SHOWN = f", {SYNC_GUARD}).0)"
SYNC_CASES = [
    ("let a = 1;", f"let a = 1;\n{SYNC_PRINT}"),
    ("let s = \"a;b\"; let c = ';'; // d;\ns", f"let s = \"a;b\"; let c = ';';\n(*(&(\n// d;\ns\n){SHOWN}"),
    ("x\n    .len() // a value", f"\n(*(&(\nx\n    .len() // a value\n){SHOWN}"),
    ("fn f<'a>(x: &'a str) -> &'a str {\n    x\n}", f"fn f<'a>(x: &'a str) -> &'a str {{\n    x\n}}\n{SYNC_PRINT}"),
    ("for i in 0..2 {\n    t += i;\n}\n100.0 * t", f"for i in 0..2 {{\n    t += i;\n}}\n(*(&(\n100.0 * t\n){SHOWN}"),
    ("for i in 0..2 {\n    t += i;\n}", f"\n(*(&(\nfor i in 0..2 {{\n    t += i;\n}}\n){SHOWN}"),
    ("{\n    let v = 2;\n    v * 2\n}", f"\n(*(&(\n{{\n    let v = 2;\n    v * 2\n}}\n){SHOWN}"),
    ("match a {\n    _ => 1,\n}\n.to_string()", f"\n(*(&(\nmatch a {{\n    _ => 1,\n}}\n.to_string()\n){SHOWN}"),
    ("if a {\n    1\n} else {\n    2\n}", f"\n(*(&(\nif a {{\n    1\n}} else {{\n    2\n}}\n){SHOWN}"),
    ("let q = ['\\'', '\"'];\nq", f"let q = ['\\'', '\"'];\n(*(&(\nq\n){SHOWN}"),
    ("let r = r#\"}\"#;\nstruct P;\nP", f"let r = r#\"}}\"#;\nstruct P;\n(*(&(\nP\n){SHOWN}"),
    ("#[derive(Debug)]\nstruct Q {\n    a: u8,\n}", f"#[derive(Debug)]\nstruct Q {{\n    a: u8,\n}}\n{SYNC_PRINT}"),
    ("x\nfn g() {}", None),
    (":dep mlmath = { path = \"../crates/mlmath\" }", None),
    ("let a = (1;", None),
]

# The shapes of cell that end in what the kernel shows, run in the Rust
# kernel with and without SYNC: each must show the same.
LATE_RUST = [
    SUPPORT_CRATE_DEP,
    "use mlmath::prelude::*;",
    'let xs = vec![1.0, 2.0, 3.0];\nlet n = xs.len() as f64;\nprintln!("n = {n}");',
    "let mut total = 0.0;\nfor x in &xs {\n    total += x;\n}\n100.0 * total / n",
    "let mut i = 0;\nloop {\n    i += 1;\n    if i == 3 {\n        break i * 2;\n    }\n}",
    "&xs",
    'let chart = Chart::new("a line").line("y", &xs, &xs);\nprintln!("drawn");\nchart',
    "&chart",
    "let view = xs.iter().map(|x| x * 2.0).collect::<Vec<f64>>();\n&view[..2]",
    'if n > 2.0 {\n    "more than two"\n} else {\n    "two or fewer"\n}',
    "struct Pair(f64, f64);\nimpl Pair {\n    fn sum(&self) -> f64 {\n        self.0 + self.1\n    }\n}",
    'let pair = Pair(1.0, 2.0);\neprintln!("to stderr first");\npair.sum()',
    '{\n    let names: Vec<&str> = vec!["a", "b"];\n    names.len()\n}',
    "let quote = '\\'';\nlet marks = ['\\'', '\"'];\nprintln!(\"{quote} {}\", marks.len());\nmarks.len()",
    "xs.iter().sum::<f64>() // the total",
    "xs.len() // kept for the next cell\n",
    "xs.len() == 3",
]

# Cells whose last lines arrive after they have finished, as the Rust
# kernel's may under load: ipykernel sends what a thread prints under the
# cell that started it, whenever it prints.
LATE_PYTHON = [
    "import sys, threading\n"
    f"mark = {SYNC!r}\n"
    "def late():\n"
    "    print('late line')\n"
    "    print(mark)\n"
    "    print(mark, file=sys.stderr)\n"
    "threading.Timer(1.5, late).start()\n"
    "print('early line')",
    "def late_too():\n"
    "    print('late warning', file=sys.stderr)\n"
    "    print('late line 2')\n"
    "    print(mark)\n"
    "    print(mark, file=sys.stderr)\n"
    "threading.Timer(1.5, late_too).start()\n"
    "41 + 1",
    "print('next cell')",
]


def shown(cell) -> list:
    """What a cell shows: its streams' text and its values."""
    return [stream_text(cell, "stdout"), stream_text(cell, "stderr")] + [
        o.get("data", {}) for o in cell.outputs if o.get("output_type") in ("execute_result", "display_data")]


def command_sync(args) -> int:
    """The run waits for a cell's late lines (see SYNC): with_sync on its
    cases; Python cells that print after finishing, waited for and not; and
    cells of the shapes that end in a value, in the Rust kernel with SYNC and
    without, which must show the same."""
    problems = []
    for code, want in SYNC_CASES:
        got = with_sync(code)
        if got != want:
            problems.append(f"with_sync({code!r}) gave {got!r}, not {want!r}")
    global SYNC_WAIT
    for wait in (SYNC_WAIT, 0):
        kept, SYNC_WAIT = SYNC_WAIT, wait
        try:
            nb = scratch_notebook(LATE_PYTHON, kernel="python3")
            nb.cells[1].metadata["tags"] = ["allow-stderr"]
            for cell in nb.cells[:2]:  # the cells that print SYNC themselves
                cell.source += f"\n# {SYNC}"
            run = execute(nb, NOTEBOOKS / "late-output.ipynb", timeout=60, kernel="python3")
        finally:
            SYNC_WAIT = kept
        got = [shown(c) for c in nb.cells]
        kinds = [[o.get("output_type") for o in c.outputs] for c in nb.cells]
        want = [["early line\nlate line\n", "", ], ["late line 2\n", "late warning\n", {"text/plain": "42"}],
                ["next cell\n", ""]]
        if wait and (got != want or kinds[1].index("execute_result") < kinds[1].index("stream")
                     or run.problems or run.late != 2):
            problems.append(f"waiting, the cells showed {got!r} ({kinds}); late {run.late}; problems: {run.problems}")
        lost = [p for p in run.problems if "had not all arrived" in p]
        if not wait and (len(lost) != 2 or any("late" in c[0] for c in got)):
            problems.append(f"not waiting, the late lines were not reported lost: {got!r}; problems: {run.problems}")
    rust = []
    for sync in (False, True):
        nb = scratch_notebook(LATE_RUST)
        for cell in nb.cells:
            if "eprintln!" in cell.source:
                cell.metadata["tags"] = ["allow-stderr"]
        run = execute(nb, NOTEBOOKS / "late-output.ipynb", timeout=600, sync=sync)
        problems += [f"{'with' if sync else 'without'} SYNC: {p}" for p in run.problems]
        rust.append([shown(c) for c in nb.cells])
    for k, (plain, synced) in enumerate(zip(*rust)):
        if plain != synced:
            problems.append(f"Rust cell {k} ({LATE_RUST[k][:40]!r}) showed {str(synced)[:200]} with SYNC, "
                            f"{str(plain)[:200]} without")
    unsynced = [code for code in LATE_RUST[1:] if with_sync(code) is None]
    if unsynced:
        problems.append(f"cells left without SYNC: {unsynced}")
    for p in problems:
        print(f"  - {p}")
    if problems:
        print(f"late output: {len(problems)} problem(s), above")
        return 1
    print(f"late output: {len(SYNC_CASES)} cells rewritten as expected; Python cells' lines sent 1.5 s after "
          f"they finished kept, and reported lost when not waited for; {len(LATE_RUST)} Rust cells show the "
          "same with SYNC and without")
    return 0


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
    passed = failed = late = 0
    failures = []
    begin = time.perf_counter()
    print(f"{'notebook':<42} {'cells':>5} {'seconds':>8}  slowest cell")
    for path in paths:
        nb, problems = lint(path)
        nb = with_solutions(nb) if nb is not None else None
        run = execute(nb, path, args.timeout) if nb is not None else Run(path.name)
        run.problems[:0] = problems
        late += run.late
        if args.save and nb is not None:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            nb.metadata["course_run"] = {
                "passed": not run.problems,
                "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                "seconds": round(run.total, 1),
            }
            nbformat.write(nb, Path(args.save) / path.name)
        code_cells = sum(1 for c in (nb.cells if nb else []) if c.cell_type == "code")
        index, seconds, line = run.slowest
        status = "ok" if not run.problems else "FAILED"
        print(f"{path.name:<42} {code_cells:>5} {run.total:>8.1f}  cell {index} ({seconds:.1f} s) {line}  {status}", flush=True)
        for p in run.problems:
            print(indent(f"- {p}", 60))
        if run.problems:
            failed += 1
            failures.append(f"{path.name}:\n" + "\n".join(indent(f"- {p}") for p in run.problems))
        else:
            passed += 1
    print(f"notebooks: {passed} passed, {failed} failed")
    print(f"notebook suite took {time.perf_counter() - begin:.1f} s; {late} cell(s) printed lines that came "
          "after the cell had finished, and were waited for")
    if args.save:
        # The course runner repeats these at the end of its output, where a
        # log cut to its last lines still shows them.
        Path(args.save).mkdir(parents=True, exist_ok=True)
        (Path(args.save) / FAILURES).write_text("\n".join(failures))
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


THREAD_ID = re.compile(r"thread '([^']*)' \(\d+\)")
# evcxr numbers the function each compiled cell runs in (a panic's backtrace shows it).
CELL_FUNCTION = re.compile(r"run_user_code_\d+")


def comparable(outputs: list) -> list:
    """A cell's outputs as a learner sees them: kinds, streams and shown data.
    A panic names the thread's id and the number of the compiled cell, which
    differ from run to run."""
    shown = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = THREAD_ID.sub(r"thread '\1'", ANSI.sub("", out.get("text", "")))
            shown.append((out.get("name"), CELL_FUNCTION.sub("run_user_code_N", text)))
        elif kind in ("execute_result", "display_data"):
            shown.append((kind, json.dumps(out.get("data", {}), sort_keys=True)))
        elif kind == "error":
            shown.append((kind, out.get("ename"), out.get("evalue")))
    # The kernel sends a cell's printed lines and its value on separate channels;
    # their order within a cell is not part of what the cell computed.
    return sorted(shown, key=repr)


def descendants(pid: int) -> dict[int, str]:
    """Every process below `pid`, with its start time (so a reused id is not mistaken for it)."""
    children: dict[int, list[int]] = {}
    for p in all_pids():
        fields = stat_fields(p)
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(p)
    found, todo = {}, list(children.get(pid, []))
    while todo:
        p = todo.pop()
        start = process_start(p)
        if start:
            found[p] = start
        todo.extend(children.get(p, []))
    return found


def process_start(pid: int) -> str | None:
    fields = stat_fields(pid)
    return fields[19] if len(fields) > 19 else None


def still_running(processes: dict[int, str]) -> list[int]:
    """Those of `processes` that still run: the same id and start time, and not
    a zombie (a process that has ended and waits for its parent to collect it)."""
    return [
        p for p, start in processes.items()
        if process_start(p) == start and stat_fields(p)[:1] not in (["Z"], ["X"])
    ]


def command_pool(args) -> int:
    """The kernel pool: a notebook run through a pooled kernel shows exactly
    what it shows in a cold one, and JupyterLab leaves no kernel behind."""
    import course_pool

    problems = []
    path = pick([args.notebook])[0]
    nb, lint_problems = lint(path)
    if nb is None or lint_problems:
        print(f"{path.name}: {lint_problems}")
        return 1
    os.environ[course_pool.POOL_ENV] = "0"
    cold = with_solutions(nb)
    cold_run = execute(cold, path, args.timeout)
    os.environ[course_pool.POOL_ENV] = "1"
    pool = course_pool.Pool.instance()
    if pool is None or not pool.wait_ready(1, timeout=600):
        print(f"the pool did not warm a kernel: {pool.failures if pool else 'no pool'}")
        return 1
    pooled = with_solutions(nb)
    pooled_run = execute(pooled, path, args.timeout)
    if pool.handed_out != 1:
        problems.append(f"the notebook was not run by the pooled kernel (handed out: {pool.handed_out})")
    for run in (cold_run, pooled_run):
        problems += [f"{run.name}: {p}" for p in run.problems]
    # evcxr forwards what a cell prints (stdout and stderr) on threads of its
    # own, with no ordering against the cell's reply: in any kernel a message
    # can arrive after the cell has finished, and is then not recorded (seen
    # in cold and pooled runs alike). So a cell's values and displays must be
    # identical, and its printed messages must agree wherever both runs
    # recorded them: one run's printed lines must all be among the other's.
    from collections import Counter

    def same(a, b) -> bool:
        shown = [comparable(c.outputs) for c in (a, b)]
        streams = [
            Counter((o[0], line) for o in s if o[0] in ("stdout", "stderr") for line in o[1].splitlines())
            for s in shown
        ]
        others = [[o for o in s if o[0] not in ("stdout", "stderr")] for s in shown]
        fewer, more = sorted(streams, key=lambda c: sum(c.values()))
        return others[0] == others[1] and not (fewer - more)

    differ = [
        i for i, (a, b) in enumerate(zip(cold.cells, pooled.cells))
        if a.cell_type == "code" and not same(a, b)
    ]
    for i in differ:
        import difflib

        texts = ["\n".join(map(repr, comparable(n.cells[i].outputs))).splitlines() for n in (cold, pooled)]
        diff = list(difflib.unified_diff(*texts, "cold kernel", "pooled kernel", lineterm="", n=1))
        problems.append(
            f"cell {i} ({first_line(cold.cells[i])!r}) shows something else from a pooled kernel:\n"
            + indent("\n".join(diff), 30)
        )
    # The replacement warming now, and any kernel the pool holds, end with the pool.
    pool.wait_ready(1, timeout=600)
    held = pool.pids()
    held |= {p: t for k in held for p, t in descendants(k).items()}
    pool.stop()
    time.sleep(1)
    left = still_running(held)
    if not held or left:
        problems.append(
            f"stopping the pool left {len(left)} of the {len(held)} processes of its kernels running: "
            + ", ".join(f"{p} [{' '.join(stat_fields(p)[:1])}] {cmdline(p)[:60]}" for p in left)
        )

    def opened(run: Run) -> str:
        firsts = sorted(run.cells)[:2]
        return f"{run.startup + sum(t for _, t, _ in firsts):.1f} s" if len(firsts) == 2 else "(did not run)"

    print(
        f"{path.name}: from kernel start to the end of its second cell, cold {opened(cold_run)}, "
        f"pooled {opened(pooled_run)}; {len(differ)} cells show something different"
    )
    if not args.no_lab:
        if sys.platform.startswith("linux"):
            problems += lab_leaves_no_kernels()
        else:
            print("(the JupyterLab part of this check reads /proc, which only Linux has: skipped)")
    for p in problems:
        print(indent(f"- {p}", 60))
    print(f"pool: {'ok' if not problems else 'FAILED'}")
    return 1 if problems else 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(log, pool: int, env: dict[str, str] | None = None, preexec_fn=None):
    """Starts JupyterLab on notebooks/ as `cargo course lab` does: on
    127.0.0.1, a free port, a token, no browser, the pool's server extension
    with `pool` warm kernels (JupyterLab's own messages go to `log`). Returns
    (the server process, its port, its token); stop it with its `terminate`."""
    import subprocess

    port, token = free_port(), os.urandom(8).hex()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--notebook-dir={NOTEBOOKS}",
         "--ServerApp.jpserver_extensions=course_pool=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env={**os.environ, **(env or {}), "RUST_COURSE_POOL": str(pool)},
        stdout=subprocess.DEVNULL, stderr=log, text=True, preexec_fn=preexec_fn,
    )
    return server, port, token


def lab_leaves_no_kernels() -> list[str]:
    """Starts JupyterLab with the pool as `cargo course lab` does, opens a
    notebook's kernel once the pool's kernel is warm, checks that the kernel it
    got came from the pool, stops JupyterLab (gracefully, then by SIGKILL), and
    lists every process of its kernels that survived."""
    import signal
    import subprocess
    import tempfile
    import urllib.request

    problems = []
    for how in ("SIGTERM", "SIGKILL"):
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        server, port, token = start_lab(log, pool=1)
        seen: dict[int, str] = {}
        kernels: list[int] = []
        try:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline and "a warm kernel is ready" not in Path(log.name).read_text():
                if server.poll() is not None:
                    break
                time.sleep(1)
            else:
                if time.monotonic() < deadline:
                    # A notebook in the notebooks folder asks for a kernel (path "" is that folder).
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/kernels?token={token}",
                        data=json.dumps({"name": KERNEL, "path": ""}).encode(), method="POST",
                        headers={"Content-Type": "application/json"},
                    )
                    urllib.request.urlopen(request, timeout=120).read()
                    # Wait for the replacement to start (the pool waits REFILL_DELAY, 10 s).
                    while time.monotonic() < deadline and len(kernels) < 2:
                        seen |= descendants(server.pid)
                        kernels = [p for p in seen if session_leader(p) and "evcxr_jupyter" in cmdline(p)]
                        time.sleep(1)
            seen |= descendants(server.pid)
            from_pool = [p for p in kernels if environ(p).get("JPY_SESSION_NAME") == "pool"]
            if len(kernels) < 2 or len(from_pool) != len(kernels):
                problems.append(
                    f"JupyterLab ({how} case) did not hand out a pooled kernel and start its replacement: "
                    f"{len(kernels)} kernels, {len(from_pool)} from the pool; its log ends:\n"
                    + indent("\n".join(Path(log.name).read_text().splitlines()[-15:]))
                )
            server.send_signal(getattr(signal, how))
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                problems.append(f"JupyterLab did not stop within 60 s of {how}")
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        time.sleep(3)
        # Every process in the kernels' sessions, found afresh (one started after
        # the last look is in the session too).
        in_sessions = {p: process_start(p) for p in all_pids() if session_of(p) in kernels}
        survivors = still_running(in_sessions) + still_running(seen)
        survivors = sorted(set(survivors))
        if survivors:
            problems.append(
                f"after {how} to JupyterLab, {len(survivors)} of its kernels' processes were still running: "
                + ", ".join(f"{p} {cmdline(p)[:60]}" for p in survivors)
            )
            for p in survivors:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        else:
            print(f"JupyterLab stopped by {how}: all {len(seen)} of its processes ({len(kernels)} kernels) ended")
        Path(log.name).unlink(missing_ok=True)
    return problems


def all_pids() -> list[int]:
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]


def stat_fields(pid: int) -> list[str]:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def session_of(pid: int) -> int | None:
    fields = stat_fields(pid)
    return int(fields[3]) if len(fields) > 3 else None


def session_leader(pid: int) -> bool:
    return session_of(pid) == pid


def environ(pid: int) -> dict[str, str]:
    try:
        raw = (Path("/proc") / str(pid) / "environ").read_bytes()
    except OSError:
        return {}
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def scratch_notebook(cells: list[str], kernel: str = KERNEL):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "rust"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    return nb


def command_warm(args) -> int:
    """Compiles the support crate (`plain`) or the support crate with DataFrames
    (`frames`) through the kernel, filling evcxr's cache. The kernel works
    offline (init.evcxr); the warm-up may download."""
    dep = {"plain": SUPPORT_CRATE_DEP, "frames": FRAMES_DEP}[args.which]
    nb = scratch_notebook([f":offline 0\n{dep}", "use mlmath::prelude::*;", "let x = array![[1.0, 2.0]];\nx.table()"])
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


def summarise(run: Run, nb, skip_first: int) -> dict:
    """First result (kernel start through the first cell that binds a variable:
    the moment cells answer at their usual speed) and the spread of the cells
    after it, leaving out cells tagged `compute` (they train or sweep for
    seconds by design)."""
    cells = sorted(run.cells)
    opened = run.startup + sum(t for _, t, _ in cells[: skip_first + 1])
    rest = [t for i, t, _ in cells[skip_first + 1:] if "compute" not in tags(nb.cells[i])]
    computed = [t for i, t, _ in cells if "compute" in tags(nb.cells[i])]
    index, slowest, line = run.slowest
    return {
        "notebook": run.name,
        "startup_s": round(run.startup, 2),
        "first_cells_s": [round(t, 2) for _, t, _ in cells[: skip_first + 1]],
        "open_s": round(opened, 2),
        "cells": len(cells),
        "compute_cells": len(computed),
        "median_s": round(statistics.median(rest), 3) if rest else 0.0,
        "p95_s": round(quantile(rest, 0.95), 3),
        "over_1s": sum(1 for t in rest if t > 1.0),
        "slowest_s": round(slowest, 2),
        "slowest_cell": f"{index}: {line}",
        "total_s": round(run.total, 1),
        "cells_s": [
            [i, round(t, 3), line, "compute" in tags(nb.cells[i])]
            for i, t, line in cells
        ],
        "problems": run.problems,
    }


def first_binding(nb) -> int:
    """The index, among code cells, of the first cell that binds a variable."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    return next((i for i, c in enumerate(code) if re.search(r"^\s*let\s", c.source, re.M)), 2)


def kernel_memory(pids: list[int]) -> float:
    """Proportional set size (shared pages split between their users) of
    these processes and everything below them, in MB."""
    total = 0
    for pid in pids:
        for p in [pid, *descendants(pid)]:
            try:
                for line in (Path("/proc") / str(p) / "smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            except OSError:
                pass
    return total / 1024


def command_bench(args) -> int:
    """Times real kernels: the probe and each course notebook, cold and from the
    pool, with the Python kernel's figures beside them, in one run."""
    import course_pool

    os.environ[course_pool.POOL_ENV] = "0" if args.no_pool else "1"
    pool = course_pool.Pool.instance()
    rows = []
    subjects = [("probe (fixed cells)", NOTEBOOKS / "probe.ipynb", scratch_notebook([src for _, src in PROBE]))]
    for path in pick(args.notebooks) if not args.probe_only else []:
        nb, _ = lint(path)
        if nb is not None:
            subjects.append((path.name, path, with_solutions(nb)))
    memory = 0.0
    if pool:
        # Measure the pool's memory once it is warm, then keep it quiet (no
        # hand-outs, no refills) while cold kernels are timed.
        pool.wait_ready(1, timeout=900)
        held = list(pool.pids())
        memory = kernel_memory(held)
        pool.pause(True)
    for name, path, nb in subjects:
        # Warm: each notebook's build folder holds the support crate as it is
        # now (a changed crate is compiled again at the next `:dep`).
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        execute(scratch_notebook([code[0], "let prepared = 1;"]), path, timeout=1800)
    for name, path, nb in subjects:
        skip = 2 if name.startswith("probe") else first_binding(nb)
        for _ in range(args.rounds):
            if pool:
                pool.pause(True)
                pool.wait_idle(timeout=900)
            cold = nbformat.from_dict(json.loads(json.dumps(nb)))
            run = execute(cold, path, timeout=600)
        row = summarise(run, cold, skip) | {"notebook": name}
        if name.startswith("probe"):
            row["by_kind"] = {}
            for (kind, _), (_, t, _) in zip(PROBE, sorted(run.cells)):
                row["by_kind"].setdefault(kind, []).append(round(t, 3))
        if pool:
            pool.pause(False)
            if pool.wait_ready(1, timeout=900):
                pool.wait_idle(timeout=900)
                handed = pool.handed_out
                warm = nbformat.from_dict(json.loads(json.dumps(nb)))
                pooled = summarise(execute(warm, path, timeout=600), warm, skip)
                row["pooled_open_s"] = pooled["open_s"] if pool.handed_out == handed + 1 else None
                row["pooled_first_cells_s"] = pooled["first_cells_s"]
                row["problems"] += pooled["problems"]
            else:
                row["problems"].append(f"the pool did not warm a kernel: {pool.failures}")
        rows.append(row)
    python = scratch_notebook(PYTHON_PROBE, kernel="python3")
    python.metadata["kernelspec"]["language"] = "python"
    run = execute(python, NOTEBOOKS / "python-probe.ipynb", timeout=60, kernel="python3")
    rows.append(summarise(run, python, 0) | {"notebook": "python3 kernel (reference)"})
    if pool:
        pool.stop()

    print(f"\n{'notebook':<30} {'open':>6} {'pooled':>7} {'start':>6} {'median':>7} {'p95':>6} {'>1s':>4} {'compute':>8} {'total':>7}")
    for r in rows:
        pooled = f"{r['pooled_open_s']:.2f}" if r.get("pooled_open_s") is not None else "-"
        print(
            f"{r['notebook'][:30]:<30} {r['open_s']:>6.2f} {pooled:>7} {r['startup_s']:>6.2f} {r['median_s']:>7.3f} {r['p95_s']:>6.2f}"
            f" {r['over_1s']:>4} {r['compute_cells']:>8} {r['total_s']:>7.1f}"
        )
        for p in r["problems"]:
            print(indent(f"- {p}"))
    print(
        "open: kernel start through the first cell that binds a variable (cold kernel); pooled: the same\n"
        "from a warm kernel of the pool; median, p95, >1s: the cells after it, leaving out cells tagged\n"
        "`compute`; seconds"
    )
    print("probe cells by kind: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in rows[0]["by_kind"].items()))
    if pool:
        print(f"memory of one warm kernel (PSS, with its child processes): {memory:.0f} MB")
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cores": os.cpu_count(),
        "label": args.label,
        "warm_kernel_mb": round(memory),
        "rows": rows,
    }
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
        print(f"written to {args.json}")
    return 1 if any(r["problems"] for r in rows) else 0


# The cell a notebook trains in for long enough that a learner may press Stop:
# tagged so, the `interrupt` command stops a long cell run after the cells above it.
INTERRUPT_TAG = "interrupt"
# A cell that runs until it is stopped (five minutes at most).
LONG_CELL = (
    "let stop_me = std::time::Instant::now();\n"
    "while stop_me.elapsed().as_secs() < 300 {\n    std::hint::black_box(stop_me);\n}"
)


def command_interrupt(args) -> int:
    """What the Stop button does to a Rust kernel, as the notebook tells the
    learner: a fresh kernel runs the cells above the notebook's training cell
    (tagged `interrupt`), then a long cell, and is interrupted a few seconds
    into it, as JupyterLab's Stop button does (an interrupt request: the
    kernelspec's interrupt mode is "message"). evcxr 0.22 then kills the
    process that holds the variables: the cell ends, the kernel answers the
    next cell, every variable is gone, functions and types are kept. Should a
    future evcxr keep the variables, this fails and says which sentence of
    the notebook must change. Last, the cells above and the training cell run
    again in the same kernel: that is how the notebook tells a learner to
    resume."""
    from jupyter_client.manager import KernelManager

    path = pick([args.notebook])[0]
    nb, problems = lint(path)
    if nb is None or problems:
        print(f"{path.name}: {problems}")
        return 1
    nb = with_solutions(nb)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    training = next((i for i, c in code if INTERRUPT_TAG in tags(c)), None)
    if training is None:
        print(f"{path.name} has no code cell tagged {INTERRUPT_TAG!r} (its training cell)")
        return 1
    above = [c.source for i, c in code if i < training]
    text = "\n".join(above)
    variable = re.search(r"^let\s+(?:mut\s+)?([a-z_][a-z0-9_]*)\b", text, re.M)
    function = re.search(r"^fn\s+([a-z_][a-z0-9_]*)\s*\(", text, re.M)  # not generic
    if not variable or not function:
        print(f"{path.name}: no variable (`let` at the start of a line) or function (`fn`) above cell {training}")
        return 1
    variable, function = variable.group(1), function.group(1)

    os.environ["JPY_SESSION_NAME"] = str(path.resolve())
    km = KernelManager(kernel_name=KERNEL)
    km.start_kernel(cwd=str(path.parent))
    kc = km.client()
    kc.start_channels()

    def run(source: str, timeout: float) -> tuple[str, str, float]:
        """Runs a cell: its status, what it printed or raised, and its seconds."""
        shown: list[str] = []

        def hook(msg):
            content = msg["content"]
            kind = msg["msg_type"]
            if kind == "stream":
                shown.append(content["text"])
            elif kind == "error":
                shown.append(f"{content['ename']}: {content['evalue']}")
            if kind == "stream" and content["name"] == "stderr":
                shown.append("(stderr) ")

        begin = time.perf_counter()
        reply = kc.execute_interactive(source, timeout=timeout, output_hook=hook)
        return reply["content"]["status"], ANSI.sub("", "".join(shown)), time.perf_counter() - begin

    def run_all(sources: list[str], what: str) -> float:
        begin = time.perf_counter()
        for source in sources:
            status, shown, _ = run(source, args.timeout)
            if status != "ok" or "(stderr)" in shown or "panicked" in shown:
                problems.append(f"{what}: the cell {source.splitlines()[0][:60]!r} failed:\n{indent(shown)}")
                break
        return time.perf_counter() - begin

    try:
        kc.wait_for_ready(timeout=180)
        first = run_all(above, "before the interrupt")
        if not problems:
            asked = kc.execute(LONG_CELL)
            time.sleep(args.after)
            km.interrupt_kernel()
            stopped = time.perf_counter()
            reply = None
            while time.perf_counter() - stopped < 60:
                try:
                    msg = kc.get_shell_msg(timeout=1)
                except Exception:  # queue.Empty: nothing yet
                    continue
                if msg["parent_header"].get("msg_id") == asked:
                    reply = msg
                    break
            ended = time.perf_counter() - stopped
            if reply is None:
                problems.append("the interrupted cell had not ended 60 s after the interrupt")
            else:
                # What the learner sees: the cell's error, sent on the output channel.
                how = reply["content"]["status"]
                while True:
                    try:
                        msg = kc.get_iopub_msg(timeout=10)
                    except Exception:  # queue.Empty
                        break
                    if msg["parent_header"].get("msg_id") != asked:
                        continue
                    if msg["msg_type"] == "error":
                        how = msg["content"]["evalue"]
                    if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                        break
                print(f"interrupted {args.after:.0f} s into a long cell: it ended {ended:.1f} s later ({how})")
                status, shown, answer = run(f"let kernel_answers = 1 + 1;\nlet _ = {function};", args.timeout)
                print(f"the next cell: {status} in {answer:.1f} s; the function `{function}` "
                      f"{'is kept' if status == 'ok' else 'is gone'}")
                if status != "ok":
                    problems.append(f"after the interrupt, a new cell naming `{function}` failed:\n{indent(shown)}")
                status, shown, _ = run(f"let _ = &{variable};", args.timeout)
                if status == "ok":
                    problems.append(
                        f"the variable `{variable}`, made before the interrupt, is still there: this evcxr "
                        f"keeps the variables when a cell is stopped, so the sentence of {path.name} before "
                        f"its training cell (stopping forgets every variable; rerun the cells above) must change"
                    )
                elif "cannot find value" not in shown:
                    problems.append(f"`{variable}` failed otherwise than as a missing variable:\n{indent(shown)}")
                else:
                    print(f"the variable `{variable}`, made before the interrupt, is gone")
                again = run_all(above, "the cells above, again")
                retrain = run_all([nb.cells[training].source], "the training cell, again")
                print(f"the {len(above)} cells above ran in {first:.1f} s before the interrupt and {again:.1f} s "
                      f"after it; the training cell (cell {training}) then ran in {retrain:.1f} s")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    for p in problems:
        print(indent(f"- {p}", 60))
    print(f"interrupt: {'ok' if not problems else 'FAILED'}")
    return 1 if problems else 0


# What the first cell of a student's copy says about where the crate is.
STUDENT_NOTE = (
    "\n\n> **This copy and the course.** Its `:dep` cell loads the course's support crate, "
    "and the crate its data, from `{crate}`, the course this copy was exported from "
    "(`cargo course export`). Keep that folder where it is; if the course moves, put its new "
    "path in the `:dep` cell."
)
# A markdown link into the repository, outside notebooks/.
REPO_LINK = re.compile(r"\[([^\]]*)\]\(\.\./([^)\s]+)\)")


def student_copy(nb, crate: Path):
    """A learner's copy of a committed notebook, runnable from any folder:
    solution cells removed, outputs cleared, the stubs and checks kept (and
    the wrong answers, which are the tests', dropped); the `:dep` cell loads
    the support crate by its absolute path (`crate`), where the crate also
    finds data/; the first cell says so; links into the repository name the
    file there."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells = [c for c in nb.cells if "solution" not in tags(c)]
    repo = crate.parent.parent
    for c in nb.cells:
        c.get("metadata", {}).pop("wrong_answer", None)
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
            if c.source.lstrip().startswith(":dep"):
                c.source = c.source.replace('"../crates/mlmath"', json.dumps(str(crate)))
        else:
            c.source = REPO_LINK.sub(lambda m: f"{m.group(1)} (`{repo / m.group(2)}`)", c.source)
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is not None:
        first.source = first.source.rstrip() + STUDENT_NOTE.format(crate=crate)
    return nb


def command_student(args) -> int:
    """Copies of the notebooks for learners (student_copy), runnable anywhere."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    crate = (REPO / "crates" / "mlmath").resolve()
    for path in pick(args.notebooks):
        nb = nbformat.read(path, as_version=4)
        nbformat.write(student_copy(nb, crate), out / path.name)
        print(f"  {out / path.name}")
    print(f"the copies load the support crate and its data from {crate}")
    return 0


# Where `student-run` puts its copy: outside the repository, and always the
# same folder, so that the kernel reuses one build folder for it.
STUDENT_RUN_DIR = Path(tempfile.gettempdir()) / "rust-ml-course-student-copy"


def command_student_run(args) -> int:
    """A student's copy taken out of the repository runs: exported to a
    folder outside it, run top to bottom with its stubs (as a learner who
    has not started the exercises presses Run All), its `:dep` cell and
    every cell before the first exercise (the data loads) must succeed, and
    every check cell must fail on its stub."""
    path = pick([args.notebook])[0]
    if STUDENT_RUN_DIR.exists():
        shutil.rmtree(STUDENT_RUN_DIR)
    STUDENT_RUN_DIR.mkdir(parents=True)
    crate = (REPO / "crates" / "mlmath").resolve()
    copy_path = STUDENT_RUN_DIR / path.name
    nbformat.write(student_copy(nbformat.read(path, as_version=4), crate), copy_path)
    nb = nbformat.read(copy_path, as_version=4)
    problems = []
    dep = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.lstrip().startswith(":dep")]
    if not dep or str(crate) not in nb.cells[dep[0]].source or "../crates" in nb.cells[dep[0]].source:
        problems.append(f"the copy's :dep cell does not name the crate by its absolute path {crate}")
    run = execute(nb, copy_path, args.timeout, allow_errors=True)
    first_exercise = next((i for i, c in enumerate(nb.cells) if "exercise" in tags(c)), len(nb.cells))
    for i, cell in enumerate(nb.cells[:first_exercise]):
        if cell.cell_type != "code" or tags(cell) & {"raises-exception", "allow-stderr"}:
            continue
        outs = cell.get("outputs", [])
        failed = [o for o in outs if o.get("output_type") == "error"]
        stderr = stream_text(cell, "stderr")
        if failed or stderr.strip() or cell.get("execution_count") is None:
            what = ANSI.sub("", failed[0].get("evalue", "")) if failed else stderr or "did not run"
            problems.append(f"cell {i} ({first_line(cell)!r}), before the exercises, failed:\n{indent(what)}")
    checks = [i for i, c in enumerate(nb.cells) if "check" in tags(c)]
    passing = [i for i in checks if printed_tick(nb.cells[i])]
    unrun = [i for i in checks if nb.cells[i].get("execution_count") is None]
    problems += [f"check cell {i} ({first_line(nb.cells[i])!r}) passes on its stub" for i in passing]
    problems += [f"check cell {i} did not run" for i in unrun]
    print(
        f"{path.name}: the copy in {STUDENT_RUN_DIR} loads {crate}; {first_exercise} cells before the "
        f"exercises ran, {len(checks) - len(passing) - len(unrun)} of {len(checks)} checks fail on their "
        f"stubs ({run.total:.0f} s)"
    )
    for p in problems:
        print(indent(f"- {p}", 60))
    print(f"student-run: {'ok' if not problems else 'FAILED'}")
    shutil.rmtree(STUDENT_RUN_DIR, ignore_errors=True)
    return 1 if problems else 0


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
    bench.add_argument("--no-pool", action="store_true", help="cold kernels only")
    exercises = sub.add_parser("exercises", help="check that every check cell fails on its wrong answer")
    exercises.add_argument("notebooks", nargs="*")
    exercises.add_argument("--timeout", type=float, default=120)
    pool = sub.add_parser("pool", help="a notebook through a pooled kernel, and no kernel left behind")
    pool.add_argument("notebook", nargs="?", default="00")
    pool.add_argument("--timeout", type=float, default=120)
    pool.add_argument("--no-lab", action="store_true", help="skip the JupyterLab part")
    interrupt = sub.add_parser("interrupt", help="stop a long cell: what the kernel keeps, and resuming")
    interrupt.add_argument("notebook", nargs="?", default="08")
    interrupt.add_argument("--timeout", type=float, default=120)
    interrupt.add_argument("--after", type=float, default=4, help="seconds into the long cell (default 4)")
    warm = sub.add_parser("warm", help="compile the support crate into the kernel's cache")
    warm.add_argument("which", choices=["plain", "frames"])
    student = sub.add_parser("student", help="write copies without solutions")
    student.add_argument("out")
    student.add_argument("notebooks", nargs="*")
    student_run = sub.add_parser("student-run", help="a student's copy, out of the repository, runs with its stubs")
    student_run.add_argument("notebook", nargs="?", default="01")
    student_run.add_argument("--timeout", type=float, default=120)
    sub.add_parser("sync", help="a cell's late output is waited for, and reported when lost")
    slides = sub.add_parser("slides", help="set every cell's slide type by the slide rule")
    slides.add_argument("notebooks", nargs="*")
    args = parser.parse_args()
    if args.command in ("test", "exercises", "warm", "interrupt", "student-run"):
        # These run each notebook in a kernel of its own, started cold.
        os.environ["RUST_COURSE_POOL"] = "0"
    commands = {"test": command_test, "exercises": command_exercises, "bench": command_bench, "warm": command_warm, "student": command_student, "pool": command_pool,
                "student-run": command_student_run, "slides": command_slides,
                "interrupt": command_interrupt, "sync": command_sync}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
