//! Whether the server answering on a port is ours: a port picked free can be taken by a
//! parallel test's server before our emulator binds it, and that server would answer
//! the readiness probe in our place. Linux only (as is the rest of the harness): the
//! listening socket's inode from `/proc/net/tcp{,6}`, looked up among the open files of
//! the processes in the emulator's process group.

use std::fs;
use std::path::Path;

/// `Some(true)` when a process of group `group` holds the socket listening on `port`,
/// `Some(false)` when another process does (or nobody), `None` when `/proc` cannot tell
/// (not Linux, or hidden).
pub fn group_listens_on(group: u32, port: u16) -> Option<bool> {
    let mut inodes = Vec::new();
    let mut readable = false;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(table) {
            readable = true;
            inodes.extend(listening_inodes(&text, port));
        }
    }
    if !readable {
        return None;
    }
    let sockets: Vec<String> = inodes
        .iter()
        .map(|inode| format!("socket:[{inode}]"))
        .collect();
    let processes = fs::read_dir("/proc").ok()?;
    let owned = processes
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_str().is_some_and(is_pid))
        .filter(|entry| process_group(&entry.path()) == Some(group))
        .any(|entry| holds_any(&entry.path(), &sockets));
    Some(owned)
}

/// The inodes of the sockets in LISTEN state (`0A`) on local port `port`, from the text
/// of `/proc/net/tcp` or `/proc/net/tcp6`.
fn listening_inodes(table: &str, port: u16) -> Vec<u64> {
    const LISTEN: &str = "0A";
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (_, local_port) = fields.get(1)?.rsplit_once(':')?;
            let listening = *fields.get(3)? == LISTEN;
            let same_port = u16::from_str_radix(local_port, 16).ok()? == port;
            (listening && same_port).then(|| fields.get(9)?.parse().ok())?
        })
        .collect()
}

fn is_pid(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_digit())
}

/// The process group of the process at `/proc/PID`: the fifth field of its `stat`,
/// counted after the command name (which may hold spaces and parentheses).
fn process_group(process: &Path) -> Option<u32> {
    let stat = fs::read_to_string(process.join("stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    // state ppid pgrp ...
    after_name.split_whitespace().nth(2)?.parse().ok()
}

fn holds_any(process: &Path, sockets: &[String]) -> bool {
    let Ok(fds) = fs::read_dir(process.join("fd")) else {
        return false;
    };
    fds.filter_map(Result::ok)
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .any(|target| {
            sockets
                .iter()
                .any(|socket| target.as_os_str() == socket.as_str())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
";

    #[test]
    fn finds_the_listener_of_a_port_not_its_connections() {
        assert_eq!(listening_inodes(TABLE, 8080), vec![4242]);
        assert_eq!(listening_inodes(TABLE, 80), vec![4444]);
        assert_eq!(listening_inodes(TABLE, 443), Vec::<u64>::new());
    }

    #[test]
    fn reads_the_process_group_after_an_awkward_command_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("stat"), "77 (a (b) c) S 1 77 77 0 -1").unwrap();
        assert_eq!(process_group(dir.path()), Some(77));
    }

    #[test]
    fn nobody_in_a_group_that_does_not_exist_listens() {
        // Process group ids are pids; u32::MAX is never one.
        assert_eq!(group_listens_on(u32::MAX, 1), Some(false));
    }
}
