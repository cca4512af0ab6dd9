//! What every chart shares: size, fonts, colours, axes and how tick labels
//! print numbers with their unit.

use anyhow::{anyhow, Result};
use plotters::chart::{ChartContext, MeshStyle, SeriesLabelPosition};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::CoordTranslate;
use plotters::coord::Shift;
use plotters::prelude::{Color, DrawingArea, DrawingBackend, BLACK, WHITE};
use plotters::style::RGBColor;

/// Width and height of every chart, in pixels.
pub(crate) const SIZE: (u32, u32) = (960, 600);

pub(crate) const FONT: &str = "sans-serif";
pub(crate) const TITLE: u32 = 26;
pub(crate) const LABEL: u32 = 18;
pub(crate) const TICK: u32 = 15;

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

pub(crate) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Each variant's colour, the same in every chart of a folder: its place
/// among the variants of `aggregate.csv`, in order of first appearance.
#[derive(Clone, Debug, Default)]
pub(crate) struct Palette {
    variants: Vec<String>,
}

impl Palette {
    pub(crate) fn of_aggregate(a: &crate::report::keyed::Table) -> Palette {
        let mut variants: Vec<String> = Vec::new();
        if let Ok(v) = a.col("variant") {
            for r in &a.rows {
                if !variants.iter().any(|n| n == &r[v]) {
                    variants.push(r[v].to_string());
                }
            }
        }
        Palette { variants }
    }

    /// The colour index of `variant` (one not in the folder: the next free one).
    pub(crate) fn index(&self, variant: &str) -> usize {
        self.variants
            .iter()
            .position(|v| v == variant)
            .unwrap_or(self.variants.len())
    }

    pub(crate) fn len(&self) -> usize {
        self.variants.len()
    }
}

pub(crate) const GRID: RGBColor = RGBColor(240, 240, 240);
pub(crate) const GRID_BOLD: RGBColor = RGBColor(215, 215, 215);

/// Maps plotters' errors (no `Debug` on some) into ours.
pub(crate) trait Drawn<T> {
    fn drawn(self) -> Result<T>;
}

impl<T, E: std::fmt::Display> Drawn<T> for std::result::Result<T, E> {
    fn drawn(self) -> Result<T> {
        self.map_err(|e| anyhow!("drawing failed: {e}"))
    }
}

/// How an axis prints its values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Unit {
    Plain,
    Seconds,
    Percent,
    Usd,
}

