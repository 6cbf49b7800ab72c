//! `--format markdown`: a pull-request comment that renders on GitHub and
//! GitLab. The verdict and the score first, a table of files, then each noise
//! change in a collapsed `<details>` block holding its lines as a `diff`.
//! Whatever comes from the repository is escaped for the place it lands in (a
//! table cell, an HTML summary, a fenced block), and the comment stays under
//! [`MAX_BYTES`]: what does not fit is counted, not shown.

use std::fmt::Write as _;
use std::io::Write;

use super::where_text;
use crate::classify::{Change, LineRange};
use crate::label::Label;
use crate::lines::split_lines;
use crate::pairs::Status;
use crate::score::{FileReport, LabelCounts, Report};

/// The comment's first line: a bot finds the comment it wrote by it, to update it.
pub const MARKER: &str = "<!-- diffscore -->";
/// The most bytes a comment takes (so at most as many characters): GitHub
/// refuses comments over 65,536 characters.
pub const MAX_BYTES: usize = 60_000;
/// The files table's share of [`MAX_BYTES`].
const TABLE_BYTES: usize = 20_000;
/// Room kept for the closing note that counts what was left out.
const CLOSING_BYTES: usize = 400;
const MAX_REASONS: usize = 20;
/// Lines shown per change; the rest are counted.
const LINES_PER_CHANGE: usize = 40;
/// Characters shown of one line of code, and of one path.
const LINE_CHARS: usize = 240;
const PATH_CHARS: usize = 160;

pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(render(report).as_bytes())
}

/// The whole comment, at most [`MAX_BYTES`] long.
pub fn render(report: &Report) -> String {
    let mut md = String::new();
    write_header(report, &mut md);
    write_table(report, &mut md);
    write_changes(report, &mut md);
    debug_assert!(md.len() <= MAX_BYTES, "{} bytes", md.len());
    md
}

fn write_header(report: &Report, md: &mut String) {
    let summary = &report.summary;
    let verdict = if summary.pass { "PASS" } else { "FAIL" };
    let _ = writeln!(md, "{MARKER}\n### diffscore: {verdict} · score {}\n", summary.score);
    if summary.pass {
        let _ = writeln!(
            md,
            "- **PASS**: score {} is within max_noise {}",
            summary.score, summary.max_noise
        );
    }
    for reason in summary.reasons.iter().take(MAX_REASONS) {
        let _ = writeln!(md, "- **FAIL**: {}", reason_markdown(reason));
    }
    if summary.reasons.len() > MAX_REASONS {
        let _ = writeln!(md, "- and {} more", summary.reasons.len() - MAX_REASONS);
    }
    let source = &report.source;
    let counts: Vec<String> = summary
        .by_label
        .iter()
        .filter(|(_, lines)| *lines > 0)
        .map(|(label, lines)| format!("{label} {}", thousands(lines)))
        .collect();
    let _ = writeln!(
        md,
        "\n{} of {} changed are noise, in {} ({} → {}){}{}.",
        thousands(summary.noise_lines),
        plural(summary.changed_lines, "line"),
        plural(summary.files, "file"),
        code(&clip_start(&source.old, PATH_CHARS)),
        code(&clip_start(&source.new, PATH_CHARS)),
        if counts.is_empty() { "" } else { ": " },
        counts.join(", ")
    );
}

/// A gate reason: the sentences that end with a path get it as code, so that
/// nothing in the path is read as markdown, a mention or an issue link.
fn reason_markdown(reason: &str) -> String {
    match reason.split_once(": ") {
        Some((words, path)) => format!("{}: {}", escape_markdown(words), code(&clip_start(path, PATH_CHARS))),
        None => escape_markdown(reason),
    }
}

fn write_table(report: &Report, md: &mut String) {
    if report.files.is_empty() {
        return;
    }
    let mut table = String::from(
        "\n| file | changed lines | noise lines | score | top labels |\n| :--- | ---: | ---: | ---: | :--- |\n",
    );
    let mut shown = 0;
    for file in &report.files {
        let row = format!(
            "| {} | {} | {} | {} | {} |\n",
            path_cell(file),
            thousands(file.changed_lines),
            thousands(file.noise_lines),
            file.score,
            top_labels(file)
        );
        if table.len() + row.len() > TABLE_BYTES {
            break;
        }
        table.push_str(&row);
        shown += 1;
    }
    md.push_str(&table);
    let left = &report.files[shown..];
    if !left.is_empty() {
        let changed: usize = left.iter().map(|f| f.changed_lines).sum();
        let noise: usize = left.iter().map(|f| f.noise_lines).sum();
        let _ = writeln!(
            md,
            "\n*{} not shown ({} changed, {} noise).*",
            plural(left.len(), "more file"),
            plural(changed, "line"),
            thousands(noise)
        );
    }
}

