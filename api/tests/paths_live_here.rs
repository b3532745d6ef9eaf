//! No `/api/…` path is written outside this crate: the server's routes and the SPA's requests
//! name the endpoints declared in `gatehouse_api::endpoints`, so the two cannot drift apart.

use std::path::{Path, PathBuf};

/// The source trees that must not spell out API paths (tests, which make up requests of
/// their own, and this crate are not among them).
const CHECKED: &[&str] = &["src", "client/src", "server/src"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_api_path_is_written_outside_the_api_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for dir in CHECKED {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10, "the scan found the sources");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Code only: a module's own `#[cfg(test)]` part makes up requests of its own.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            if line.contains("\"/api/") || line.contains("\"/api\"") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "API paths outside gatehouse_api (name an endpoint instead):\n{}",
        found.join("\n")
    );
}
