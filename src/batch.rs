//! Batched evaluation: a loss and its derivatives for many box pairs at once, on one
//! thread or on all of rayon's threads, written into buffers the caller owns.
//!
//! Boxes come as `&[[F; 4]]` (`[x_min, y_min, x_max, y_max]` per row, `F` = `f64` or
//! `f32`): the N×4 row-major layout of every detection framework and NumPy array, so a
//! caller's buffer is used as it is; the lane kernels gather 8 rows into columns
//! themselves.
//!
//! # Engines
//!
//! For `f64`, every method (the `*_kappas` ones with a κ per pair too) runs, with
//! [`Engine::Auto`] or [`Engine::Lanes`] (the default is [`Engine::Scalar`]), on the lane
//! duals of [`crate::lanes`]: 8 pairs per vector operation through the same generic loss
//! code, compiled for AVX2 + FMA and a portable baseline and chosen at run time
//! ([`Simd::detected`]). Their results equal the per-pair functions of [`crate::diff`]
//! to within a few ulps (the lane `exp` and `ln_1p` are within 1 ulp of libm, and the
//! duals round their products in another order than num-dual), and are identical, bit
//! for bit, whichever [`Simd`] level runs. ([`Batch::evaluate`] and
//! [`Batch::evaluate_kappas`] take the loss and its derivatives from the lanes and the
//! soft and hard IoU and the region, per pair, from the scalar path; the Hessian has no
//! portable kernel and runs on the scalar path below AVX2; [`GradMethod`]'s baselines are
//! scalar.) [`Engine::Scalar`] (and every `f32` batch) runs the num-dual path, where row
//! `i` is exactly (bit for bit) what the per-pair function in [`crate::diff`] or
//! [`crate::evaluate::evaluate`] returns for pair `i`.
//!
//! Errors are the same on both engines: a chunk of 8 rows with an invalid row, a κ·s
//! below the `logsumexp` floor, a tiny κ or a non-finite result is evaluated again on the
//! scalar path, which reports the first failing row exactly as it always did.
//!
//! ```
//! use softiou::{Loss, Smoothing, batch::{Batch, Exec}};
//! let pred = [[0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 15.0, 20.0]];
//! let target = [[2.0, 2.0, 12.0, 12.0], [5.0, 5.0, 15.0, 20.0]];
//! let batch = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 1.0)?.exec(Exec::Parallel);
//! let (mut value, mut grad) = (vec![0.0; 2], vec![[0.0; 4]; 2]);
//! batch.grad(&pred, &target, &mut value, &mut grad)?;
//! assert!(value[0] > value[1]); // the second pair is a perfect match
//!
//! // Bad rows are reported by their 0-based index.
//! let bad = [[0.0, 0.0, 10.0, 10.0], [5.0, 5.0, 5.0, 20.0]];
//! let err = batch.grad(&bad, &target, &mut value, &mut grad).unwrap_err();
//! assert!(err.to_string().starts_with("pair 1 (0-based), predicted box"));
//! # Ok::<(), softiou::Error>(())
//! ```

// Benchmark baselines and workload: public only because benches/, examples/ and tests/
// must reach them; not part of the documented API.
#[doc(hidden)]
pub mod baseline;
mod lanes;
mod pair;
#[doc(hidden)]
pub mod workload;

use lanes::Kappa;
pub use lanes::Simd;

use std::marker::PhantomData;

use num_dual::DualNumFloat;

use crate::bbox::BBox;
use crate::error::{Error, Result};
use crate::evaluate::Evaluation;
#[cfg(doc)]
use crate::evaluate::evaluate;
use crate::iou::{Loss, check_kappa};
use crate::smooth::Smoothing;

/// Where a batch runs.
///
/// ```
/// use softiou::{Loss, Smoothing, batch::{Batch, Exec}};
/// let b = Batch::new(Loss::soft_iou(Smoothing::Hard), 1.0_f64)?.exec(Exec::Parallel);
/// let mut v = [0.0];
/// b.loss(&[[0.0, 0.0, 2.0, 2.0]], &[[1.0, 0.0, 3.0, 2.0]], &mut v)?;
/// assert!((v[0] - 2.0 / 3.0).abs() <= 1e-15); // 1 − IoU = 1 − 2/6
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Exec {
    /// On the calling thread, in order.
    #[default]
    Serial,
    /// On the current rayon thread pool (all cores unless the caller installs a smaller
    /// pool with `rayon::ThreadPoolBuilder::install`). Results are identical to `Serial`.
    /// Without the `parallel` feature (no rayon) it runs as `Serial` does.
    Parallel,
}

/// How [`Batch::grad_with`] computes the gradient wrt the predicted box.
///
/// ```
/// use softiou::{Loss, Smoothing, batch::{Batch, GradMethod}};
/// let (p, t) = ([[0.0, 0.0, 4.0, 3.0]], [[1.0, 1.0, 5.0, 5.0]]);
/// let b = Batch::new(Loss::soft_iou(Smoothing::Boltzmann), 1.0_f64)?;
/// let (mut v, mut dual, mut fd) = ([0.0], [[0.0; 4]], [[0.0; 4]]);
/// b.grad_with(GradMethod::DualVec, &p, &t, &mut v, &mut dual)?;
/// b.grad_with(GradMethod::CentralDifference, &p, &t, &mut v, &mut fd)?;
/// for (a, b) in dual[0].iter().zip(&fd[0]) {
///     assert!((a - b).abs() < 1e-8); // differences: ~1e-10 relative only
/// }
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GradMethod {
    /// One forward pass on `DualSVec<F, 4>` (what [`Batch::grad`] does).
    #[default]
    DualVec,
    /// Four forward passes on `Dual<F>`, one per coordinate (a benchmark baseline;
    /// the same numbers up to rounding).
    FourDuals,
    /// Central finite differences, 9 loss evaluations per pair (a benchmark baseline;
    /// accurate to about 1e-10 relative only).
    CentralDifference,
}

