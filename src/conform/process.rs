//! Running the implementation under test: one shell command per file, with a time limit
//! that holds even when the command starts children of its own.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How one run ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited with this code (`None` when killed by a signal).
    Exited {
        code: Option<i32>,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    /// It was still running at the time limit and was stopped.
    TimedOut,
    /// It could not be started.
    NotStarted(String),
}

/// Runs `script` with `sh -c`, giving it `stdin` (or nothing), and waits at most `limit`.
/// The command runs in a process group of its own, so that at the limit the whole group
/// is stopped, grandchildren included, and no pipe is left open.
pub fn run(script: &str, stdin: Option<Vec<u8>>, limit: Duration) -> Ended {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return Ended::NotStarted(format!("cannot start `sh -c {script}`: {e}")),
    };
    // Feed and drain on threads: a command that writes much before it reads, or fills a
    // pipe, must not stall the runner.
    let feeder = child.stdin.take().zip(stdin).map(|(mut pipe, bytes)| {
        std::thread::spawn(move || {
            // A command that exits without reading its input is not an error here.
            let _ = pipe.write_all(&bytes);
        })
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= limit => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Ended::NotStarted(format!("waiting for `{script}`: {e}")),
        }
    };
    let Some(status) = status else {
        stop_group(&mut child);
        return Ended::TimedOut;
    };
    // The shell has exited; children it left behind in its group go too, so that the
    // pipes close.
    stop_group(&mut child);
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Ended::Exited {
        code: status.code(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Stops the command's process group (the command itself where there are none).
fn stop_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let group = format!("-{}", child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}
