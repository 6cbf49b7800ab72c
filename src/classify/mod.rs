//! The classification core: two versions of a file in, labelled changes out.
//!
//! Pure: no I/O, no git. The line diff decides which rows changed; for Python
//! the token alignment of each changed region decides why, and every changed
//! row ends with exactly one label. Other text gets line-level analysis.

pub mod align;
mod brackets;
pub mod changes;
mod context;
mod documentation;
pub mod marks;
pub mod middle;
mod moves;
mod parsing;
mod regions;
pub mod rename;
pub mod rows;
mod spelling;
mod text;
mod visibility;

use std::collections::HashSet;

use align::{Findings, Kind, Region, Side, align_region, keys_on, tokens_on_rows};
pub use changes::{Change, Detail, LineRange, Note};
pub use context::{Context, ModuleRename, module_of_path};
use documentation::{ChangedCode, Documented};
use marks::{FileMarks, Mark, SideMarks};
pub use parsing::MAX_PARSE_BYTES;
#[cfg(test)]
use parsing::touched_statements;
use parsing::{Mentions, Parsing, parse_both};
use regions::{alignment_regions, run_regions};
pub use rename::RenamedSpan;
use rename::Verdict;
use rows::RowSet;

use crate::label::Label;
use crate::lines::{LineDiff, Run, diff_line_slices, diff_lines_with, split_lines};
use crate::pairs::Status;
use crate::python::bindings::Bindings;
use crate::python::names::NamePosition;
use crate::python::{ParsedSource, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    Text,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Text => "text",
        }
    }
}

/// The labelled changes of one file.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub language: Language,
    /// Whether both sides were parsed (Python only).
    pub parsed: bool,
    /// Whether either side has syntax errors (it is still analysed as far as the tree allows).
    pub parse_errors: bool,
    /// Why a file of a parsed language was analysed line by line, if it was.
    pub fallback: Option<&'static str>,
    pub diff: LineDiff,
    pub marks: FileMarks,
    pub changes: Vec<Change>,
    /// Module-level names renamed consistently in this file: `(from, to)`.
    pub module_renames: Vec<(String, String)>,
    /// Whether a rename here waits on the rename of an imported name in
    /// another file of the diff.
    pub waiting_on_imports: bool,
    /// The old names of the private module- and class-level renames found:
    /// each stays a rename only if no other file of the repository spells it.
    pub private_renames: Vec<String>,
    /// How the two sides line up, for taking the noise out (see `middle`).
    pub alignment: Alignment,
}

/// How the two sides of a file line up beyond the line diff: what taking the
/// noise out of a diff needs to rebuild real code.
#[derive(Debug, Clone, Default)]
pub struct Alignment {
    /// Changed rows joined by a token the alignment matched, `(old row, new
    /// row)`: parts of one statement, to be kept or reverted together.
    pub partners: Vec<(usize, usize)>,
    /// The same for the rows of a moved definition's two places.
    pub move_partners: Vec<(usize, usize)>,
    /// The definitions labelled as moved: `(old rows, new rows)`.
    pub moves: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    /// Where the new side spells each renamed name.
    pub renamed_spans: Vec<RenamedSpan>,
}

impl Analysis {
    pub fn changed_lines(&self) -> usize {
        self.diff.removed() + self.diff.added()
    }
}

/// Classifies every changed line between two versions of a file.
pub fn classify(old: &[u8], new: &[u8], language: Language) -> Analysis {
    classify_in(old, new, language, &Context::default())
}

/// Classifies a file that is one of several in a diff: `context` says what
/// the other files renamed, so a rename can cross files.
pub fn classify_in(old: &[u8], new: &[u8], language: Language, context: &Context) -> Analysis {
    if matches!(context.status, Status::Added | Status::Deleted) {
        return whole_file(old, new, language, context.status);
    }
    // Each pass re-parses from the trees of the pass before it.
    let mut trees = None;
    let mut classify = |parsing| classify_parsing(old, new, language, context, parsing, &mut trees);
    let no_mentions = Mentions::default();
    let (analysis, lacking) = classify(Parsing::Touched(&no_mentions));
    match lacking {
        Lacking::Nothing => analysis,
        Lacking::Mentions(mentions) => match classify(Parsing::Touched(&mentions)) {
            (analysis, Lacking::Nothing) => analysis,
            _ => classify(Parsing::Whole).0,
        },
        Lacking::Everything => classify(Parsing::Whole).0,
    }
}

