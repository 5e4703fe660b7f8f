//! # softiou
//!
//! Smooth (differentiable) Intersection-over-Union losses with **exact** derivatives.
//!
//! The soft IoU of the article (`docs/design.md`) replaces every `max` and `min` in the IoU of
//! two boxes by a smooth operator with temperature κ (in 1/coordinate units). This crate
//! evaluates it stably for every finite input and every κ > 0, and — because every
//! function is generic over `num-dual`'s `DualNum` — gets exact first and second
//! derivatives by running the same code on dual numbers.
//!
//! ```
//! use softiou::{BBox, Loss, Smoothing, diff, soft_iou_loss};
//!
//! let p = BBox::new(10.0, 10.0, 110.0, 110.0)?;
//! let t = BBox::new(20.0, 20.0, 120.0, 120.0)?;
//!
//! // The article's example: the naive formula overflows to NaN, this does not.
//! let loss: f64 = soft_iou_loss(&p, &t, 10.0, Smoothing::Boltzmann)?;
//! assert!(loss.is_finite());
//!
//! // With `hard` it is the exact IoU loss, 1 − 8100/11900.
//! assert_eq!(soft_iou_loss(&p, &t, 10.0, Smoothing::Hard)?, 3800.0 / 11900.0);
//!
//! // Exact gradient with respect to the predicted box, from dual numbers.
//! let g = diff::grad_pred(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 10.0)?;
//! assert!(g.grad.iter().all(|d| d.is_finite()));
//! # Ok::<(), softiou::Error>(())
//! ```
//!
//! Bring your own number type: every loss is generic, so `f32` works too, and so does any
//! dual number.
//!
//! ```
//! use softiou::{BBox, Smoothing, soft_iou};
//! let p = BBox::new(0.0_f32, 0.0, 1.0, 1.0)?;
//! let t = BBox::new(0.5_f32, 0.0, 1.5, 1.0)?;
//! let iou = soft_iou(&p, &t, 1000.0, Smoothing::LogSumExp)?;
//! assert!((iou - 1.0 / 3.0).abs() < 1e-3);
//! # Ok::<(), softiou::Error>(())
//! ```

#![warn(missing_docs)]

// The crate's own name as a path, so that code written as a user would (`softiou::…`: the
// command line, unit tests moved from tests/) reads the same inside the crate.
extern crate self as softiou;

// Table of contents, in dependency order: each layer uses only the ones above it.
//
// 0. Errors: one typed error for every fallible function of the numeric core, and the
//    one macro behind every enum's name, `ALL`, `Display` and `FromStr`.
pub mod error;
mod names;
// The one number format of every output (CLI, CSV, messages).
mod number;
// 0b. Lane-parallel f64 and dual numbers (SIMD), and the `Real` trait the formulas use.
pub mod lanes;
// 1. Smooth max/min operators (hard, boltzmann, logsumexp), generic over dual numbers.
pub mod smooth;
// 2. Validated boxes (xyxy, xywh, cxcywh).
pub mod bbox;
// 3. The IoU family (soft IoU, GIoU, DIoU, CIoU) on boxes with a smooth operator.
pub mod iou;
// 4. Exact first and second derivatives from dual numbers.
pub mod diff;
// 5. The finite-difference checker of the derivatives (`softiou check`), and the crate's
//    one central difference (the batch API's benchmark baseline uses it).
pub mod fdcheck;
mod rng;
// 6. One pair: loss, IoU, gradients, dloss/dκ and the region, checked once.
pub mod evaluate;
// 7. Many pairs into caller-owned buffers (serial, or on rayon with `parallel`).
pub mod batch;
// 8. Which κ for boxes of a given side: the κ rule, computed from the functions above.
pub mod kappa_rule;

// 9. Feature `plots`: the fitting demo (runs and numbers only) ...
#[cfg(feature = "plots")]
pub mod fit;
// 10. ... and the figures: one folder per figure family (its data with its CSV table, and
//     its drawing), a shared render kit, and the standard set that lists the families.
//     The units figure and the κ explorer page are families too.
#[cfg(feature = "plots")]
pub mod figures;

// 11. Feature `cli`: the `softiou` command line (parsing, files, messages).
#[cfg(feature = "cli")]
mod cli;

#[cfg(all(test, feature = "plots"))]
mod doc_examples;

pub use bbox::{BBox, BoxFormat};
pub use diff::{GradAll, GradPred, HessianPred, KappaDerivative};
pub use error::{Error, Result};
pub use evaluate::{Evaluation, evaluate};
pub use iou::{
    Loss, LossKind, Region, ciou_loss, diou_loss, giou_loss, hard_iou, region, soft_iou,
    soft_iou_loss,
};
pub use smooth::Smoothing;

/// The common imports: `use softiou::prelude::*;`.
///
/// ```
/// use softiou::prelude::*;
/// let p = BBox::new(0.0_f64, 0.0, 4.0, 4.0)?;
/// let t = BBox::new(1.0, 1.0, 5.0, 5.0)?;
/// let e = evaluate(Loss::soft_iou(Smoothing::LogSumExp), &p, &t, 10.0)?;
/// assert!((e.hard_iou - 9.0 / 23.0).abs() < 1e-15);
/// let batch = Batch::new(Loss::new(LossKind::Giou, Smoothing::Boltzmann), 10.0)?.exec(Exec::Serial);
/// let (mut value, mut grad) = (vec![0.0_f64; 1], vec![[0.0_f64; 4]; 1]);
/// batch.grad(&[p.to_xyxy()], &[t.to_xyxy()], &mut value, &mut grad)?;
/// assert!(value[0] > 0.0 && grad[0].iter().all(|g| g.is_finite()));
/// # Ok::<(), Error>(())
/// ```
pub mod prelude {
    pub use crate::batch::{Batch, Exec};
    pub use crate::diff;
    pub use crate::evaluate::{Evaluation, evaluate};
    pub use crate::{BBox, BoxFormat, Error, Loss, LossKind, Region, Result, Smoothing};
}

/// The `softiou` binary's `main` (the command line lives in the library, feature `cli`).
#[cfg(feature = "cli")]
#[doc(hidden)]
pub use cli::main as cli_main;

/// The `nalgebra` of the result types.
pub use nalgebra;
/// The `num-dual` this crate is built on, so that users get a matching version.
pub use num_dual;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
