//! Line charts: curves over a numeric (or log, or categorical) x axis, with
//! optional 95% CI error bars, markers and point labels. The latency CDF, the
//! time series, every sweep chart and the cost-vs-latency trade-off are lines.

use super::canvas::{draw_stacked, Drawing, Panel};
use super::labels;
use super::style::{self, color, Axis, Drawn, Ticked, FONT, SIZE, TICK, TITLE};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::RGBColor;

#[derive(Clone, Debug)]
pub(crate) struct Point {
    pub(crate) x: f64,
    pub(crate) y: f64,
    /// Half-width of the 95% confidence interval of `y` (0: no error bar).
    pub(crate) ci: f64,
    /// Text written next to the point.
    pub(crate) label: Option<String>,
}

impl Point {
    pub(crate) fn new(x: f64, y: f64) -> Point {
        Point {
            x,
            y,
            ci: 0.0,
            label: None,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub(crate) name: String,
    pub(crate) color: usize,
    pub(crate) dashed: bool,
    pub(crate) points: Vec<Point>,
}

#[derive(Clone, Debug)]
pub(crate) struct Lines {
    pub(crate) title: String,
    pub(crate) x: Axis,
    pub(crate) y: Axis,
    pub(crate) series: Vec<Series>,
    /// Mark each point with a dot (sweeps, trade-off).
    pub(crate) markers: bool,
    /// Fixed y range in plotting coordinates (panels that share a scale).
    pub(crate) y_range: Option<(f64, f64)>,
    /// Vertical reference lines at these x (data units), each labelled (an SLO).
    pub(crate) vlines: Vec<(f64, String)>,
    /// A point to ring and label (the SLO's answer), in data units.
    pub(crate) highlight: Option<(f64, f64, String)>,
}

/// Panels stacked vertically under one title, e.g. one per variant.
#[derive(Clone, Debug)]
pub(crate) struct Stack {
    pub(crate) title: String,
    pub(crate) panels: Vec<Lines>,
}

/// A point in plotting coordinates: x, y, and the error bar's ends.
type Plotted<'a> = (f64, f64, f64, f64, Option<&'a str>);

impl Lines {
    pub(crate) fn new(title: impl Into<String>, x: Axis, y: Axis, series: Vec<Series>) -> Lines {
        Lines {
            title: title.into(),
            x,
            y,
            series,
            markers: false,
            y_range: None,
            vlines: Vec::new(),
            highlight: None,
        }
    }

    /// The y range the data needs, in plotting coordinates.
    pub(crate) fn data_y_range(&self) -> (f64, f64) {
        let pts: Vec<Plotted> = self.series.iter().flat_map(|s| self.plotted(s)).collect();
        let lo = pts.iter().map(|p| p.2).fold(f64::INFINITY, f64::min);
        let hi = pts.iter().map(|p| p.3).fold(f64::NEG_INFINITY, f64::max);
        style::range(lo, hi, !self.y.log, 0.08)
    }

    fn plotted<'a>(&self, s: &'a Series) -> Vec<Plotted<'a>> {
        s.points
            .iter()
            .filter_map(|p| {
                let x = self.x.to_plot(p.x)?;
                let y = self.y.to_plot(p.y)?;
                // On a log axis an error bar reaching below 0 is cut at y/1000.
                let lo = self.y.to_plot(p.y - p.ci).unwrap_or(y - 3.0);
                let hi = self.y.to_plot(p.y + p.ci).unwrap_or(y);
                Some((x, y, lo.min(y), hi.max(y), p.label.as_deref()))
            })
            .collect()
    }
}

impl Drawing for Lines {
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        self.draw_with(area, TITLE)
    }
}

impl Drawing for Stack {
    fn size(&self) -> (u32, u32) {
        // Room for each panel to stay readable.
        let n = self.panels.len().max(1) as u32;
        (SIZE.0, SIZE.1.max(70 + 210 * n))
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_stacked(area, &self.title, &self.panels)
    }
}

