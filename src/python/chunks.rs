//! Statements found by a line scanner, so that a small change in a big file
//! parses only the statements it touches.
//!
//! A chunk is a whole statement: a top-level one, one of the body of a
//! top-level class (a method, say), or one of the body of a long function
//! (top-level, or a method of such a class). A chunk starts at a line that
//! begins a statement at its level's indentation, outside any bracket, string
//! or line continuation; not a comment, not the `else`/`elif`/`except`/
//! `finally` of a compound statement, not the definition under a decorator.
//! Any selection of top-level chunks, in order, is valid Python, and so is a
//! class or function header followed by some of its body chunks.
//!
//! A function is split only when it spells no word that reads its names by
//! their spelling or moves a name to another scope (`locals`, `global`...):
//! what a rename of one of its names changes is then in the statements that
//! spell the name, which a second pass parses (see `classify::rename`).
//!
//! A move is judged against every sibling of the moved definition, but a
//! sibling far from the diff only needs its name and what it evaluates when
//! defined: such a definition is parsed as a stub, its decorators and
//! signature followed by one simple statement of its body.

use std::ops::Range;

use super::grammar;
use crate::lines::Run;

/// The statements of a file, as first rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chunks {
    lines: Vec<Line>,
    /// First row of every top-level statement.
    top: Vec<usize>,
    /// The top-level classes whose bodies are split into statements too.
    classes: Vec<ClassChunk>,
    /// The long functions whose bodies may be split into statements too,
    /// sorted by first row (`chunks_holding` searches them).
    functions: Vec<FunctionChunk>,
}

/// From this many rows on, a function's body is split into its statements:
/// an edit in a long function parses its signature and the statements the
/// edit touches. Shorter functions cost little to parse whole, and a local
/// renamed in one is then judged without a second pass (on sympy's modified
/// files, 24 rows saves nearly as much as splitting every function).
const SPLIT_FUNCTION_ROWS: usize = 24;

/// What the scanner knows of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    /// The scanner's state where the line starts.
    state: Scanner,
    indent: usize,
    kind: LineKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Comment,
    Decorator,
    /// `def`, `async def`.
    Function,
    Class,
    /// `else`, `elif`, `except`, `finally`: the rest of a compound statement.
    Continuation,
    /// A string literal (with any prefix) starts the line: maybe a docstring.
    String,
    Other,
}

impl Line {
    fn of(text: &str, state: Scanner) -> Line {
        let indent = text.bytes().take_while(|&b| b == b' ' || b == b'\t').count();
        let rest = &text[indent..];
        // The first byte rules out most kinds before any word is read.
        let kind = match rest.as_bytes().first() {
            None => LineKind::Blank,
            Some(b'#') => LineKind::Comment,
            Some(b'@') => LineKind::Decorator,
            Some(b'c') if rest.starts_with("class ") => LineKind::Class,
            Some(b'a' | b'd') if defined_name(rest.as_bytes()).is_some() => LineKind::Function,
            Some(b'e' | b'f') if continues_compound(rest) => LineKind::Continuation,
            _ if starts_string(rest) => LineKind::String,
            _ => LineKind::Other,
        };
        Line { state, indent, kind }
    }

    /// Whether a statement may start here: outside brackets, strings and
    /// line continuations.
    fn boundary(self) -> bool {
        self.state.at_statement_boundary()
    }

    fn is_code(self) -> bool {
        !matches!(self.kind, LineKind::Blank | LineKind::Comment)
    }

    /// Whether a statement starts here.
    fn starts_statement(self) -> bool {
        self.boundary() && self.is_code()
    }
}

/// The rows chosen for parsing, which bodies they hold complete, and which
/// functions only in part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub rows: Vec<Range<usize>>,
    /// The rows of the top-level statements chosen whole: every body inside
    /// them is complete.
    pub whole: Vec<Range<usize>>,
    /// Whether every top-level statement is there (some as stubs).
    pub module_complete: bool,
    /// The rows of the top-level classes whose every body statement is
    /// there (some as stubs).
    pub complete_classes: Vec<Range<usize>>,
    /// The rows of the functions of which only some statements are there,
    /// in order: a name local to one may be spelled in the rows left out.
    pub split_functions: Vec<Range<usize>>,
}