/// An added or deleted file: every line is new or removed code, comments,
/// docstrings and blank lines included, so nothing is parsed or aligned.
fn whole_file(old: &[u8], new: &[u8], language: Language, status: Status) -> Analysis {
    let (old_rows, new_rows) = (split_lines(old).len(), split_lines(new).len());
    let run = Run {
        old: 0..old_rows,
        new: 0..new_rows,
    };
    let mut marks = FileMarks {
        old: SideMarks::new(old_rows),
        new: SideMarks::new(new_rows),
    };
    let substantive = Mark::plain(Label::Substantive);
    (0..old_rows).for_each(|row| marks.old.add(row, substantive));
    (0..new_rows).for_each(|row| marks.new.add(row, substantive));
    let lines = |count: usize| {
        (count > 0)
            .then_some(LineRange { start: 1, end: count })
            .into_iter()
            .collect()
    };
    let changes = (old_rows + new_rows > 0)
        .then(|| Change {
            label: Label::Substantive,
            old: lines(old_rows),
            new: lines(new_rows),
            message: format!("{} file", status.as_str()),
            detail: None,
        })
        .into_iter()
        .collect();
    Analysis {
        language,
        parsed: false,
        parse_errors: false,
        fallback: None,
        diff: LineDiff {
            runs: (old_rows + new_rows > 0).then_some(run).into_iter().collect(),
        },
        marks,
        changes,
        module_renames: Vec::new(),
        waiting_on_imports: false,
        private_renames: Vec::new(),
        alignment: Alignment::default(),
    }
}

/// What a partial parse lacked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lacking {
    Nothing,
    /// The statements that mention some names (a rename is judged on every
    /// occurrence of the name).
    Mentions(Mentions),
    /// Every statement (a syntax error, a move judged on a body the parse
    /// does not hold).
    Everything,
}

/// Classifies with the given parsing; also says what the touched statements
/// lacked (then the caller parses more). `earlier` holds the sources an
/// earlier pass parsed, to re-parse from; this pass leaves its own there.
fn classify_parsing(
    old: &[u8],
    new: &[u8],
    language: Language,
    context: &Context,
    parsing: Parsing,
    earlier: &mut Option<(ParsedSource, ParsedSource)>,
) -> (Analysis, Lacking) {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let diff = match &context.runs {
        Some(runs) => runs.clone(),
        None => diff_lines_with(old, new, &context.line_diff),
    };
    let mut marks = FileMarks {
        old: SideMarks::new(old_lines.len()),
        new: SideMarks::new(new_lines.len()),
    };
    let mut analysis = Analysis {
        language,
        parsed: false,
        parse_errors: false,
        fallback: None,
        diff,
        marks: FileMarks::default(),
        changes: Vec::new(),
        module_renames: Vec::new(),
        waiting_on_imports: false,
        private_renames: Vec::new(),
        alignment: Alignment::default(),
    };
    let lines = (&old_lines[..], &new_lines[..]);
    let parsed = match language {
        Language::Python => parse_both(old, new, &analysis.diff.runs, lines, parsing, earlier.take())
            .map_err(|reason| analysis.fallback = Some(reason))
            .ok(),
        Language::Text => None,
    };
    let mut lacking = Lacking::Nothing;
    let (regions, notes) = match &parsed {
        Some((old_source, new_source)) => {
            analysis.parsed = true;
            analysis.parse_errors = old_source.parse_errors || new_source.parse_errors;
            let python = mark_python(old_source, new_source, &analysis.diff.runs, lines, &mut marks, context);
            if old_source.partial() || new_source.partial() {
                lacking = match python.lacking {
                    _ if analysis.parse_errors => Lacking::Everything,
                    lacking => lacking,
                };
            }
            analysis.module_renames = python.module_renames;
            analysis.waiting_on_imports = python.waiting_on_imports;
            analysis.private_renames = python.private_renames;
            analysis.alignment = python.alignment;
            (python.regions, python.notes)
        }
        None => {
            let syntax = (language == Language::Text)
                .then(|| text::comment_syntax(&context.path))
                .flatten();
            let significant = match language {
                Language::Python => text::Significant::PYTHON,
                Language::Text => text::Significant::for_path(&context.path),
            };
            text::mark_runs(
                &analysis.diff.runs,
                &old_lines,
                &new_lines,
                syntax,
                significant,
                &mut marks,
            );
            (run_regions(&analysis.diff.runs), Vec::new())
        }
    };
    documentation::mark_pushed_directives(lines, &mut marks.new);
    marks::fill_blank_rows(&mut marks, &analysis.diff.runs, &analysis.alignment.moves, lines);
    let scope_of = |side: Side, row: usize| {
        let (old_source, new_source) = parsed.as_ref()?;
        let source = match side {
            Side::Old => old_source,
            Side::New => new_source,
        };
        scope_name(source, row)
    };
    analysis.changes = changes::group(&regions, &marks, &notes, &scope_of);
    analysis.marks = marks;
    *earlier = parsed;
    (analysis, lacking)
}

