//! Charts (PNG/SVG). `plotters` is used only under this folder.

pub mod canvas;

pub use canvas::{render, Drawing, Format};
