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

pub mod batch;
pub mod bbox;
pub mod diff;
pub mod error;
pub mod evaluate;
pub mod fdcheck;
pub mod fit;
pub mod iou;
pub mod lanes;
pub mod plot;
pub mod smooth;
pub mod sweep;

pub use bbox::{BBox, BoxFormat};
pub use error::{Error, Result};
pub use iou::{
    Loss, LossKind, Region, ciou_loss, diou_loss, giou_loss, hard_iou, region, soft_iou,
    soft_iou_loss,
};
pub use smooth::Smoothing;

/// The `nalgebra` of the result types.
pub use nalgebra;
/// The `num-dual` this crate is built on, so that users get a matching version.
pub use num_dual;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
