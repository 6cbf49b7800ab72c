//! Sets of rows as sorted, disjoint ranges: the rows a region covers on one side.

use std::ops::Range;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSet {
    ranges: Vec<Range<usize>>,
}

impl RowSet {
    pub fn from_range(range: Range<usize>) -> RowSet {
        let mut set = RowSet::default();
        set.insert(range);
        set
    }

    /// Adds a range, keeping the ranges sorted and merged.
    pub fn insert(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.ranges.push(range);
        self.ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(self.ranges.len());
        for range in self.ranges.drain(..) {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        self.ranges = merged;
    }

    pub fn contains(&self, row: usize) -> bool {
        let index = self.ranges.partition_point(|r| r.end <= row);
        self.ranges.get(index).is_some_and(|r| r.contains(&row))
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether any row of `rows` is in the set.
    pub fn overlaps(&self, rows: &Range<usize>) -> bool {
        let index = self.ranges.partition_point(|r| r.end <= rows.start);
        self.ranges.get(index).is_some_and(|r| r.start < rows.end)
    }

    /// How many rows the set holds.
    pub fn len(&self) -> usize {
        self.ranges.iter().map(ExactSizeIterator::len).sum()
    }

    pub fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }

    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.ranges.iter().flat_map(Clone::clone)
    }

    pub fn first(&self) -> Option<usize> {
        self.ranges.first().map(|r| r.start)
    }

    /// The rows of `self` that are not in `other`.
    pub fn minus(&self, other: &RowSet) -> RowSet {
        let mut out = RowSet::default();
        for range in &self.ranges {
            let mut start = range.start;
            for cut in other
                .ranges
                .iter()
                .filter(|c| c.start < range.end && c.end > range.start)
            {
                if cut.start > start {
                    out.ranges.push(start..cut.start);
                }
                start = start.max(cut.end);
            }
            if start < range.end {
                out.ranges.push(start..range.end);
            }
        }
        out
    }

    /// The rows of `self` that are also in `other`.
    pub fn intersect(&self, other: &RowSet) -> RowSet {
        self.minus(&self.minus(other))
    }
}

/// The rows the line diff changed, on the old and the new side.
pub fn changed_rows(runs: &[crate::lines::Run]) -> (RowSet, RowSet) {
    let (mut old, mut new) = (RowSet::default(), RowSet::default());
    for run in runs {
        old.insert(run.old.clone());
        new.insert(run.new.clone());
    }
    (old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_merges_and_contains_finds() {
        let mut set = RowSet::from_range(5..8);
        set.insert(1..3);
        set.insert(3..4);
        assert_eq!(set.ranges(), [1..4, 5..8]);
        assert!(set.contains(3) && set.contains(7) && !set.contains(4) && !set.contains(8));
        assert!(set.overlaps(&(3..5)) && set.overlaps(&(4..6)) && !set.overlaps(&(4..5)) && !set.overlaps(&(8..9)));
    }

    #[test]
    fn minus_and_intersect() {
        let mut set = RowSet::from_range(0..10);
        set.insert(20..25);
        let mut cut = RowSet::from_range(2..4);
        cut.insert(8..22);
        assert_eq!(set.minus(&cut).ranges(), [0..2, 4..8, 22..25]);
        assert_eq!(set.intersect(&cut).ranges(), [2..4, 8..10, 20..22]);
    }
}
