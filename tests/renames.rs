//! Renames and the rest of the repository: a private definition renamed
//! where it is defined and where it is imported, in one diff, is a rename; a
//! name that another file still spells, or a public one, is not.

mod support;

use support::{Repo, labels_of};

const MODELS: &str = "def _load_user(pk):\n    return {\"pk\": pk}\n";
const VIEWS: &str = "from app.models import _load_user\n\n\ndef show(pk):\n    return _load_user(pk)\n";

#[test]
fn a_definition_renamed_with_its_imports_in_other_files_is_a_rename() {
    let repo = Repo::new();
    repo.write("app/models.py", MODELS);
    repo.write("app/views.py", VIEWS);
    repo.write(
        "app/admin.py",
        "from .models import _load_user\n\nUSER = _load_user(1)\n",
    );
    repo.commit("base");
    repo.write("app/models.py", MODELS.replace("load_user", "fetch_user"));
    repo.write("app/views.py", VIEWS.replace("load_user", "fetch_user"));
    repo.write(
        "app/admin.py",
        "from .models import _fetch_user\n\nUSER = _fetch_user(1)\n",
    );
    repo.stage_all();
    let report = repo.json(&[]);
    for path in ["app/models.py", "app/views.py", "app/admin.py"] {
        let found = labels_of(&report, path);
        assert!(
            !found.is_empty() && found.iter().all(|label| label == "rename"),
            "{path}: {found:?}"
        );
    }
}

#[test]
fn an_import_renamed_without_its_definition_is_substantive() {
    let repo = Repo::new();
    repo.write("app/models.py", MODELS);
    repo.write("app/views.py", VIEWS);
    repo.commit("base");
    repo.write("app/views.py", VIEWS.replace("load_user", "fetch_user"));
    repo.stage_all();
    let report = repo.json(&[]);
    assert!(
        labels_of(&report, "app/views.py")
            .iter()
            .all(|label| label == "substantive")
    );
}

#[test]
fn an_import_from_another_module_does_not_follow_a_rename_elsewhere() {
    let repo = Repo::new();
    repo.write("app/models.py", MODELS);
    repo.write("app/views.py", VIEWS.replace("app.models", "legacy.models"));
    repo.commit("base");
    repo.write("app/models.py", MODELS.replace("load_user", "fetch_user"));
    repo.write(
        "app/views.py",
        VIEWS
            .replace("app.models", "legacy.models")
            .replace("load_user", "fetch_user"),
    );
    repo.stage_all();
    let report = repo.json(&[]);
    assert!(
        labels_of(&report, "app/models.py")
            .iter()
            .all(|label| label == "rename")
    );
    assert!(
        labels_of(&report, "app/views.py")
            .iter()
            .all(|label| label == "substantive")
    );
}

/// A repository whose `app/models.py` renames a private helper, and a file
/// outside the diff that still spells the old name.
fn helper_renamed_while(path: &str, content: &str) -> Repo {
    let repo = Repo::new();
    repo.write("app/models.py", MODELS);
    repo.write(path, content);
    repo.commit("base");
    repo.write("app/models.py", MODELS.replace("load_user", "fetch_user"));
    repo
}

fn all_labelled(labels: &[String], expected: &str) -> bool {
    !labels.is_empty() && labels.iter().all(|label| label == expected)
}

#[test]
fn a_private_name_still_imported_elsewhere_is_not_a_rename_for_any_source() {
    let repo = helper_renamed_while("app/tasks.py", "from app.models import _load_user\n");
    let worktree = repo.json(&["--worktree"]);
    assert!(all_labelled(&labels_of(&worktree, "app/models.py"), "substantive"));
    repo.stage_all();
    let staged = repo.json(&[]);
    assert!(all_labelled(&labels_of(&staged, "app/models.py"), "substantive"));
    let commit = repo.commit("rename");
    let committed = repo.json(&[&commit]);
    assert!(all_labelled(&labels_of(&committed, "app/models.py"), "substantive"));
}

#[test]
fn a_private_name_spelled_in_configuration_is_not_a_rename() {
    let entry_point = "[project.scripts]\nload = \"app.models:_load_user\"\n";
    let repo = helper_renamed_while("pyproject.toml", entry_point);
    repo.stage_all();
    let report = repo.json(&[]);
    assert!(all_labelled(&labels_of(&report, "app/models.py"), "substantive"));
}

#[test]
fn a_private_name_spelled_in_scripts_without_a_python_extension_is_not_a_rename() {
    let scripts = [
        (
            "bin/warm-cache",
            "#!/usr/bin/env python\nfrom app.models import _load_user\n",
        ),
        (
            "Makefile",
            "warm:\n\tpython -c 'from app.models import _load_user; _load_user(1)'\n",
        ),
        (
            "scripts/warm.sh",
            "python -c 'import app.models as m; m._load_user(1)'\n",
        ),
    ];
    for (path, content) in scripts {
        let repo = helper_renamed_while(path, content);
        repo.stage_all();
        let report = repo.json(&[]);
        assert!(
            all_labelled(&labels_of(&report, "app/models.py"), "substantive"),
            "{path}"
        );
    }
}

#[test]
fn a_private_name_in_a_binary_file_is_not_a_spelling() {
    let repo = helper_renamed_while("app/fixture", "\0\0_load_user\0");
    repo.stage_all();
    let report = repo.json(&[]);
    assert!(all_labelled(&labels_of(&report, "app/models.py"), "rename"));
}

#[test]
fn a_private_name_spelled_nowhere_else_is_a_rename() {
    let repo = helper_renamed_while("app/tasks.py", "from app.models import _load_users\n# load_user\n");
    repo.stage_all();
    let report = repo.json(&[]);
    assert!(all_labelled(&labels_of(&report, "app/models.py"), "rename"));
}

#[test]
fn a_public_name_renamed_with_every_import_is_still_substantive() {
    let public = |text: &str| text.replace("_load_user", "load_user");
    let repo = Repo::new();
    repo.write("app/models.py", public(MODELS));
    repo.write("app/views.py", public(VIEWS));
    repo.commit("base");
    repo.write("app/models.py", public(MODELS).replace("load_user", "fetch_user"));
    repo.write("app/views.py", public(VIEWS).replace("load_user", "fetch_user"));
    repo.stage_all();
    let report = repo.json(&[]);
    assert!(all_labelled(&labels_of(&report, "app/models.py"), "substantive"));
}

#[test]
fn a_parameter_of_a_private_function_called_from_another_file_is_not_a_rename() {
    let db = "def _connect(host, timeout=3):\n    return (host, timeout)\n";
    let renamed = db.replace("timeout", "ttl");
    let repo = Repo::new();
    repo.write("app/db.py", db);
    repo.write(
        "app/cli.py",
        "from app.db import _connect\n\nCONNECTION = _connect(\"h\", timeout=5)\n",
    );
    repo.commit("base");
    repo.write("app/db.py", &renamed);
    repo.stage_all();
    let report = repo.json(&[]);
    assert!(all_labelled(&labels_of(&report, "app/db.py"), "substantive"));

    let alone = Repo::new();
    alone.write("app/db.py", db);
    alone.write("app/cli.py", "CONNECTION = None\n");
    alone.commit("base");
    alone.write("app/db.py", &renamed);
    alone.stage_all();
    let report = alone.json(&[]);
    assert!(all_labelled(&labels_of(&report, "app/db.py"), "rename"));
}
