//! Accuracy report over the labelled corpus (`testdata/corpus`) and the
//! agent-style patches (`testdata/patches`):
//! per-label precision and recall, the false-noise rate (substantive lines
//! labelled noise), the missed-noise rate (noise lines labelled substantive)
//! and the mean per-file score error.
//!
//! Run: `cargo run --release --example accuracy [-- CORPUS_DIR]`, or
//! `cargo run --example accuracy -- --show FILE.case` to print one case as
//! diffscore labels it (in the corpus format), to write or check a case.

#[path = "../tests/support/corpus.rs"]
mod corpus;

use diffscore::label::Label;
use diffscore::score::noise_score;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path] = args.as_slice()
        && flag == "--show"
    {
        let case = corpus::load_one(std::path::Path::new(path));
        print!("{}", corpus::annotate(&case));
        return;
    }
    let dirs = match std::env::args().nth(1) {
        Some(dir) => vec![std::path::PathBuf::from(dir)],
        None => corpus::corpus_dirs(),
    };
    let cases: Vec<corpus::Case> = dirs.iter().flat_map(|dir| corpus::load(dir)).collect();
    let mut confusion = [[0usize; Label::ALL.len()]; Label::ALL.len()];
    let (mut lines, mut correct, mut unaligned, mut score_error) = (0, 0, 0, 0.0);
    for case in &cases {
        let (mut expected_noise, mut actual_noise, mut changed) = (0, 0, 0);
        for outcome in corpus::evaluate(case) {
            let (Some(expected), Some(actual)) = (outcome.expected, outcome.actual) else {
                unaligned += 1;
                println!("unaligned: {} line {}", case.path.display(), outcome.line);
                continue;
            };
            lines += 1;
            changed += 1;
            correct += usize::from(expected == actual);
            expected_noise += usize::from(expected.is_noise());
            actual_noise += usize::from(actual.is_noise());
            confusion[expected as usize][actual as usize] += 1;
            if expected != actual {
                println!(
                    "{}: line {} expected {expected}, got {actual}",
                    case.path.display(),
                    outcome.line
                );
            }
        }
        let expected_score = i32::from(noise_score(expected_noise, changed));
        score_error += f64::from((expected_score - i32::from(noise_score(actual_noise, changed))).abs());
    }
    println!("\n{} cases, {lines} changed lines, {unaligned} unaligned", cases.len());
    println!("accuracy {:.2}%", percent(correct, lines));
    println!("\n{:<12} {:>9} {:>9} {:>7}", "label", "precision", "recall", "lines");
    for label in Label::ALL {
        let i = label as usize;
        let true_positive = confusion[i][i];
        let predicted: usize = confusion.iter().map(|row| row[i]).sum();
        let actual: usize = confusion[i].iter().sum();
        println!(
            "{:<12} {:>8.1}% {:>8.1}% {:>7}",
            label.as_str(),
            percent(true_positive, predicted),
            percent(true_positive, actual),
            actual
        );
    }
    let substantive = Label::Substantive as usize;
    let substantive_lines: usize = confusion[substantive].iter().sum();
    let false_noise = substantive_lines - confusion[substantive][substantive];
    let noise_lines: usize = lines - substantive_lines;
    let missed_noise: usize = confusion
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != substantive)
        .map(|(_, row)| row[substantive])
        .sum();
    println!(
        "\nfalse-noise rate  {:.2}% ({false_noise} of {substantive_lines} substantive lines called noise)",
        percent(false_noise, substantive_lines)
    );
    println!(
        "missed-noise rate {:.2}% ({missed_noise} of {noise_lines} noise lines called substantive)",
        percent(missed_noise, noise_lines)
    );
    println!(
        "mean |score error| per case {:.2} points",
        score_error / cases.len().max(1) as f64
    );
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}
