//! Token alignment of one changed region: which tokens differ, on which rows.
//!
//! The line diff decides which rows changed; this module decides why. The
//! code tokens overlapping the region are diffed by key (layout-free, depth
//! aware), comments are diffed apart, and every differing token marks its
//! rows with what kind of difference it is. A difference that shares its row
//! with unchanged tokens is an edit inside the line, so it also marks the
//! rows where those unchanged tokens now stand on the other side: `f(a)` →
//! `f(a, b)` marks the old line too, not only the new one.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use super::rows::RowSet;
use crate::label::Label;
use crate::python::names::NamePosition;
use crate::python::{ParsedSource, Role, Token};

/// How long one region's token diff may take before it settles for a coarser answer.
const TOKEN_DIFF_BUDGET: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Old,
    New,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Old => Side::New,
            Side::New => Side::Old,
        }
    }
}

/// What a difference on a row may turn out to be once the whole file is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Label(Label),
    /// One identifier replaced by another: a rename if the substitution is
    /// consistent over its scope. The index is into the candidate list.
    Substitution(usize),
}

/// A difference seen on one row of one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Difference {
    pub side: Side,
    pub row: usize,
    pub kind: Kind,
    /// The code token that differs, by index into its side's tokens; `None`
    /// on a partner row (an edit inside a line marks its other side too)
    /// and for comments.
    pub token: Option<usize>,
}

/// An identifier on the old side replaced by one on the new side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Substitution {
    /// Index into the old side's tokens.
    pub old_token: usize,
    /// Index into the new side's tokens.
    pub new_token: usize,
}

/// Everything the alignment of a file's regions found.
#[derive(Debug, Default)]
pub struct Findings {
    pub differences: Vec<Difference>,
    pub substitutions: Vec<Substitution>,
    /// Old-side tokens removed and new-side tokens added (not matched, not
    /// substituted), by index into each side's tokens: removed and new code.
    pub removed: Vec<usize>,
    pub added: Vec<usize>,
    /// The name tokens of definitions aligned with each other (unchanged or
    /// renamed), `(old token, new token)`: a definition's other self.
    pub paired_definitions: Vec<(usize, usize)>,
    /// Rows joined by a token the alignment matched, `(old row, new row)`:
    /// parts of one statement on both sides.
    pub partners: Vec<(usize, usize)>,
}

/// The two sides of one region: the rows it covers on each side.
#[derive(Debug, Clone, Default)]
pub struct Region {
    pub old: RowSet,
    pub new: RowSet,
}

/// Aligns the tokens of one region and records its differences.
pub fn align_region(old: &ParsedSource, new: &ParsedSource, region: &Region, findings: &mut Findings) {
    let old_side = SideTokens::new(&old.tokens, &region.old);
    let new_side = SideTokens::new(&new.tokens, &region.new);
    let ops = diff_keys(&old_side.keys(), &new_side.keys());
    let mut aligner = Aligner {
        region,
        old: old_side,
        new: new_side,
        old_partners: Vec::new(),
        new_partners: Vec::new(),
    };
    aligner.collect_partners(&ops);
    findings.partners.extend_from_slice(&aligner.old_partners);
    for op in &ops {
        aligner.record(op, findings);
    }
    let old_comments = SideTokens::new(&old.comments, &region.old);
    let new_comments = SideTokens::new(&new.comments, &region.new);
    aligner.record_comments(&old_comments, &new_comments, findings);
}

/// The contiguous span of tokens that touch any of `rows` (none for no rows,
/// not even a token that spans the place between two rows).
pub fn tokens_on_rows(tokens: &[Token], rows: &Range<usize>) -> Range<usize> {
    if rows.is_empty() {
        return 0..0;
    }
    let start = tokens.partition_point(|t| (t.last_row as usize) < rows.start);
    let end = tokens.partition_point(|t| (t.first_row as usize) < rows.end);
    start..end.max(start)
}

