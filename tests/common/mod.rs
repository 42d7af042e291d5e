//! Helpers shared by the integration tests: run the real `lectern` binary.

use assert_cmd::Command;

/// The `lectern` binary, without colours.
pub fn lectern() -> Command {
    let mut cmd = Command::cargo_bin("lectern").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Exit code and output of one run.
#[derive(Debug)]
pub struct Run {
    /// -1 when killed by a signal (a crash).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to completion and captures its output.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
