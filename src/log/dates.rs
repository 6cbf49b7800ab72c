//! Dates for `diffscore log`: `--since` read in git's common forms, and
//! commit times written in ISO 8601. Calendar arithmetic is done in UTC (a
//! date without an offset is UTC): no time-zone database is read.

const DAY: i64 = 86_400;

/// A `--since` value that none of the supported forms reads.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("cannot read `{0}` as a date: use 2024-01-31, 2024-01-31T12:00:00+01:00, @1706659200, 2.weeks or 3 days ago")]
pub struct DateError(pub String);

/// Reads a `--since` date as Unix seconds, relative forms counting back from `now`:
///
/// - `2024-01-31` (midnight UTC), `2024-01-31T12:00`, `2024-01-31 12:00:00`,
///   each with an optional `Z`, `+01:00` or `+0100` offset;
/// - `@1706659200` (Unix seconds);
/// - `now`, `yesterday`, and counts of units with an optional `ago`, joined
///   by spaces or dots: `2.weeks`, `3 days ago`, `1.year.2.months`. Units:
///   seconds, minutes, hours, days, weeks, months and years (singular or
///   plural); months and years move the calendar date, like git.
pub fn parse_since(text: &str, now: i64) -> Result<i64, DateError> {
    let trimmed = text.trim();
    let error = || DateError(text.to_owned());
    if let Some(seconds) = trimmed.strip_prefix('@') {
        return seconds.parse().map_err(|_| error());
    }
    match trimmed {
        "now" => return Ok(now),
        "yesterday" => return Ok(now - DAY),
        _ => {}
    }
    absolute(trimmed).or_else(|| relative(trimmed, now)).ok_or_else(error)
}

/// `2024-01-31`, then an optional time and offset.
fn absolute(text: &str) -> Option<i64> {
    let (date, rest) = text.split_at_checked(10)?;
    let mut fields = date.split('-');
    let year: i64 = digits(fields.next()?, 4)?;
    let month: u32 = digits(fields.next()?, 2)?;
    let day: u32 = digits(fields.next()?, 2)?;
    if fields.next().is_some() || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let (time, offset) = match rest.strip_prefix(['T', ' ']) {
        Some(rest) => time_and_offset(rest)?,
        None if rest.is_empty() => (0, 0),
        None => return None,
    };
    Some(days_from_civil(year, month, day) * DAY + time - offset)
}

/// `12:00`, `12:00:00`, then `Z`, `+01:00`, `+0100` or nothing (UTC), as seconds.
fn time_and_offset(text: &str) -> Option<(i64, i64)> {
    let end = text.find(['Z', '+', '-', ' ']).unwrap_or(text.len());
    let (time, zone) = text.split_at(end);
    let fields: Vec<&str> = time.split(':').collect();
    if !(2..=3).contains(&fields.len()) {
        return None;
    }
    let hours: i64 = digits(fields[0], 2)?;
    let minutes: i64 = digits(fields[1], 2)?;
    let seconds: i64 = fields.get(2).map_or(Some(0), |s| digits(s, 2))?;
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    let zone = zone.trim_start();
    let offset = match zone {
        "" | "Z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let zone = zone.strip_prefix(['+', '-'])?.replace(':', "");
            let (zone_hours, zone_minutes): (i64, i64) = (digits(zone.get(..2)?, 2)?, digits(zone.get(2..)?, 2)?);
            sign * (zone_hours * 3600 + zone_minutes * 60)
        }
    };
    Some((hours * 3600 + minutes * 60 + seconds, offset))
}

