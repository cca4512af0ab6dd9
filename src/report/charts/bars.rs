//! Bar charts: one group of bars per variant, one bar per series, each with a
//! 95% CI whisker and its value written above it (cost, empty rates). Bars
//! take their variant's colour (the same in every chart); a second series
//! is a lighter shade of it, and the legend that says so sits above the
//! plot, never over a bar.

use super::canvas::{draw_stacked, Drawing, Panel};
use super::lines::whisker;
use super::style::{self, color, Axis, Drawn, Ticked, Unit, FONT, LABEL, SIZE, TICK, TITLE};
use crate::report::aggregate::Estimate;
use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::RGBColor;

#[derive(Clone, Debug)]
pub(crate) struct BarSeries {
    pub(crate) name: String,
    /// Mean and 95% CI half-width per group; `None` where the figure does
    /// not exist (written "n/a").
    pub(crate) values: Vec<Option<Estimate>>,
}

#[derive(Clone, Debug)]
pub(crate) struct Bars {
    pub(crate) title: String,
    pub(crate) y_label: String,
    pub(crate) unit: Unit,
    /// Group names along the x axis.
    pub(crate) groups: Vec<String>,
    /// Each group's colour index (its variant's).
    pub(crate) colors: Vec<usize>,
    pub(crate) series: Vec<BarSeries>,
}

/// Bar charts stacked vertically under one title (the cost per delivered
/// message and per 30 days: two units, two scales).
#[derive(Clone, Debug)]
pub(crate) struct BarStack {
    pub(crate) title: String,
    pub(crate) panels: Vec<Bars>,
}

impl Drawing for BarStack {
    fn size(&self) -> (u32, u32) {
        let n = self.panels.len().max(1) as u32;
        (SIZE.0, SIZE.1.max(60 + 340 * n))
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_stacked(area, &self.title, &self.panels)
    }
}

/// Series `si`'s shade of colour `c`: the first full, the others lighter.
fn shade(c: RGBColor, si: usize) -> RGBColor {
    let k = [0.0, 0.55, 0.75][si.min(2)];
    let mix = |v: u8| (v as f64 + (255.0 - v as f64) * k).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

impl Drawing for Bars {
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

impl Panel for Bars {
    fn draw_with<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title_size: u32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.groups.len().max(1) as f64;
        let top = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().map(|e| e.mean + e.ci95))
            .fold(0.0, f64::max);
        // Room above the tallest whisker for its value.
        let (_, ymax) = style::range(0.0, top, true, 0.12);
        let legend = self.series.len() > 1;
        let (legend_area, chart_area) =
            style::with_band(area, &self.title, title_size, if legend { 26 } else { 0 })?;
        let mut builder = ChartBuilder::on(&chart_area);
        if legend_area.is_none() {
            builder.caption(&self.title, (FONT, title_size));
        }
        let mut chart = builder
            .margin(20)
            .margin_top(if legend_area.is_some() { 4 } else { 20 })
            .x_label_area_size(45)
            .y_label_area_size(90)
            .build_cartesian_2d(
                -0.5..n - 0.5,
                Ticked::new(&Axis::new("", self.unit), 0.0, ymax, 8),
            )
            .drawn()?;
        let yf = |v: &f64| self.unit.format(*v);
        style::mesh(&mut chart.configure_mesh())
            .disable_x_mesh()
            .x_label_formatter(&|_| String::new())
            .y_desc(self.y_label.as_str())
            .y_label_formatter(&yf)
            .draw()
            .drawn()?;
        let k = self.series.len().max(1) as f64;
        let width = 0.7 / k;
        let value_font = (FONT, TICK)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        let group_color = |g: usize| color(self.colors.get(g).copied().unwrap_or(g));
        for (si, s) in self.series.iter().enumerate() {
            let left = |g: usize| g as f64 - 0.35 + si as f64 * width;
            let bars = s.values.iter().enumerate().filter_map(|(g, e)| {
                let m = e.as_ref()?.mean;
                Some(Rectangle::new(
                    [(left(g) + 0.01, 0.0), (left(g) + width - 0.01, m)],
                    shade(group_color(g), si).filled(),
                ))
            });
            chart.draw_series(bars).drawn()?;
            chart
                .draw_series(
                    s.values
                        .iter()
                        .enumerate()
                        .filter_map(|(g, e)| Some((g, (*e)?)))
                        .filter(|(_, e)| e.ci95 > 0.0)
                        .flat_map(|(g, Estimate { mean: m, ci95: ci })| {
                            let x = left(g) + width / 2.0;
                            whisker(
                                x,
                                (m - ci).max(0.0),
                                m + ci,
                                width * 0.15,
                                BLACK.stroke_width(2),
                            )
                        }),
                )
                .drawn()?;
            chart
                .draw_series(s.values.iter().enumerate().map(|(g, e)| {
                    let x = left(g) + width / 2.0;
                    let (at, text) = match e {
                        Some(e) => (e.mean + e.ci95, self.unit.format(e.mean)),
                        None => (0.0, "n/a".to_string()),
                    };
                    EmptyElement::at((x, at)) + Text::new(text, (0, -4), value_font.clone())
                }))
                .drawn()?;
        }
        let names = (FONT, LABEL)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (g, name) in self.groups.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(g as f64, 0.0));
            area.draw_text(name, &names, (px, py + 10)).drawn()?;
        }
        if let Some(band) = legend_area {
            self.legend_above(&band, &chart)?;
        }
        Ok(())
    }
}

impl Bars {
    /// "■ first series ■ second series", in grey shades, above the plot.
    fn legend_above<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
        &self,
        area: &DrawingArea<DB, Shift>,
        chart: &ChartContext<DB, CT>,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let font = (FONT, TICK).into_font().color(&BLACK);
        let px = chart.plotting_area().get_base_pixel().0;
        let (mut x, y) = (px - area.get_base_pixel().0, 13);
        for (si, s) in self.series.iter().enumerate() {
            let c = shade(RGBColor(90, 90, 90), si);
            area.draw(&Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled()))
                .drawn()?;
            area.draw_text(&s.name, &font, (x + 20, y - 8)).drawn()?;
            let w = area
                .estimate_text_size(&s.name, &TextStyle::from((FONT, TICK).into_font()))
                .map_or(9 * s.name.len() as u32, |d| d.0) as i32;
            x += 20 + w + 24;
        }
        if !self.colors.is_empty() {
            area.draw_text(
                "(bars take their variant's colour)",
                &(FONT, TICK).into_font().color(&RGBColor(90, 90, 90)),
                (x, y - 8),
            )
            .drawn()?;
        }
        Ok(())
    }
}
