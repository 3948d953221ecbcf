//! Files a run writes: each library runner returns [`OutputFile`]s (names and bytes) and
//! decides nothing about where they go; the command line writes them with [`write_files`].
//! Every file is written atomically, so a failure never leaves a partial file.
//!
//! ```
//! use replywindow::output::{OutputFile, write_files};
//!
//! let dir = std::env::temp_dir().join(format!("replywindow-doc-{}", std::process::id()));
//! let files = [OutputFile::new("a.csv", b"x\n".to_vec()), OutputFile::new("sub/b.csv", vec![])];
//! write_files(&dir, &files).unwrap();
//! assert_eq!(std::fs::read(dir.join("a.csv")).unwrap(), b"x\n");
//! assert!(dir.join("sub/b.csv").exists());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::io;
use std::path::{Path, PathBuf};

/// One file of a run's output: its path inside the output folder, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// The path relative to the output folder (`invalid/…` in the fixture suite).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> OutputFile {
        OutputFile {
            name: name.into(),
            bytes,
        }
    }
}

/// A file that could not be written, with its path.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub source: io::Error,
}

/// Writes `files` into `dir` (created with any sub-folders), each atomically.
pub fn write_files(dir: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    for f in files {
        let path = dir.join(&f.name);
        let fail = |source| WriteError {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        write_atomically(&path, &f.bytes).map_err(fail)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, renamed into
/// place, so a failure never leaves a partial file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile_in(&dir)?;
    tmp.1.write_all(bytes)?;
    tmp.1.sync_all()?;
    drop(tmp.1);
    std::fs::rename(&tmp.0, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp.0);
    })
}

fn tempfile_in(dir: &Path) -> io::Result<(PathBuf, std::fs::File)> {
    let pid = std::process::id();
    for n in 0..1000u32 {
        let path = dir.join(format!(".replywindow-{pid}-{n}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("could not create a temporary file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_the_whole_file_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, "a much longer old content\n").unwrap();
        write_atomically(&path, b"new\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\n");
        // A rename that cannot happen (onto a folder) leaves nothing behind.
        std::fs::create_dir(dir.path().join("folder")).unwrap();
        std::fs::write(dir.path().join("folder/x"), "x").unwrap();
        assert!(write_atomically(&dir.path().join("folder"), b"data").is_err());
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["f.csv", "folder"]);
    }
}