/// What marking a Python file found besides the marks themselves.
struct PythonMarks {
    /// The regions, for grouping into changes.
    regions: Vec<Region>,
    /// The notes the marks refer to.
    notes: Vec<Note>,
    module_renames: Vec<(String, String)>,
    waiting_on_imports: bool,
    private_renames: Vec<String>,
    alignment: Alignment,
    lacking: Lacking,
}

/// Marks the changed rows of a Python file. Moved definitions are aligned
/// with their twins first; the rest of each run is aligned in place.
fn mark_python(
    old: &ParsedSource,
    new: &ParsedSource,
    runs: &[Run],
    lines: (&[&[u8]], &[&[u8]]),
    marks: &mut FileMarks,
    context: &Context,
) -> PythonMarks {
    let (changed_old, changed_new) = rows::changed_rows(runs);
    let mut moves = match moves::may_have_moved((old, new), (&changed_old, &changed_new), lines) {
        true => moves::find(old, new, &changed_old, &changed_new),
        false => Vec::new(),
    };
    let moves_need_whole_file = !moves.iter().all(|moved| siblings_parsed(old, new, moved));
    // Inner moves (methods of a moved class) claim their rows first.
    moves.sort_by_key(|m| m.old_rows.len() + m.new_rows.len());
    let (mut claimed_old, mut claimed_new) = (RowSet::default(), RowSet::default());
    let mut regions: Vec<(Region, Option<Twin>)> = Vec::new();
    let mut move_notes = Vec::new();
    for moved in &moves {
        let region = Region {
            old: RowSet::from_range(moved.old_rows.clone()).minus(&claimed_old),
            new: RowSet::from_range(moved.new_rows.clone()).minus(&claimed_new),
        };
        claimed_old.insert(moved.old_rows.clone());
        claimed_new.insert(moved.new_rows.clone());
        move_notes.push(move_note(moved));
        let twin = Twin::new(moved, move_notes.len() - 1, (old, new), lines);
        regions.push((region, Some(twin)));
    }
    for run in alignment_regions(old, new, runs, lines.0) {
        let region = Region {
            old: run.old.minus(&claimed_old),
            new: run.new.minus(&claimed_new),
        };
        let twin = imports_regrouped(old, new, &region).then(|| {
            move_notes.push(regrouped_imports_note(&region));
            Twin::regrouped(&region, move_notes.len() - 1)
        });
        regions.push((region, twin));
    }

    let mut findings = Findings::default();
    let mut move_partners = Vec::new();
    for (region, twin) in &regions {
        if !twin.as_ref().is_some_and(|twin| twin.resorted) {
            let partners_before = findings.partners.len();
            align_region(old, new, region, &mut findings);
            if twin.as_ref().is_some_and(|twin| twin.moved) {
                // A moved definition's rows are partners of its other place:
                // not one statement edited in place.
                move_partners.extend(findings.partners.drain(partners_before..));
            }
        }
    }
    let renames = rename::verify(old, new, &findings, context);
    let (verdicts, mut notes) = (&renames.verdicts, renames.notes.clone());
    let mut changed_code = ChangedCode::default();
    let mut commented: (HashSet<usize>, HashSet<usize>) = Default::default();
    for difference in &findings.differences {
        let changed = match difference.side {
            Side::Old => &changed_old,
            Side::New => &changed_new,
        };
        if !changed.contains(difference.row) {
            continue;
        }
        if difference.kind == Kind::Label(Label::Comment) {
            match difference.side {
                Side::Old => commented.0.insert(difference.row),
                Side::New => commented.1.insert(difference.row),
            };
        }
        let mark = match difference.kind {
            Kind::Label(label) => Mark::plain(label),
            Kind::Substitution(index) => match verdicts[index] {
                Verdict::Rename(note) => Mark {
                    label: Label::Rename,
                    note: Some(note),
                },
                Verdict::Annotation => Mark::plain(Label::Annotation),
                Verdict::Substantive => Mark::plain(Label::Substantive),
            },
        };
        if let Some(token) = difference.token.filter(|_| mark.label == Label::Substantive) {
            let (source, scopes) = match difference.side {
                Side::Old => (old, &mut changed_code.old),
                Side::New => (new, &mut changed_code.new),
            };
            let token = &source.tokens[token];
            if matches!(token.role, Role::Code | Role::Name) {
                scopes.insert(token.scope);
            }
        }
        marks.side_mut(difference.side).add(difference.row, mark);
    }
    let documented = Documented {
        old,
        new,
        findings: &findings,
        changed_code: &changed_code,
    };
    documented.mark_docstrings(marks);
    mark_imports_annotations_still_read(old, new, &mut marks.old);
    for (region, _) in &regions {
        documentation::mark_comments(
            region,
            (&changed_old, &changed_new),
            (&commented.0, &commented.1),
            lines,
            marks,
        );
    }
    brackets::mark_bracket_rows(old, changed_old.rows(), &mut marks.old);
    brackets::mark_bracket_rows(new, changed_new.rows(), &mut marks.new);

    let first_move_note = notes.len();
    notes.extend(move_notes);
    let mut kept_moves = Vec::new();
    for (region, twin) in &mut regions {
        region.old = region.old.intersect(&changed_old);
        region.new = region.new.intersect(&changed_new);
        let Some(twin) = twin else {
            let layout = Mark::plain(Label::Formatting);
            marks::fill_defaults(&mut marks.old, region.old.rows(), lines.0, layout);
            marks::fill_defaults(&mut marks.new, region.new.rows(), lines.1, layout);
            continue;
        };
        if twin.written_differently(marks, lines) {
            // Not a move but a definition deleted in one place and written
            // differently in another: both copies are code.
            let substantive = Mark::plain(Label::Substantive);
            for range in region.old.ranges() {
                marks::mark_code_rows(&mut marks.old, range.clone(), lines.0, substantive);
            }
            for range in region.new.ranges() {
                marks::mark_code_rows(&mut marks.new, range.clone(), lines.1, substantive);
            }
            continue;
        }
        if twin.moved && !twin.resorted {
            kept_moves.push(twin.rows.clone());
        }
        let reorder = Mark {
            label: Label::Reorder,
            note: Some(first_move_note + twin.note),
        };
        let default = |unchanged: &RowSet, row: usize| {
            if unchanged.contains(row) {
                reorder
            } else {
                Mark::plain(Label::Formatting)
            }
        };
        for row in region.old.rows() {
            marks::fill_defaults(
                &mut marks.old,
                std::iter::once(row),
                lines.0,
                default(&twin.same_old, row),
            );
        }
        for row in region.new.rows() {
            marks::fill_defaults(
                &mut marks.new,
                std::iter::once(row),
                lines.1,
                default(&twin.same_new, row),
            );
        }
    }
    mark_broken_runs(old, new, runs, lines, marks);
    let mut regions: Vec<Region> = regions.into_iter().map(|(region, _)| region).collect();
    regions.retain(|region| !(region.old.is_empty() && region.new.is_empty()));
    regions.sort_by_key(|region| (region.old.first().or(region.new.first()), region.new.first()));
    PythonMarks {
        regions,
        notes,
        module_renames: renames.module_renames,
        waiting_on_imports: renames.waiting_on_imports,
        private_renames: renames.private_names,
        alignment: Alignment {
            partners: findings.partners,
            move_partners,
            moves: kept_moves,
            renamed_spans: renames.renamed_spans,
        },
        lacking: match (
            moves_need_whole_file || renames.reach_unknown,
            renames.unparsed_mentions.with(
                uncertain_imports(old, &changed_old)
                    .into_iter()
                    .chain(uncertain_imports(new, &changed_new)),
            ),
        ) {
            (true, _) => Lacking::Everything,
            (false, mentions) if mentions.is_empty() => Lacking::Nothing,
            (false, mentions) => Lacking::Mentions(mentions),
        },
    }
}

