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
