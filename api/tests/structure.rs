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
