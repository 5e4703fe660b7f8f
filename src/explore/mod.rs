//! The interactive κ explorer: one offline HTML page where a reader drags κ·s, picks the
//! operator and moves the predicted box, and sees the boxes, the soft intersection, the
//! loss against κ·s, the gradient on every edge and the region warning.
//!
//! [`grid`] computes every number through the library ([`crate::evaluate::evaluate`],
//! [`crate::region`], the operators of [`crate::Smoothing`]); [`html`] embeds them in
//! the page, which only looks them up and interpolates in κ·s.

pub mod grid;
pub mod html;

pub use grid::{ExplorerData, compute};
pub use html::{FILE_NAME, render, write_page};