impl Selection {
    /// Whether every statement of the body `container` (a dotted class path,
    /// `""` for the module) that holds `rows` is there, as itself or a stub.
    pub fn holds_body(&self, container: &str, rows: &Range<usize>) -> bool {
        let inside = |range: &Range<usize>| range.start <= rows.start && rows.end <= range.end;
        match container {
            "" => self.module_complete,
            _ if self.whole.iter().any(inside) => true,
            top_level_class if !top_level_class.contains('.') => self.complete_classes.iter().any(inside),
            _ => false,
        }
    }

    /// Whether `row` lies in a function of which only some statements are there.
    pub fn in_split_function(&self, row: usize) -> bool {
        let after = self.split_functions.partition_point(|rows| rows.end <= row);
        self.split_functions.get(after).is_some_and(|rows| rows.start <= row)
    }
}

/// The rows that start a logical line of code (outside brackets, strings
/// and line continuations; not blank, not only a comment), with their text.
pub fn logical_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut scanner = Scanner::default();
    crate::lines::split_at_newlines(text)
        .enumerate()
        .filter_map(move |(row, line)| scanner.line(line).starts_statement().then_some((row, line)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ClassChunk {
    /// Index into `top`.
    index: usize,
    /// First row of every statement of the body.
    body: Vec<usize>,
}

/// A long function: a top-level chunk, or a statement of a split class.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FunctionChunk {
    /// The whole definition, decorators included.
    rows: Range<usize>,
    /// First row of every statement of the body.
    body: Vec<usize>,
}

impl FunctionChunk {
    /// The decorators and the signature.
    fn header(&self) -> Range<usize> {
        self.rows.start..self.body[0]
    }

    /// The rows of statement `k` of the body.
    fn statement(&self, k: usize) -> Range<usize> {
        self.body[k]..self.body.get(k + 1).copied().unwrap_or(self.rows.end)
    }

    /// The statement of the body that holds `row`, which must be past the
    /// header (`body[0]` or later).
    fn statement_holding(&self, row: usize) -> Range<usize> {
        self.statement(self.body.partition_point(|&start| start <= row) - 1)
    }
}

impl Chunks {
    pub fn scan(text: &str) -> Chunks {
        let mut scanner = Scanner::default();
        let lines: Vec<Line> = crate::lines::split_at_newlines(text)
            .map(|line| scanner.line(line))
            .collect();
        Chunks::of_lines(lines)
    }

    /// The chunks of an edited version of the text `self` was scanned from:
    /// a line that the edits `runs` left alone is read from `self` when the
    /// scanner reaches it in the state it was in there. Also the rows of the
    /// lines the runs left alone that the scanner reached in another state
    /// (prose of a docstring whose closing quotes moved up is code now): the
    /// same text means something else there, so they must be parsed.
    pub fn rescan(&self, new_text: &str, runs: &[Run]) -> (Chunks, Vec<usize>) {
        let texts: Vec<&str> = crate::lines::split_at_newlines(new_text).collect();
        // Where each line the runs left alone was.
        let old_row_of = crate::lines::rows_elsewhere(runs, texts.len(), |run| (&run.new, &run.old));
        let mut scanner = Scanner::default();
        let mut restated = Vec::new();
        let lines = texts
            .iter()
            .zip(old_row_of)
            .enumerate()
            .map(|(new_row, (text, old_row))| {
                let known = old_row.and_then(|row| Some((row, self.lines.get(row)?)));
                match known {
                    Some((row, line)) if line.state == scanner => {
                        scanner = self
                            .lines
                            .get(row + 1)
                            .map_or_else(|| scanner.after(text), |next| next.state);
                        *line
                    }
                    Some(_) => {
                        restated.push(new_row);
                        scanner.line(text)
                    }
                    None => scanner.line(text),
                }
            })
            .collect();
        (Chunks::of_lines(lines), restated)
    }

    fn of_lines(lines: Vec<Line>) -> Chunks {
        let top = starts_at(&lines, 0..lines.len(), 0);
        let classes = top
            .iter()
            .enumerate()
            .filter_map(|(index, &start)| {
                let end = top.get(index + 1).copied().unwrap_or(lines.len());
                class_body(&lines, start..end).map(|body| ClassChunk { index, body })
            })
            .collect();
        let mut chunks = Chunks {
            lines,
            top,
            classes,
            functions: Vec::new(),
        };
        chunks.functions = chunks.long_functions();
        chunks
    }

    /// The top-level functions and the methods of split classes that are
    /// long enough to split, with their body statements.
    fn long_functions(&self) -> Vec<FunctionChunk> {
        let mut functions = Vec::new();
        for index in 0..self.top.len() {
            match self.classes.iter().find(|class| class.index == index) {
                Some(class) => functions.extend(
                    (0..class.body.len()).filter_map(|k| function_body(&self.lines, self.body_statement(class, k))),
                ),
                None => functions.extend(function_body(&self.lines, self.top_chunk(index))),
            }
        }
        functions
    }

    /// The rows of the chunks that hold any of `runs` or a line between two
    /// runs at most `gap` rows apart, for a statement of a split class or
    /// function body with the headers around it (see `chunks_holding`). The
    /// first statement of a body comes too when a string statement was
    /// chosen in it (else that one would be read as the docstring). The bodies
    /// holding `sibling_rows` are taken complete, every statement far from
    /// the runs as a stub (or whole top-level statements, for a body nested
    /// deeper than a top-level class). A long function is split unless it
    /// starts on a row of `whole_functions` or spells a word of
    /// [`grammar::SCOPE_WORDS`] or [`grammar::NAMESPACE_READERS`] in `texts`
    /// (the lines).
    pub fn select(
        &self,
        runs: &[Range<usize>],
        gap: usize,
        sibling_rows: &[usize],
        texts: &[&[u8]],
        whole_functions: &[usize],
    ) -> Selection {
        let mut chosen: Vec<Range<usize>> = Vec::new();
        let mut whole = Vec::new();
        let mut splittable: Vec<Option<bool>> = vec![None; self.functions.len()];
        let mut may_split = |index: usize| {
            let function = &self.functions[index];
            *splittable[index].get_or_insert_with(|| {
                !whole_functions.contains(&function.rows.start) && !spells_scope_words(function, texts)
            })
        };
        for range in &rows_read(runs, gap) {
            let mut row = range.start;
            // Every chunk the range crosses, one chunk at a time.
            loop {
                let holding = self.chunks_holding(row, &mut may_split);
                let end = holding.last().map_or(row + 1, |chunk| chunk.end);
                if let [statement] = &holding[..] {
                    whole.push(statement.clone());
                }
                chosen.extend(holding);
                if end >= range.end || end <= row {
                    break;
                }
                row = end;
            }
        }
        let first_statements = self.first_statements_for(&chosen);
        whole.extend(first_statements.iter().filter(|chunk| chunk.start == 0).cloned());
        chosen.extend(first_statements);
        let mut module_complete = false;
        let mut complete_classes = Vec::new();
        for &row in sibling_rows {
            let index = self.top_index(row);
            let indent = self.lines.get(row).map_or(0, |line| line.indent);
            match self.classes.iter().find(|class| class.index == index) {
                _ if indent == 0 => module_complete = true,
                Some(class) if row >= class.body[0] && self.lines[class.body[0]].indent == indent => {
                    complete_classes.push(class)
                }
                _ => whole.push(self.top_chunk(index)),
            }
        }
        // A complete body: the statements the diff touches whole, the others as stubs.
        let touched = merge(chosen.iter().chain(&whole).cloned().collect());
        let is_touched = |chunk: &Range<usize>| {
            touched
                .iter()
                .any(|range| range.start < chunk.end && chunk.start < range.end)
        };
        // Each complete body's statements, and whether it is the module's.
        let mut bodies: Vec<(Vec<Range<usize>>, bool)> = Vec::new();
        if module_complete {
            bodies.push(((0..self.top.len()).map(|index| self.top_chunk(index)).collect(), true));
        }
        for class in &complete_classes {
            chosen.push(self.top_chunk(class.index).start..class.body[0]);
            let statements = (0..class.body.len()).map(|k| self.body_statement(class, k)).collect();
            bodies.push((statements, false));
        }
        for (statements, module) in &bodies {
            for (k, chunk) in statements.iter().enumerate() {
                if !is_touched(chunk) {
                    chosen.extend(self.stub(chunk.clone()));
                    continue;
                }
                // Whole, as the order of a complete body is judged on each
                // statement's size.
                match module {
                    true => whole.push(chunk.clone()),
                    false => chosen.push(chunk.clone()),
                }
                chosen.extend(self.leading_comments(statements, k));
            }
        }
        chosen.extend(whole.iter().cloned());
        let rows = merge(chosen);
        let split_functions = self
            .functions
            .iter()
            .filter(|function| {
                let holding = rows.partition_point(|range| range.end <= function.rows.start);
                rows.get(holding).is_some_and(|range| {
                    range.start < function.rows.end
                        && !(range.start <= function.rows.start && function.rows.end <= range.end)
                })
            })
            .map(|function| function.rows.clone())
            .collect();
        Selection {
            rows,
            whole: merge(whole),
            module_complete,
            complete_classes: complete_classes
                .iter()
                .map(|class| self.top_chunk(class.index))
                .collect(),
            split_functions,
        }
    }

    /// The rows that tell which comments lead statement `k` of a body: the
    /// comment lines right above it when they stand at its indentation (they
    /// lead it), else the whole statement before (whether they end that one
    /// depends on its body).
    fn leading_comments(&self, statements: &[Range<usize>], k: usize) -> Option<Range<usize>> {
        let start = statements[k].start;
        let first = (0..start)
            .rev()
            .take_while(|&row| self.lines[row].kind == LineKind::Comment)
            .last()?;
        let level = self.lines[start].indent;
        match (first..start).all(|row| self.lines[row].indent == level) {
            true => Some(first..start),
            false => k.checked_sub(1).map(|previous| statements[previous].clone()),
        }
    }

    /// The rows of a definition's stub: its decorators and signature, and one
    /// simple statement of its body, complete on its line; the whole chunk
    /// when it is not a definition or has no such statement.
    fn stub(&self, chunk: Range<usize>) -> Vec<Range<usize>> {
        let lines = &self.lines[chunk.clone()];
        let level = lines[0].indent;
        let definition = lines
            .iter()
            .position(|line| line.boundary() && line.indent == level && line.kind != LineKind::Decorator);
        let Some(definition) = definition.filter(|&at| matches!(lines[at].kind, LineKind::Function | LineKind::Class))
        else {
            return vec![chunk];
        };
        let Some(body) = (definition + 1..lines.len()).find(|&at| lines[at].starts_statement()) else {
            return vec![chunk];
        };
        let simple = (body..lines.len()).find(|&at| {
            let line = lines[at];
            let next_code = lines[at + 1..].iter().find(|line| line.is_code());
            line.starts_statement()
                && line.indent >= lines[body].indent
                && matches!(line.kind, LineKind::Other | LineKind::String)
                && lines.get(at + 1).is_none_or(|next| next.boundary())
                && next_code.is_none_or(|next| next.indent <= line.indent && next.kind != LineKind::Continuation)
        });
        match simple {
            Some(at) => vec![chunk.start..chunk.start + body, chunk.start + at..chunk.start + at + 1],
            None => vec![chunk],
        }
    }

    fn top_index(&self, row: usize) -> usize {
        self.top.partition_point(|&start| start <= row).saturating_sub(1)
    }

    fn top_chunk(&self, index: usize) -> Range<usize> {
        let start = if index == 0 {
            0
        } else {
            self.top.get(index).copied().unwrap_or(self.lines.len())
        };
        start..self.top.get(index + 1).copied().unwrap_or(self.lines.len())
    }

    /// The first statements of the bodies (the module, split classes and
    /// functions) where
    /// a string statement other than the first is among `chosen`.
    fn first_statements_for(&self, chosen: &[Range<usize>]) -> Vec<Range<usize>> {
        let chosen = merge(chosen.to_vec());
        let chosen_string = |starts: &[usize]| {
            starts[1..]
                .iter()
                .any(|&row| self.lines[row].kind == LineKind::String && chosen.iter().any(|range| range.contains(&row)))
        };
        let mut firsts = Vec::new();
        if self.top.len() > 1 && chosen_string(&self.top) {
            firsts.push(self.top_chunk(0));
        }
        for class in &self.classes {
            if chosen_string(&class.body) {
                firsts.push(self.body_statement(class, 0));
            }
        }
        for function in &self.functions {
            if chosen_string(&function.body) {
                firsts.push(function.statement(0));
            }
        }
        firsts
    }

    /// The chunks that hold a row: a top-level statement; inside a split
    /// class its header and the body statement; inside a long function that
    /// `may_split` (by its index), the headers around and the statement of
    /// its body. A row of a header takes its whole statement.
    fn chunks_holding(&self, row: usize, may_split: &mut impl FnMut(usize) -> bool) -> Vec<Range<usize>> {
        let index = self.top_index(row);
        let whole = self.top_chunk(index);
        let mut holding = Vec::new();
        let statement = match self.classes.iter().find(|class| class.index == index) {
            Some(class) if row >= class.body[0] => {
                holding.push(whole.start..class.body[0]);
                let k = class.body.partition_point(|&start| start <= row) - 1;
                self.body_statement(class, k)
            }
            _ => whole,
        };
        let function = self
            .functions
            .binary_search_by_key(&statement.start, |function| function.rows.start)
            .ok()
            .filter(|&at| row >= self.functions[at].body[0] && may_split(at));
        match function.map(|at| &self.functions[at]) {
            Some(function) => holding.extend([function.header(), function.statement_holding(row)]),
            None => holding.push(statement),
        }
        holding
    }

    /// The rows of statement `k` of a split class's body.
    fn body_statement(&self, class: &ClassChunk, k: usize) -> Range<usize> {
        let end = class.body.get(k + 1).copied();
        class.body[k]..end.unwrap_or_else(|| self.top_chunk(class.index).end)
    }
}

/// The rows where statements begin at `indent` within `rows`.
fn starts_at(lines: &[Line], rows: Range<usize>, indent: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut after_decorator = false;
    for row in rows {
        let line = lines[row];
        if !line.starts_statement() || line.indent != indent {
            continue;
        }
        if !after_decorator && line.kind != LineKind::Continuation {
            starts.push(row);
        }
        after_decorator = line.kind == LineKind::Decorator;
    }
    starts
}

/// The body statements of a top-level class chunk, if it is a class with a
/// body of more than one statement.
fn class_body(lines: &[Line], chunk: Range<usize>) -> Option<Vec<usize>> {
    let header = chunk
        .clone()
        .find(|&row| !(lines[row].kind == LineKind::Decorator && lines[row].indent == 0))?;
    if lines[header].kind != LineKind::Class || lines[header].indent != 0 {
        return None;
    }
    body_starts(lines, header, chunk.end)
}

/// The body statements of a chunk that is a long function (its decorators,
/// then a `def` with a body of more than one statement on lines of their own).
fn function_body(lines: &[Line], chunk: Range<usize>) -> Option<FunctionChunk> {
    if chunk.len() < SPLIT_FUNCTION_ROWS {
        return None;
    }
    let header = chunk
        .clone()
        .find(|&row| lines[row].starts_statement() && lines[row].kind != LineKind::Decorator)?;
    if lines[header].kind != LineKind::Function {
        return None;
    }
    let body = body_starts(lines, header, chunk.end)?;
    Some(FunctionChunk { rows: chunk, body })
}

/// The first rows of the statements of the body under the header on row
/// `header` (up to row `end`), if it holds more than one statement and the
/// first is on a line of its own.
fn body_starts(lines: &[Line], header: usize, end: usize) -> Option<Vec<usize>> {
    let level = lines[header].indent;
    let first_body = (header + 1..end).find(|&row| lines[row].starts_statement() && lines[row].indent > level)?;
    let body = starts_at(lines, first_body..end, lines[first_body].indent);
    (body.len() > 1 && body[0] == first_body).then_some(body)
}

/// Whether a function spells a word that reads its names by their spelling
/// or moves a name to another scope: then a rename's every effect is not in
/// the statements that spell the name, and the function is parsed whole.
fn spells_scope_words(function: &FunctionChunk, texts: &[&[u8]]) -> bool {
    static WORDS: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        let words: Vec<&str> = grammar::NAMESPACE_READERS
            .iter()
            .chain(grammar::SCOPE_WORDS)
            .copied()
            .collect();
        regex::bytes::Regex::new(&format!(r"\b(?:{})\b", words.join("|"))).expect("a valid pattern")
    });
    // The scan's last row (after a final line break) has no text.
    let rows = function.rows.start.min(texts.len())..function.rows.end.min(texts.len());
    texts[rows].iter().any(|line| WORDS.is_match(line))
}