/// The names of the changed imports that may be used only in annotations,
/// whose other mentions the parse left out: only those statements can tell
/// whether an import is an annotation's.
fn uncertain_imports(source: &ParsedSource, changed: &RowSet) -> Vec<String> {
    source
        .uncertain_imports
        .iter()
        .filter(|(_, rows)| changed.overlaps(rows))
        .map(|(name, _)| name.clone())
        .collect()
}

/// A run that touches a syntax error on either side is substantive whole:
/// an edit that breaks a string's or a docstring's delimiters is no
/// docstring edit, and the tokens around an error cannot be trusted to mean
/// what they did. So are the runs around a syntax error on lines they left
/// alone that the other side reads without one (closing quotes moved up make
/// the prose after them code).
fn mark_broken_runs(
    old: &ParsedSource,
    new: &ParsedSource,
    runs: &[Run],
    lines: (&[&[u8]], &[&[u8]]),
    marks: &mut FileMarks,
) {
    let touches = |source: &ParsedSource, rows: &std::ops::Range<usize>| {
        source
            .error_rows
            .iter()
            .any(|error| error.start < rows.end && rows.start < error.end)
    };
    let broken_elsewhere = [
        runs_around_new_errors((old, new), runs, Side::Old),
        runs_around_new_errors((new, old), runs, Side::New),
    ]
    .concat();
    let substantive = Mark::plain(Label::Substantive);
    for (_, run) in runs
        .iter()
        .enumerate()
        .filter(|(index, run)| touches(old, &run.old) || touches(new, &run.new) || broken_elsewhere.contains(index))
    {
        marks::mark_code_rows(&mut marks.old, run.old.clone(), lines.0, substantive);
        marks::mark_code_rows(&mut marks.new, run.new.clone(), lines.1, substantive);
    }
}