fn path_cell(file: &FileReport) -> String {
    let pair = &file.pair;
    let mut cell = cell_code(&clip_start(&pair.path, PATH_CHARS));
    let mut facts = Vec::new();
    match pair.status {
        Status::Modified => {}
        Status::Renamed => facts.push(format!(
            "renamed from {}",
            cell_code(&clip_start(&pair.old_path, PATH_CHARS))
        )),
        status => facts.push(status.as_str().to_owned()),
    }
    if pair.binary {
        facts.push("binary".to_owned());
    }
    if file.protected {
        facts.push("**protected**".to_owned());
    }
    if !file.in_scope {
        facts.push("**out of scope**".to_owned());
    }
    for fact in facts {
        let _ = write!(cell, " · {fact}");
    }
    cell
}

/// The three labels with the most lines (ties in precedence order).
fn top_labels(file: &FileReport) -> String {
    let labels = most_lines(&file.by_label);
    if labels.is_empty() {
        return "–".to_owned();
    }
    let shown: Vec<String> = labels
        .iter()
        .take(3)
        .map(|(label, lines)| format!("{label} {}", thousands(*lines)))
        .collect();
    let more = if labels.len() > 3 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn most_lines(counts: &LabelCounts) -> Vec<(Label, usize)> {
    let mut labels: Vec<(Label, usize)> = counts.iter().filter(|(_, lines)| *lines > 0).collect();
    // A stable sort keeps the precedence order among equal counts.
    labels.sort_by_key(|(_, lines)| std::cmp::Reverse(*lines));
    labels
}

fn write_changes(report: &Report, md: &mut String) {
    if report.files.is_empty() {
        return;
    }
    let noisy: Vec<(usize, &FileReport, &Change)> = report
        .files
        .iter()
        .enumerate()
        .flat_map(|(index, file)| {
            file.analysis
                .iter()
                .flat_map(move |a| a.changes.iter().map(move |change| (index, file, change)))
        })
        .filter(|(_, _, change)| change.label.is_noise())
        .collect();
    if noisy.is_empty() {
        md.push_str("\nNo noise: every changed line is substantive.\n");
        return;
    }
    let _ = writeln!(md, "\n#### {}\n", plural(noisy.len(), "noise change"));
    let mut lines: Option<FileLines> = None;
    for (shown, &(index, file, change)) in noisy.iter().enumerate() {
        if lines.as_ref().is_none_or(|lines| lines.file != index) {
            lines = Some(FileLines {
                file: index,
                old: split_lines(&file.pair.old),
                new: split_lines(&file.pair.new),
            });
        }
        let lines = lines.as_ref().expect("set above");
        let block = change_block(file, change, &lines.old, &lines.new);
        if md.len() + block.len() + CLOSING_BYTES > MAX_BYTES {
            let left = &noisy[shown..];
            let mut files: Vec<usize> = left.iter().map(|(index, _, _)| *index).collect();
            files.dedup();
            let _ = writeln!(
                md,
                "*{} in {} not shown: this comment is kept under {} characters. \
                 `diffscore -v` with the same arguments lists them all.*",
                plural(left.len(), "more noise change"),
                plural(files.len(), "file"),
                thousands(MAX_BYTES)
            );
            return;
        }
        md.push_str(&block);
    }
}

/// The lines of the file whose changes are being written, split once.
struct FileLines<'a> {
    file: usize,
    old: Vec<&'a [u8]>,
    new: Vec<&'a [u8]>,
}

fn change_block(file: &FileReport, change: &Change, old: &[&[u8]], new: &[&[u8]]) -> String {
    let mut block = format!(
        "<details><summary><b>{}</b> <code>{}</code> {}: {}</summary>\n\n",
        change.label,
        html(&clip_start(&file.pair.path, PATH_CHARS)),
        where_text(change),
        message_html(&change.message)
    );
    let old_count = line_count(&change.old);
    let new_count = line_count(&change.new);
    let (old_shown, new_shown) = share(old_count, new_count, LINES_PER_CHANGE);
    let mut body = String::new();
    diff_lines(&change.old, old, '-', old_shown, &mut body);
    diff_lines(&change.new, new, '+', new_shown, &mut body);
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    let _ = write!(block, "{fence}diff\n{body}{fence}\n\n");
    let left = old_count + new_count - old_shown - new_shown;
    if left > 0 {
        let _ = write!(block, "*{} not shown.*\n\n", plural(left, "more line"));
    }
    block.push_str("</details>\n\n");
    block
}

