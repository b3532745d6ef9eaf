//! No declared API path is written outside this crate: the server's routes, the SPA's
//! requests, and every test, journey, bench and task name the endpoints declared in
//! `gatehouse_api::endpoints`, so nothing can drift from them.

use std::path::{Path, PathBuf};

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

/// Files that may write declared paths, each with the reason.
const ALLOWED: &[(&str, &str)] = &[
    (
        "server/tests/api/matrix.rs",
        "the authorization matrix states every route's method and path by hand, so that it \
         checks the declarations instead of reading them",
    ),
    (
        "e2e/src/bin/bench/peers.rs",
        "the Express peer's own routes (`bench/anchors/express`): named as Gatehouse's are, \
         but not Gatehouse's endpoints",
    ),
];

/// Every crate of the workspace but this one: the root package (the SPA) and each member,
/// each with every folder Cargo builds from (`src`, `tests`, `examples`, `benches`) and its
/// build script. Read from the workspace's `Cargo.toml`, so a new crate or folder is checked
/// without being listed here.
fn checked_files(root: &Path) -> Vec<PathBuf> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members = manifest
        .split_once("members = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .expect("the workspace lists its members")
        .0;
    let mut crates = vec![root.to_path_buf()];
    crates.extend(
        members
            .split(',')
            .map(|m| m.trim().trim_matches('"'))
            .filter(|m| !m.is_empty() && *m != "api")
            .map(|m| root.join(m)),
    );
    let mut files = Vec::new();
    for dir in crates {
        for folder in ["src", "tests", "examples", "benches"] {
            rust_files(&dir.join(folder), &mut files);
        }
        let build = dir.join("build.rs");
        if build.is_file() {
            files.push(build);
        }
    }
    files
}

/// The string literals of Rust source `text` (plain, byte, C and raw), each with the line it
/// starts on and its text; comments, characters and lifetimes are skipped.
fn string_literals(text: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let (mut found, mut i, mut line) = (Vec::new(), 0, 1);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                match (at(i), at(i + 1)) {
                    ('/', '*') => (depth, i) = (depth + 1, i + 2),
                    ('*', '/') => (depth, i) = (depth - 1, i + 2),
                    ('\0', _) => break,
                    (c, _) => (line, i) = (line + usize::from(c == '\n'), i + 1),
                }
                if depth == 0 {
                    break;
                }
            }
        } else if c == '\'' {
            // A character (`'a'`, `'\''`, `'"'`), or a lifetime or label (`'a`).
            i += if at(i + 1) == '\\' {
                2 + chars[i + 2..].iter().position(|&c| c == '\'').unwrap_or(0) + 1
            } else if at(i + 2) == '\'' {
                3
            } else {
                1
            };
        } else if c == '"' {
            let start = line;
            let mut literal = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                match (chars[i], at(i + 1)) {
                    ('\\', '\n') => {
                        // A continued line: the newline and the next line's indent are dropped.
                        i += 1;
                        while at(i).is_whitespace() {
                            line += usize::from(at(i) == '\n');
                            i += 1;
                        }
                    }
                    ('\\', e) => {
                        literal.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            '0' => '\0',
                            other => other,
                        });
                        i += 2;
                    }
                    (c, _) => {
                        line += usize::from(c == '\n');
                        literal.push(c);
                        i += 1;
                    }
                }
            }
            found.push((start, literal));
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let word_start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = chars[word_start..i].iter().collect();
            let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
            if matches!(word.as_str(), "r" | "br" | "cr") && at(i + hashes) == '"' {
                // A raw string: up to the quote followed by as many `#`.
                let (start, body) = (line, i + hashes + 1);
                let mut end = body;
                while end < chars.len()
                    && !(chars[end] == '"'
                        && chars[end + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&c| c == '#')
                            .count()
                            == hashes)
                {
                    end += 1;
                }
                let literal: String = chars[body..end.min(chars.len())].iter().collect();
                line += literal.matches('\n').count();
                found.push((start, literal));
                i = end + 1 + hashes;
            }
        } else {
            i += 1;
        }
    }
    found
}

/// The parts of `literal` quoted inside it (`"…"` or `'…'`): the strings of a script or a
/// JSON text that a Rust literal carries.
fn quoted_within(literal: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = literal;
    while let Some(open) = rest.find(['"', '\'']) {
        let quote = rest[open..].chars().next().unwrap();
        let after = &rest[open + 1..];
        let Some(close) = after.find(quote) else {
            break;
        };
        parts.push(&after[..close]);
        rest = &after[close + 1..];
    }
    parts
}

