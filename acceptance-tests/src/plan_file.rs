//! What `terraform plan -out` wrote, readable: a saved plan is a zip archive, so a
//! secret in it would be compressed out of sight of a plain byte search.

use std::path::Path;
use std::process::Command;

/// Every entry of the plan file at `path`, decompressed, as one text (entry names
/// included). Python's zipfile reads it: the harness already needs Python 3.
#[track_caller]
pub fn plan_file_text(path: &Path) -> String {
    let script = "import sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  for n in z.namelist():\n    \
                      sys.stdout.write('== ' + n + '\\n')\n    \
                      sys.stdout.write(z.read(n).decode('utf-8', 'replace') + '\\n')\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "cannot read the plan file {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("== tfplan"), "not a plan file: {text}");
    text
}
