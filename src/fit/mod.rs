//! Fitting a predicted box to a target by minimising a loss: a teaching demo of what κ does.
//!
//! The box is parameterised by centre and log-size ([`Param`]), so every iterate is a
//! valid box; exact gradients (and Hessians, for Newton) of the loss with respect to those
//! four parameters come from dual numbers through the one generic loss. κ is either fixed
//! or annealed geometrically from `min` to `max` ([`KappaSchedule`]).
//!
//! ```
//! use softiou::{BBox, fit::{FitConfig, fit}};
//! let p = BBox::new(0.0_f64, 0.0, 10.0, 10.0)?;
//! let t = BBox::new(15.0, 3.0, 25.0, 13.0)?;
//! // The defaults: soft IoU with logsumexp, κ annealed from 0.1 to 50, damped Newton.
//! let run = fit(&p, &t, &FitConfig::default())?;
//! assert!(run.final_iou >= 0.99);
//! # Ok::<(), softiou::fit::Error>(())
//! ```
//!
//! | file | what |
//! |---|---|
//! | `param.rs` | θ = [c/s, ln(size/s)] and its exact derivatives |
//! | `optim.rs` | gradient descent, Adam, damped Newton |
//! | `run.rs` | the schedule, the loop, stop conditions, divergence, history |
//! | `status.rs` | the final status: converged, stalled, stuck, diverged, degenerate, max-steps |
//! | `experiments.rs` | the runs behind the figures and the README table |

mod error;
mod experiments;
mod optim;
mod param;
mod run;
mod status;

pub use error::Error;
pub use experiments::*;
pub use optim::Optimizer;
pub use param::Param;
pub use run::{FitConfig, FitResult, FitStep, KappaSchedule, fit};
pub use status::StopReason;
