//! `cargo course hub`: the course on JupyterHub for a class on one server.
//! The work is in hub/hubtool.py (accounts, the install, the hub's
//! configuration, collecting, the load test); this makes sure the course
//! itself is set up first (the toolchain with rust-src, evcxr_jupyter), then
//! hands over, naming this clone and the kernel it installed.

use std::process::Command;

use crate::places;

/// The subcommands that install first (the others need an install).
const INSTALLING: [&str; 3] = ["install", "update", "start"];

pub fn hub(args: &[String]) -> Result<(), String> {
    let (options, mut rest): (Vec<&String>, Vec<&String>) = split_prefix(args);
    let start = "start".to_string();
    // `cargo course hub --ip ADDR` is `cargo course hub start --ip ADDR`
    if rest
        .first()
        .is_none_or(|a| a.starts_with("--") && *a != "--help")
    {
        rest.insert(0, &start);
    }
    let sub = rest[0].as_str();
    if sub == "help" || sub == "--help" || sub == "-h" {
        return hubtool(&options, &["--help".to_string()]);
    }
    if rest.iter().any(|a| *a == "--help" || *a == "-h") {
        // the subcommand's help, before anything is installed
        let call: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
        return hubtool(&options, &call);
    }
    if !places::is_root() {
        return Err(format!(
            "`cargo course hub {sub}` needs root: it makes accounts, and the hub starts each \
             student's server as that student. Run it from a root shell"
        ));
    }
    if ![
        "install",
        "update",
        "start",
        "add-students",
        "collect",
        "loadtest",
        "selftest",
    ]
    .contains(&sub)
    {
        return Err(format!(
            "unknown hub command {sub:?}: use install, start (the default), add-students, update, \
             collect, loadtest or selftest (`cargo course hub help`)"
        ));
    }
    let mut forwarded: Vec<String> = rest.iter().skip(1).map(|s| s.to_string()).collect();
    if INSTALLING.contains(&sub) {
        crate::setup::setup()?;
        let evcxr = places::cargo_bin("evcxr_jupyter");
        let install_args = |without_hub: bool| {
            let mut a = vec![
                "--repo".to_string(),
                places::repo().to_string_lossy().into_owned(),
                "--evcxr".to_string(),
                evcxr.to_string_lossy().into_owned(),
            ];
            if without_hub {
                a.push("--without-hub".into());
            }
            a
        };
        if sub == "start" {
            hubtool(
                &options,
                &[vec!["install".to_string()], install_args(false)].concat(),
            )?;
        } else {
            let without = forwarded.iter().any(|a| a == "--without-hub");
            forwarded.retain(|a| a != "--without-hub");
            forwarded.extend(install_args(without));
        }
    }
    let mut call = vec![sub.to_string()];
    call.extend(forwarded);
    hubtool(&options, &call)
}

/// `--prefix DIR` goes before the subcommand, wherever it was written.
fn split_prefix(args: &[String]) -> (Vec<&String>, Vec<&String>) {
    let mut options = Vec::new();
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--prefix" && i + 1 < args.len() {
            options.push(&args[i]);
            options.push(&args[i + 1]);
            i += 2;
        } else {
            rest.push(&args[i]);
            i += 1;
        }
    }
    (options, rest)
}

fn hubtool(options: &[&String], args: &[String]) -> Result<(), String> {
    let script = places::repo().join("crates/course/hub/hubtool.py");
    let mut command = Command::new("python3");
    command.arg(&script).args(options).args(args);
    places::run(&mut command).map_err(|_| "the hub command failed (its message is above)".into())
}

/// The Kubernetes recipe's checks (deploy/check.py): the chart's values and
/// the students' image definition, then each rule shown failing on a copy
/// broken for it.
pub fn check_deploy() -> Result<(), String> {
    let script = places::repo().join("deploy/check.py");
    for extra in [None, Some("--selftest")] {
        let mut command = Command::new(places::venv_bin("python"));
        command.arg(&script).args(extra);
        places::run(&mut command).map_err(|e| format!("deploy/check.py: {e}"))?;
    }
    Ok(())
}
