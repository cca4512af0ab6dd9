//! Where plotters meets the rest of the program: the embedded font (so text
//! renders on a machine with no fonts installed) and rendering one picture to
//! PNG or SVG bytes. Every chart and picture goes through [`render`].

use super::png_data;
use super::style::{self, Drawn};
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use std::sync::Once;

/// The file format of one chart or picture.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Svg,
}

impl ImageFormat {
    pub(crate) fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// Something that can draw itself on any plotters backend.
pub(crate) trait Drawing {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// A chart that can also be one panel of a stack: it draws itself with its
/// title at `title_size` (a panel's title is smaller than a chart's).
pub(crate) trait Panel {
    fn draw_with<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title_size: u32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// Draws `panels` one under another beneath `title`.
pub(crate) fn draw_stacked<DB: DrawingBackend, P: Panel>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[P],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let inner = area.titled(title, (style::FONT, style::TITLE)).drawn()?;
    let rows = inner.split_evenly((panels.len().max(1), 1));
    for (p, a) in panels.iter().zip(&rows) {
        p.draw_with(a, style::LABEL)?;
    }
    Ok(())
}

static FONT: Once = Once::new();

/// Registers DejaVu Sans (embedded in the binary) as plotters' "sans-serif".
pub(crate) fn ensure_font() {
    FONT.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            // The error type has no Debug: map it instead of unwrapping.
            let r = register_font("sans-serif", style, dejavu::sans::regular()).map_err(|_| ());
            debug_assert!(r.is_ok(), "the embedded DejaVu font must load");
        }
    });
}

/// Renders `d` to the bytes of a PNG or SVG file.
pub(crate) fn render(d: &impl Drawing, format: ImageFormat) -> Result<Vec<u8>> {
    ensure_font();
    let (w, h) = d.size();
    match format {
        ImageFormat::Svg => {
            let mut s = String::new();
            {
                let area = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
                area.fill(&WHITE)
                    .map_err(|e| anyhow!("drawing failed: {e}"))?;
                d.draw(&area)?;
                area.present().map_err(|e| anyhow!("drawing failed: {e}"))?;
            }
            Ok(s.into_bytes())
        }
        ImageFormat::Png => {
            // Allocated white: the background, which plotters would
            // otherwise fill a second time (`area.fill`, as for SVG).
            let mut rgb = vec![255u8; (w * h * 3) as usize];
            {
                let area = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                d.draw(&area)?;
                area.present().map_err(|e| anyhow!("drawing failed: {e}"))?;
            }
            encode_png(&rgb, w, h)
        }
    }
}

/// 8-bit RGB → PNG bytes, with the `png` crate writing the chunks
/// (plotters' own encoder would pull in the `image` crate) around image
/// data deflated in one stream ([`png_data`]).
///
/// Deflate level 1 with adaptive row filters: measured on the six charts of
/// short-vs-long, the default (level 6) took 110–139 ms for 233 KiB,
/// level 1 24–31 ms for 324 KiB; fdeflate's fast modes were faster still
/// but 2–8× larger on these mostly-white pictures.
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    let data = png_data::image_data(rgb, w)?;
    let mut out = Vec::with_capacity(data.len() + 64);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_chunk(png::chunk::IDAT, &data)?;
        writer.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Hello;
    impl Drawing for Hello {
        fn size(&self) -> (u32, u32) {
            (200, 80)
        }
        fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
        where
            DB::ErrorType: 'static,
        {
            area.draw_text(
                "Hello",
                &("sans-serif", 30).into_font().color(&BLACK),
                (10, 20),
            )
            .map_err(|e| anyhow!("{e}"))?;
            Ok(())
        }
    }

    #[test]
    fn svg_has_text_and_png_has_ink() {
        let svg = String::from_utf8(render(&Hello, ImageFormat::Svg).unwrap()).unwrap();
        assert!(svg.contains("Hello"));
        let png = render(&Hello, ImageFormat::Png).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let dec = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        assert!(buf.iter().any(|&b| b < 128), "text pixels were drawn");
    }
}