/// The keys of the tokens that touch any of `rows`, in order.
pub fn keys_on(tokens: &[Token], rows: &RowSet) -> Vec<u64> {
    SideTokens::new(tokens, rows).keys()
}

/// The tokens of one side that touch a region's rows, by index into the file's tokens.
struct SideTokens<'a> {
    all: &'a [Token],
    indices: Vec<usize>,
}

impl<'a> SideTokens<'a> {
    fn new(all: &'a [Token], rows: &RowSet) -> Self {
        let mut indices: Vec<usize> = rows
            .ranges()
            .iter()
            .flat_map(|range| tokens_on_rows(all, range))
            .collect();
        indices.dedup();
        SideTokens { all, indices }
    }

    fn get(&self, position: usize) -> &'a Token {
        &self.all[self.indices[position]]
    }

    fn keys(&self) -> Vec<u64> {
        self.indices.iter().map(|&i| self.all[i].key).collect()
    }
}

fn diff_keys(old: &[u64], new: &[u64]) -> Vec<DiffOp> {
    let deadline = Instant::now() + TOKEN_DIFF_BUDGET;
    capture_diff_slices_deadline(Algorithm::Myers, old, new, Some(deadline))
}

struct Aligner<'a> {
    region: &'a Region,
    old: SideTokens<'a>,
    new: SideTokens<'a>,
    /// Pairs of (old row, new row) joined by an unchanged token, sorted by old row.
    old_partners: Vec<(usize, usize)>,
    /// The same pairs as (new row, old row), sorted by new row.
    new_partners: Vec<(usize, usize)>,
}

