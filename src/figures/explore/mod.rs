//! The interactive κ explorer: one offline HTML page where a reader drags κ·s, picks the
//! operator and moves the predicted box, and sees the boxes, the soft intersection, the
//! loss against κ·s, the gradient on every edge and the region warning.
//!
//! [`data`] computes every number through the library ([`crate::evaluate::evaluate`],
//! [`crate::region`], the operators of [`crate::Smoothing`]); [`draw`] embeds them in
//! the page, which only looks them up and interpolates in κ·s.

pub mod data;
pub mod draw;
#[cfg(test)]
mod tests;

pub use data::{ExplorerData, compute};
#[cfg(test)]
use draw::render;
pub use draw::write_page;

use std::any::Any;
use std::path::Path;

use crate::figures::error::Result;
use crate::figures::kit::{Family, Job, Options};

/// The family of the standard set: `explorer.html`.
///
/// # Errors
/// Only on internal inconsistencies (the inputs are fixed and valid).
pub(crate) fn standard() -> Result<Box<dyn Family>> {
    Ok(Box::new(compute()?))
}

impl Family for ExplorerData {
    fn jobs<'a>(&'a self, dir: &'a Path, _opts: Options) -> Vec<Job<'a>> {
        vec![Box::new(move || write_page(self, dir).map(|p| vec![p]))]
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