/// The runs (by index) right before and right after each syntax error of
/// `sources.0` on `side` that lies on lines the runs left alone, where
/// `sources.1` reads those lines without one.
fn runs_around_new_errors(sources: (&ParsedSource, &ParsedSource), runs: &[Run], side: Side) -> Vec<usize> {
    let rows_of = |run: &Run| match side {
        Side::Old => run.old.clone(),
        Side::New => run.new.clone(),
    };
    if sources.0.error_rows.is_empty() {
        return Vec::new();
    }
    let error_elsewhere = |row: usize| sources.1.error_rows.iter().any(|error| error.contains(&row));
    let rows_elsewhere = parsing::rows_on_the_other_side(runs, side, sources.0.line_starts.len() + 1);
    let appeared = |row: usize| {
        rows_elsewhere
            .get(row)
            .copied()
            .flatten()
            .is_some_and(|twin| !error_elsewhere(twin))
    };
    sources
        .0
        .error_rows
        .iter()
        .filter(|error| (error.start..error.end).any(appeared))
        .flat_map(|error| {
            let before = runs.iter().rposition(|run| rows_of(run).start <= error.start);
            let after = runs.iter().position(|run| rows_of(run).start >= error.end);
            before.into_iter().chain(after)
        })
        .collect()
}

/// Whether the parse holds every sibling of a moved item (a move is judged
/// against them all), and no statement left out defines its class again.
fn siblings_parsed(old: &ParsedSource, new: &ParsedSource, moved: &moves::Move) -> bool {
    let outer = moved.container.split('.').next().unwrap_or_default();
    [(old, &moved.old_rows), (new, &moved.new_rows)]
        .into_iter()
        .all(|(source, rows)| {
            source.holds_body(&moved.container, rows) && (outer.is_empty() || !source.defines_outside_parsed(outer))
        })
}