/// A number of exactly `width` ASCII digits.
fn digits<T: std::str::FromStr>(text: &str, width: usize) -> Option<T> {
    (text.len() == width && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// `2.weeks`, `3 days ago`, `1.year.2.months`.
fn relative(text: &str, now: i64) -> Option<i64> {
    let mut words: Vec<&str> = text.split(['.', ' ']).filter(|w| !w.is_empty()).collect();
    if words.last() == Some(&"ago") {
        words.pop();
    }
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return None;
    }
    let (mut seconds, mut months) = (0i64, 0i64);
    for pair in words.chunks(2) {
        let count: i64 = pair[0]
            .parse()
            .ok()
            .filter(|_| pair[0].bytes().all(|b| b.is_ascii_digit()))?;
        let unit = pair[1].strip_suffix('s').unwrap_or(pair[1]);
        match unit {
            "second" | "sec" => seconds += count,
            "minute" | "min" => seconds += count * 60,
            "hour" => seconds += count * 3600,
            "day" => seconds += count * DAY,
            "week" => seconds += count * 7 * DAY,
            "month" => months += count,
            "year" => months += count * 12,
            _ => return None,
        }
    }
    Some(months_before(now, months) - seconds)
}

/// The same time of day `months` calendar months earlier (the day of the
/// month kept, or the month's last day when it has fewer).
fn months_before(now: i64, months: i64) -> i64 {
    if months == 0 {
        return now;
    }
    let (days, time) = (now.div_euclid(DAY), now.rem_euclid(DAY));
    let (year, month, day) = civil_from_days(days);
    let index = year * 12 + i64::from(month) - 1 - months;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
    days_from_civil(year, month, day.min(days_in_month(year, month))) * DAY + time
}

/// A commit time as ISO 8601 in its own offset, like `git log --date=iso-strict`:
/// `2024-01-31T12:00:00+01:00`.
pub fn iso8601(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds + i64::from(offset_minutes) * 60;
    let (year, month, day) = civil_from_days(local.div_euclid(DAY));
    let time = local.rem_euclid(DAY);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let offset = offset_minutes.unsigned_abs();
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        time / 3600,
        time % 3600 / 60,
        time % 60,
        offset / 60,
        offset % 60
    )
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day counted from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400;
    (if month <= 2 { year + 1 } else { year }, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-31T10:00:00Z.
    const NOW: i64 = 1_711_879_200;

    #[test]
    fn iso_dates_are_read_in_utc_unless_an_offset_is_given() {
        assert_eq!(parse_since("2024-01-31", NOW), Ok(1_706_659_200));
        assert_eq!(parse_since("2024-01-31T12:00", NOW), Ok(1_706_659_200 + 12 * 3600));
        assert_eq!(
            parse_since("2024-01-31 12:00:30", NOW),
            Ok(1_706_659_200 + 12 * 3600 + 30)
        );
        assert_eq!(parse_since("2024-01-31T12:00:00Z", NOW), Ok(1_706_659_200 + 12 * 3600));
        assert_eq!(
            parse_since("2024-01-31T12:00:00+01:00", NOW),
            Ok(1_706_659_200 + 11 * 3600)
        );
        assert_eq!(
            parse_since("2024-01-31 12:00 -0230", NOW),
            Ok(1_706_659_200 + 14 * 3600 + 1800)
        );
        assert_eq!(parse_since("@1706659200", NOW), Ok(1_706_659_200));
        assert_eq!(parse_since("1970-01-01", NOW), Ok(0));
    }

    #[test]
    fn relative_dates_count_back_from_now() {
        assert_eq!(parse_since("2.weeks", NOW), Ok(NOW - 14 * DAY));
        assert_eq!(parse_since("2 weeks ago", NOW), Ok(NOW - 14 * DAY));
        assert_eq!(parse_since("3 days ago", NOW), Ok(NOW - 3 * DAY));
        assert_eq!(parse_since("1.day", NOW), Ok(NOW - DAY));
        assert_eq!(parse_since("yesterday", NOW), Ok(NOW - DAY));
        assert_eq!(parse_since("now", NOW), Ok(NOW));
        assert_eq!(parse_since("90.minutes.ago", NOW), Ok(NOW - 90 * 60));
        assert_eq!(parse_since("1 hour 30 minutes ago", NOW), Ok(NOW - 5400));
        // Months move the calendar: 31 March less one month is 29 February 2024.
        assert_eq!(parse_since("1.month", NOW), parse_since("2024-02-29T10:00:00Z", NOW));
        assert_eq!(
            parse_since("2 years ago", NOW),
            parse_since("2022-03-31T10:00:00Z", NOW)
        );
        assert_eq!(
            parse_since("1.year.1.month", NOW),
            parse_since("2023-02-28T10:00:00Z", NOW)
        );
    }

    #[test]
    fn anything_else_is_an_error() {
        for bad in [
            "",
            "soon",
            "2.fortnights",
            "weeks",
            "2",
            "2024-13-01",
            "2024-02-30",
            "2024-1-31",
            "31/01/2024",
            "2024-01-31T25:00",
            "2024-01-31X",
            "-2.weeks",
            "ago",
            "@x",
        ] {
            assert_eq!(parse_since(bad, NOW), Err(DateError(bad.to_owned())), "{bad:?}");
        }
    }

    #[test]
    fn commit_times_are_written_in_their_own_offset() {
        assert_eq!(iso8601(1_706_702_400, 0), "2024-01-31T12:00:00+00:00");
        assert_eq!(iso8601(1_706_702_400, 60), "2024-01-31T13:00:00+01:00");
        assert_eq!(iso8601(1_706_702_400, -150), "2024-01-31T09:30:00-02:30");
        assert_eq!(iso8601(0, -60), "1969-12-31T23:00:00-01:00");
        assert_eq!(iso8601(951_782_400, 0), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn calendar_round_trips() {
        for days in (-800_000..800_000).step_by(997) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
    }
}
