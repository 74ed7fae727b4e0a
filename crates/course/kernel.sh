#!/bin/sh
# Starts the Rust kernel for one notebook (the kernelspec "rust-course").
#
# usage: kernel.sh EVCXR_JUPYTER BUILDS_DIR CONNECTION_FILE
#
# Each notebook gets a build folder of its own under BUILDS_DIR that outlives
# the kernel, so a restarted kernel finds the support crate compiled.
# JupyterLab names the notebook in JPY_SESSION_NAME. A folder is locked while
# a kernel uses it, so two kernels never share one: a second kernel on the
# same notebook takes the next free slot. BUILDS_DIR/.cargo/config.toml
# (written by setup) keeps the dependencies optimised while cells compile
# unoptimised, which is what makes a cell quick.
evcxr="$1"
builds="$2"
connection="$3"
session="${JPY_SESSION_NAME:-scratch}"
key=$(printf '%s' "$session" | cksum | cut -d ' ' -f 1)
name=$(printf '%s' "$(basename "$session" .ipynb)" | tr -c 'A-Za-z0-9_-' '_')
# The classroom names one build folder per running kernel, not per notebook
# (RUST_COURSE_BUILD_NAME, see hub/hub-kernel.sh): a student's disk then
# grows with the kernels open at once, not with the chapters opened.
if [ -n "$RUST_COURSE_BUILD_NAME" ]; then
    key=0
    name="$RUST_COURSE_BUILD_NAME"
fi
if command -v flock >/dev/null 2>&1 && mkdir -p "$builds"; then
    for slot in $(seq 1 32); do
        dir="$builds/$name-$key-$slot"
        exec 9>"$dir.lock"
        if flock -n 9; then
            mkdir -p "$dir" && export EVCXR_TMPDIR="$dir"
            break
        fi
        exec 9>&-
    done
fi
# glibc gives freed blocks above 128 kB back to the system and maps them again
# at the next training step: a third of a convolutional network's step went in
# page faults. Keeping them (both thresholds raised) made that step 1.6-1.9x
# faster; the memory stays with the kernel, which reuses it.
export MALLOC_TRIM_THRESHOLD_=1000000000 MALLOC_MMAP_THRESHOLD_=1000000000
# The kernel and everything it starts (cargo, rustc, the process that runs the
# cells) form one process group, led by this process. Should the program that
# started the kernel die without stopping it (JupyterLab killed), this watcher
# ends the whole group; it ends itself when the kernel ends.
parent=$PPID
kernel=$$
(
    exec 9>&-
    while kill -0 "$parent" 2>/dev/null && kill -0 "$kernel" 2>/dev/null; do sleep 1; done
    if kill -0 "$kernel" 2>/dev/null; then
        kill -KILL -"$kernel" 2>/dev/null || kill -KILL "$kernel"
    fi
) </dev/null >/dev/null 2>&1 &
exec "$evcxr" --control_file "$connection"