/// Which implementation evaluates a batch.
///
/// The default is [`Engine::Scalar`], whose rows are the per-pair functions' results bit
/// for bit; the lanes, a few ulps away and several times faster, are chosen explicitly
/// (as `softiou batch`, the κ sweeps and the loss surfaces do).
///
/// ```
/// use softiou::{Loss, Smoothing, batch::{Batch, Engine}};
/// let (p, t) = ([[0.0, 0.0, 4.0, 3.0]; 3], [[1.0, 1.0, 5.0, 5.0]; 3]);
/// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 2.0_f64)?;
/// let (mut lanes, mut scalar) = ([0.0; 3], [0.0; 3]);
/// b.engine(Engine::Auto).loss(&p, &t, &mut lanes)?;
/// b.loss(&p, &t, &mut scalar)?; // Engine::Scalar, the default
/// assert!((lanes[0] - scalar[0]).abs() <= 1e-14 * scalar[0]);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// The lane kernels at [`Simd::detected`] for `f64`, the scalar path for `f32`.
    Auto,
    /// The lane kernels compiled for this level (or the widest level below it that the
    /// CPU supports); `f32` batches still run on the scalar path.
    Lanes(Simd),
    /// The per-pair num-dual path (bit for bit [`crate::diff`]); the default.
    #[default]
    Scalar,
}

/// Rows per task when running in parallel: large enough that scheduling costs nothing
/// next to ~100 ns of work per pair, small enough to balance 2–64 threads on 1e5 pairs.
const GRAIN: usize = 4096;

/// A loss at one κ (or with a κ per pair), ready to be evaluated on batches of box pairs.
///
/// ```
/// use softiou::{Loss, Smoothing, batch::Batch};
/// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 1.0)?;
/// let mut v = [0.0; 2];
/// b.loss(&[[0.0, 0.0, 9.0, 9.0]; 2], &[[0.0, 0.0, 9.0, 9.0], [9.0, 9.0, 18.0, 18.0]], &mut v)?;
/// assert!(v[0] < v[1]);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// Input buffers are `pred` and `target` (one `[x_min, y_min, x_max, y_max]` row per
/// pair); every output buffer must have one row per pair as well. On error, the output
/// buffers hold unspecified (but initialised) numbers.
///
/// `K` is what the batch knows of κ: `F` for a batch at one κ ([`Batch::new`]), `()` for
/// a batch whose pairs each bring their own ([`Batch::kappa_per_pair`]), which has only
/// the methods that take a κ per pair (`*_kappas`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batch<F, K = F> {
    loss: Loss,
    kappa: K,
    float: PhantomData<F>,
    exec: Exec,
    engine: Engine,
}

impl<F: DualNumFloat + Send + Sync> Batch<F, ()> {
    /// A batch evaluator of `loss` with no κ of its own, serial: every pair brings its κ
    /// to the `*_kappas` methods (checked there, per pair), as the rows of `softiou
    /// batch` do.
    ///
    /// ```
    /// use softiou::{BBox, Loss, Smoothing, batch::Batch, evaluate::{Evaluation, evaluate}};
    /// let loss = Loss::soft_iou(Smoothing::Boltzmann);
    /// let p = [BBox::new(0.0, 0.0, 10.0, 10.0)?; 2];
    /// let t = [BBox::new(2.0, 2.0, 12.0, 12.0)?; 2];
    /// let mut out = vec![Evaluation::default(); 2];
    /// Batch::kappa_per_pair(loss).evaluate_kappas(&p, &t, &[0.5, 2.0], &mut out)?;
    /// assert_eq!(out[1], evaluate(loss, &p[1], &t[1], 2.0)?);
    /// # Ok::<(), softiou::Error>(())
    /// ```
    pub fn kappa_per_pair(loss: Loss) -> Self {
        Batch {
            loss,
            kappa: (),
            float: PhantomData,
            exec: Exec::Serial,
            engine: Engine::Scalar,
        }
    }
}

impl<F: DualNumFloat + Send + Sync> Batch<F> {
    /// A batch evaluator of `loss` at temperature `kappa` (1/coordinate unit), serial.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::Batch};
    /// let batch = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 0.5)?;
    /// assert!(Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 0.0).is_err());
    /// # let _ = batch;
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidKappa`] unless κ is finite and > 0.
    pub fn new(loss: Loss, kappa: F) -> Result<Self> {
        check_kappa(&kappa)?;
        Ok(Batch {
            loss,
            kappa,
            float: PhantomData,
            exec: Exec::Serial,
            engine: Engine::Scalar,
        })
    }
}

impl<F: DualNumFloat + Send + Sync, K: Copy> Batch<F, K> {
    /// The same evaluator running with `exec`.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::{Batch, Exec}};
    /// let (p, t) = (vec![[0.0, 0.0, 4.0, 3.0]; 9000], vec![[1.0, 1.0, 5.0, 5.0]; 9000]);
    /// let b = Batch::new(Loss::soft_iou(Smoothing::Boltzmann), 2.0)?;
    /// let (mut serial, mut parallel) = (vec![0.0; 9000], vec![0.0; 9000]);
    /// b.loss(&p, &t, &mut serial)?;
    /// b.exec(Exec::Parallel).loss(&p, &t, &mut parallel)?;
    /// assert_eq!(serial, parallel);
    /// # Ok::<(), softiou::Error>(())
    /// ```
    pub fn exec(self, exec: Exec) -> Self {
        Batch { exec, ..self }
    }

    /// The same evaluator on `engine`.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::{Batch, Engine, Simd}};
    /// let (p, t) = ([[0.0, 0.0, 4.0, 3.0]; 11], [[1.0, 1.0, 5.0, 5.0]; 11]);
    /// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 0.5)?;
    /// let (mut lanes, mut scalar) = (vec![0.0_f64; 11], vec![0.0; 11]);
    /// b.engine(Engine::Lanes(Simd::Portable)).loss(&p, &t, &mut lanes)?;
    /// b.engine(Engine::Scalar).loss(&p, &t, &mut scalar)?;
    /// for (a, b) in lanes.iter().zip(&scalar) {
    ///     assert!((a - b).abs() <= 1e-14 * b.abs());
    /// }
    /// # Ok::<(), softiou::Error>(())
    /// ```
    pub fn engine(self, engine: Engine) -> Self {
        Batch { engine, ..self }
    }

