//! The false-empty rate of short polls against the number of visible
//! messages: measured (points, 95% Wilson interval) and the exact theory for
//! the variant's fleet (line), one colour per variant.

use super::canvas::Drawing;
use super::style::Palette;
use crate::report::depth::DepthRow;
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Depths with fewer polls than this are not drawn (their intervals say little).
const MIN_POLLS: u64 = 20;

#[derive(Clone, Debug)]
pub(crate) struct DepthChart {
    pub(crate) title: String,
    /// Per variant, its rows in depth order.
    pub(crate) series: Vec<VariantRows>,
}

/// One variant's rows.
#[derive(Clone, Debug)]
pub(crate) struct VariantRows {
    pub(crate) variant: String,
    pub(crate) rows: Vec<DepthRow>,
    /// The variant's colour index.
    pub(crate) color: usize,
}

impl DepthChart {
    /// The chart for these rows, or `None` if no depth has enough polls.
    pub(crate) fn new(title: &str, rows: &[DepthRow], palette: &Palette) -> Option<DepthChart> {
        let mut series: Vec<VariantRows> = Vec::new();
        for r in rows
            .iter()
            .filter(|r| r.polls >= MIN_POLLS && r.visible > 0)
        {
            match series.iter_mut().find(|s| s.variant == r.variant) {
                Some(s) => s.rows.push(r.clone()),
                None => series.push(VariantRows {
                    color: palette.index(&r.variant),
                    variant: r.variant.clone(),
                    rows: vec![r.clone()],
                }),
            }
        }
        (!series.is_empty()).then(|| DepthChart {
            title: title.to_string(),
            series,
        })
    }

    fn max_depth(&self) -> u64 {
        self.series
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| r.visible))
            .max()
            .unwrap_or(1)
            .min(60)
    }
}

impl Drawing for DepthChart {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing failed: {e}");
        let xmax = self.max_depth();
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(46)
            .y_label_area_size(60)
            .build_cartesian_2d(0.5f64..xmax as f64 + 0.5, 0f64..1f64)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("visible messages when the short poll was served")
            .y_desc("false-empty rate")
            .axis_desc_style(("sans-serif", 16))
            .label_style(("sans-serif", 13))
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .draw()
            .map_err(e)?;
        for VariantRows {
            variant,
            rows,
            color,
        } in &self.series
        {
            // Its variant's colour, as in every other chart.
            let color = super::style::color(*color);
            let rows: Vec<&DepthRow> = rows.iter().filter(|r| r.visible <= xmax).collect();
            if rows.iter().any(|r| r.theory.is_some()) {
                let pts: Vec<(f64, f64)> = rows
                    .iter()
                    .filter_map(|r| r.theory.map(|t| (r.visible as f64, t)))
                    .collect();
                chart
                    .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                    .map_err(e)?
                    .label(format!("{variant}: theory"))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
            }
            chart
                .draw_series(rows.iter().map(|r| {
                    ErrorBar::new_vertical(
                        r.visible as f64,
                        r.ci95_low,
                        r.rate,
                        r.ci95_high,
                        color.stroke_width(1),
                        8,
                    )
                }))
                .map_err(e)?;
            chart
                .draw_series(
                    rows.iter()
                        .map(|r| Circle::new((r.visible as f64, r.rate), 4, color.filled())),
                )
                .map_err(e)?
                .label(format!("{variant}: measured (95% CI)"))
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(e)?;
        Ok(())
    }
}
