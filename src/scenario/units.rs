//! Durations and sizes as people write them: `"250ms"`, `"5m"`, `"1h30m"`,
//! `"4d"` or a number of seconds; `"1KiB"`, `"64KB"` or a number of bytes.

use crate::engine::SimTime;
use toml::Value;

/// Parses a duration value into microseconds (as `f64`, so distribution
/// parameters may be fractional). Errors say what is accepted.
pub fn duration_us(v: &Value) -> Result<f64, String> {
    match v {
        Value::Integer(i) => {
            if *i < 0 {
                return Err(format!("found {i}, a duration must be ≥ 0"));
            }
            Ok(*i as f64 * 1e6)
        }
        Value::Float(f) => {
            if !f.is_finite() || *f < 0.0 {
                return Err(format!("found {f}, a duration must be a finite number ≥ 0"));
            }
            Ok(f * 1e6)
        }
        Value::String(s) => parse_duration_str(s),
        other => Err(format!(
            "found {}, expected a duration such as \"250ms\", \"20s\", \"5m\", \"2h\", \"4d\" or a number of seconds",
            describe(other)
        )),
    }
}

/// A duration that must be a whole number of microseconds (time points).
pub fn duration(v: &Value) -> Result<SimTime, String> {
    let us = duration_us(v)?;
    if us > 1e18 {
        return Err("duration is too large (the limit is about 31,000 years)".into());
    }
    Ok(SimTime::from_micros_f64(us))
}

fn parse_duration_str(s: &str) -> Result<f64, String> {
    let bad = || {
        format!("cannot read \"{s}\" as a duration: write a number with a unit (us, ms, s, m, h, d), e.g. \"250ms\", \"1h30m\", or a number of seconds")
    };
    let t = s.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(x) = t.parse::<f64>() {
        if x.is_finite() && x >= 0.0 {
            return Ok(x * 1e6);
        }
        return Err(bad());
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_end == 0 {
            return Err(bad());
        }
        let x: f64 = rest[..num_end].parse().map_err(|_| bad())?;
        rest = rest[num_end..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        let scale = match unit {
            "us" | "µs" => 1.0,
            "ms" => 1e3,
            "s" | "sec" => 1e6,
            "m" | "min" => 60e6,
            "h" => 3600e6,
            "d" => 86400e6,
            _ => return Err(bad()),
        };
        total += x * scale;
        rest = rest[unit_end..].trim_start();
    }
    if !total.is_finite() {
        return Err(bad());
    }
    Ok(total)
}

/// Parses a size in bytes.
pub fn size_bytes(v: &Value) -> Result<f64, String> {
    match v {
        Value::Integer(i) if *i >= 0 => Ok(*i as f64),
        Value::Float(f) if f.is_finite() && *f >= 0.0 => Ok(*f),
        Value::Integer(_) | Value::Float(_) => Err("a size must be ≥ 0 bytes".into()),
        Value::String(s) => {
            let t = s.trim();
            let split = t
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(t.len());
            let bad = || {
                format!("cannot read \"{s}\" as a size: write bytes (512) or a number with B, KB, KiB, MB or MiB")
            };
            let x: f64 = t[..split].parse().map_err(|_| bad())?;
            let scale = match t[split..].trim() {
                "" | "B" => 1.0,
                "KB" | "kB" => 1e3,
                "KiB" => 1024.0,
                "MB" => 1e6,
                "MiB" => 1024.0 * 1024.0,
                _ => return Err(bad()),
            };
            Ok(x * scale)
        }
        other => Err(format!(
            "found {}, expected a size such as 1024, \"1KiB\" or \"256KiB\"",
            describe(other)
        )),
    }
}

/// "a string \"x\"", "an integer 3", … for error messages.
pub fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string \"{s}\""),
        Value::Integer(i) => format!("the integer {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("the boolean {b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "an array".into(),
        Value::Table(_) => "a table".into(),
    }
}

/// Formats microseconds so that `duration_us` reads back the same value.
pub fn format_duration_us(us: f64) -> String {
    if us.fract() == 0.0 && us < 1.8e19 {
        let u = us as u64;
        let units = [
            (86_400_000_000, "d"),
            (3_600_000_000, "h"),
            (60_000_000, "m"),
            (1_000_000, "s"),
            (1000, "ms"),
        ];
        match units
            .iter()
            .find(|(scale, _)| u >= *scale && u.is_multiple_of(*scale))
        {
            Some((scale, unit)) => format!("{}{unit}", u / scale),
            None if u == 0 => "0s".into(),
            None => format!("{u}us"),
        }
    } else {
        format!("{us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> f64 {
        duration_us(&Value::String(s.into())).unwrap()
    }

    #[test]
    fn durations() {
        assert_eq!(d("250ms"), 250_000.0);
        assert_eq!(d("20s"), 20e6);
        assert_eq!(d("5m"), 300e6);
        assert_eq!(d("2h"), 7200e6);
        assert_eq!(d("4d"), 4.0 * 86400e6);
        assert_eq!(d("1h30m"), 5400e6);
        assert_eq!(d("1.5s"), 1.5e6);
        assert_eq!(d("12"), 12e6);
        assert_eq!(duration_us(&Value::Integer(3)).unwrap(), 3e6);
        assert_eq!(duration_us(&Value::Float(0.25)).unwrap(), 250_000.0);
        for bad in ["", "5x", "ms", "-1s", "1..2s", "inf"] {
            assert!(duration_us(&Value::String(bad.into())).is_err(), "{bad}");
        }
        assert!(duration_us(&Value::Integer(-1)).is_err());
        assert!(duration_us(&Value::Boolean(true)).is_err());
    }

    #[test]
    fn durations_round_trip_through_format() {
        for us in [
            0.0,
            1.0,
            250_000.0,
            1_250_000.0,
            1_234_567.0,
            33.333333333333336,
            86400e6,
        ] {
            let s = format_duration_us(us);
            assert_eq!(d(&s), us, "{s}");
        }
    }

    #[test]
    fn sizes() {
        let s = |x: &str| size_bytes(&Value::String(x.into())).unwrap();
        assert_eq!(s("1KiB"), 1024.0);
        assert_eq!(s("64KB"), 64000.0);
        assert_eq!(s("1MiB"), 1048576.0);
        assert_eq!(s("512"), 512.0);
        assert_eq!(size_bytes(&Value::Integer(10)).unwrap(), 10.0);
        assert!(size_bytes(&Value::String("1GiB".into())).is_err());
    }
}
