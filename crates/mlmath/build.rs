//! Names the crate's source in the compiler's arguments.
//!
//! The notebooks' kernel keeps compiled crates in a cache keyed by the
//! compiler's arguments alone, and those do not change when a source file
//! does. A fingerprint of every file under `src/`, passed as
//! `--cfg mlmath_source="…"`, makes them change: an edited crate is compiled
//! afresh, an unchanged one is taken from the cache in every notebook.

include!("fingerprint.rs");

fn main() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let source = folder_fingerprint(&src)
        .unwrap_or_else(|e| panic!("cannot read the crate's source in {}: {e}", src.display()));
    println!("cargo::rerun-if-changed=src");
    println!("cargo::rustc-check-cfg=cfg(mlmath_source, values(any()))");
    println!("cargo::rustc-cfg=mlmath_source=\"{source:016x}\"");
}
