//! Everything an emulator prints goes to one log file: stderr directly, stdout through a
//! thread that copies it line by line and hands the first JSON object line to the
//! readiness probe. The pipe is drained for the emulator's whole life, so a chatty
//! emulator never blocks on a full pipe.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use serde_json::Value;

/// How long a reader may take to copy what an emulator printed after it died, before
/// its log is read for an error message.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

/// The log file of one emulator run.
pub struct Log {
    path: PathBuf,
    /// Disconnected once the stdout copier has seen the end of stdout.
    copier_done: Option<Receiver<()>>,
}

impl Log {
    /// Creates (or empties) the log file; the handle returned is the emulator's stderr.
    pub fn create(path: &Path) -> io::Result<(Log, File)> {
        File::create(path)?;
        // Append mode for every writer, so stderr and the stdout copier never
        // overwrite each other's lines.
        let stderr = OpenOptions::new().append(true).open(path)?;
        let log = Log {
            path: path.to_path_buf(),
            copier_done: None,
        };
        Ok((log, stderr))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies `stdout` into the log until it ends; the first line that is a JSON object
    /// arrives on the receiver returned (which disconnects at the end of stdout).
    pub fn copy_stdout(
        &mut self,
        stdout: impl Read + Send + 'static,
    ) -> io::Result<Receiver<Value>> {
        let mut file = OpenOptions::new().append(true).open(&self.path)?;
        let (json_sender, json) = mpsc::channel();
        let (done, copier_done) = mpsc::channel::<()>();
        thread::spawn(move || {
            let _done = done;
            let mut json_sender = Some(json_sender);
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let _ = file.write_all(&line);
                if let Some(object) = json_object(&line)
                    && let Some(sender) = json_sender.take()
                {
                    let _ = sender.send(object);
                }
            }
        });
        self.copier_done = Some(copier_done);
        Ok(json)
    }

    /// Waits (briefly) until the copier has written all of stdout; call it once the
    /// emulator is dead, before [`read`](Self::read) for an error message.
    pub fn settle(&self) {
        if let Some(done) = &self.copier_done {
            // Nothing is ever sent: this returns when the copier ends, or at the limit
            // when a stray process still holds stdout open.
            let _ = done.recv_timeout(FLUSH_WAIT);
        }
    }

    /// Everything logged so far, ending with a newline unless empty.
    pub fn read(&self) -> String {
        let mut text = std::fs::read(&self.path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_else(|error| format!("<cannot read {}: {error}>", self.path.display()));
        // Messages put a marker after the log; it goes on a line of its own.
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }
}

/// `line` parsed as a JSON object, if it is one.
fn json_object(line: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(line.trim_ascii())
        .ok()
        .filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_json_object_line_counts() {
        assert!(json_object(b"{\"aws\": {\"endpoint\": \"http://x\"}}\n").is_some());
        assert!(json_object(b"  {}  \r\n").is_some());
        assert!(json_object(b"[1, 2]\n").is_none());
        assert!(json_object(b"42\n").is_none());
        assert!(json_object(b"Starting emulator...\n").is_none());
        assert!(json_object(b"{\"cut\": \n").is_none());
    }

    #[test]
    fn stdout_is_logged_and_the_first_json_object_handed_over() {
        let dir = tempfile::tempdir().unwrap();
        let (mut log, mut stderr) = Log::create(&dir.path().join("fake.log")).unwrap();
        writeln!(stderr, "warming up").unwrap();
        let stdout: &'static [u8] = b"not json\n{\"first\": 1}\n{\"second\": 2}\n";
        let json = log.copy_stdout(stdout).unwrap();
        assert_eq!(
            json.recv_timeout(Duration::from_secs(5)).unwrap(),
            serde_json::json!({"first": 1})
        );
        assert!(
            json.recv_timeout(Duration::from_secs(5)).is_err(),
            "only one"
        );
        log.settle();
        assert_eq!(
            log.read(),
            "warming up\nnot json\n{\"first\": 1}\n{\"second\": 2}\n"
        );
    }
}