    /// The lane level to run at, if this batch runs on lanes (`f64` and not
    /// [`Engine::Scalar`]).
    fn lanes(&self) -> Option<Simd> {
        if std::any::TypeId::of::<F>() != std::any::TypeId::of::<f64>() {
            return None;
        }
        match self.engine {
            Engine::Auto => Some(Simd::detected()),
            Engine::Lanes(s) => Some(s.clamped()),
            Engine::Scalar => None,
        }
    }

    /// As [`Batch::loss`], with pair `i` at κ = `kappa[i]` instead of the batch's κ.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::Batch};
    /// let (p, t) = ([[0.0, 0.0, 10.0, 10.0]; 3], [[2.0, 2.0, 12.0, 12.0]; 3]);
    /// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 1.0)?;
    /// let mut v = vec![0.0; 3];
    /// b.loss_kappas(&p, &t, &[0.5, 1.0, 2.0], &mut v)?;
    /// assert!(v[0] > v[1] && v[1] > v[2]);
    /// let err = b.loss_kappas(&p, &t, &[1.0, -1.0, 1.0], &mut v).unwrap_err();
    /// assert!(err.to_string().starts_with("pair 1 (0-based), kappa"));
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::evaluate_kappas`].
    pub fn loss_kappas(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        kappa: &[F],
        value: &mut [F],
    ) -> Result<()> {
        lengths(
            pred,
            target,
            &[("kappa", kappa.len()), ("value", value.len())],
        )?;
        let loss = self.loss;
        if let Some(simd) = self.lanes() {
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target, kappa) = unsafe { (cast(pred), cast(target), cast(kappa)) };
            let out = (Shared(kappa), unsafe { cast_mut(value) });
            return drive(0, pred, target, out, self.exec, &|off, p, t, (k, v)| {
                let kk = Kappa::Each(k.0);
                lanes::loss(simd, loss, (p, t), kk, off, v)
            });
        }
        drive(
            0,
            pred,
            target,
            (Shared(kappa), value),
            self.exec,
            &|off, p, t, (k, v)| {
                for (i, (((p, t), k), v)) in p.iter().zip(t).zip(k.0).zip(v).enumerate() {
                    let row = pair::check_row_kappa(*k).and_then(|()| pair::loss(loss, p, t, *k));
                    *v = row.map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// As [`Batch::grad`], with pair `i` at κ = `kappa[i]` instead of the batch's κ.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::{Batch, Engine}};
    /// let (p, t) = ([[0.0, 0.0, 10.0, 10.0]; 9], [[2.0, 2.0, 12.0, 12.0]; 9]);
    /// let kappa: Vec<f64> = (1..=9).map(|k| k as f64 / 4.0).collect();
    /// let b = Batch::kappa_per_pair(Loss::soft_iou(Smoothing::Boltzmann)).engine(Engine::Auto);
    /// let (mut v, mut g) = (vec![0.0; 9], vec![[0.0; 4]; 9]);
    /// b.grad_kappas(&p, &t, &kappa, &mut v, &mut g)?;
    /// assert!(g.iter().all(|g| g[0] < 0.0)); // moving left towards the target helps
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::evaluate_kappas`].
    pub fn grad_kappas(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        kappa: &[F],
        value: &mut [F],
        grad: &mut [[F; 4]],
    ) -> Result<()> {
        let sizes = [
            ("kappa", kappa.len()),
            ("value", value.len()),
            ("grad", grad.len()),
        ];
        lengths(pred, target, &sizes)?;
        let loss = self.loss;
        if let Some(simd) = self.lanes() {
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target, kappa) = unsafe { (cast(pred), cast(target), cast(kappa)) };
            let out = (Shared(kappa), unsafe { (cast_mut(value), cast_mut(grad)) });
            return drive(
                0,
                pred,
                target,
                out,
                self.exec,
                &|off, p, t, (k, (v, g))| {
                    let kk = Kappa::Each(k.0);
                    lanes::grad(simd, loss, (p, t), kk, off, (v, g))
                },
            );
        }
        drive(
            0,
            pred,
            target,
            (Shared(kappa), (value, grad)),
            self.exec,
            &|off, p, t, (k, (v, g))| {
                let rows = p.iter().zip(t).zip(k.0).zip(v).zip(g).enumerate();
                for (i, ((((p, t), k), v), g)) in rows {
                    let row = pair::check_row_kappa(*k).and_then(|()| pair::grad(loss, p, t, *k));
                    (*v, *g) = row.map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// As [`Batch::hessian`], with pair `i` at κ = `kappa[i]` instead of the batch's κ.
    ///
    /// ```
    /// use softiou::{BBox, Loss, Smoothing, batch::{Batch, Engine}, diff::hessian_pred};
    /// // one pair at nine temperatures (a κ sweep)
    /// let (p, t) = ([[0.0, 0.0, 10.0, 10.0]; 9], [[2.0, 2.0, 12.0, 12.0]; 9]);
    /// let kappa: Vec<f64> = (1..=9).map(|k| k as f64 / 4.0).collect();
    /// let loss = Loss::soft_iou(Smoothing::LogSumExp);
    /// let b = Batch::kappa_per_pair(loss).engine(Engine::Auto);
    /// let (mut v, mut g, mut h) = (vec![0.0; 9], vec![[0.0; 4]; 9], vec![[[0.0; 4]; 4]; 9]);
    /// b.hessian_kappas(&p, &t, &kappa, &mut v, &mut g, &mut h)?;
    /// // row i is the pair's Hessian at κ = kappa[i] (on lanes, within a few ulps)
    /// let (pb, tb) = (BBox::from_xyxy(p[0])?, BBox::from_xyxy(t[0])?);
    /// for (i, &k) in kappa.iter().enumerate() {
    ///     let one = hessian_pred(loss, &pb, &tb, k)?;
    ///     assert!((one.hessian[(0, 2)] - h[i][0][2]).abs() <= 1e-10 * one.hessian.amax());
    /// }
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::evaluate_kappas`], with the Hessian's `logsumexp` κ·s floor.
    pub fn hessian_kappas(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        kappa: &[F],
        value: &mut [F],
        grad: &mut [[F; 4]],
        hessian: &mut [[[F; 4]; 4]],
    ) -> Result<()> {
        let sizes = [
            ("kappa", kappa.len()),
            ("value", value.len()),
            ("grad", grad.len()),
            ("hessian", hessian.len()),
        ];
        lengths(pred, target, &sizes)?;
        let loss = self.loss;
        if let Some(simd) = self.lanes() {
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target, kappa) = unsafe { (cast(pred), cast(target), cast(kappa)) };
            let out = unsafe { (cast_mut(value), (cast_mut(grad), cast_mut(hessian))) };
            return drive(
                0,
                pred,
                target,
                (Shared(kappa), out),
                self.exec,
                &|off, p, t, (k, (v, (g, h)))| {
                    lanes::hessian(simd, loss, (p, t), Kappa::Each(k.0), off, (v, (g, h)))
                },
            );
        }
        drive(
            0,
            pred,
            target,
            (Shared(kappa), (value, (grad, hessian))),
            self.exec,
            &|off, p, t, (k, (v, (g, h)))| {
                let rows = p.iter().zip(t).zip(k.0).zip(v).zip(g).zip(h).enumerate();
                for (i, (((((p, t), k), v), g), h)) in rows {
                    let row =
                        pair::check_row_kappa(*k).and_then(|()| pair::hessian(loss, p, t, *k));
                    (*v, *g, *h) = row.map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// As [`Batch::dkappa`], with pair `i` at κ = `kappa[i]` instead of the batch's κ.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::{Batch, Engine}};
    /// let (p, t) = ([[0.0, 0.0, 10.0, 10.0]; 3], [[0.0, 0.0, 10.0, 10.0]; 3]);
    /// let b = Batch::kappa_per_pair(Loss::soft_iou(Smoothing::LogSumExp)).engine(Engine::Auto);
    /// let (mut v, mut d) = (vec![0.0; 3], vec![0.0; 3]);
    /// b.dkappa_kappas(&p, &t, &[0.5, 1.0, 2.0], &mut v, &mut d)?;
    /// assert!(d.iter().all(|d| *d < 0.0)); // a perfect match: sharper is closer to 0
    /// assert!(d[0] < d[1] && d[1] < d[2]); // and less so as κ grows
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::evaluate_kappas`].
    pub fn dkappa_kappas(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        kappa: &[F],
        value: &mut [F],
        dkappa: &mut [F],
    ) -> Result<()> {
        let sizes = [
            ("kappa", kappa.len()),
            ("value", value.len()),
            ("dkappa", dkappa.len()),
        ];
        lengths(pred, target, &sizes)?;
        let loss = self.loss;
        if let Some(simd) = self.lanes() {
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target, kappa) = unsafe { (cast(pred), cast(target), cast(kappa)) };
            let out = unsafe { (cast_mut(value), cast_mut(dkappa)) };
            return drive(
                0,
                pred,
                target,
                (Shared(kappa), out),
                self.exec,
                &|off, p, t, (k, (v, d))| {
                    lanes::dkappa(simd, loss, (p, t), Kappa::Each(k.0), off, (v, d))
                },
            );
        }
        drive(
            0,
            pred,
            target,
            (Shared(kappa), (value, dkappa)),
            self.exec,
            &|off, p, t, (k, (v, d))| {
                let rows = p.iter().zip(t).zip(k.0).zip(v).zip(d).enumerate();
                for (i, ((((p, t), k), v), d)) in rows {
                    let row = pair::check_row_kappa(*k).and_then(|()| pair::dkappa(loss, p, t, *k));
                    (*v, *d) = row.map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }
}

impl<F: DualNumFloat + Send + Sync> Batch<F> {
    /// κ as `f64` (only called when `F` is `f64`).
    fn kappa_f64(&self) -> f64 {
        self.kappa.to_f64().unwrap_or(f64::NAN)
    }

    /// The loss and its gradient wrt both boxes (one 8-slot dual pass per pair on the
    /// scalar path; two 4-slot passes on lanes).
    ///
    /// ```
    /// use softiou::{Loss, LossKind, Smoothing, batch::Batch};
    /// let b = Batch::new(Loss::new(LossKind::Diou, Smoothing::LogSumExp), 1.0_f64)?;
    /// let (mut v, mut gp, mut gt) = ([0.0], [[0.0; 4]], [[0.0; 4]]);
    /// b.grad_all(&[[0.0, 0.0, 4.0, 4.0]], &[[1.0, 2.0, 6.0, 5.0]], &mut v, &mut gp, &mut gt)?;
    /// // moving both boxes together along x changes nothing
    /// assert!((gp[0][0] + gp[0][2] + gt[0][0] + gt[0][2]).abs() < 1e-15);
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::loss`].
    pub fn grad_all(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        value: &mut [F],
        grad_pred: &mut [[F; 4]],
        grad_target: &mut [[F; 4]],
    ) -> Result<()> {
        let sizes = [
            ("value", value.len()),
            ("grad_pred", grad_pred.len()),
            ("grad_target", grad_target.len()),
        ];
        lengths(pred, target, &sizes)?;
        let Batch { loss, kappa, .. } = *self;
        if let Some(simd) = self.lanes() {
            let k = self.kappa_f64();
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target) = unsafe { (cast(pred), cast(target)) };
            let out = unsafe {
                (
                    cast_mut(value),
                    (cast_mut(grad_pred), cast_mut(grad_target)),
                )
            };
            return drive(
                0,
                pred,
                target,
                out,
                self.exec,
                &|off, p, t, (v, (gp, gt))| {
                    lanes::grad_all(simd, loss, (p, t), Kappa::One(k), off, (v, (gp, gt)))
                },
            );
        }
        drive(
            0,
            pred,
            target,
            (value, (grad_pred, grad_target)),
            self.exec,
            &|off, p, t, (v, (gp, gt))| {
                let rows = p.iter().zip(t).zip(v).zip(gp).zip(gt).enumerate();
                for (i, ((((p, t), v), gp), gt)) in rows {
                    (*v, *gp, *gt) =
                        pair::grad_all(loss, p, t, kappa).map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// The loss of every pair into `value`.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::Batch};
    /// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 10.0_f64)?;
    /// let mut v = [0.0; 2];
    /// let target = [[0.0, 0.0, 10.0, 10.0]; 2];
    /// b.loss(&[[0.0, 0.0, 10.0, 10.0], [1.0, 0.0, 11.0, 10.0]], &target, &mut v)?;
    /// assert!(v[0] < v[1]); // the perfect match has the smaller loss
    /// let err = b.loss(&[[0.0, 0.0, 10.0, 10.0]], &[[0.0, 0.0, 10.0, 10.0]], &mut []);
    /// assert!(err.is_err()); // an output buffer of the wrong length
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::BatchLength`] if a buffer's length differs from `pred.len()`;
    /// [`Error::InPair`] with the smallest failing index if a box is invalid or a loss
    /// is not finite.
    pub fn loss(&self, pred: &[[F; 4]], target: &[[F; 4]], value: &mut [F]) -> Result<()> {
        lengths(pred, target, &[("value", value.len())])?;
        let Batch { loss, kappa, .. } = *self;
        if let Some(simd) = self.lanes() {
            let k = self.kappa_f64();
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target, value) = unsafe { (cast(pred), cast(target), cast_mut(value)) };
            return drive(0, pred, target, value, self.exec, &|off, p, t, v| {
                lanes::loss(simd, loss, (p, t), Kappa::One(k), off, v)
            });
        }
        drive(
            0,
            pred,
            target,
            value,
            self.exec,
            &|off, p, t, v: &mut [F]| {
                for (i, ((p, t), v)) in p.iter().zip(t).zip(v).enumerate() {
                    *v = pair::loss(loss, p, t, kappa).map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// The loss and its gradient wrt the predicted box (one `DualSVec` pass per pair, or
    /// one 4-slot lane dual pass per 8 pairs).
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::Batch};
    /// let b = Batch::new(Loss::soft_iou(Smoothing::Hard), 1.0)?;
    /// let (mut v, mut g) = ([0.0], [[0.0; 4]]);
    /// b.grad(&[[0.0, 0.0, 2.0, 2.0]], &[[1.0, 0.0, 3.0, 2.0]], &mut v, &mut g)?;
    /// assert!(g[0][2] < 0.0); // growing to the right covers more of the target
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::loss`].
    pub fn grad(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        value: &mut [F],
        grad: &mut [[F; 4]],
    ) -> Result<()> {
        self.grad_with(GradMethod::DualVec, pred, target, value, grad)
    }

    /// As [`Batch::grad`], with the gradient computed by `method`.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::{Batch, GradMethod}};
    /// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 0.5_f64)?;
    /// let (p, t) = ([[0.0, 0.0, 4.0, 3.0]], [[1.0, 1.0, 5.0, 5.0]]);
    /// let (mut v, mut one, mut four) = ([0.0], [[0.0; 4]], [[0.0; 4]]);
    /// b.grad_with(GradMethod::DualVec, &p, &t, &mut v, &mut one)?;
    /// b.grad_with(GradMethod::FourDuals, &p, &t, &mut v, &mut four)?;
    /// for (a, b) in one[0].iter().zip(&four[0]) {
    ///     assert!((a - b).abs() <= 1e-15 * b.abs().max(1.0));
    /// }
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::loss`].
    pub fn grad_with(
        &self,
        method: GradMethod,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        value: &mut [F],
        grad: &mut [[F; 4]],
    ) -> Result<()> {
        lengths(
            pred,
            target,
            &[("value", value.len()), ("grad", grad.len())],
        )?;
        // One monomorphised loop per method, so the per-pair function is inlined.
        match method {
            GradMethod::DualVec => {
                if let Some(simd) = self.lanes() {
                    let (loss, k) = (self.loss, self.kappa_f64());
                    // SAFETY: `lanes()` is Some only when F is f64.
                    let (pred, target) = unsafe { (cast(pred), cast(target)) };
                    let out = unsafe { (cast_mut(value), cast_mut(grad)) };
                    return drive(0, pred, target, out, self.exec, &|off, p, t, (v, g)| {
                        let kk = Kappa::One(k);
                        lanes::grad(simd, loss, (p, t), kk, off, (v, g))
                    });
                }
                self.grad_rows(pair::grad, pred, target, value, grad)
            }
            GradMethod::FourDuals => self.grad_rows(pair::grad_4x_dual, pred, target, value, grad),
            GradMethod::CentralDifference => {
                self.grad_rows(pair::grad_central_difference, pred, target, value, grad)
            }
        }
    }

    fn grad_rows(
        &self,
        one: impl Fn(Loss, &[F; 4], &[F; 4], F) -> pair::Row<(F, [F; 4])> + Sync,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        value: &mut [F],
        grad: &mut [[F; 4]],
    ) -> Result<()> {
        let Batch { loss, kappa, .. } = *self;
        drive(
            0,
            pred,
            target,
            (value, grad),
            self.exec,
            &|off, p, t, (v, g)| {
                for (i, (((p, t), v), g)) in p.iter().zip(t).zip(v).zip(g).enumerate() {
                    (*v, *g) = one(loss, p, t, kappa).map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// The loss, its gradient and its 4×4 Hessian wrt the predicted box (row-major,
    /// symmetric), one `Dual2SVec` pass per pair (or a second-order lane dual pass per 8
    /// pairs at AVX2).
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::Batch};
    /// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 1.0_f64)?;
    /// let (mut v, mut g, mut h) = ([0.0], [[0.0; 4]], [[[0.0; 4]; 4]]);
    /// b.hessian(&[[0.0, 0.0, 4.0, 3.0]], &[[1.0, 1.0, 5.0, 5.0]], &mut v, &mut g, &mut h)?;
    /// assert!((h[0][0][1] - h[0][1][0]).abs() <= 1e-15 * h[0][0][1].abs().max(1.0)); // symmetric
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::loss`].
    pub fn hessian(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        value: &mut [F],
        grad: &mut [[F; 4]],
        hessian: &mut [[[F; 4]; 4]],
    ) -> Result<()> {
        let sizes = [
            ("value", value.len()),
            ("grad", grad.len()),
            ("hessian", hessian.len()),
        ];
        lengths(pred, target, &sizes)?;
        let Batch { loss, kappa, .. } = *self;
        if let Some(simd) = self.lanes() {
            let k = self.kappa_f64();
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target) = unsafe { (cast(pred), cast(target)) };
            let out = unsafe { (cast_mut(value), (cast_mut(grad), cast_mut(hessian))) };
            return drive(
                0,
                pred,
                target,
                out,
                self.exec,
                &|off, p, t, (v, (g, h))| {
                    lanes::hessian(simd, loss, (p, t), Kappa::One(k), off, (v, (g, h)))
                },
            );
        }
        let out = (value, (grad, hessian));
        drive(
            0,
            pred,
            target,
            out,
            self.exec,
            &|off, p, t, (v, (g, h))| {
                let rows = p.iter().zip(t).zip(v).zip(g).zip(h).enumerate();
                for (i, ((((p, t), v), g), h)) in rows {
                    (*v, *g, *h) = pair::hessian(loss, p, t, kappa).map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// The loss and ∂loss/∂κ (in coordinate units) of every pair.
    ///
    /// ```
    /// use softiou::{Loss, Smoothing, batch::Batch};
    /// let (p, t) = ([[0.0, 0.0, 10.0, 10.0]], [[0.0, 0.0, 10.0, 10.0]]);
    /// let b = Batch::new(Loss::soft_iou(Smoothing::LogSumExp), 1.0)?;
    /// let (mut v, mut d) = ([0.0], [0.0]);
    /// b.dkappa(&p, &t, &mut v, &mut d)?;
    /// assert!(d[0] < 0.0); // a perfect match: a sharper loss is closer to 0
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::loss`].
    pub fn dkappa(
        &self,
        pred: &[[F; 4]],
        target: &[[F; 4]],
        value: &mut [F],
        dkappa: &mut [F],
    ) -> Result<()> {
        lengths(
            pred,
            target,
            &[("value", value.len()), ("dkappa", dkappa.len())],
        )?;
        let Batch { loss, kappa, .. } = *self;
        if let Some(simd) = self.lanes() {
            let k = self.kappa_f64();
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target) = unsafe { (cast(pred), cast(target)) };
            let out = unsafe { (cast_mut(value), cast_mut(dkappa)) };
            return drive(0, pred, target, out, self.exec, &|off, p, t, (v, d)| {
                lanes::dkappa(simd, loss, (p, t), Kappa::One(k), off, (v, d))
            });
        }
        drive(
            0,
            pred,
            target,
            (value, dkappa),
            self.exec,
            &|off, p, t, (v, d)| {
                for (i, (((p, t), v), d)) in p.iter().zip(t).zip(v).zip(d).enumerate() {
                    (*v, *d) = pair::dkappa(loss, p, t, kappa).map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }
}

impl<F: DualNumFloat + Send + Sync> Batch<F> {
    /// The full [`Evaluation`] of every pair of validated boxes (loss, soft and hard IoU,
    /// gradients wrt both boxes, ∂loss/∂κ; no Hessian) into `out`, at the batch's κ. On
    /// [`Engine::Scalar`] (the default) row `i` is bit for bit
    /// [`evaluate`]`(loss, &pred[i], &target[i], κ)`; on lanes, see
    /// [`Batch::evaluate_kappas`].
    ///
    /// ```
    /// use softiou::{BBox, Loss, Smoothing, batch::{Batch, Exec}, evaluate::{Evaluation, evaluate}};
    /// let pred = [BBox::new(0.0, 0.0, 10.0, 10.0)?, BBox::new(5.0, 5.0, 15.0, 20.0)?];
    /// let target = [BBox::new(2.0, 2.0, 12.0, 12.0)?, BBox::new(5.0, 5.0, 15.0, 20.0)?];
    /// let loss = Loss::soft_iou(Smoothing::Boltzmann);
    /// let mut out = vec![Evaluation::default(); 2];
    /// Batch::new(loss, 0.5)?.exec(Exec::Parallel).evaluate(&pred, &target, &mut out)?;
    /// assert_eq!(out[0], evaluate(loss, &pred[0], &target[0], 0.5)?);
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::BatchLength`] if a buffer's length differs from `pred.len()`;
    /// [`Error::InPair`] with the smallest failing index if a loss or a derivative is not
    /// finite.
    pub fn evaluate(
        &self,
        pred: &[BBox<F>],
        target: &[BBox<F>],
        out: &mut [Evaluation<F>],
    ) -> Result<()> {
        lengths(pred, target, &[("out", out.len())])?;
        let Batch { loss, kappa, .. } = *self;
        if let Some(simd) = self.lanes() {
            let k = Kappa::One(self.kappa_f64());
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target, out) = unsafe { (cast(pred), cast(target), cast_mut(out)) };
            return drive(0, pred, target, out, self.exec, &|off, p, t, o| {
                lanes::evaluate(simd, loss, (p, t), k, off, o)
            });
        }
        drive(0, pred, target, out, self.exec, &|off, p, t, o| {
            for (i, ((p, t), o)) in p.iter().zip(t).zip(o).enumerate() {
                *o = pair::evaluate_boxes(loss, p, t, kappa, false).map_err(|e| e.at(off + i))?;
            }
            Ok(())
        })
    }
}

impl<F: DualNumFloat + Send + Sync, K: Copy> Batch<F, K> {
    /// As [`Batch::evaluate`], with pair `i` at κ = `kappa[i]` (1/coordinate units): for
    /// data where every row carries its own κ, such as the CSV files of `softiou batch`.
    /// The boxes are validated already (they are [`BBox`]es) and are not checked again.
    ///
    /// On [`Engine::Scalar`] (the default) row `i` is bit for bit
    /// [`evaluate`]`(loss, &pred[i], &target[i], kappa[i])`. On lanes ([`Engine::Auto`],
    /// `f64`) the loss and the gradients wrt P, T and κ come from the lane kernels (three
    /// passes of the first-order one) and equal it within a few ulps (see the module
    /// docs), the soft IoU, its region and the hard IoU are computed per pair on the
    /// scalar path, and `kappa_s` is exact; errors are the same on both engines.
    ///
    /// ```
    /// use softiou::{BBox, Loss, Smoothing, batch::{Batch, Engine}, evaluate::{Evaluation, evaluate}};
    /// let pred = [BBox::new(0.0, 0.0, 10.0, 10.0)?; 2];
    /// let target = [BBox::new(2.0, 2.0, 12.0, 12.0)?; 2];
    /// let loss = Loss::soft_iou(Smoothing::LogSumExp);
    /// let batch = Batch::kappa_per_pair(loss);
    /// let mut out = vec![Evaluation::default(); 2];
    /// batch.evaluate_kappas(&pred, &target, &[0.1_f64, 10.0], &mut out)?;
    /// assert_eq!(out[1], evaluate(loss, &pred[1], &target[1], 10.0)?);
    /// assert!(out[0].loss != out[1].loss);
    /// // on lanes: the same within a few ulps
    /// let mut lanes = vec![Evaluation::default(); 2];
    /// batch.engine(Engine::Auto).evaluate_kappas(&pred, &target, &[0.1, 10.0], &mut lanes)?;
    /// assert!((lanes[1].loss - out[1].loss).abs() <= 1e-14 * out[1].loss);
    /// // a bad κ is reported with its pair
    /// let err = batch.evaluate_kappas(&pred, &target, &[1.0, 0.0], &mut out);
    /// assert!(err.unwrap_err().to_string().starts_with("pair 1 (0-based), kappa"));
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::evaluate`] (a `kappa` of the wrong length is [`Error::BatchLength`]),
    /// and [`Error::InPair`] wrapping [`Error::InvalidKappa`] for a κ that is not finite
    /// and positive.
    pub fn evaluate_kappas(
        &self,
        pred: &[BBox<F>],
        target: &[BBox<F>],
        kappa: &[F],
        out: &mut [Evaluation<F>],
    ) -> Result<()> {
        lengths(pred, target, &[("kappa", kappa.len()), ("out", out.len())])?;
        let loss = self.loss;
        if let Some(simd) = self.lanes() {
            // SAFETY: `lanes()` is Some only when F is f64.
            let (pred, target, kappa) = unsafe { (cast(pred), cast(target), cast(kappa)) };
            let out = (Shared(kappa), unsafe { cast_mut(out) });
            return drive(0, pred, target, out, self.exec, &|off, p, t, (k, o)| {
                lanes::evaluate(simd, loss, (p, t), Kappa::Each(k.0), off, o)
            });
        }
        drive(
            0,
            pred,
            target,
            (Shared(kappa), out),
            self.exec,
            &|off, p, t, (k, o)| {
                for (i, (((p, t), k), o)) in p.iter().zip(t).zip(k.0).zip(o).enumerate() {
                    *o = pair::evaluate_boxes(loss, p, t, *k, true).map_err(|e| e.at(off + i))?;
                }
                Ok(())
            },
        )
    }

    /// As [`Batch::evaluate_kappas`], with pair `i` also smoothed by `smoothing[i]`
    /// instead of the batch loss's operator (its kind stays): for data where every row
    /// names its own operator, such as the CSV files of `softiou batch`. The pairs of each
    /// operator are gathered and evaluated as one batch (on lanes, one operator per
    /// kernel call) and the results put back in input order, so row `i` is exactly what
    /// [`Batch::evaluate_kappas`] gives it in a batch of its operator's rows alone, in
    /// input order. (On lanes, a batch that puts other rows in its lane chunk can differ
    /// from that in the last ulps: a chunk the lanes leave to the scalar path takes all its
    /// rows with it.)
    ///
    /// ```
    /// use softiou::{BBox, Loss, LossKind, Smoothing, batch::{Batch, Engine}, evaluate::{Evaluation, evaluate}};
    /// let pred = [BBox::new(0.0, 0.0, 10.0, 10.0)?; 3];
    /// let target = [BBox::new(2.0, 2.0, 12.0, 12.0)?; 3];
    /// let ops = [Smoothing::LogSumExp, Smoothing::Boltzmann, Smoothing::Hard];
    /// let batch = Batch::kappa_per_pair(Loss::new(LossKind::Giou, Smoothing::LogSumExp));
    /// let mut out = vec![Evaluation::default(); 3];
    /// batch.evaluate_per_pair(&pred, &target, &[0.5, 0.5, 0.5], &ops, &mut out)?;
    /// for (i, op) in ops.into_iter().enumerate() {
    ///     let loss = Loss::new(LossKind::Giou, op);
    ///     assert_eq!(out[i], evaluate(loss, &pred[i], &target[i], 0.5)?);
    /// }
    /// // errors name the pair by its index in the input
    /// let err = batch.evaluate_per_pair(&pred, &target, &[1.0, 1.0, -1.0], &ops, &mut out);
    /// assert!(err.unwrap_err().to_string().starts_with("pair 2 (0-based), kappa"));
    /// # Ok::<(), softiou::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Batch::evaluate_kappas`] (a `smoothing` of the wrong length is
    /// [`Error::BatchLength`]); where several pairs fail, the one with the smallest index.
    /// The rows before it hold their results.
    pub fn evaluate_per_pair(
        &self,
        pred: &[BBox<F>],
        target: &[BBox<F>],
        kappa: &[F],
        smoothing: &[Smoothing],
        out: &mut [Evaluation<F>],
    ) -> Result<()> {
        let sizes = [
            ("kappa", kappa.len()),
            ("smoothing", smoothing.len()),
            ("out", out.len()),
        ];
        lengths(pred, target, &sizes)?;
        let mut first: Option<(usize, Error)> = None;
        let (mut p, mut t, mut k, mut o, mut index) = (vec![], vec![], vec![], vec![], vec![]);
        for op in Smoothing::ALL {
            let batch = Batch {
                loss: Loss::new(self.loss.kind, op),
                ..*self
            };
            index.clear();
            index.extend((0..pred.len()).filter(|&i| smoothing[i] == op));
            let result = if index.len() == pred.len() {
                // one operator (the usual case): no gathering
                batch.evaluate_kappas(pred, target, kappa, out)
            } else if index.is_empty() {
                continue;
            } else {
                p.clear();
                t.clear();
                k.clear();
                p.extend(index.iter().map(|&i| pred[i]));
                t.extend(index.iter().map(|&i| target[i]));
                k.extend(index.iter().map(|&i| kappa[i]));
                o.clear();
                o.extend(index.iter().map(|&i| out[i])); // placeholders, overwritten
                let result = batch.evaluate_kappas(&p, &t, &k, &mut o);
                for (&i, e) in index.iter().zip(&o) {
                    out[i] = *e;
                }
                result.map_err(|e| match e {
                    Error::InPair {
                        index: at,
                        what,
                        source,
                    } => Error::InPair {
                        index: index[at],
                        what,
                        source,
                    },
                    e => e,
                })
            };
            if let Err(e) = result {
                let at = match &e {
                    Error::InPair { index, .. } => *index,
                    _ => 0,
                };
                if first.as_ref().is_none_or(|(i, _)| at < *i) {
                    first = Some((at, e));
                }
            }
        }
        first.map_or(Ok(()), |(_, e)| Err(e))
    }
}

/// `x` as a slice of `U`.
///
/// # Safety
/// `T` and `U` must be the same type up to the float parameter, and that parameter
/// `f64` (checked by the caller through `TypeId`), so that their layouts are identical.
unsafe fn cast<T, U>(x: &[T]) -> &[U] {
    debug_assert_eq!(std::mem::size_of::<T>(), std::mem::size_of::<U>());
    // SAFETY: same layout, same length, same lifetime (the caller's contract).
    unsafe { std::slice::from_raw_parts(x.as_ptr().cast(), x.len()) }
}

/// As [`cast`], for an output buffer.
///
/// # Safety
/// As [`cast`].
unsafe fn cast_mut<T, U>(x: &mut [T]) -> &mut [U] {
    debug_assert_eq!(std::mem::size_of::<T>(), std::mem::size_of::<U>());
    // SAFETY: as in `cast`; the borrow is moved into the result.
    unsafe { std::slice::from_raw_parts_mut(x.as_mut_ptr().cast(), x.len()) }
}

/// Checks that `target` and every output buffer have `pred.len()` rows.
fn lengths<R>(pred: &[R], target: &[R], outputs: &[(&'static str, usize)]) -> Result<()> {
    let expected = pred.len();
    let all = std::iter::once(("target", target.len())).chain(outputs.iter().copied());
    for (buffer, found) in all {
        if found != expected {
            return Err(Error::BatchLength {
                buffer,
                expected,
                found,
            });
        }
    }
    Ok(())
}

/// Output buffers that can be cut into two at a row, so halves go to different threads.
trait Split: Sized + Send {
    fn split(self, mid: usize) -> (Self, Self);
}

impl<T: Send> Split for &mut [T] {
    fn split(self, mid: usize) -> (Self, Self) {
        self.split_at_mut(mid)
    }
}

/// A read-only per-pair input (such as κ) cut along with the outputs.
struct Shared<'a, T>(&'a [T]);

impl<T: Sync> Split for Shared<'_, T> {
    fn split(self, mid: usize) -> (Self, Self) {
        let (a, b) = self.0.split_at(mid);
        (Shared(a), Shared(b))
    }
}

impl<A: Split, B: Split> Split for (A, B) {
    fn split(self, mid: usize) -> (Self, Self) {
        let (a0, a1) = self.0.split(mid);
        let (b0, b1) = self.1.split(mid);
        ((a0, b0), (a1, b1))
    }
}

/// Runs `kernel(offset, pred, target, out)` on the whole range (serial) or on halves in
/// parallel down to [`GRAIN`] rows. Both halves always run to the end, so the error
/// returned is the one of the smallest failing index, exactly as in serial order.
fn drive<R, O, K>(
    offset: usize,
    pred: &[R],
    target: &[R],
    out: O,
    exec: Exec,
    kernel: &K,
) -> Result<()>
where
    R: Sync,
    O: Split,
    K: Fn(usize, &[R], &[R], O) -> Result<()> + Sync,
{
    if exec == Exec::Serial || pred.len() <= GRAIN {
        return kernel(offset, pred, target, out);
    }
    let mid = pred.len() / 2;
    let (p0, p1) = pred.split_at(mid);
    let (t0, t1) = target.split_at(mid);
    let (o0, o1) = out.split(mid);
    #[cfg(feature = "parallel")]
    let (a, b) = rayon::join(
        || drive(offset, p0, t0, o0, exec, kernel),
        || drive(offset + mid, p1, t1, o1, exec, kernel),
    );
    #[cfg(not(feature = "parallel"))]
    let (a, b) = (
        drive(offset, p0, t0, o0, exec, kernel),
        drive(offset + mid, p1, t1, o1, exec, kernel),
    );
    a.and(b)
}