/// Where a legend box `w` × `h` (fractions of the plotting area) hides no
/// point of `pts` (plotting coordinates inside `xr` × `yr`), sampled along
/// the lines: the first free corner, or `None` when every corner would
/// hide data (then the legend goes above the plot).
fn legend_corner(
    pts: &[Vec<Plotted>],
    xr: (f64, f64),
    yr: (f64, f64),
    (w, h): (f64, f64),
) -> Option<SeriesLabelPosition> {
    let norm = |x: f64, y: f64| ((x - xr.0) / (xr.1 - xr.0), (y - yr.0) / (yr.1 - yr.0));
    let mut samples = Vec::new();
    for line in pts {
        for (i, p) in line.iter().enumerate() {
            samples.push(norm(p.0, p.1));
            // The error bar's ends count as data too.
            samples.push(norm(p.0, p.2));
            samples.push(norm(p.0, p.3));
            if let Some(q) = line.get(i + 1) {
                for k in 1..16 {
                    let t = k as f64 / 16.0;
                    samples.push(norm(p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
                }
            }
        }
    }
    let corners = [
        (SeriesLabelPosition::UpperRight, 1.0 - w, 1.0 - h),
        (SeriesLabelPosition::UpperLeft, 0.0, 1.0 - h),
        (SeriesLabelPosition::LowerRight, 1.0 - w, 0.0),
        (SeriesLabelPosition::LowerLeft, 0.0, 0.0),
    ];
    let hides = |x0: f64, y0: f64| {
        samples
            .iter()
            .any(|(x, y)| *x >= x0 && *x <= x0 + w && *y >= y0 && *y <= y0 + h)
    };
    corners
        .into_iter()
        .find(|(_, x0, y0)| !hides(*x0, *y0))
        .map(|c| c.0)
}

/// The legend's entries: the name, the colour and whether the line is dashed.
fn legend_items(series: &[Series]) -> Vec<(String, RGBColor, bool)> {
    series
        .iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| (s.name.clone(), color(s.color), s.dashed))
        .collect()
}

/// Rows of legend entries laid out left to right within `width` pixels:
/// each row's entries with their x offsets.
fn legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor, bool)],
    width: i32,
) -> Vec<Vec<(i32, usize)>> {
    let font = TextStyle::from((FONT, TICK).into_font());
    let mut rows: Vec<Vec<(i32, usize)>> = vec![Vec::new()];
    let mut x = 0;
    for (i, (name, _, _)) in items.iter().enumerate() {
        let tw = area
            .estimate_text_size(name, &font)
            .map_or(9 * name.len() as u32, |s| s.0) as i32;
        let w = LEGEND_MARK + tw + 22;
        if x > 0 && x + w > width {
            rows.push(Vec::new());
            x = 0;
        }
        rows.last_mut().expect("a row").push((x, i));
        x += w;
    }
    rows
}

/// Pixels of a legend entry's line sample, and of a row of entries.
const LEGEND_MARK: i32 = 30;
const LEGEND_ROW: i32 = 20;

/// Draws a legend row by row from pixel `(x0, y0)` of `area`, outside the plot.
fn draw_legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(String, RGBColor, bool)],
    rows: &[Vec<(i32, usize)>],
    (x0, y0): (i32, i32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let font = (FONT, TICK).into_font().color(&BLACK);
    for (r, row) in rows.iter().enumerate() {
        let y = y0 + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        for &(dx, i) in row {
            let (name, c, dashed) = &items[i];
            let x = x0 + dx;
            let line = c.stroke_width(2);
            if *dashed {
                area.draw(&PathElement::new(vec![(x, y), (x + 10, y)], line))
                    .drawn()?;
                area.draw(&PathElement::new(vec![(x + 15, y), (x + 24, y)], line))
                    .drawn()?;
            } else {
                area.draw(&PathElement::new(vec![(x, y), (x + 24, y)], line))
                    .drawn()?;
            }
            area.draw_text(name, &font, (x + LEGEND_MARK, y - 8))
                .drawn()?;
        }
    }
    Ok(())
}

