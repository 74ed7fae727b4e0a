"""A notebook kernel for the compute benchmark: runs cells sent by it, one at a time.

Started by the compute benchmark (crates/course/compute.rs) with the course's
own Python, to time a workload from a notebook cell: the Rust kernel the
notebooks use, started as `tests/notebooks.py` starts it (a fresh kernel, no
pool, the notebooks' folder as its working folder). Requests are one JSON
object a line on stdin, answers one a line on stdout:

    {"op": "start", "cells": [source, ...]}
        starts the kernel and runs these cells (the `:dep` line, the
        workload's code, its data): {"seconds"}
    {"op": "run", "cell": source}
        runs one more cell in the same kernel: {"value", "seconds"}, where
        "value" is what the cell's last expression shows (text/plain)

A cell that fails, panics or writes to stderr is answered with {"error"}.
The kernel stops when stdin closes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import ExitStack

import nbformat

from notebooks import ANSI, KERNEL, NOTEBOOKS, indent, scratch_notebook, stream_text

# The name the kernel is started for: its build folder is named after it.
SESSION = NOTEBOOKS / "compute-bench.ipynb"


def value_of(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "execute_result":
            return out.get("data", {}).get("text/plain", "")
    return ""


def main() -> int:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    # Answers go to the benchmark through stdout's file; anything else that
    # writes to stdout (a library, a child process) is sent to stderr instead.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    os.environ["RUST_COURSE_POOL"] = "0"
    os.environ["JPY_SESSION_NAME"] = str(SESSION)
    nb = scratch_notebook([])
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=1800,
        startup_timeout=180,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )

    def run(source: str) -> tuple[object, float]:
        cell = nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
        begin = time.perf_counter()
        try:
            client.execute_cell(cell, len(nb.cells) - 1)
        except CellExecutionError:
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            failure = "\n".join(
                "\n".join([f"{o.get('ename', '')}: {o.get('evalue', '')}", *o.get("traceback", [])])
                for o in errors
            )
            raise RuntimeError(f"a cell failed:\n{indent(ANSI.sub('', failure))}") from None
        seconds = time.perf_counter() - begin
        if stream_text(cell, "stderr").strip():
            raise RuntimeError(f"a cell wrote to stderr:\n{indent(stream_text(cell, 'stderr'))}")
        return cell, seconds

    with ExitStack() as stack:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                if request["op"] == "start":
                    begin = time.perf_counter()
                    stack.enter_context(client.setup_kernel())
                    for source in request["cells"]:
                        run(source)
                    answer = {"seconds": time.perf_counter() - begin}
                elif request["op"] == "run":
                    cell, seconds = run(request["cell"])
                    answer = {"value": value_of(cell), "seconds": seconds}
                else:
                    raise ValueError(f"unknown request {request['op']!r}")
            except Exception as e:  # reported to the benchmark
                answer = {"error": f"{type(e).__name__}: {e}"}
            print(json.dumps(answer), file=answers, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
