//! Charts (PNG/SVG). `plotters` is used only under this folder.

pub mod canvas;
pub mod false_empty_depth;

pub use canvas::{render, Drawing, Format};