/// Where plotters draws a legend at `at` (its default 5 px margin), as
/// [`legend_corner`] sizes it: a rectangle for labels to keep clear of.
fn legend_rect(
    at: &SeriesLabelPosition,
    chars: usize,
    rows: usize,
    plot: labels::Rect,
) -> labels::Rect {
    let w = (chars as f64 * 8.5 + 50.0) as i32;
    let h = (rows as f64 * 19.0 + 16.0) as i32;
    let (right, bottom) = match at {
        SeriesLabelPosition::UpperLeft => (false, false),
        SeriesLabelPosition::LowerRight => (true, true),
        SeriesLabelPosition::LowerLeft => (false, true),
        _ => (true, false),
    };
    labels::Rect {
        x: if right {
            plot.x + plot.w - w - 5
        } else {
            plot.x + 5
        },
        y: if bottom {
            plot.y + plot.h - h - 5
        } else {
            plot.y + 5
        },
        w,
        h,
    }
}

/// A 95% CI whisker: a vertical line with caps `half` wide (x units).
pub(crate) fn whisker<S: Into<ShapeStyle> + Copy>(
    x: f64,
    lo: f64,
    hi: f64,
    half: f64,
    style: S,
) -> [PathElement<(f64, f64)>; 3] {
    [
        PathElement::new(vec![(x, lo), (x, hi)], style),
        PathElement::new(vec![(x - half, lo), (x + half, lo)], style),
        PathElement::new(vec![(x - half, hi), (x + half, hi)], style),
    ]
}

impl Lines {
    /// The point labels to draw: `(text, pixel position, series index)`.
    /// Neighbouring points of one line closer than 14 px share a label
    /// ("5s–20s"); [`labels::place`] then keeps every label clear of the others.
    fn point_labels(
        &self,
        plotted: &[Vec<Plotted>],
        px: &dyn Fn(&Plotted) -> (i32, i32),
    ) -> Vec<(String, (i32, i32), usize)> {
        let mut out = Vec::new();
        for (si, pts) in plotted.iter().enumerate() {
            let mut i = 0;
            while i < pts.len() {
                let Some(first) = pts[i].4 else {
                    i += 1;
                    continue;
                };
                let p0 = px(&pts[i]);
                let mut j = i;
                while j + 1 < pts.len() && pts[j + 1].4.is_some() {
                    let q = px(&pts[j + 1]);
                    if (q.0 - p0.0).abs() >= 14 || (q.1 - p0.1).abs() >= 14 {
                        break;
                    }
                    j += 1;
                }
                let text = match pts[j].4 {
                    Some(last) if j > i => format!("{first}–{last}"),
                    _ => first.to_string(),
                };
                out.push((text, p0, si));
                i = j + 1;
            }
        }
        out
    }
}

