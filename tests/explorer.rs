//! The κ explorer from the command line: `softiou explore` writes only the page and fails
//! cleanly on a bad directory; then, where Chromium and playwright-core are installed, the
//! browser test of `tests/browser/` (otherwise it says that it was skipped). The page's
//! numbers are checked by the unit tests of `src/figures/explore/tests.rs`.

use std::path::Path;
use std::process::Command;

#[test]
fn softiou_explore_writes_only_the_page_and_fails_cleanly_on_a_bad_directory() {
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(["explore", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["explorer.html"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("explorer.html"));

    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(["explore", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--out"), "{err}");
}

/// The real browser test (tests/browser/explorer.test.mjs), where its tools exist.
#[test]
fn the_page_works_in_headless_chromium_or_the_test_says_it_was_skipped() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let missing: Vec<&str> = [
        (!Path::new(&chromium).exists()).then_some("chromium (apt-get install chromium)"),
        (!root
            .join("tests/browser/node_modules/playwright-core")
            .exists())
        .then_some("playwright-core (npm ci in tests/browser)"),
        Command::new("node")
            .arg("--version")
            .output()
            .is_err()
            .then_some("node"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        // straight to the process's stderr: the test harness captures `eprintln!` of a
        // passing test, and this line must be seen
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "browser test skipped: missing {}; .ci/run installs them",
            missing.join(", ")
        );
        return;
    }
    let o = Command::new("node")
        .arg(root.join("tests/browser/explorer.test.mjs"))
        .arg(env!("CARGO_BIN_EXE_softiou"))
        .current_dir(root)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    println!("{out}");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("browser test passed"));
}
