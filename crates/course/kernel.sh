#!/bin/sh
# Starts the Rust kernel for one notebook (the kernelspec "rust-course").
#
# usage: kernel.sh EVCXR_JUPYTER BUILDS_DIR CONNECTION_FILE
#
# Each notebook gets a build folder of its own that outlives the kernel, so a
# restarted kernel finds the support crate already compiled. JupyterLab names
# the notebook in JPY_SESSION_NAME. The folder is locked while a kernel uses
# it: a second kernel on the same notebook builds in a temporary folder, as
# evcxr does by default, so two kernels never share one.
evcxr="$1"
builds="$2"
connection="$3"
if [ -n "${JPY_SESSION_NAME:-}" ] && command -v flock >/dev/null 2>&1; then
    key=$(printf '%s' "$JPY_SESSION_NAME" | cksum | cut -d ' ' -f 1)
    name=$(printf '%s' "$(basename "$JPY_SESSION_NAME" .ipynb)" | tr -c 'A-Za-z0-9_-' '_')
    dir="$builds/$name-$key"
    if mkdir -p "$dir"; then
        exec 9>"$dir.lock"
        if flock -n 9; then
            export EVCXR_TMPDIR="$dir"
        fi
    fi
fi
exec "$evcxr" --control_file "$connection"