impl Unit {
    pub(crate) fn format(self, x: f64) -> String {
        match self {
            Unit::Plain => sig(x),
            Unit::Percent => format!("{}%", sig(x)),
            Unit::Usd => format!("${}", sig(x)),
            Unit::Seconds => {
                let a = x.abs();
                if a == 0.0 {
                    "0s".into()
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
pub(crate) fn sig(x: f64) -> String {
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
pub(crate) struct Axis {
    pub(crate) label: String,
    pub(crate) unit: Unit,
    /// Logarithmic: values are plotted at log10(value).
    pub(crate) log: bool,
    /// Categories at 0, 1, 2, … instead of numbers.
    pub(crate) names: Option<Vec<String>>,
    /// Log axes: the plotting coordinate where values ≤ 0 are drawn, a
    /// decade below the smallest positive value, marked on the chart and
    /// labelled "0" (`None`: no value needs it).
    pub(crate) floor: Option<f64>,
}

impl Axis {
    pub(crate) fn new(label: impl Into<String>, unit: Unit) -> Axis {
        Axis {
            label: label.into(),
            unit,
            log: false,
            names: None,
            floor: None,
        }
    }

    /// A log scale for `values` when `force`d or when their positive values
    /// are far apart (over 30×), with a floor for the values ≤ 0 if there
    /// are any; a linear scale when no value is positive.
    pub(crate) fn scaled(mut self, values: impl IntoIterator<Item = f64>, force: bool) -> Axis {
        let (mut lo, mut hi, mut zero) = (f64::INFINITY, 0.0f64, false);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            if v <= 0.0 {
                zero = true;
            } else {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        self.log = hi > 0.0 && (force || hi / lo > 30.0);
        self.floor = (self.log && zero).then(|| lo.log10().floor() - 1.0);
        if self.log && !self.label.contains("log scale") {
            self.label.push_str(" (log scale)");
        }
        self
    }

    pub(crate) fn log(mut self, log: bool) -> Axis {
        self.log = log;
        self
    }

    /// Plotting coordinate of a value; `None` where the scale cannot show it.
    pub(crate) fn to_plot(&self, v: f64) -> Option<f64> {
        match (self.log, v.is_finite()) {
            (_, false) => None,
            (true, _) if v <= 0.0 => self.floor,
            (true, _) => Some(v.log10()),
            (false, _) => Some(v),
        }
    }

    /// The tick label at plotting coordinate `p`.
    pub(crate) fn tick(&self, p: f64) -> String {
        match &self.names {
            Some(names) => names
                .get(p.round().max(0.0) as usize)
                .cloned()
                .unwrap_or_default(),
            None if self.floor.is_some_and(|f| (f - p).abs() < 1e-9) => "0".into(),
            None if self.log => self.unit.format(10f64.powf(p)),
            None => self.unit.format(p),
        }
    }

    /// Labelled and unlabelled (light) tick positions within `lo..hi`
    /// (plotting coordinates), at most about `max` labels: categories at
    /// their index, log axes at 1-2-5 × 10ⁿ (decades only when wide),
    /// linear axes at round steps.
    pub(crate) fn ticks(&self, lo: f64, hi: f64, max: usize) -> (Vec<f64>, Vec<f64>) {
        let inside = |v: &f64| *v >= lo - 1e-9 && *v <= hi + 1e-9;
        if let Some(names) = &self.names {
            return (
                (0..names.len()).map(|i| i as f64).filter(inside).collect(),
                Vec::new(),
            );
        }
        if self.log {
            let decades = (lo.floor() as i64)..=(hi.ceil() as i64);
            let at = |m: &[f64]| -> Vec<f64> {
                decades
                    .clone()
                    .flat_map(|d| m.iter().map(move |k| d as f64 + k.log10()))
                    .filter(inside)
                    .collect()
            };
            let all: Vec<f64> = (1..10).map(|k| k as f64).collect();
            for mantissas in [&[1.0][..], &[1.0, 2.0, 5.0], &[1.0, 2.0, 3.0, 5.0, 7.0]] {
                let bold = at(mantissas);
                if bold.len() >= 4 || mantissas.len() == 5 {
                    return (bold, at(&all));
                }
            }
            unreachable!("the last choice always returns")
        }
        let raw = (hi - lo) / max.max(1) as f64;
        if raw <= 0.0 || !raw.is_finite() {
            return (vec![lo], Vec::new());
        }
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|k| k * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let grid = |step: f64| -> Vec<f64> {
            let first = (lo / step).ceil() as i64;
            let last = (hi / step).floor() as i64;
            // Integer multiples, so 0.1 + 0.2 never prints as 0.30000000000000004.
            (first..=last).map(|i| i as f64 * step).collect()
        };
        (grid(step), grid(step / 5.0))
    }
}

/// True when the values are all positive and far apart: a log axis shows
/// them better. (A log axis cannot show 0, and hiding points would mislead.)
pub(crate) fn wants_log(values: impl IntoIterator<Item = f64>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values {
        if v <= 0.0 || !v.is_finite() {
            return false;
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    // Over 30×: a linear axis would flatten everything but the largest values.
    hi > 0.0 && hi / lo > 30.0
}

/// A padded range around `lo..hi`; `from_zero` keeps 0 as the floor for
/// non-negative data on a linear axis.
pub(crate) fn range(lo: f64, hi: f64, from_zero: bool, pad: f64) -> (f64, f64) {
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

/// The house style of axes: fonts and grid colours.
pub(crate) fn mesh<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    m: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    m.label_style((FONT, TICK))
        .axis_desc_style((FONT, LABEL))
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
}

/// A legend band (if any) and the area left for the chart.
pub(crate) type Banded<DB> = (Option<DrawingArea<DB, Shift>>, DrawingArea<DB, Shift>);

/// Where a chart with a legend band goes: the title on top, then `band`
/// pixels for the legend (outside the plot), then the chart; without a band
/// the chart takes the whole area (and draws its own caption).
pub(crate) fn with_band<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    title_size: u32,
    band: i32,
) -> Result<Banded<DB>>
where
    DB::ErrorType: 'static,
{
    if band <= 0 {
        return Ok((None, area.clone()));
    }
    let inner = area.titled(title, (FONT, title_size)).drawn()?;
    let (legend, chart) = inner.split_vertically(band);
    Ok((Some(legend), chart))
}

/// Draws the legend of the series labelled so far.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: SeriesLabelPosition,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(at)
        .label_font((FONT, TICK))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
        .drawn()
}

/// A linear plotting range with our own tick positions (plotters'
/// `WithKeyPoints` loses the default label formatting of `f64` ranges).
pub(crate) struct Ticked {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) bold: Vec<f64>,
    pub(crate) light: Vec<f64>,
}

impl Ticked {
    pub(crate) fn new(axis: &Axis, lo: f64, hi: f64, max_labels: usize) -> Ticked {
        let (bold, light) = axis.ticks(lo, hi, max_labels);
        Ticked {
            lo,
            hi,
            bold,
            light,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = (v - self.lo) / (self.hi - self.lo);
        let len = (limit.1 - limit.0) as f64;
        if !f.is_finite() {
            return limit.0;
        }
        limit.0 + (len * f).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_with_units() {
        assert_eq!(sig(1234.6), "1235");
        assert_eq!(sig(0.012345), "0.0123");
        assert_eq!(sig(2.5), "2.5");
        assert_eq!(Unit::Seconds.format(0.015), "15ms");
        assert_eq!(Unit::Seconds.format(20.0), "20s");
        assert_eq!(Unit::Percent.format(37.56), "37.6%");
        assert_eq!(Unit::Usd.format(0.09), "$0.09");
        let log = Axis::new("t", Unit::Seconds).log(true);
        assert_eq!(log.tick(-2.0), "10ms");
        let (bold, _) = log.ticks(-4.5, 1.2, 10);
        assert_eq!(bold, vec![-4.0, -3.0, -2.0, -1.0, 0.0, 1.0]);
        let (bold, _) = log.ticks(-1.9, -0.6, 10);
        assert_eq!(bold.len(), 4, "20ms, 50ms, 100ms, 200ms: {bold:?}");
        let lin = Axis::new("x", Unit::Plain);
        let (bold, light) = lin.ticks(0.0, 0.95, 5);
        let labels: Vec<String> = bold.iter().map(|v| lin.tick(*v)).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8"]);
        assert_eq!(light.len(), 24, "every 0.04");
        assert!(wants_log([1.0, 500.0]));
        assert!(!wants_log([0.0, 1.0, 500.0]), "0 cannot be shown");
        assert!(!wants_log([1.0, 20.0]));
    }
}