/// Whether a line starts with a string literal: a quote, or a prefix of up
/// to two letters (`r`, `b`, `f`, `rb`...) and a quote.
fn starts_string(line: &str) -> bool {
    let prefix = line.bytes().take(2).take_while(u8::is_ascii_alphabetic).count();
    line[prefix..].starts_with(['"', '\''])
}

/// `else:`, `elif x:`, `except E:`, `finally:` continue the statement above.
fn continues_compound(line: &str) -> bool {
    let end = line
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    matches!(&line[..end], "else" | "elif" | "except" | "finally")
}

/// The name on a `def`/`class` line, at any indentation.
pub fn defined_name(line: &[u8]) -> Option<&[u8]> {
    let rest = line.trim_ascii_start();
    let rest = rest.strip_prefix(b"async ").unwrap_or(rest);
    let rest = rest.strip_prefix(b"def ").or_else(|| rest.strip_prefix(b"class "))?;
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))?;
    Some(&rest[..end]).filter(|name| !name.is_empty())
}

/// The runs (in order), and the rows between two of them at most `gap` rows
/// apart: the alignment may read such a chain of runs as one region, and
/// compares only what was parsed on both sides.
fn rows_read(runs: &[Range<usize>], gap: usize) -> Vec<Range<usize>> {
    let between = runs
        .windows(2)
        .map(|pair| pair[0].end..pair[1].start)
        .filter(|rows| !rows.is_empty() && rows.len() <= gap);
    runs.iter().cloned().chain(between).collect()
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|range| !range.is_empty());
    ranges.sort_by_key(|range| range.start);
    let mut out: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// The bytes the scanner acts on outside strings.
