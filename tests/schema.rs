//! Real JSON output, from real repositories, validated against the published schema.

mod support;

use support::Repo;

fn schema() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-output.schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema is valid JSON Schema")
}

/// The schema of one line of `diffscore log --format json`: its `log_commit` definition.
fn log_validator() -> jsonschema::Validator {
    let schema = schema();
    let log_commit = serde_json::json!({
        "$schema": schema["$schema"],
        "$defs": schema["$defs"],
        "$ref": "#/$defs/log_commit",
    });
    jsonschema::validator_for(&log_commit).expect("the schema is valid JSON Schema")
}

fn assert_valid(report: &serde_json::Value) {
    let errors: Vec<String> = validator()
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{report:#}");
}

#[test]
fn output_of_every_kind_of_change_matches_the_schema() {
    let repo = Repo::new();
    repo.write("a.py", "def f(x):\n    return x\n");
    repo.write("b.txt", "text\n");
    repo.write("gone.py", "x = 1\n");
    repo.commit("base");
    repo.write("a.py", "def f(x):\n    \"\"\"Doc.\"\"\"\n    return x + 1  # more\n");
    repo.write("b.txt", "text  \n");
    repo.write("bin.dat", b"\x00\x01");
    repo.write("broken.py", "def (:\n");
    repo.git(&["rm", "-q", "gone.py"]);
    repo.stage_all();
    assert_valid(&repo.json(&[]));
    repo.commit("edits");
    assert_valid(&repo.json(&["HEAD"]));
    assert_valid(&repo.json(&["HEAD~1..HEAD"]));
}

#[test]
fn the_schema_rejects_what_it_should() {
    let repo = Repo::new();
    repo.write("a.py", "x = 1\n");
    repo.stage_all();
    let mut report = repo.json(&[]);
    assert!(validator().is_valid(&report));
    report["files"][0]["changes"][0]["label"] = "noise".into();
    assert!(!validator().is_valid(&report), "an unknown label must be rejected");
}

#[test]
fn every_line_of_the_log_matches_the_schema() {
    let repo = Repo::new();
    repo.write("a.py", "def f(x):\n    return x\n");
    repo.commit("base");
    repo.write("a.py", "def f(x):\n    \"\"\"Doc.\"\"\"\n    return x + 1  # more\n");
    repo.write("bin.dat", b"\x00\x01");
    repo.commit("edits");
    repo.commit("empty");
    let output = repo.run(&["log", "--format", "json"]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let validator = log_validator();
    let lines = String::from_utf8(output.stdout).unwrap();
    assert_eq!(lines.lines().count(), 3);
    for line in lines.lines() {
        let commit: serde_json::Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator.iter_errors(&commit).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{commit:#}");
    }
    let mut bad: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    bad["date"] = "31/01/2024".into();
    assert!(
        !validator.is_valid(&bad),
        "a date that is not ISO 8601 must be rejected"
    );
}
