// Fingerprints of bytes and of folders, shared by this crate's build script
// and the course tool (both take it with `include!`).

/// 64-bit FNV-1a over `parts`, each closed by a separator byte: the same on
/// every machine and compiler, unlike the standard library's hasher.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// A fingerprint of every file under `dir`: each one's path below `dir` and
/// its contents, taken in sorted order.
pub fn folder_fingerprint(dir: &std::path::Path) -> std::io::Result<u64> {
    fn collect(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                collect(&path, files)?;
            } else {
                files.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut parts = Vec::with_capacity(2 * files.len());
    for file in &files {
        let name = file.strip_prefix(dir).unwrap_or(file).to_string_lossy().into_owned();
        parts.push(name.into_bytes());
        parts.push(std::fs::read(file)?);
    }
    Ok(fnv1a(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>()))
}