/// A definition aligned with its twin, and which of its lines are the same
/// text on both sides (only their place changed: `reorder`; a line whose text
/// changed but whose tokens did not is `formatting`).
struct Twin {
    note: usize,
    same_old: RowSet,
    same_new: RowSet,
    /// An import whose names were only re-sorted: not aligned, all reorder.
    resorted: bool,
    /// The rows of the definition's body on each side (after its signature).
    body: (std::ops::Range<usize>, std::ops::Range<usize>),
    /// The rows of the whole definition on each side.
    rows: (std::ops::Range<usize>, std::ops::Range<usize>),
    /// Whether the definition moved (else a sibling moved past it).
    moved: bool,
}

impl Twin {
    /// A region of re-sorted imports: nothing to align, every line reorder.
    fn regrouped(region: &Region, note: usize) -> Twin {
        Twin {
            body: (0..0, 0..0),
            rows: (0..0, 0..0),
            moved: true,
            note,
            same_old: region.old.clone(),
            same_new: region.new.clone(),
            resorted: true,
        }
    }

    fn new(
        moved: &moves::Move,
        note: usize,
        sources: (&ParsedSource, &ParsedSource),
        lines: (&[&[u8]], &[&[u8]]),
    ) -> Twin {
        let old_rows = moved.old_rows.start..moved.old_rows.end.min(lines.0.len());
        let new_rows = moved.new_rows.start..moved.new_rows.end.min(lines.1.len());
        if moved.resorted {
            let region = Region {
                old: RowSet::from_range(old_rows),
                new: RowSet::from_range(new_rows),
            };
            return Twin::regrouped(&region, note);
        }
        let inner = diff_line_slices(&lines.0[old_rows.clone()], &lines.1[new_rows.clone()]);
        let (mut same_old, mut same_new) = (
            RowSet::from_range(old_rows.clone()),
            RowSet::from_range(new_rows.clone()),
        );
        for run in inner.runs {
            same_old = same_old.minus(&RowSet::from_range(
                old_rows.start + run.old.start..old_rows.start + run.old.end,
            ));
            same_new = same_new.minus(&RowSet::from_range(
                new_rows.start + run.new.start..new_rows.start + run.new.end,
            ));
        }
        Twin {
            note,
            same_old,
            same_new,
            resorted: false,
            body: (
                moves::body_rows(sources.0, &old_rows),
                moves::body_rows(sources.1, &new_rows),
            ),
            rows: (old_rows, new_rows),
            moved: moved.moved,
        }
    }

    /// Whether the copy differs from the original by more than a small edit:
    /// then it is no move but a definition deleted in one place and written
    /// differently in another (SPEC). A move keeps at least half of its body
    /// the same up to noise on each side; a small edit inside stays an edit.
    fn written_differently(&self, marks: &FileMarks, lines: (&[&[u8]], &[&[u8]])) -> bool {
        let mostly_changed = |side: &SideMarks, body: &std::ops::Range<usize>, lines: &[&[u8]]| {
            let code: Vec<usize> = body
                .clone()
                .filter(|&row| lines.get(row).is_some_and(|line| !line.trim_ascii().is_empty()))
                .collect();
            let substantive = code
                .iter()
                .filter(|&&row| side.get(row).is_some_and(|mark| mark.label == Label::Substantive))
                .count();
            substantive * 2 > code.len()
        };
        !self.resorted
            && (mostly_changed(&marks.old, &self.body.0, lines.0) || mostly_changed(&marks.new, &self.body.1, lines.1))
    }
}