fn line_count(ranges: &[LineRange]) -> usize {
    ranges.iter().map(LineRange::line_count).sum()
}

/// How many old and new lines to show within `budget`: half each, and what
/// one side does not need goes to the other.
fn share(old: usize, new: usize, budget: usize) -> (usize, usize) {
    let old_shown = old.min(budget - new.min(budget / 2));
    (old_shown, new.min(budget - old_shown))
}

/// The first `limit` lines of `ranges`, each with its sign, as `git diff` shows them.
fn diff_lines(ranges: &[LineRange], lines: &[&[u8]], sign: char, limit: usize, body: &mut String) {
    let numbers = ranges.iter().flat_map(|range| range.start..=range.end);
    for number in numbers.take(limit) {
        let text = lines
            .get(number - 1)
            .map_or_else(String::new, |line| String::from_utf8_lossy(line).into_owned());
        let text = clean(text.trim_end_matches(['\n', '\r']));
        let _ = writeln!(body, "{sign}{}", clip_end(&text, LINE_CHARS));
    }
}

/// Text for HTML (the summary of a `<details>` block is raw HTML: markdown
/// is not read there).
fn html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A change's message for HTML: the names it quotes in backticks become `<code>`.
fn message_html(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    let mut escaped = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index % 2 == 0 {
            escaped.push_str(&html(part));
        } else if index + 1 < parts.len() {
            let _ = write!(escaped, "<code>{}</code>", html(part));
        } else {
            // An unpaired backtick stays as it is.
            let _ = write!(escaped, "`{}", html(part));
        }
    }
    escaped
}

/// A code span holding `text` as it is (a fence longer than any run of
/// backticks inside; padded when it starts or ends with one or a space).
fn code(text: &str) -> String {
    let text = clean(text);
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A code span inside a table cell: GFM splits cells on `|` even in code
/// spans, and turns `\|` back into `|` there.
fn cell_code(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// Plain words for markdown: what could start emphasis, a link, code, HTML,
/// an entity or a cell is escaped with a backslash.
fn escape_markdown(text: &str) -> String {
    let chars: Vec<char> = clean(text).chars().collect();
    let mut escaped = String::with_capacity(text.len());
    for (index, &c) in chars.iter().enumerate() {
        let intraword = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|c| c.is_alphanumeric());
        let special = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '@' | '!' => true,
            // `snake_case` is no emphasis in GFM.
            '_' => !(intraword(index.checked_sub(1)) && intraword(Some(index + 1))),
            _ => false,
        };
        if special {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Control characters (a newline in a path, an escape sequence in a line)
/// would break a cell or a line: they show as U+FFFD. Tabs stay.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

fn longest_run(text: &str, of: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == of { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// At most `max` characters of a line: its start, then `…`.
fn clip_end(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// At most `max` characters of a path: `…`, then its end (the file name).
fn clip_start(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let skip = count - (max - 1);
    format!("…{}", text.chars().skip(skip).collect::<String>())
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", thousands(count))
    }
}

/// `60,000`: the figures a person reads.
fn thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("a.py"), "`a.py`");
        assert_eq!(code("we`ird.py"), "``we`ird.py``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(cell_code("a|b.py"), "`a\\|b.py`");
        assert_eq!(code("a\nb"), "`a\u{fffd}b`");
    }

    #[test]
    fn html_and_messages_are_escaped() {
        assert_eq!(html("<b>&\"x\"</b>"), "&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;");
        assert_eq!(
            message_html("renamed `a<b` to `c` in `f"),
            "renamed <code>a&lt;b</code> to <code>c</code> in `f"
        );
    }

    #[test]
    fn markdown_words_are_escaped_but_snake_case_stays() {
        assert_eq!(
            escape_markdown("max_noise *x* [y](z) @me _a_"),
            "max_noise \\*x\\* \\[y\\](z) \\@me \\_a\\_"
        );
    }

    #[test]
    fn budget_is_shared_between_sides() {
        assert_eq!(share(100, 100, 40), (20, 20));
        assert_eq!(share(5, 100, 40), (5, 35));
        assert_eq!(share(100, 5, 40), (35, 5));
        assert_eq!(share(0, 100, 40), (0, 40));
        assert_eq!(share(3, 4, 40), (3, 4));
    }

    #[test]
    fn clipping_keeps_the_useful_end() {
        assert_eq!(clip_end("abcdef", 3), "abc…");
        assert_eq!(clip_end("abc", 3), "abc");
        assert_eq!(clip_start("a/b/c/file.py", 8), "…file.py");
        assert_eq!(thousands(60000), "60,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
