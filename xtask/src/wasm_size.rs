//! The SPA's wasm by page: each function's code counted to the page, or the shared component,
//! whose path its name carries (a component's `html!` tree is compiled into Yew's generic
//! functions instantiated with it, named with it since the wasm build uses Rust's v0 symbol
//! mangling, see `.cargo/config.toml`), else to its crate. Read from the build's own file,
//! before `wasm-bindgen` and `wasm-opt` strip the names; each share of the shipped brotli size
//! is the same fraction of it as its code is of all the code.

use std::collections::BTreeMap;
use std::path::Path;

use wasmparser::{KnownCustom, Name, Parser, Payload};

/// Bytes of code by owner (`page account`, `component toast`, `crate yew`, …).
pub fn code_by_owner(wasm: &Path) -> Result<BTreeMap<String, u64>, String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("{}: {e}", wasm.display()))?;
    let mut imported = 0u32;
    let mut sizes = Vec::new();
    let mut names = BTreeMap::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(imports) => {
                for import in imports {
                    if matches!(
                        import.map_err(|e| e.to_string())?.ty,
                        wasmparser::TypeRef::Func(_) | wasmparser::TypeRef::FuncExact(_)
                    ) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => sizes.push(body.range().len() as u64),
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    for name in reader {
                        if let Name::Function(map) = name.map_err(|e| e.to_string())? {
                            for naming in map {
                                let naming = naming.map_err(|e| e.to_string())?;
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut owners = BTreeMap::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let index = imported + u32::try_from(i).unwrap_or(u32::MAX);
        let name = names.get(&index).map_or("?", String::as_str);
        let demangled = format!("{:#}", rustc_demangle::demangle(name));
        *owners.entry(owner(&demangled)).or_insert(0) += size;
    }
    Ok(owners)
}

/// Who a function of this (demangled) name belongs to.
fn owner(name: &str) -> String {
    for (prefix, kind) in [
        ("gatehouse::pages::", "page"),
        ("gatehouse::components::", "component"),
    ] {
        if let Some(at) = name.find(prefix) {
            let rest = &name[at + prefix.len()..];
            let module: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            return format!("{kind} {module}");
        }
    }
    if name.contains("gatehouse::") {
        return "app (the rest)".into();
    }
    // `<T as Trait>::f` and `<T>::f`: the type's crate; otherwise the path's.
    let path = name.trim_start_matches('<');
    let krate: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match krate.as_str() {
        "" => "other".into(),
        "core" | "alloc" | "std" => "crate std (core, alloc)".into(),
        k => format!("crate {k}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_belongs_to_the_page_or_component_its_name_carries_else_to_its_crate() {
        assert_eq!(
            owner(
                "<yew::functional::FunctionComponent<gatehouse::pages::account::AccountPage> as yew::html::component::BaseComponent>::view"
            ),
            "page account"
        );
        assert_eq!(
            owner("gatehouse::components::toast::ToastProvider::run"),
            "component toast"
        );
        assert_eq!(owner("gatehouse::app::switch"), "app (the rest)");
        assert_eq!(
            owner("<alloc::vec::Vec<u8> as core::clone::Clone>::clone"),
            "crate std (core, alloc)"
        );
        assert_eq!(owner("serde_json::de::from_str"), "crate serde_json");
    }
}