/// An import that served only annotations, removed (or edited to drop a
/// name), is no annotation change when the new side still evaluates an
/// annotation that reads the name and nothing binds it any more: the
/// module stops importing.
fn mark_imports_annotations_still_read(old: &ParsedSource, new: &ParsedSource, marks: &mut SideMarks) {
    if new.defers_annotations {
        return;
    }
    let mut bindings = None;
    for range in &old.imports {
        let tokens = &old.tokens[range.clone()];
        if tokens.first().is_none_or(|token| token.role != Role::Annotation) {
            continue;
        }
        let rows = tokens[0].first_row as usize..tokens[tokens.len() - 1].last_row as usize + 1;
        if !rows
            .clone()
            .any(|row| marks.get(row).is_some_and(|mark| mark.label == Label::Annotation))
        {
            continue;
        }
        let imported = tokens.iter().filter(|token| {
            token
                .site
                .is_some_and(|site| matches!(site.position, NamePosition::Imported | NamePosition::Binding))
        });
        let still_read = imported.map(|token| old.token_text(token)).any(|name| {
            let read =
                new.evaluated_annotation_names.contains(name) || (new.partial() && new.mentions_outside_parsed(name));
            read && !bindings
                .get_or_insert_with(|| Bindings::scan(&new.text))
                .bound_before(name, usize::MAX)
        });
        if still_read {
            for row in rows {
                if marks.get(row).is_some() {
                    marks.add(row, Mark::plain(Label::Substantive));
                }
            }
        }
    }
}

/// Whether a region holds nothing but import statements that bring in the
/// same names on both sides, only sorted, merged or split differently (what
/// isort does).
fn imports_regrouped(old: &ParsedSource, new: &ParsedSource, region: &Region) -> bool {
    if region.old.is_empty() || region.new.is_empty() {
        return false;
    }
    let (Some(before), Some(after)) = (
        old.imports_on_rows(region.old.ranges()),
        new.imports_on_rows(region.new.ranges()),
    ) else {
        return false;
    };
    // Same tokens in the same order: nothing was regrouped; the alignment
    // tells what else changed (a comment, say).
    !before.is_empty() && before == after && keys_on(&old.tokens, &region.old) != keys_on(&new.tokens, &region.new)
}

fn regrouped_imports_note(region: &Region) -> Note {
    let (old_line, new_line) = (region.old.first().unwrap_or(0) + 1, region.new.first().unwrap_or(0) + 1);
    Note {
        message: "re-sorted imports".to_owned(),
        detail: Detail::Reorder {
            name: "imports".to_owned(),
            kind: "import",
            old_line,
            new_line,
        },
    }
}

fn move_note(moved: &moves::Move) -> Note {
    let (old_line, new_line) = (moved.old_rows.start + 1, moved.new_rows.start + 1);
    let kind = moved.kind.as_str();
    Note {
        message: format!("moved {kind} `{}` from line {old_line} to line {new_line}", moved.name),
        detail: Detail::Reorder {
            name: moved.name.clone(),
            kind,
            old_line,
            new_line,
        },
    }
}

/// The qualified name of the definition enclosing a row, if any.
fn scope_name(source: &ParsedSource, row: usize) -> Option<String> {
    let span = tokens_on_rows(&source.tokens, &(row..row + 1));
    let token = source.tokens.get(span.start).filter(|_| !span.is_empty())?;
    let scope = &source.scopes[token.scope as usize];
    (!scope.qualified_name.is_empty()).then(|| scope.qualified_name.clone())
}

#[cfg(test)]
mod tests;
