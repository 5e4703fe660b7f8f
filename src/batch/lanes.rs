//! The batch kernels on lanes (`f64`): [`L`] pairs per operation through the lane duals,
//! compiled three times (AVX-512, AVX2 + FMA, portable) and chosen at run time.
//!
//! Per chunk of [`L`] rows: validate every row with the same tests as the scalar path
//! ([`BBox::new`](crate::BBox::new), the κ checks, the `logsumexp` κ·s floor and the
//! tiny-κ rescaling, which the lanes do not do), compute branch-free, check once that the
//! value and every derivative of the chunk's rows are finite, and if any of this fails
//! run the chunk's rows on the scalar num-dual path, which then returns exactly the
//! result or the error (with its row) that it always returned. The last chunk is padded
//! with copies of its first row, whose results are dropped.

use crate::iou::{Corners, Loss, logsumexp_min_kappa_s, logsumexp_min_kappa_s_hessian};
use crate::lanes::{L, LaneDual, LaneHyper4, Lanes};
use crate::smooth::Smoothing;

use super::pair::{self, Row};
use crate::error::Result;

/// The vector instructions a lane kernel is compiled for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Simd {
    /// The target's baseline (SSE2 on x86-64): 8 lanes in 4 registers of 2.
    Portable,
    /// AVX2 and FMA: 8 lanes in 2 registers of 4.
    Avx2,
    /// AVX-512 (F, DQ, VL, BW): 8 lanes in one register.
    Avx512,
}

impl Simd {
    /// All levels, narrowest first.
    pub const ALL: [Simd; 3] = [Simd::Portable, Simd::Avx2, Simd::Avx512];