impl Aligner<'_> {
    fn collect_partners(&mut self, ops: &[DiffOp]) {
        for op in ops {
            if let DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = *op
            {
                for i in 0..len {
                    let new_row = self.new.get(new_index + i).first_row as usize;
                    for old_row in self.old.get(old_index + i).rows() {
                        self.old_partners.push((old_row, new_row));
                    }
                }
            }
        }
        self.old_partners.sort_unstable();
        self.old_partners.dedup();
        self.new_partners = self.old_partners.iter().map(|&(o, n)| (n, o)).collect();
        self.new_partners.sort_unstable();
    }

    fn record(&self, op: &DiffOp, findings: &mut Findings) {
        match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for i in 0..len {
                    self.pair_definitions(old_index + i, new_index + i, findings);
                }
            }
            DiffOp::Delete { old_index, old_len, .. } => {
                self.mark_by_role(Side::Old, old_index..old_index + old_len, findings);
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                self.mark_by_role(Side::New, new_index..new_index + new_len, findings);
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => self.record_replaced(old_index..old_index + old_len, new_index..new_index + new_len, findings),
        }
    }

    /// Tokens replaced by others are aligned again by shape, every
    /// identifier's name left out: identifiers that stand in the same place
    /// are substitution candidates (a rename, once checked over its scope),
    /// even next to a changed token (`< cutoff` → `<= element`); every other
    /// token is marked by its role.
    fn record_replaced(&self, old: Range<usize>, new: Range<usize>, findings: &mut Findings) {
        let shapes =
            |side: &SideTokens, range: &Range<usize>| range.clone().map(|i| side.get(i).shape).collect::<Vec<_>>();
        for op in diff_keys(&shapes(&self.old, &old), &shapes(&self.new, &new)) {
            let (old_part, new_part) = (op.old_range(), op.new_range());
            let old_part = old.start + old_part.start..old.start + old_part.end;
            let new_part = new.start + new_part.start..new.start + new_part.end;
            if !matches!(op, DiffOp::Equal { .. }) {
                self.mark_by_role(Side::Old, old_part, findings);
                self.mark_by_role(Side::New, new_part, findings);
                continue;
            }
            for (o, n) in old_part.zip(new_part) {
                let (old_token, new_token) = (self.old.get(o), self.new.get(n));
                if old_token.key == new_token.key {
                    continue;
                }
                let id = findings.substitutions.len();
                findings.substitutions.push(Substitution {
                    old_token: self.old.indices[o],
                    new_token: self.new.indices[n],
                });
                self.pair_definitions(o, n, findings);
                let kind = Kind::Substitution(id);
                self.mark(Side::Old, o, kind, findings);
                self.mark(Side::New, n, kind, findings);
            }
        }
    }

    /// Records two aligned tokens that both name a definition.
    fn pair_definitions(&self, old: usize, new: usize, findings: &mut Findings) {
        let names_definition = |token: &Token| {
            token
                .site
                .is_some_and(|site| matches!(site.position, NamePosition::FunctionName | NamePosition::ClassName))
        };
        if names_definition(self.old.get(old)) && names_definition(self.new.get(new)) {
            findings
                .paired_definitions
                .push((self.old.indices[old], self.new.indices[new]));
        }
    }

    fn mark_by_role(&self, side: Side, positions: Range<usize>, findings: &mut Findings) {
        let (tokens, unmatched) = match side {
            Side::Old => (&self.old, &mut findings.removed),
            Side::New => (&self.new, &mut findings.added),
        };
        unmatched.extend(positions.clone().map(|position| tokens.indices[position]));
        for position in positions {
            let role = tokens.get(position).role;
            self.mark(side, position, Kind::Label(label_for_role(role)), findings);
        }
    }

    /// Marks the rows of the token at `position` inside the region, and
    /// their partner rows when the token sits on a row with unchanged tokens.
    fn mark(&self, side: Side, position: usize, kind: Kind, findings: &mut Findings) {
        let tokens = match side {
            Side::Old => &self.old,
            Side::New => &self.new,
        };
        self.mark_rows(
            side,
            tokens.get(position),
            Some(tokens.indices[position]),
            kind,
            findings,
        );
    }

    fn mark_rows(&self, side: Side, token: &Token, index: Option<usize>, kind: Kind, findings: &mut Findings) {
        let rows = match side {
            Side::Old => &self.region.old,
            Side::New => &self.region.new,
        };
        for row in token.rows().filter(|&row| rows.contains(row)) {
            findings.differences.push(Difference {
                side,
                row,
                kind,
                token: index,
            });
            self.mark_partners(side, row, kind, findings);
        }
    }

    fn mark_partners(&self, side: Side, row: usize, kind: Kind, findings: &mut Findings) {
        let (other, other_rows, pairs) = match side {
            Side::Old => (Side::New, &self.region.new, &self.old_partners),
            Side::New => (Side::Old, &self.region.old, &self.new_partners),
        };
        let start = pairs.partition_point(|&(this, _)| this < row);
        let partner_rows = pairs[start..]
            .iter()
            .take_while(|&&(this, _)| this == row)
            .map(|&(_, partner)| partner);
        for partner in partner_rows.filter(|&partner| other_rows.contains(partner)) {
            findings.differences.push(Difference {
                side: other,
                row: partner,
                kind,
                token: None,
            });
        }
    }

    /// Comments are compared on their own: any comment added, removed or
    /// edited in the region marks its row (and that row's partners).
    fn record_comments(&self, old: &SideTokens, new: &SideTokens, findings: &mut Findings) {
        let kind = Kind::Label(Label::Comment);
        for op in diff_keys(&old.keys(), &new.keys()) {
            if matches!(op, DiffOp::Equal { .. }) {
                continue;
            }
            for position in op.old_range() {
                self.mark_rows(Side::Old, old.get(position), None, kind, findings);
            }
            for position in op.new_range() {
                self.mark_rows(Side::New, new.get(position), None, kind, findings);
            }
        }
    }
}

/// The label a token earns when it is added or removed.
pub fn label_for_role(role: Role) -> Label {
    match role {
        Role::Code | Role::Name => Label::Substantive,
        Role::Annotation => Label::Annotation,
        Role::Docstring => Label::Docstring,
        Role::Comment => Label::Comment,
    }
}