const MATTERS: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"#'\"([{)]}";
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
};

/// Tracks brackets, strings and line continuations across lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Scanner {
    depth: usize,
    /// The quote that closes the open string, and whether it is triple.
    string: Option<(char, bool)>,
    continued: bool,
}

impl Scanner {
    /// What the scanner knows of a line, as it moves past it.
    fn line(&mut self, text: &str) -> Line {
        let text = text.strip_suffix('\r').unwrap_or(text);
        let line = Line::of(text, *self);
        self.scan_line(text);
        line
    }

    /// The state after a line.
    fn after(mut self, text: &str) -> Scanner {
        self.scan_line(text.strip_suffix('\r').unwrap_or(text));
        self
    }

    fn at_statement_boundary(&self) -> bool {
        self.depth == 0 && self.string.is_none() && !self.continued
    }

    /// Scans bytes: every character that matters here is ASCII, and no byte
    /// of a multi-byte UTF-8 character is.
    fn scan_line(&mut self, line: &str) {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if let Some((quote, triple)) = self.string {
                // Straight to the next quote or escape.
                let Some(at) = memchr::memchr2(quote as u8, b'\\', &bytes[i..]) else {
                    break;
                };
                i += at;
                let c = bytes[i];
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if !triple || bytes[i..].starts_with(&[c, c, c]) {
                    self.string = None;
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                i += 1;
                continue;
            }
            let c = bytes[i];
            if !MATTERS[usize::from(c)] {
                i += 1;
                continue;
            }
            match c {
                b'#' => break,
                b'\'' | b'"' => {
                    let triple = bytes[i..].starts_with(&[c, c, c]);
                    self.string = Some((c as char, triple));
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                b'(' | b'[' | b'{' => self.depth += 1,
                b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        let continues = line.ends_with('\\');
        // A single-quoted string ends with its line unless the line continues.
        if let Some((_, false)) = self.string
            && !continues
        {
            self.string = None;
        }
        self.continued = continues && self.string.is_none();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "import os\n\n@decorator\ndef f(a,\nb):\n    '''doc\nx = 1\n'''\n    return a\nif x:\n    pass\nelse:\n    pass\n# note\ny = [\n1]\nz = 1 + \\\n2\n";

    #[test]
    fn statements_start_at_column_zero_outside_brackets_and_strings() {
        assert_eq!(Chunks::scan(TEXT).top, [0, 2, 9, 14, 16]);
    }

    #[test]
    fn chunks_cover_the_touched_statements() {
        let chunks = Chunks::scan(TEXT);
        let touched = |rows: Range<usize>| chunks.select(std::slice::from_ref(&rows), 0, &[], &[], &[]).rows;
        assert_eq!(touched(10..11), vec![9..14]);
        assert_eq!(touched(1..3), vec![0..9]);
        assert_eq!(touched(17..18), vec![16..19]);
    }

    #[test]
    fn a_string_statement_comes_with_the_first_statement_of_its_body() {
        let text = "'''Module.'''\nx = 1\nr'''Not the docstring.'''\nclass A:\n    def a(self):\n        pass\n    b'not the docstring'\n    def c(self):\n        pass\n";
        let chunks = Chunks::scan(text);
        let touched = |rows: Range<usize>| chunks.select(std::slice::from_ref(&rows), 0, &[], &[], &[]).rows;
        assert_eq!(touched(2..3), vec![0..1, 2..3]);
        assert_eq!(touched(1..2), vec![1..2], "not for other statements");
        assert_eq!(touched(6..7), vec![3..7], "the class header, its first statement");
        assert_eq!(touched(7..8), vec![3..4, 7..10]);
    }

    #[test]
    fn a_rescan_reads_again_the_lines_whose_state_an_edit_changed() {
        let old = "x = 1\ny = 2\nz = (3,\n     4)\nw = 5\n";
        for new in [
            "x = 1\ny = '''\nz = (3,\n     4)\nw = 5\n'''\n",
            "x = [1,\ny = 2\nz = (3,\n     4)\nw = 5]\n",
            "x = 1\nz = (3,\n     4)\nw = 5\nv = 6",
        ] {
            let runs = crate::lines::diff_lines(old.as_bytes(), new.as_bytes()).runs;
            assert_eq!(Chunks::scan(old).rescan(new, &runs).0, Chunks::scan(new), "{new:?}");
        }
    }

    #[test]
    fn windows_line_endings_split_the_same_way() {
        assert_eq!(Chunks::scan(&TEXT.replace('\n', "\r\n")).top, Chunks::scan(TEXT).top);
    }

    #[test]
    fn a_class_body_is_split_into_its_statements() {
        let text = "x = 1\nclass A(B):\n    '''Doc.'''\n\n    def a(self):\n        return 1\n\n    @property\n    def b(self):\n        return 2\n\n    def c(self):\n        return 3\ny = 2\n";
        let chunks = Chunks::scan(text);
        assert_eq!(chunks.classes[0].body, [2, 4, 7, 11]);
        let touched = |rows: Range<usize>| chunks.select(std::slice::from_ref(&rows), 0, &[], &[], &[]).rows;
        assert_eq!(touched(9..10), vec![1..2, 7..11], "the header and the touched method");
        assert_eq!(touched(1..2), vec![1..13], "a header change takes the whole class");
        assert_eq!(touched(3..8), vec![1..11], "every statement between the ends");
    }

    /// A module whose function `f` (rows 3..35) is long enough to split,
    /// with `extra` as statement 31 of its body.
    fn long_function(extra: &str) -> String {
        let mut text = String::from("import os\n\n\n@cached\ndef f(a,\n      b):\n    \"\"\"Doc.\"\"\"\n");
        for k in 0..24 {
            text += &format!("    x{k} = a + {k}\n");
        }
        text + extra + "\n    return b\n\n\ny = 1\n"
    }

    fn select_in(text: &str, rows: Range<usize>) -> Selection {
        let lines = crate::lines::split_lines(text.as_bytes());
        Chunks::scan(text).select(std::slice::from_ref(&rows), 0, &[], &lines, &[])
    }

    #[test]
    fn a_long_function_is_split_into_its_statements() {
        let text = long_function("    y = x1");
        let selection = select_in(&text, 10..11);
        assert_eq!(
            selection.rows,
            vec![3..6, 10..11],
            "the decorator and signature, the statement"
        );
        assert_eq!(selection.split_functions, vec![3..35]);
        assert!(selection.in_split_function(20) && !selection.in_split_function(35));
        let selection = select_in(&text, 4..5);
        assert_eq!(
            selection.rows,
            vec![3..35],
            "a signature change takes the whole function"
        );
        assert!(selection.split_functions.is_empty());
        assert_eq!(
            select_in(&long_function("    'not the docstring'"), 31..32).rows,
            vec![3..7, 31..32],
            "a string statement comes with the first one"
        );
        let short: String = text
            .split_inclusive('\n')
            .filter(|line| !line.contains("= a + 1"))
            .collect();
        assert_eq!(
            select_in(&short, 10..11).rows,
            vec![3..24],
            "a short function stays whole"
        );
    }

    #[test]
    fn a_function_that_reaches_its_names_by_spelling_is_never_split() {
        for extra in [
            "    print(locals())",
            "    global os",
            "    frame = sys._getframe()",
            "    eval('a')",
        ] {
            assert_eq!(select_in(&long_function(extra), 10..11).rows, vec![3..35], "{extra}");
        }
        assert_eq!(
            select_in(&long_function("    print(local_names)"), 10..11).rows,
            vec![3..6, 10..11],
            "whole words only"
        );
    }

    const MODULE: &str = "import os\n\n\n@cached\ndef f(a,\n      b=DEFAULT):\n    if a:\n        return b\n    x = [1,\n         2]\n    return x\n\n\n# leads g\ndef g():\n    pass\n\n\nclass C(Base):\n    def m(self):\n        for i in self:\n            yield i\n\n\nLIMIT = 3\n";

    #[test]
    fn a_stub_keeps_decorators_signature_and_one_complete_simple_line() {
        let chunks = Chunks::scan(MODULE);
        assert_eq!(chunks.stub(3..13), vec![3..6, 7..8], "a line of a nested block will do");
        assert_eq!(chunks.stub(18..24), vec![18..19, 21..22], "not `for`: it opens a block");
        assert_eq!(
            chunks.stub(24..26),
            vec![24..26],
            "a statement that is not a definition stays whole"
        );
    }

    #[test]
    fn a_complete_module_holds_every_statement_far_ones_as_stubs() {
        let chunks = Chunks::scan(MODULE);
        let selection = chunks.select(std::slice::from_ref(&(14..15)), 0, &[14], &[], &[]);
        assert!(selection.module_complete);
        assert_eq!(selection.rows, vec![0..6, 7..8, 13..19, 21..22, 24..26]);
        assert!(selection.holds_body("", &(14..16)));
        assert!(
            !chunks
                .select(std::slice::from_ref(&(14..15)), 0, &[], &[], &[])
                .holds_body("", &(14..16))
        );
    }

    #[test]
    fn a_method_that_may_have_moved_completes_its_class_body_only() {
        let text = "import os\nclass A:\n    def a(self):\n        return 1\n\n    def b(self):\n        x = 1\n        return x\n\n    def c(self):\n        y = 2\n        return y\n\n\ndef f():\n    return 4\n";
        let chunks = Chunks::scan(text);
        let selection = chunks.select(std::slice::from_ref(&(5..6)), 0, &[5], &[], &[]);
        assert!(!selection.module_complete);
        assert_eq!(
            selection.rows,
            vec![1..4, 5..11],
            "`a` and `c` as stubs (no `return y`); not `f`"
        );
        assert!(selection.holds_body("A", &(5..8)));
        assert!(!selection.holds_body("", &(5..8)));
    }
}
