//! `diffscore hook install|uninstall`: the git pre-commit hook that scores
//! the staged diff and blocks the commit when the gate fails.
//!
//! The hook goes where git looks for it: `core.hooksPath` if set (relative
//! to the working tree), else the `hooks` folder of the common git folder (so
//! linked worktrees share it). A hook diffscore did not write is never
//! replaced or removed without `--force`.

use std::path::{Path, PathBuf};

use git2::Repository;

/// The line that marks a hook as diffscore's own.
const MARKER: &str = "# Written by `diffscore hook install`";

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Installed(PathBuf),
    AlreadyInstalled(PathBuf),
    Replaced(PathBuf),
    Removed(PathBuf),
    NotInstalled(PathBuf),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Installed(path) => write!(f, "installed the pre-commit hook at {}", path.display()),
            Outcome::AlreadyInstalled(path) => {
                write!(f, "the pre-commit hook is already installed at {}", path.display())
            }
            Outcome::Replaced(path) => write!(f, "replaced the pre-commit hook at {} (--force)", path.display()),
            Outcome::Removed(path) => write!(f, "removed the pre-commit hook at {}", path.display()),
            Outcome::NotInstalled(path) => write!(f, "no diffscore pre-commit hook at {}", path.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("{} holds a pre-commit hook that diffscore did not write; pass --force to {action} it", path.display())]
    Foreign { path: PathBuf, action: &'static str },
    #[error("cannot write the hook at {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// Where git runs the pre-commit hook from.
pub fn hook_path(repo: &Repository) -> Result<PathBuf, HookError> {
    let configured = repo.config()?.get_path("core.hooksPath").ok();
    let folder = match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or_else(|| repo.commondir()).join(path),
        None => repo.commondir().join("hooks"),
    };
    Ok(folder.join("pre-commit"))
}

/// Writes the hook; `diffscore` is the binary it runs.
pub fn install(repo: &Repository, force: bool, diffscore: &Path) -> Result<Outcome, HookError> {
    let path = hook_path(repo)?;
    let script = script(diffscore);
    let existing = std::fs::read_to_string(&path).ok();
    let outcome = match &existing {
        Some(text) if text == &script => return Ok(Outcome::AlreadyInstalled(path)),
        Some(text) if !text.contains(MARKER) && !force => {
            return Err(HookError::Foreign {
                path,
                action: "replace",
            });
        }
        Some(text) if !text.contains(MARKER) => Outcome::Replaced(path.clone()),
        _ => Outcome::Installed(path.clone()),
    };
    write_executable(&path, &script).map_err(|source| HookError::Write { path, source })?;
    Ok(outcome)
}

/// Removes the hook, if it is diffscore's (or with `force`, whatever it is).
pub fn uninstall(repo: &Repository, force: bool) -> Result<Outcome, HookError> {
    let path = hook_path(repo)?;
    match std::fs::read_to_string(&path) {
        Err(_) if !path.exists() => Ok(Outcome::NotInstalled(path)),
        Ok(text) if !text.contains(MARKER) && !force => Err(HookError::Foreign { path, action: "remove" }),
        _ => {
            std::fs::remove_file(&path).map_err(|source| HookError::Write {
                path: path.clone(),
                source,
            })?;
            Ok(Outcome::Removed(path))
        }
    }
}

/// The hook script: runs this binary if it is still there, else the one on PATH.
fn script(diffscore: &Path) -> String {
    let quoted = diffscore.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n\
         # diffscore: score the staged diff and block the commit when it is too noisy,\n\
         # touches a protected path or leaves the scope (see .diffscore.toml).\n\
         {MARKER}; remove it with `diffscore hook uninstall`.\n\
         # Skip it for one commit with `git commit --no-verify`.\n\
         diffscore='{quoted}'\n\
         [ -x \"$diffscore\" ] || diffscore=diffscore\n\
         exec \"$diffscore\"\n"
    )
}

fn write_executable(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}
