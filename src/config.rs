//! Configuration: `.diffscore.toml` at the repository root, or
//! `[tool.diffscore]` in `pyproject.toml` (the first found wins). Flags win
//! over both. Unknown keys, wrong types and bad globs are errors that name
//! the key and the file.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::label::Label;

/// The keys a configuration file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    max_noise: Option<u8>,
    #[serde(default)]
    protected: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    noise: Option<Vec<String>>,
}

/// A configuration, read and checked.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from, if any.
    pub source: Option<PathBuf>,
    pub max_noise: Option<u8>,
    /// Paths whose change fails the gate whatever the score.
    pub protected: Patterns,
    /// Paths that are not scored at all (generated files, say).
    pub exclude: Patterns,
    /// Which labels count as noise; `None` for the default (all but substantive).
    pub noise: Option<Vec<Label>>,
}

/// A set of glob patterns matched against repository-relative paths.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    pub globs: Vec<String>,
    set: GlobSet,
}

impl Patterns {
    /// Compiles patterns; the error names the bad pattern.
    pub fn new(globs: &[String]) -> Result<Patterns, String> {
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            builder.add(Glob::new(glob).map_err(|e| format!("bad glob `{glob}`: {}", e.kind()))?);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(Patterns {
            globs: globs.to_vec(),
            set,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    pub fn matches(&self, path: &str) -> bool {
        self.set.is_match(path)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

const FILE: &str = ".diffscore.toml";
const PYPROJECT: &str = "pyproject.toml";

/// Reads the configuration of the repository whose top folder is `root`.
pub fn load(root: &Path) -> Result<Config, ConfigError> {
    let dedicated = root.join(FILE);
    if dedicated.is_file() {
        let text = read(&dedicated)?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| invalid(&dedicated, &describe(&e, &text)))?;
        return check(raw, &dedicated);
    }
    let pyproject = root.join(PYPROJECT);
    if pyproject.is_file() {
        let text = read(&pyproject)?;
        let document: toml::Table = toml::from_str(&text).map_err(|e| invalid(&pyproject, &describe(&e, &text)))?;
        let section = document.get("tool").and_then(|tool| tool.get("diffscore"));
        if let Some(section) = section {
            let raw = RawConfig::deserialize(section.clone())
                .map_err(|e| invalid(&pyproject, &format!("[tool.diffscore]: {}", e.message())))?;
            return check(raw, &pyproject);
        }
    }
    Ok(Config::default())
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: path.display().to_string(),
        source,
    })
}

fn invalid(path: &Path, message: &str) -> ConfigError {
    ConfigError::Invalid {
        file: path.display().to_string(),
        message: message.to_owned(),
    }
}

/// A TOML error on one line: its message and where it is.
fn describe(error: &toml::de::Error, text: &str) -> String {
    let message = error.message().trim_end();
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message.to_owned(),
    }
}

fn check(raw: RawConfig, path: &Path) -> Result<Config, ConfigError> {
    if raw.max_noise.is_some_and(|n| n > 100) {
        return Err(invalid(path, "max_noise: must be between 0 and 100"));
    }
    let patterns =
        |key: &str, globs: &[String]| Patterns::new(globs).map_err(|e| invalid(path, &format!("{key}: {e}")));
    let noise = raw
        .noise
        .map(|names| {
            names
                .iter()
                .map(|name| match Label::from_name(name) {
                    Some(label) if label.is_noise() => Ok(label),
                    Some(_) => Err(invalid(path, "noise: `substantive` is never noise")),
                    None => Err(invalid(path, &format!("noise: unknown label `{name}`"))),
                })
                .collect::<Result<Vec<Label>, ConfigError>>()
        })
        .transpose()?;
    Ok(Config {
        source: Some(path.to_owned()),
        max_noise: raw.max_noise,
        protected: patterns("protected", &raw.protected)?,
        exclude: patterns("exclude", &raw.exclude)?,
        noise,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(file: &str, text: &str) -> Result<Config, String> {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join(file), text).unwrap();
        load(folder.path()).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_key() {
        let config = load_text(
            FILE,
            "max_noise = 30\nprotected = [\"migrations/**\"]\nexclude = [\"*.lock\"]\nnoise = [\"rename\", \"formatting\"]\n",
        )
        .unwrap();
        assert_eq!(config.max_noise, Some(30));
        assert!(config.protected.matches("migrations/0001_initial.py"));
        assert!(config.exclude.matches("deps/poetry.lock"));
        assert_eq!(config.noise, Some(vec![Label::Rename, Label::Formatting]));
    }

    #[test]
    fn reads_the_pyproject_section() {
        let config = load_text(
            PYPROJECT,
            "[project]\nname = \"x\"\n\n[tool.diffscore]\nmax_noise = 10\n",
        )
        .unwrap();
        assert_eq!(config.max_noise, Some(10));
        let without = load_text(PYPROJECT, "[project]\nname = \"x\"\n").unwrap();
        assert!(without.source.is_none());
    }

    #[test]
    fn errors_name_the_key_and_the_file() {
        let unknown = load_text(FILE, "max_noise = 10\nmaxnoise = 3\n").unwrap_err();
        assert!(
            unknown.contains(".diffscore.toml") && unknown.contains("maxnoise"),
            "{unknown}"
        );
        let wrong_type = load_text(FILE, "max_noise = \"high\"\n").unwrap_err();
        assert!(wrong_type.contains("line 1"), "{wrong_type}");
        let bad_glob = load_text(FILE, "protected = [\"a/[b\"]\n").unwrap_err();
        assert!(
            bad_glob.contains("protected") && bad_glob.contains("a/[b"),
            "{bad_glob}"
        );
        let bad_label = load_text(FILE, "noise = [\"typo\"]\n").unwrap_err();
        assert!(bad_label.contains("typo"), "{bad_label}");
        let in_pyproject = load_text(PYPROJECT, "[tool.diffscore]\nfoo = 1\n").unwrap_err();
        assert!(
            in_pyproject.contains("pyproject.toml") && in_pyproject.contains("foo"),
            "{in_pyproject}"
        );
        assert!(load_text(FILE, "max_noise = 101\n").unwrap_err().contains("max_noise"));
    }
}
