//! What every chart shares: size, fonts, colours, axes and how tick labels
//! print numbers with their unit.

use anyhow::{anyhow, Result};
use plotters::style::RGBColor;

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (960, 600);

pub const FONT: &str = "sans-serif";
pub const TITLE: u32 = 26;
pub const LABEL: u32 = 18;
pub const TICK: u32 = 15;

/// Tableau 10: distinct, and readable by most colour-blind people.
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub const GRID: RGBColor = RGBColor(232, 232, 232);

/// Maps plotters' errors (no `Debug` on some) into ours.
pub trait Drawn<T> {
    fn drawn(self) -> Result<T>;
}

impl<T, E: std::fmt::Display> Drawn<T> for std::result::Result<T, E> {
    fn drawn(self) -> Result<T> {
        self.map_err(|e| anyhow!("drawing failed: {e}"))
    }
}

/// How an axis prints its values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    Plain,
    Seconds,
    Percent,
    Usd,
}

impl Unit {
    pub fn format(self, x: f64) -> String {
        match self {
            Unit::Plain => sig(x),
            Unit::Percent => format!("{}%", sig(x)),
            Unit::Usd => format!("${}", sig(x)),
            Unit::Seconds => {
                let a = x.abs();
                if a == 0.0 {
                    "0".into()
                } else if a < 1e-3 {
                    format!("{}µs", sig(x * 1e6))
                } else if a < 1.0 {
                    format!("{}ms", sig(x * 1e3))
                } else if a < 600.0 {
                    format!("{}s", sig(x))
                } else {
                    format!("{}min", sig(x / 60.0))
                }
            }
        }
    }
}

/// At most three significant digits, no trailing zeros.
pub fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let d = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// One axis: its label, unit, scale and (for categories) names.
#[derive(Clone, Debug)]
pub struct Axis {
    pub label: String,
    pub unit: Unit,
    /// Logarithmic: values are plotted at log10(value).
    pub log: bool,
    /// Categories at 0, 1, 2, … instead of numbers.
    pub names: Option<Vec<String>>,
}

impl Axis {
    pub fn new(label: impl Into<String>, unit: Unit) -> Axis {
        Axis {
            label: label.into(),
            unit,
            log: false,
            names: None,
        }
    }

    pub fn log(mut self, log: bool) -> Axis {
        self.log = log;
        self
    }

    /// Plotting coordinate of a value; `None` where the scale cannot show it.
    pub fn to_plot(&self, v: f64) -> Option<f64> {
        match (self.log, v.is_finite()) {
            (_, false) => None,
            (true, _) if v <= 0.0 => None,
            (true, _) => Some(v.log10()),
            (false, _) => Some(v),
        }
    }

    /// The tick label at plotting coordinate `p`; on wide log axes only
    /// whole decades are labelled, and categories only at their index.
    pub fn tick(&self, p: f64, span: f64) -> String {
        if let Some(names) = &self.names {
            let i = p.round();
            if (p - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            return names.get(i as usize).cloned().unwrap_or_default();
        }
        if self.log {
            if span >= 2.0 && (p - p.round()).abs() > 1e-6 {
                return String::new();
            }
            return self.unit.format(10f64.powf(p));
        }
        self.unit.format(p)
    }
}

/// True when positive values span more than two decades: a log axis shows them better.
pub fn wants_log(values: impl IntoIterator<Item = f64>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values {
        if v > 0.0 && v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    hi > 0.0 && hi / lo > 100.0
}

/// A padded range around `lo..hi`; `from_zero` keeps 0 as the floor for
/// non-negative data on a linear axis.
pub fn range(lo: f64, hi: f64, from_zero: bool, pad: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let (lo, hi) = if from_zero && lo >= 0.0 {
        (0.0, hi)
    } else {
        (lo, hi)
    };
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        return (lo - 0.5, hi + 0.5);
    }
    let p = (hi - lo) * pad;
    (if from_zero && lo == 0.0 { 0.0 } else { lo - p }, hi + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_with_units() {
        assert_eq!(sig(1234.5), "1235");
        assert_eq!(sig(0.012345), "0.0123");
        assert_eq!(sig(2.5), "2.5");
        assert_eq!(Unit::Seconds.format(0.015), "15ms");
        assert_eq!(Unit::Seconds.format(20.0), "20s");
        assert_eq!(Unit::Percent.format(37.56), "37.6%");
        assert_eq!(Unit::Usd.format(0.09), "$0.09");
        let log = Axis::new("t", Unit::Seconds).log(true);
        assert_eq!(log.tick(-2.0, 4.0), "10ms");
        assert_eq!(log.tick(-2.5, 4.0), "");
        assert!(wants_log([0.0, 1.0, 500.0]));
        assert!(!wants_log([1.0, 50.0]));
    }
}
