//! The labels a changed line can carry, and the precedence among them.

use serde::Serialize;

/// What kind of difference a changed line carries.
///
/// The declaration order is the precedence when one line carries several
/// differences: the first one wins. `Substantive` always wins, so a single
/// behaviour change makes the whole line substantive; among the noise labels
/// the most specific explanation wins, and `Formatting` (nothing but layout)
/// comes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Substantive,
    Rename,
    Annotation,
    Docstring,
    Comment,
    Reorder,
    Formatting,
}

impl Label {
    /// Every label, in precedence order.
    pub const ALL: [Label; 7] = [
        Label::Substantive,
        Label::Rename,
        Label::Annotation,
        Label::Docstring,
        Label::Comment,
        Label::Reorder,
        Label::Formatting,
    ];

    /// The stable name used in JSON, SARIF and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Substantive => "substantive",
            Label::Rename => "rename",
            Label::Annotation => "annotation",
            Label::Docstring => "docstring",
            Label::Comment => "comment",
            Label::Reorder => "reorder",
            Label::Formatting => "formatting",
        }
    }

    pub fn from_name(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|label| label.as_str() == name)
    }

    pub fn is_noise(self) -> bool {
        self != Label::Substantive
    }

    /// The label that wins when a line carries both `self` and `other`.
    pub fn strongest(self, other: Label) -> Label {
        self.min(other)
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substantive_wins_over_every_noise_label() {
        for label in Label::ALL {
            assert_eq!(Label::Substantive.strongest(label), Label::Substantive);
            assert_eq!(label.strongest(Label::Substantive), Label::Substantive);
        }
    }

    #[test]
    fn formatting_loses_to_every_other_label() {
        for label in Label::ALL {
            assert_eq!(Label::Formatting.strongest(label), label);
        }
    }

    #[test]
    fn names_round_trip() {
        for label in Label::ALL {
            assert_eq!(Label::from_name(label.as_str()), Some(label));
        }
        assert_eq!(Label::from_name("noise"), None);
    }
}