/// One segment of a declared path.
#[derive(Debug)]
enum Segment {
    /// Written as is.
    Fixed(String),
    /// An `{id}`: a whole number, or any text.
    Id { integer: bool },
}

/// Every path declared in `api/src/endpoints.rs`, by segments. Read from its text (the types
/// cannot be listed at run time): each `"/api/…"` literal before its unit tests, whose `{id}`
/// is a whole number unless the declaration says `(String)`.
fn declared_paths(root: &Path) -> Vec<Vec<Segment>> {
    let text = std::fs::read_to_string(root.join("api/src/endpoints.rs")).unwrap();
    let declarations = text.split("#[cfg(test)]").next().unwrap();
    let mut paths = Vec::new();
    for line in declarations.lines() {
        for (_, literal) in string_literals(line) {
            if !literal.starts_with("/api/") {
                continue;
            }
            let integer = !line.contains("(String)");
            let segments = literal
                .split('/')
                .map(|s| match s {
                    "{id}" => Segment::Id { integer },
                    fixed => Segment::Fixed(fixed.into()),
                })
                .collect();
            paths.push(segments);
        }
    }
    paths
}

/// Whether `text` names a declared path: after an optional base (a `{…}` placeholder or
/// `http://host`) and before an optional query string (`?…`, or a `{…}` placeholder that adds
/// one), it is a declared path, each `{id}` filled with a `{…}` placeholder or a fitting
/// value. `/api`, `/api/nope`, `/api/notes/abc` or `/api/notes/1/extra` name none.
fn names_a_declared_path(text: &str, declared: &[Vec<Segment>]) -> bool {
    let mut path = text;
    if let Some(rest) = path
        .strip_prefix("http://")
        .or(path.strip_prefix("https://"))
    {
        path = rest.find('/').map_or("", |slash| &rest[slash..]);
    } else if path.starts_with('{')
        && let Some(end) = path.find('}')
        && path[end + 1..].starts_with("/api/")
    {
        path = &path[end + 1..];
    }
    let mut path = path.split('?').next().unwrap();
    if path.ends_with('}')
        && let Some(open) = path.rfind('{')
        && !path[..open].ends_with('/')
    {
        path = &path[..open];
    }
    let placeholder = |s: &str| s.len() >= 2 && s.starts_with('{') && s.ends_with('}');
    let written: Vec<&str> = path.split('/').collect();
    declared.iter().any(|segments| {
        segments.len() == written.len()
            && segments
                .iter()
                .zip(&written)
                .all(|(segment, s)| match segment {
                    Segment::Fixed(fixed) => fixed == s,
                    Segment::Id { integer: true } => placeholder(s) || s.parse::<i64>().is_ok(),
                    Segment::Id { integer: false } => !s.is_empty(),
                })
    })
}

#[test]
fn declared_paths_are_told_from_made_up_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let declared = declared_paths(root);
    let names = |text: &str| names_a_declared_path(text, &declared);
    for named in [
        "/api/notes",
        "/api/notes?q=x",
        "/api/notes{query}",
        "/api/notes/7",
        "/api/notes/{}",
        "/api/notes/{id}/restore",
        "{base}/api/health",
        "http://127.0.0.1:8080/api/admin/users/{id}/sessions",
        "/api/auth/sessions/end-others",
        "/api/auth/sessions/a-handle",
    ] {
        assert!(names(named), "{named} names a declared path");
    }
    for made_up in [
        "/api",
        "/api/",
        "/api/nope",
        "/api/notes/",
        "/api/notes/abc",
        "/api/notes/99999999999999999999",
        "/api/notes/1/extra",
        "/api/hea",
        "GET /api/health HTTP/1.1",
        "/notes/5",
    ] {
        assert!(!names(made_up), "{made_up} names no declared path");
    }
    let literals = string_literals(
        "let a = '\"'; // \"/api/notes\"\n/* \"/api/health\" */ f::<'a>(r#\"x \"/api/notes\" y\"#, b\"z\");",
    );
    let texts: Vec<&str> = literals.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(texts, ["x \"/api/notes\" y", "z"]);
    assert_eq!(quoted_within(texts[0]), ["/api/notes"]);
}

