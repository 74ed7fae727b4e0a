#!/bin/sh
# Starts the Rust kernel for a student of the classroom (the kernelspec
# "rust-course" under @PREFIX@/jupyter), as that student.
#
# The toolchain, the kernel and the support crate come from the read-only
# install @PREFIX@. The student's own: a build folder per running kernel
# (under ~/.local/share/rust-ml-course/builds, one per kernel at a time, not
# one per notebook, so that fourteen chapters do not make fourteen) and
# ~/.cache/evcxr, links into the shared, warm build cache (hubtool.py
# kernel-home), so no student compiles the dependencies.
prefix="@PREFIX@"
export PATH="$prefix/rust/bin:$PATH"
export LD_LIBRARY_PATH="$prefix/rust/lib/rustlib/@HOST@/lib"
export EVCXR_CONFIG_DIR="$prefix/kernel/evcxr"
export RUST_COURSE_BUILD_NAME=kernel
if [ -n "$RUST_COURSE_WARM" ]; then
    # the install's warm-up: fills the shared cache itself
    export XDG_CACHE_HOME="$prefix/cache"
    builds="$prefix/warm-builds"
    mkdir -p "$builds/.cargo" && cp "$prefix/kernel/cargo-config.toml" "$builds/.cargo/config.toml"
else
    builds="${XDG_DATA_HOME:-$HOME/.local/share}/rust-ml-course/builds"
    "$prefix/venv/bin/python" "$prefix/hub/hubtool.py" --prefix "$prefix" kernel-home || exit 1
fi
exec /bin/sh "$prefix/kernel/kernel.sh" "$prefix/bin/evcxr_jupyter" "$builds" "$1"
