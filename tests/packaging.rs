//! The Python package's pyproject.toml, as diffscore itself sees it: a
//! repository that carries this very file keeps diffscore's defaults (the
//! file has no `[tool.diffscore]`, and a bad one would be an error for every
//! run), and the package's version is Cargo's, not a second copy.
//! `.ci/python-package` builds and installs the real wheel.

mod support;

use support::Repo;

const PYPROJECT: &str = include_str!("../pyproject.toml");
const CARGO: &str = include_str!("../Cargo.toml");

const BASE: &str =
    "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n";
const NOISY: &str = "def total(items):\n    \"\"\"Sum the values.\"\"\"\n    acc = 0  # running sum\n    for value in items:\n        acc += value\n    return acc\n";

fn repo_with(pyproject: &str) -> Repo {
    let repo = Repo::new();
    repo.write("pyproject.toml", pyproject).write("calc.py", BASE);
    repo.commit("base");
    repo.write("calc.py", NOISY).stage_all();
    repo
}

#[test]
fn diffscore_reads_its_own_pyproject_as_no_configuration() {
    let repo = repo_with(PYPROJECT);
    let output = repo.run(&["--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the noisy diff fails the default gate; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["summary"]["max_noise"], 50,
        "pyproject.toml must not configure diffscore for every clone of it"
    );

    // The same file is read: a [tool.diffscore] table added to it takes effect.
    let configured = repo_with(&format!("{PYPROJECT}\n[tool.diffscore]\nmax_noise = 100\n"));
    let report = configured.json(&[]);
    assert_eq!(report["summary"]["max_noise"], 100);
    assert_eq!(report["summary"]["pass"], true);
}

#[test]
fn the_python_package_is_the_binary_at_cargos_version() {
    let pyproject: toml::Table = toml::from_str(PYPROJECT).unwrap();
    let cargo: toml::Table = toml::from_str(CARGO).unwrap();
    let project = pyproject["project"].as_table().unwrap();
    assert_eq!(project["name"].as_str(), cargo["package"]["name"].as_str());
    assert!(
        project.get("version").is_none(),
        "the version comes from Cargo.toml (dynamic), not a second copy"
    );
    assert!(
        project["dynamic"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some("version"))
    );
    assert_eq!(project["license"].as_str(), cargo["package"]["license"].as_str());
    assert_eq!(pyproject["build-system"]["build-backend"].as_str(), Some("maturin"));
    assert_eq!(pyproject["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
}