/// A string literal naming a declared path (see `names_a_declared_path`), alone or quoted
/// inside a longer one (a script's, a JSON text's), is refused in every crate but this one.
/// Requests that are deliberately not a declared endpoint pass by that rule itself, so no
/// part of a file is exempt, its unit tests included: a test that sends a declared endpoint
/// names it (`E::PATH`, `endpoint.path()`) as any other code does. Prose that mentions a
/// path in passing ("`GET /api/health` (no session)") is not a path and is not refused.
#[test]
fn no_api_path_is_written_outside_the_api_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let declared = declared_paths(root);
    assert!(
        declared.len() >= 20,
        "the declarations were read: {declared:?}"
    );
    let files = checked_files(root);
    for folder in [
        "src",
        "client/src",
        "client/tests",
        "client/examples",
        "server/src",
        "server/tests",
        "e2e/src",
        "e2e/tests",
        "xtask/src",
    ] {
        assert!(
            files.iter().any(|f| f.starts_with(root.join(folder))),
            "the scan covers {folder}"
        );
    }
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(root).unwrap();
        if ALLOWED
            .iter()
            .any(|(allowed, _)| relative == Path::new(allowed))
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, literal) in string_literals(&text) {
            let mut candidates = quoted_within(&literal);
            candidates.push(&literal);
            if candidates
                .iter()
                .any(|c| names_a_declared_path(c, &declared))
            {
                let shown: String = literal.chars().take(80).collect();
                found.push(format!("{}:{line}: {shown:?}", relative.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "declared API paths written outside gatehouse_api (name the endpoint instead: \
         `E::PATH`, `endpoint.path()`):\n{}",
        found.join("\n")
    );
}

/// The server's modules (`data::users`, `routes::notes`, `error`…) and the ones each names
/// (`crate::…`) outside its tests.
fn server_module_imports(root: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let src = root.join("server/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let module_of = |file: &Path| -> String {
        let relative = file.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        parts.join("::")
    };
    let modules: Vec<String> = files.iter().map(|f| module_of(f)).collect();
    let mut imports: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (file, module) in files.iter().zip(&modules) {
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let named = imports.entry(module.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            // The longest module the path names (`data::users::Account` is `data::users`).
            let Some(target) = modules
                .iter()
                .filter(|m| path == **m || path.starts_with(&format!("{m}::")))
                .max_by_key(|m| m.len())
            else {
                continue;
            };
            // A module's own children and parent are one unit (`super::` is not counted).
            let related = target.starts_with(&format!("{module}::"))
                || module.starts_with(&format!("{target}::"));
            if target != module && !related && !named.contains(target) {
                named.push(target.clone());
            }
        }
    }
    imports
}

#[test]
fn no_server_module_imports_one_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let imports = server_module_imports(root);
    assert!(imports.len() > 20, "the scan found the modules");
    // Every module's reach, by walking its imports; a module that reaches itself is in a circle.
    for start in imports.keys() {
        let mut seen = vec![start.clone()];
        let mut todo = imports[start].clone();
        while let Some(module) = todo.pop() {
            assert_ne!(
                &module, start,
                "{start} imports a module that imports it back"
            );
            if !seen.contains(&module) {
                seen.push(module.clone());
                todo.extend(imports.get(&module).cloned().unwrap_or_default());
            }
        }
    }
}

/// Which folders of the server a folder's modules may name: data at the bottom, then the ways
/// in and the sessions, then the routes and the HTTP plumbing that serve them.
const LAYERS: &[(&str, &[&str])] = &[
    ("data", &["data"]),
    ("auth", &["auth", "data", "error"]),
    ("session", &["session", "data", "error"]),
];

#[test]
fn the_data_modules_and_the_ways_in_name_nothing_above_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let imports = server_module_imports(root);
    let mut wrong = Vec::new();
    for (module, named) in &imports {
        let folder = module.split("::").next().unwrap();
        let Some((_, allowed)) = LAYERS.iter().find(|(f, _)| *f == folder) else {
            continue;
        };
        for target in named {
            let to = target.split("::").next().unwrap();
            if !allowed.contains(&to) {
                wrong.push(format!("{module} names {target}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_file_of_a_test_binary_is_declared_in_its_main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    // A test binary made of a folder (`tests/<name>/main.rs`): a file beside `main.rs` that it
    // does not declare is never compiled, so its tests silently never run.
    let binaries = ["server/tests/api", "tests/pages"];
    let mut missing = Vec::new();
    for dir in binaries {
        let dir = root.join(dir);
        let main = std::fs::read_to_string(dir.join("main.rs"))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let Some(name) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .filter(|_| path.extension().is_some_and(|e| e == "rs"))
            else {
                continue;
            };
            let declared = main
                .lines()
                .any(|l| l.trim().trim_start_matches("pub ") == format!("mod {name};"));
            if name != "main" && !declared {
                missing.push(path.display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "test files their binary never compiles (add `mod <name>;` to its main.rs):\n{}",
        missing.join("\n")
    );
}
