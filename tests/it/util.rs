//! Helpers: the binary in a temporary folder, test data, small traces.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The `replywindow` binary, run in `dir`.
pub fn replywindow(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("replywindow").expect("the binary is built");
    cmd.current_dir(dir);
    cmd
}

/// A fresh temporary folder.
pub fn tmp() -> TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// A file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The text of the shipped scenario `scenarios/NAME`.
pub fn scenario_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `text` to `dir/name` and returns its path.
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writable temporary folder");
    path
}

/// Standard output as text.
pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Where skipped tests are listed, one line each, for `.ci/run` to show after the run.
pub fn skipped_list() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped-tests.txt")
}

/// Says that `test` did not run and why: on standard error and in [`skipped_list`]. Under
/// `CI=true` a skip is a failure, since CI installs what the tests need.
pub fn skip(test: &str, why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true: {test} cannot be skipped: {why}"
    );
    note_skipped(test, why);
}

/// Says that `test` did not run and why, on standard error and in [`skipped_list`], where
/// not running is expected (a file outside the project that may be absent).
pub fn note_skipped(test: &str, why: &str) {
    use std::io::Write;
    eprintln!("SKIPPED {test}: {why}");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(skipped_list())
    {
        let _ = writeln!(f, "{test}: {why}");
    }
}

/// Moves a scenario's `[[operators.shifts]]` into one `[[operators.teams]]` entry named
/// `name` that serves every channel.
pub fn shifts_as_one_team(table: &mut toml::Table, name: &str) {
    let operators = table["operators"].as_table_mut().unwrap();
    let shifts = operators.remove("shifts").unwrap();
    let mut team = toml::Table::new();
    team.insert("name".into(), name.into());
    let channels = ["whatsapp", "facebook", "instagram"].map(toml::Value::from);
    team.insert("channels".into(), toml::Value::Array(channels.to_vec()));
    team.insert("shifts".into(), shifts);
    operators.insert(
        "teams".into(),
        toml::Value::Array(vec![toml::Value::Table(team)]),
    );
}
