//! Renames that cross files: a definition renamed where it is defined and
//! where it is imported, in one staged diff.

mod support;

use support::{Repo, labels_of};

const MODELS: &str = "def load_user(pk):\n    return {\"pk\": pk}\n";
const VIEWS: &str = "from app.models import load_user\n\n\ndef show(pk):\n    return load_user(pk)\n";

#[test]
fn a_definition_renamed_with_its_imports_in_other_files_is_a_rename() {
    let repo = Repo::new();
    repo.write("app/models.py", MODELS);
    repo.write("app/views.py", VIEWS);
    repo.write("app/admin.py", "from .models import load_user\n\nUSER = load_user(1)\n");
    repo.commit("base");
    repo.write("app/models.py", MODELS.replace("load_user", "fetch_user"));
    repo.write("app/views.py", VIEWS.replace("load_user", "fetch_user"));
    repo.write(
        "app/admin.py",
        "from .models import fetch_user\n\nUSER = fetch_user(1)\n",
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
