//! The terraform commands of a user's workflow, each checked for the outcome the
//! scenario expects; a wrong outcome is an error carrying the full output.

use serde::de::DeserializeOwned;

use crate::command::CommandOutput;
use crate::error::HarnessError;
use crate::reports::{Diagnostic, Outputs, State, ValidateReport};
use crate::workdir::Workdir;

/// What `plan -detailed-exitcode` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanChanges {
    /// Exit code 0: infrastructure matches the configuration.
    None,
    /// Exit code 2: the plan would change something.
    Some,
}

impl Workdir {
    pub fn init(&self) -> Result<CommandOutput, HarnessError> {
        self.succeed(&["init", "-input=false", "-no-color"])
    }

    /// `validate -json`, valid or not (it exits 1 for an invalid configuration).
    pub fn validate_json(&self) -> Result<ValidateReport, HarnessError> {
        let output = self.run(&["validate", "-json", "-no-color"])?;
        parse_json(output)
    }

    pub fn plan(&self) -> Result<CommandOutput, HarnessError> {
        self.succeed(&["plan", "-input=false", "-no-color"])
    }

    /// A plan that must fail (e.g. on invalid input); returns what it printed.
    pub fn plan_expect_error(&self) -> Result<CommandOutput, HarnessError> {
        self.fail(&["plan", "-input=false", "-no-color"])
    }

    /// The diagnostics of a `plan -json` that must fail (on bad input): Terraform
    /// prints each as one JSON line with its summary, detail and the configuration
    /// line it points at. Check them with [`crate::assert_error_points_at`].
    pub fn failed_plan_diagnostics(&self) -> Result<Vec<Diagnostic>, HarnessError> {
        let output = self.fail(&["plan", "-json", "-input=false", "-no-color"])?;
        let mut diagnostics = Vec::new();
        for line in output.stdout.lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if message["type"] == "diagnostic" {
                let diagnostic =
                    serde_json::from_value(message["diagnostic"].clone()).map_err(|source| {
                        HarnessError::InvalidJson {
                            source,
                            output: Box::new(output.clone()),
                        }
                    })?;
                diagnostics.push(diagnostic);
            }
        }
        Ok(diagnostics)
    }

    /// `plan -detailed-exitcode`: exit 0 is no changes, 2 is changes, anything else
    /// an error.
    pub fn plan_detailed_exitcode(&self) -> Result<(PlanChanges, CommandOutput), HarnessError> {
        let output = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])?;
        match output.code {
            0 => Ok((PlanChanges::None, output)),
            2 => Ok((PlanChanges::Some, output)),
            _ => Err(HarnessError::UnexpectedExit {
                expected: "exit code 0 (no changes) or 2 (changes)",
                output: Box::new(output),
            }),
        }
    }

    /// Panics with the plan's output unless the plan finds nothing to change.
    #[track_caller]
    pub fn assert_no_changes(&self) -> Result<(), HarnessError> {
        let (changes, output) = self.plan_detailed_exitcode()?;
        assert_eq!(
            changes,
            PlanChanges::None,
            "the plan should find no changes\n{output}"
        );
        Ok(())
    }

    pub fn apply(&self) -> Result<CommandOutput, HarnessError> {
        self.succeed(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// An apply that must fail; returns what it printed.
    pub fn apply_expect_error(&self) -> Result<CommandOutput, HarnessError> {
        self.fail(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `apply -refresh-only`: the state catches up with the real objects, nothing else
    /// changes. (The same on 1.0.3, whose plain `refresh` is deprecated.)
    pub fn refresh(&self) -> Result<CommandOutput, HarnessError> {
        self.succeed(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ])
    }

    pub fn import(&self, address: &str, id: &str) -> Result<CommandOutput, HarnessError> {
        self.succeed(&["import", "-input=false", "-no-color", address, id])
    }

    pub fn destroy(&self) -> Result<CommandOutput, HarnessError> {
        self.succeed(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `output -json`.
    pub fn output_json(&self) -> Result<Outputs, HarnessError> {
        parse_json(self.succeed(&["output", "-json"])?)
    }

    /// `show -json`: the current state.
    pub fn state_json(&self) -> Result<State, HarnessError> {
        parse_json(self.succeed(&["show", "-json"])?).map(State)
    }
}

fn parse_json<T: DeserializeOwned>(output: CommandOutput) -> Result<T, HarnessError> {
    serde_json::from_str(&output.stdout).map_err(|source| HarnessError::InvalidJson {
        source,
        output: Box::new(output),
    })
}
