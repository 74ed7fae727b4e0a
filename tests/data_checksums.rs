//! Every shipped data file is listed in data/SHA256SUMS and matches it, and
//! the support crate's loaders refuse a file that does not.

use std::collections::BTreeSet;
use std::path::Path;

use sha2::{Digest, Sha256};

fn data() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data"))
}

fn listed() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(data().join("SHA256SUMS")).expect("data/SHA256SUMS exists");
    text.lines()
        .map(|line| {
            let (hash, file) = line
                .split_once("  ")
                .expect("sha256sum format: <hash>  <file>");
            (hash.to_string(), file.to_string())
        })
        .collect()
}

#[test]
fn every_listed_file_matches_its_checksum() {
    for (hash, file) in listed() {
        let bytes =
            std::fs::read(data().join(&file)).unwrap_or_else(|e| panic!("data/{file}: {e}"));
        assert_eq!(
            format!("{:x}", Sha256::digest(&bytes)),
            hash,
            "data/{file} changed"
        );
    }
}

#[test]
fn every_data_file_is_listed_and_documented() {
    let listed: BTreeSet<String> = listed().into_iter().map(|(_, f)| f).collect();
    // the files of data/ and of data/checkpoints/ (derive/ holds the scripts)
    let files_in = |folder: &str| -> Vec<String> {
        std::fs::read_dir(data().join(folder))
            .unwrap()
            .flatten()
            .filter(|e| e.file_type().unwrap().is_file())
            .map(|e| format!("{folder}{}", e.file_name().to_string_lossy()))
            .collect()
    };
    let shipped: BTreeSet<String> = files_in("")
        .into_iter()
        .chain(files_in("checkpoints/"))
        .filter(|f| f != "SHA256SUMS" && f != "SOURCES.md")
        .collect();
    assert_eq!(
        listed, shipped,
        "data/SHA256SUMS must list exactly the shipped data files"
    );
    let sources = std::fs::read_to_string(data().join("SOURCES.md")).unwrap();
    for file in &listed {
        assert!(
            sources.contains(file.as_str()),
            "data/SOURCES.md does not mention {file}"
        );
    }
}

#[test]
fn a_loader_names_the_file_and_the_fix_when_a_file_is_altered() {
    // A copy of the data folder with one byte of iris.csv changed.
    let dir = std::env::temp_dir().join(format!("mlmath-altered-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(data().join("SHA256SUMS"), dir.join("SHA256SUMS")).unwrap();
    let mut iris = std::fs::read(data().join("iris.csv")).unwrap();
    let last = iris.len() - 2;
    iris[last] ^= 1;
    std::fs::write(dir.join("iris.csv"), iris).unwrap();
    // SAFETY of the test: this is the only test in this binary that sets the variable.
    unsafe { std::env::set_var("MLMATH_DATA", &dir) };
    let altered = mlmath::data::iris().unwrap_err().to_string();
    let missing = mlmath::data::digits().unwrap_err().to_string();
    unsafe { std::env::remove_var("MLMATH_DATA") };
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        altered.contains("iris.csv")
            && altered.contains("has changed")
            && altered.contains("git checkout data/iris.csv"),
        "{altered}"
    );
    assert!(
        missing.contains("digits.csv")
            && missing.contains("cannot be read")
            && missing.contains("git checkout"),
        "{missing}"
    );
}
