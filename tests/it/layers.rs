//! The dependency arrows between the library's modules go one way (docs/ARCHITECTURE.md):
//! every `crate::MODULE` a file names must be one its module may use.

use std::path::Path;

/// Each module of the library and the modules it may use. Everything above a module may use
/// it; nothing below may use what is above.
const ALLOWED: &[(&str, &[&str])] = &[
    ("time", &[]),
    ("output", &[]),
    ("rules", &["time"]),
    ("scenario", &["rules", "time"]),
    ("metrics", &["rules", "time"]),
    ("trace", &["rules", "time"]),
    ("sim", &["scenario", "metrics", "trace", "rules", "time"]),
    (
        "report",
        &["scenario", "metrics", "trace", "rules", "time", "output"],
    ),
    (
        "sweep",
        &[
            "sim", "report", "scenario", "metrics", "trace", "rules", "time", "output",
        ],
    ),
    (
        "plan",
        &[
            "sim", "report", "scenario", "metrics", "trace", "rules", "time", "output",
        ],
    ),
    (
        "fit",
        &[
            "sim", "scenario", "metrics", "trace", "rules", "time", "output",
        ],
    ),
    ("conform", &["trace", "rules", "time"]),
    (
        "fixtures",
        &[
            "sim", "report", "scenario", "metrics", "trace", "rules", "time", "output",
        ],
    ),
];

/// The `crate::NAME` paths named in `text`, comments left out.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((n + 1, name));
            }
            rest = after;
        }
        // `use crate::{a, b}` names several modules at once.
        if let Some(i) = code.find("crate::{") {
            let group = &code[i + "crate::{".len()..];
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((n + 1, name));
                }
            }
        }
    }
    found
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The library module a source file belongs to (`None` for the binary and the crate root).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (!matches!(name.as_str(), "lib" | "main" | "cli")).then_some(name)
}

fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    files_under(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for file in files {
        let Some(module) = module_of(src, &file) else {
            continue;
        };
        let Some((_, allowed)) = ALLOWED.iter().find(|(m, _)| *m == module) else {
            bad.push(format!(
                "{}: module `{module}` is not in the map",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, used) in crate_paths(&text) {
            let known = ALLOWED.iter().any(|(m, _)| *m == used);
            if known && used != module && !allowed.contains(&used.as_str()) {
                bad.push(format!(
                    "{}:{line}: `{module}` uses `{used}`",
                    file.display()
                ));
            }
        }
    }
    bad
}

#[test]
fn module_dependencies_go_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(bad.is_empty(), "forbidden uses:\n{}", bad.join("\n"));
}

#[test]
fn a_forbidden_use_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("report")).unwrap();
    std::fs::create_dir_all(src.join("rules")).unwrap();
    std::fs::write(
        src.join("report/sweep.rs"),
        "use crate::metrics::METRICS;\nuse crate::sweep::Sweep;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("rules/case.rs"),
        "// crate::scenario in a comment is fine\nuse crate::{time, scenario::Scenario};\n",
    )
    .unwrap();
    let bad = violations(src);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(
        bad[0].ends_with("report/sweep.rs:2: `report` uses `sweep`"),
        "{bad:?}"
    );
    assert!(
        bad[1].ends_with("rules/case.rs:2: `rules` uses `scenario`"),
        "{bad:?}"
    );
}
