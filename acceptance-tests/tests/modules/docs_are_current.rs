//! Each module's README inputs and outputs tables are what `scripts/module-docs`
//! generates from its variables and outputs: a changed input without a regenerated
//! README fails here.

use acceptance_tests::paths;
use std::process::Command;

#[test]
fn module_readme_tables_are_generated_from_the_hcl() {
    let root = paths::repo_root();
    let python = root.join(".venv/bin/python");
    let python = if python.exists() {
        python
    } else {
        "python3".into()
    };
    let out = Command::new(python)
        .arg(root.join("scripts/module-docs"))
        .arg("--check")
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