    /// Whether this CPU can run the level (detected at run time).
    pub fn is_supported(self) -> bool {
        match self {
            Simd::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => {
                Simd::Avx2.is_supported()
                    && std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512dq")
                    && std::is_x86_feature_detected!("avx512vl")
                    && std::is_x86_feature_detected!("avx512bw")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest level this CPU supports (detected once).
    pub fn detected() -> Simd {
        static LEVEL: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
        *LEVEL.get_or_init(|| {
            Simd::ALL
                .into_iter()
                .rev()
                .find(|s| s.is_supported())
                .unwrap_or(Simd::Portable)
        })
    }

    /// The widest supported level not wider than `self`.
    pub fn clamped(self) -> Simd {
        self.min(Simd::detected())
    }

    /// A short name: `portable`, `avx2` or `avx512`.
    pub fn name(self) -> &'static str {
        match self {
            Simd::Portable => "portable",
            Simd::Avx2 => "avx2",
            Simd::Avx512 => "avx512",
        }
    }
}

/// κ for every row, or one per row.
#[derive(Clone, Copy)]
pub(super) enum Kappa<'a> {
    One(f64),
    Each(&'a [f64]),
}

impl Kappa<'_> {
    #[inline(always)]
    fn at(&self, i: usize) -> f64 {
        match self {
            Kappa::One(k) => *k,
            Kappa::Each(k) => k[i],
        }
    }
}

/// What one kernel computes: its lane form (the generic formula on lane numbers) and
/// its scalar form (the exact num-dual path, for chunks the lanes do not take).
pub(super) trait Method {
    /// One row's result.
    type Out: Copy;
    /// Whether the Hessian's (larger) `logsumexp` κ·s floor applies.
    const HESSIAN: bool;
    /// `L` rows' results and whether each is finite (value and derivatives).
    fn lanes(loss: Loss, p: [Lanes; 4], t: [Lanes; 4], k: Lanes) -> ([Self::Out; L], [bool; L]);
    /// One row on the scalar path (validates, and returns exactly today's errors).
    fn scalar(loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out>;
}

#[inline(always)]
fn finite_all(xs: &[Lanes]) -> [bool; L] {
    std::array::from_fn(|i| xs.iter().all(|x| x.0[i].is_finite()))
}

pub(super) struct LossOnly;
impl Method for LossOnly {
    type Out = f64;
    const HESSIAN: bool = false;
    #[inline(always)]
    fn lanes(loss: Loss, p: [Lanes; 4], t: [Lanes; 4], k: Lanes) -> ([f64; L], [bool; L]) {
        let v = loss.formula(&Corners(p), &Corners(t), k);
        (v.0, finite_all(&[v]))
    }
    fn scalar(loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<f64> {
        pair::loss(loss, p, t, k)
    }
}

pub(super) struct GradPred;
impl Method for GradPred {
    type Out = (f64, [f64; 4]);
    const HESSIAN: bool = false;
    #[inline(always)]
    fn lanes(loss: Loss, p: [Lanes; 4], t: [Lanes; 4], k: Lanes) -> ([Self::Out; L], [bool; L]) {
        type D = LaneDual<4>;
        let pd = Corners(std::array::from_fn(|i| D::variable(p[i], i)));
        let td = Corners(t.map(D::constant));
        let v = loss.formula(&pd, &td, D::constant(k));
        let ok = finite_all(&[v.re, v.eps[0], v.eps[1], v.eps[2], v.eps[3]]);
        (
            std::array::from_fn(|l| (v.re.0[l], std::array::from_fn(|i| v.eps[i].0[l]))),
            ok,
        )
    }
    fn scalar(loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out> {
        pair::grad(loss, p, t, k)
    }
}

pub(super) struct GradBoth;
impl Method for GradBoth {
    type Out = (f64, [f64; 4], [f64; 4]);
    const HESSIAN: bool = false;
    #[inline(always)]
    fn lanes(loss: Loss, p: [Lanes; 4], t: [Lanes; 4], k: Lanes) -> ([Self::Out; L], [bool; L]) {
        type D = LaneDual<8>;
        let pd = Corners(std::array::from_fn(|i| D::variable(p[i], i)));
        let td = Corners(std::array::from_fn(|i| D::variable(t[i], 4 + i)));
        let v = loss.formula(&pd, &td, D::constant(k));
        let mut all = [v.re; 9];
        all[1..].copy_from_slice(&v.eps);
        let ok = finite_all(&all);
        (
            std::array::from_fn(|l| {
                (
                    v.re.0[l],
                    std::array::from_fn(|i| v.eps[i].0[l]),
                    std::array::from_fn(|i| v.eps[4 + i].0[l]),
                )
            }),
            ok,
        )
    }
    fn scalar(loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out> {
        pair::grad_all(loss, p, t, k)
    }
}

pub(super) struct Hessian;
impl Method for Hessian {
    type Out = (f64, [f64; 4], [[f64; 4]; 4]);
    const HESSIAN: bool = true;
    #[inline(always)]
    fn lanes(loss: Loss, p: [Lanes; 4], t: [Lanes; 4], k: Lanes) -> ([Self::Out; L], [bool; L]) {
        type D = LaneHyper4;
        let pd = Corners(std::array::from_fn(|i| D::variable(p[i], i)));
        let td = Corners(t.map(D::constant));
        let v = loss.formula(&pd, &td, D::constant(k));
        let mut all = [v.re; 15];
        all[1..5].copy_from_slice(&v.g);
        all[5..].copy_from_slice(&v.h);
        let ok = finite_all(&all);
        (
            std::array::from_fn(|l| {
                (
                    v.re.0[l],
                    std::array::from_fn(|i| v.g[i].0[l]),
                    std::array::from_fn(|i| std::array::from_fn(|j| v.hessian(i, j).0[l])),
                )
            }),
            ok,
        )
    }
    fn scalar(loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out> {
        pair::hessian(loss, p, t, k)
    }
}

pub(super) struct DKappa;
impl Method for DKappa {
    type Out = (f64, f64);
    const HESSIAN: bool = false;
    #[inline(always)]
    fn lanes(loss: Loss, p: [Lanes; 4], t: [Lanes; 4], k: Lanes) -> ([Self::Out; L], [bool; L]) {
        type D = LaneDual<1>;
        let v = loss.formula(
            &Corners(p.map(D::constant)),
            &Corners(t.map(D::constant)),
            D::variable(k, 0),
        );
        let ok = finite_all(&[v.re, v.eps[0]]);
        (std::array::from_fn(|l| (v.re.0[l], v.eps[0].0[l])), ok)
    }
    fn scalar(loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out> {
        pair::dkappa(loss, p, t, k)
    }
}

/// Below this κ `logsumexp` rescales lengths (`iou::tiny_kappa_units`), which the lane
/// kernels leave to the scalar path: 2^−⌊0.16·log2 MAX⌋ = 2^−163 in f64.
pub(super) const TINY_KAPPA: f64 = 8.552_847_072_295_026e-50;

/// Whether a row passes every check of the scalar path, so that the lanes may take it.
#[inline(always)]
fn row_ok(p: &[f64; 4], t: &[f64; 4], k: f64, op: Smoothing, min_kappa_s: f64) -> bool {
    let sides = |b: &[f64; 4]| {
        let (w, h) = (b[2] - b[0], b[3] - b[1]);
        let area = w * h;
        let ok = b.iter().all(|c| c.is_finite())
            && b[2] > b[0]
            && b[3] > b[1]
            && area.is_finite()
            && area > 0.0;
        (ok, w.min(h))
    };
    let ((pok, ps), (tok, ts)) = (sides(p), sides(t));
    let kok = k.is_finite() && k > 0.0;
    let lse = op != Smoothing::LogSumExp || (k >= TINY_KAPPA && k * ps.min(ts) >= min_kappa_s);
    pok && tok && kok && lse
}

/// Runs method `M` over all rows, `L` at a time, calling `put(row, result)`; errors are
/// the scalar path's, with the index of the smallest failing row (plus `offset`).
#[inline(always)]
fn run<M: Method>(
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut impl FnMut(usize, M::Out),
) -> Result<()> {
    let min_kappa_s = if M::HESSIAN {
        logsumexp_min_kappa_s_hessian::<f64>()
    } else {
        logsumexp_min_kappa_s::<f64>()
    };
    let op = loss.smoothing;
    let mut start = 0;
    while start < pred.len() {
        let n = (pred.len() - start).min(L);
        let (p, t) = (&pred[start..start + n], &target[start..start + n]);
        let valid = (0..n).all(|i| row_ok(&p[i], &t[i], kappa.at(start + i), op, min_kappa_s));
        let mut done = false;
        if valid {
            let col = |rows: &[[f64; 4]], c: usize| Lanes::from_fn(|i| rows[i.min(n - 1)][c]);
            let pl: [Lanes; 4] = std::array::from_fn(|c| col(p, c));
            let tl: [Lanes; 4] = std::array::from_fn(|c| col(t, c));
            let kl = Lanes::from_fn(|i| kappa.at(start + i.min(n - 1)));
            let (out, finite) = M::lanes(loss, pl, tl, kl);
            if finite[..n].iter().all(|&f| f) {
                for (i, o) in out[..n].iter().enumerate() {
                    put(start + i, *o);
                }
                done = true;
            }
        }
        if !done {
            for i in 0..n {
                if let Kappa::Each(k) = kappa {
                    pair::check_row_kappa(k[start + i]).map_err(|e| e.at(offset + start + i))?;
                }
                let r = M::scalar(loss, &p[i], &t[i], kappa.at(start + i))
                    .map_err(|e| e.at(offset + start + i))?;
                put(start + i, r);
            }
        }
        start += n;
    }
    Ok(())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
fn run_avx512<M: Method>(
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut impl FnMut(usize, M::Out),
) -> Result<()> {
    run::<M>(loss, pred, target, kappa, offset, put)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2<M: Method>(
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut impl FnMut(usize, M::Out),
) -> Result<()> {
    run::<M>(loss, pred, target, kappa, offset, put)
}

#[inline(never)]
fn run_portable<M: Method>(
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut impl FnMut(usize, M::Out),
) -> Result<()> {
    run::<M>(loss, pred, target, kappa, offset, put)
}

/// [`run`] compiled for `simd` (clamped to what the CPU supports).
fn dispatch<M: Method>(
    simd: Simd,
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut impl FnMut(usize, M::Out),
) -> Result<()> {
    match simd.clamped() {
        // SAFETY: `clamped` only returns a level whose features the CPU has.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx512 => unsafe { run_avx512::<M>(loss, pred, target, kappa, offset, put) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2 => unsafe { run_avx2::<M>(loss, pred, target, kappa, offset, put) },
        _ => run_portable::<M>(loss, pred, target, kappa, offset, put),
    }
}

/// Output buffers of [`grad_all`]: value, gradient wrt P, gradient wrt T.
type GradAllOut<'a> = (&'a mut [f64], (&'a mut [[f64; 4]], &'a mut [[f64; 4]]));
/// Output buffers of [`hessian`]: value, gradient, Hessian.
type HessianOut<'a> = (&'a mut [f64], (&'a mut [[f64; 4]], &'a mut [[[f64; 4]; 4]]));

// The entry points are not generic, so that the kernels are compiled once, in this
// crate, rather than in every crate that uses `Batch<f64>`.

/// [`LossOnly`] into `v`.
#[inline(never)]
pub(super) fn loss(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    v: &mut [f64],
) -> Result<()> {
    dispatch::<LossOnly>(simd, loss, pred, target, kappa, offset, &mut |i, r| {
        v[i] = r
    })
}

/// [`GradPred`] into `v`, `g`.
#[inline(never)]
pub(super) fn grad(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    (v, g): (&mut [f64], &mut [[f64; 4]]),
) -> Result<()> {
    dispatch::<GradPred>(simd, loss, pred, target, kappa, offset, &mut |i, r| {
        (v[i], g[i]) = r;
    })
}

/// [`GradBoth`] into `v`, `gp`, `gt`.
#[inline(never)]
pub(super) fn grad_all(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    (v, (gp, gt)): GradAllOut<'_>,
) -> Result<()> {
    dispatch::<GradBoth>(simd, loss, pred, target, kappa, offset, &mut |i, r| {
        (v[i], gp[i], gt[i]) = r;
    })
}

/// [`Hessian`] into `v`, `g`, `h`.
#[inline(never)]
pub(super) fn hessian(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    (v, (g, h)): HessianOut<'_>,
) -> Result<()> {
    dispatch::<Hessian>(simd, loss, pred, target, kappa, offset, &mut |i, r| {
        (v[i], g[i], h[i]) = r;
    })
}

/// [`DKappa`] into `v`, `d`.
#[inline(never)]
pub(super) fn dkappa(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    (v, d): (&mut [f64], &mut [f64]),
) -> Result<()> {
    dispatch::<DKappa>(simd, loss, pred, target, kappa, offset, &mut |i, r| {
        (v[i], d[i]) = r;
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iou::tiny_kappa_units;

    #[test]
    fn the_tiny_kappa_threshold_is_where_the_scalar_path_starts_rescaling() {
        assert_eq!(TINY_KAPPA, 2f64.powi(-163));
        assert_eq!(tiny_kappa_units(TINY_KAPPA, Smoothing::LogSumExp), None);
        let below = f64::from_bits(TINY_KAPPA.to_bits() - 1);
        assert!(tiny_kappa_units(below, Smoothing::LogSumExp).is_some());
    }
}