impl Panel for Lines {
    fn draw_with<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title_size: u32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let plotted: Vec<Vec<Plotted>> = self.series.iter().map(|s| self.plotted(s)).collect();
        let x_pad = if self.x.names.is_some() { 0.15 } else { 0.03 };
        // Every x counts, even of a point the y scale cannot show.
        let xs = || {
            self.series
                .iter()
                .flat_map(|s| &s.points)
                .map(|p| p.x)
                .chain(self.vlines.iter().map(|v| v.0))
                .filter_map(|x| self.x.to_plot(x))
        };
        let xr = style::range(
            xs().fold(f64::INFINITY, f64::min),
            xs().fold(f64::NEG_INFINITY, f64::max),
            false,
            x_pad,
        );
        let yr = self.y_range.unwrap_or_else(|| self.data_y_range());
        let xspan = xr.1 - xr.0;
        let (aw, ah) = area.dim_in_pixel();
        let small = ah < 300;
        // The legend goes in a corner it leaves every point visible in, or
        // else in a band above the plot: never over data.
        let items = legend_items(&self.series);
        let plot_w = aw as i32 - 2 * 16 - 90;
        let plot_h = ah as i32 - 2 * 16 - 55 - (title_size as i32 * 13 / 10);
        let rows = legend_rows(area, &items, plot_w.max(100));
        let corner = if items.is_empty() {
            None
        } else {
            // plotters' box: the widest name, its line sample, margins.
            let widest = rows
                .iter()
                .flatten()
                .map(|&(_, i)| {
                    area.estimate_text_size(&items[i].0, &TextStyle::from((FONT, TICK).into_font()))
                        .map_or(0, |s| s.0) as f64
                })
                .fold(0.0, f64::max);
            let box_w = (widest + 60.0) / plot_w.max(1) as f64;
            let box_h = (items.len() as f64 * 19.0 + 20.0) / plot_h.max(1) as f64;
            // The legend keeps clear of the reference lines (an SLO) too.
            let mut avoid = plotted.clone();
            for (x, _) in &self.vlines {
                if let Some(x) = self.x.to_plot(*x) {
                    avoid.push(vec![
                        (x, yr.0, yr.0, yr.0, None),
                        (x, yr.1, yr.1, yr.1, None),
                    ]);
                }
            }
            legend_corner(&avoid, xr, yr, (box_w.min(1.0), box_h.min(1.0)))
        };
        let band = if corner.is_none() && !items.is_empty() {
            rows.len() as i32 * LEGEND_ROW + 6
        } else {
            0
        };
        let (legend_area, chart_area) = style::with_band(area, &self.title, title_size, band)?;
        let mut builder = ChartBuilder::on(&chart_area);
        if legend_area.is_none() {
            builder.caption(&self.title, (FONT, title_size));
        }
        let mut chart = builder
            .margin(16)
            .margin_top(if legend_area.is_some() { 4 } else { 16 })
            .x_label_area_size(55)
            .y_label_area_size(90)
            .build_cartesian_2d(
                Ticked::new(&self.x, xr.0, xr.1, 10),
                Ticked::new(&self.y, yr.0, yr.1, if small { 4 } else { 8 }),
            )
            .drawn()?;
        let xf = |v: &f64| self.x.tick(*v);
        let yf = |v: &f64| self.y.tick(*v);
        style::mesh(&mut chart.configure_mesh())
            .x_desc(self.x.label.as_str())
            .y_desc(self.y.label.as_str())
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .draw()
            .drawn()?;
        for (s, pts) in self.series.iter().zip(&plotted) {
            let c = color(s.color);
            let line = c.stroke_width(2);
            let xy = pts.iter().map(|p| (p.0, p.1));
            let anno = if s.dashed {
                chart.draw_series(DashedLineSeries::new(xy, 8, 5, line))
            } else {
                chart.draw_series(LineSeries::new(xy, line))
            }
            .drawn()?;
            let dashed = s.dashed;
            anno.label(s.name.as_str()).legend(move |(x, y)| {
                let gap = if dashed { 6 } else { 0 };
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (9, 0)], line)
                    + PathElement::new(vec![(9 + gap, 0), (20, 0)], line)
            });
            if self.markers {
                chart
                    .draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 4, c.filled())))
                    .drawn()?;
            }
            chart
                .draw_series(
                    pts.iter()
                        .filter(|p| p.3 > p.2)
                        .flat_map(|p| whisker(p.0, p.2, p.3, xspan * 0.006, c.stroke_width(2))),
                )
                .drawn()?;
        }
        let labels = self.point_labels(&plotted, &|p| chart.backend_coord(&(p.0, p.1)));
        // Reference lines (an SLO), dashed grey, labelled at their top.
        let mut extra: Vec<(String, (i32, i32), RGBColor)> = Vec::new();
        for (x, text) in &self.vlines {
            let Some(x) = self.x.to_plot(*x) else {
                continue;
            };
            let grey = RGBColor(90, 90, 90);
            chart
                .draw_series(DashedLineSeries::new(
                    [(x, yr.0), (x, yr.1)],
                    6,
                    4,
                    grey.stroke_width(2),
                ))
                .drawn()?;
            extra.push((
                text.clone(),
                chart.backend_coord(&(x, yr.1 - 0.04 * (yr.1 - yr.0))),
                grey,
            ));
        }
        if let Some((x, y, text)) = &self.highlight {
            if let (Some(x), Some(y)) = (self.x.to_plot(*x), self.y.to_plot(*y)) {
                chart
                    .draw_series([Circle::new((x, y), 9, BLACK.stroke_width(2))])
                    .drawn()?;
                // First: the answer gets the best place.
                extra.insert(0, (text.clone(), chart.backend_coord(&(x, y)), BLACK));
            }
        }
        let all: Vec<(String, (i32, i32), RGBColor)> = extra
            .into_iter()
            .chain(
                labels
                    .into_iter()
                    .map(|(t, at, si)| (t, at, color(self.series[si].color))),
            )
            .collect();
        let (xs_px, ys_px) = chart.plotting_area().get_pixel_range();
        let plot_area = labels::Rect {
            x: xs_px.start,
            y: ys_px.start,
            w: xs_px.end - xs_px.start,
            h: ys_px.end - ys_px.start,
        };
        let font = |c: RGBColor| (FONT, TICK).into_font().color(&c);
        let mut to_place = Vec::new();
        for (text, at, c) in &all {
            let (w, h) = area.estimate_text_size(text, &font(*c)).drawn()?;
            to_place.push(labels::Label {
                at: *at,
                size: (w as i32, h as i32),
            });
        }
        let mut markers: Vec<labels::Rect> = plotted
            .iter()
            .flatten()
            .map(|p| labels::marker(chart.backend_coord(&(p.0, p.1)), 5))
            .collect();
        if let Some(at) = &corner {
            let chars = items.iter().map(|i| i.0.chars().count()).max().unwrap_or(0);
            markers.push(legend_rect(at, chars, items.len(), plot_area));
        }
        let base = area.get_base_pixel();
        for ((text, _, c), r) in all
            .iter()
            .zip(labels::place(&to_place, &markers, plot_area))
        {
            area.draw_text(text, &font(*c), (r.x - base.0, r.y - base.1))
                .drawn()?;
        }
        self.mark_floors(&mut chart, xr, yr)?;
        match (corner, legend_area) {
            (Some(at), _) => style::legend(&mut chart, at)?,
            (None, Some(band)) => {
                let px = chart.plotting_area().get_base_pixel().0;
                draw_legend_rows(&band, &items, &rows, (px - band.get_base_pixel().0, 2))?;
            }
            (None, None) => {}
        }
        Ok(())
    }
}

impl Lines {
    /// A log axis's floor: a dashed grey line where values of 0 are drawn.
    fn mark_floors<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<DB, Cartesian2d<Ticked, Ticked>>,
        xr: (f64, f64),
        yr: (f64, f64),
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let grey = RGBColor(110, 110, 110).stroke_width(1);
        let font = (FONT, TICK).into_font().color(&RGBColor(90, 90, 90));
        if let Some(f) = self.y.floor {
            chart
                .draw_series(DashedLineSeries::new([(xr.0, f), (xr.1, f)], 6, 4, grey))
                .drawn()?;
            let label = EmptyElement::at((xr.1, f))
                + Text::new(
                    "values of 0 are drawn on this line",
                    (-4, -3),
                    font.pos(Pos::new(HPos::Right, VPos::Bottom)),
                );
            chart.draw_series(std::iter::once(label)).drawn()?;
        }
        if let Some(f) = self.x.floor {
            chart
                .draw_series(DashedLineSeries::new([(f, yr.0), (f, yr.1)], 6, 4, grey))
                .drawn()?;
        }
        Ok(())
    }
}
