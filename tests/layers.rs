//! The layers of `src/` and what each may import (the crate docs in `src/lib.rs`
//! say the same): arrows only point down, and no import circle spans more than
//! one top-level module. Read from the code's own `crate::` paths, so a new
//! import that points up fails here, naming the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// From the bottom up. A module may import modules of its own layer (without
/// a circle) and of the layers below it, never above.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "ground floor",
        &[
            "analyzer",
            "bank",
            "clock",
            "config",
            "cpu",
            "files",
            "health",
            "library",
            "listen",
            "markdown",
            "metrics",
            "platform",
            "progress",
            "query_vectors",
            "search",
            "semantic",
            "shutdown",
            "store",
            "telemetry",
        ],
    ),
    (
        "domain services",
        &[
            "intake",
            "leaderboard",
            "meaning",
            "outbox",
            "practice",
            "quiz",
            "reload",
            "schedule",
            "team",
            "unanswered",
        ],
    ),
    ("state and rendering", &["bot", "render", "reply"]),
    ("commands and runtime", &["commands", "posted", "runtime"]),
    ("adapters", &["discord", "http", "shell", "slack"]),
    ("command line", &["cli"]),
];

/// The top-level module a file of `src/` belongs to (`quiz` for
/// `src/quiz/pick.rs`); `None` for the crate roots.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The code of a file without its comments (doc links are not imports).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string is rare in this crate's `use` lines; a
            // line cut there still keeps every path before it.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names through `crate::`: plain
/// paths (`crate::quiz::tick`) and grouped uses (`use crate::{bot, quiz::X}`).
fn imports_of(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        // `$crate::` in macros and `some_crate::` are not this crate.
        let before = rest[..at].chars().next_back();
        let is_path = !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        if is_path {
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find(';').unwrap_or(group.len());
                let mut depth = 0;
                let mut word = String::new();
                let mut first_of_item = true;
                for c in group[..end].chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            word.clear();
                        }
                        '}' if depth == 0 => {
                            // The group's end: its last item may be a bare name.
                            if first_of_item && !word.is_empty() {
                                found.insert(std::mem::take(&mut word));
                            }
                            break;
                        }
                        '}' => {
                            depth -= 1;
                            word.clear();
                        }
                        ',' if depth == 0 => {
                            first_of_item = true;
                            word.clear();
                        }
                        c if c.is_alphanumeric() || c == '_' => word.push(c),
                        _ => {
                            if depth == 0 && first_of_item && !word.is_empty() {
                                found.insert(std::mem::take(&mut word));
                                first_of_item = false;
                            }
                            word.clear();
                        }
                    }
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
        rest = after;
    }
    found.remove("self");
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module → module → the files that make the import.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn graph() -> (BTreeSet<String>, Graph) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut modules = BTreeSet::new();
    let mut edges = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src/").to_path_buf();
        let Some(module) = module_of(&relative) else {
            continue;
        };
        modules.insert(module.clone());
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for target in imports_of(&code_of(&text)) {
            if target != module {
                edges
                    .entry(module.clone())
                    .or_default()
                    .entry(target)
                    .or_default()
                    .insert(relative.display().to_string());
            }
        }
    }
    (modules, edges)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, members)| members.contains(&module))
}

#[test]
fn every_module_has_a_layer() {
    let (modules, _) = graph();
    let unplaced: Vec<_> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "src/ modules without a layer in tests/layers.rs (and src/lib.rs's docs): {unplaced:?}"
    );
}

#[test]
fn imports_never_point_up() {
    let (modules, edges) = graph();
    let mut upward = Vec::new();
    for (from, targets) in &edges {
        let Some(low) = layer_of(from) else { continue };
        for (to, files) in targets {
            if !modules.contains(to) {
                continue;
            }
            let Some(high) = layer_of(to) else { continue };
            if high > low {
                upward.push(format!(
                    "{from} ({}) imports {to} ({}) in {}",
                    LAYERS[low].0,
                    LAYERS[high].0,
                    files.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_import_circle_spans_two_modules() {
    let (modules, edges) = graph();
    let circles = strongly_connected(&modules, &edges);
    let described: Vec<String> = circles
        .iter()
        .map(|circle| {
            let links: Vec<String> = circle
                .iter()
                .flat_map(|from| {
                    edges
                        .get(from)
                        .into_iter()
                        .flatten()
                        .filter(|(to, _)| circle.contains(*to))
                        .map(move |(to, files)| {
                            format!(
                                "  {from} -> {to} ({})",
                                files.iter().cloned().collect::<Vec<_>>().join(", ")
                            )
                        })
                })
                .collect();
            format!("{circle:?}:\n{}", links.join("\n"))
        })
        .collect();
    assert!(
        described.is_empty(),
        "import circles across modules:\n{}",
        described.join("\n")
    );
}

/// Tarjan's strongly connected components of more than one module.
fn strongly_connected(modules: &BTreeSet<String>, edges: &Graph) -> Vec<BTreeSet<String>> {
    struct Walk<'a> {
        edges: &'a Graph,
        modules: &'a BTreeSet<String>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<BTreeSet<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            let targets: Vec<&'a str> = self
                .edges
                .get(v)
                .into_iter()
                .flat_map(|t| t.keys())
                .filter(|t| self.modules.contains(*t))
                .map(String::as_str)
                .collect();
            for w in targets {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.insert(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        modules,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for module in modules {
        if !walk.index.contains_key(module.as_str()) {
            walk.visit(module);
        }
    }
    walk.found
}

#[test]
fn the_reader_sees_paths_and_groups() {
    let code = "use crate::{bot::Bot, quiz::{self, X}, clock};\nlet x = crate::store::Y;\nfoo!($crate::z); other_crate::w";
    let found: Vec<_> = imports_of(code).into_iter().collect();
    assert_eq!(found, ["bot", "clock", "quiz", "store"]);
    assert_eq!(
        imports_of(&code_of(
            "// crate::bot in a comment\n/// [`x`](crate::quiz)"
        )),
        BTreeSet::new()
    );
}
