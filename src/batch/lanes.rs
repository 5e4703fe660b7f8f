//! The batch kernels on lanes (`f64`): [`L`] pairs per operation through the lane duals,
//! compiled twice (AVX2 + FMA, portable) and chosen at run time.
//!
//! Per chunk of [`L`] rows: validate every row with the same tests as the scalar path
//! ([`BBox::new`](crate::BBox::new), the κ checks, the `logsumexp` κ·s floor and the
//! tiny-κ rescaling, which the lanes do not do), compute branch-free, check once that the
//! value and every derivative of the chunk's rows are finite, and if any of this fails
//! run the chunk's rows on the scalar num-dual path, which then returns exactly the
//! result or the error (with its row) that it always returned. The last chunk is padded
//! with copies of its first row, whose results are dropped.

use std::marker::PhantomData;
use std::ops::{Add, Mul, Neg, Sub};

use crate::bbox::BBox;
use crate::evaluate::Evaluation;
use crate::iou::valid_soft_iou_and_region;
use crate::iou::{Corners, Loss, hard_iou, logsumexp_min_kappa_s, logsumexp_min_kappa_s_hessian};
use crate::lanes::real::MaskOf;
use crate::lanes::{L, LaneDual, LaneHyper4, LaneMask, Lanes, Mask, Real, Value, arr};
use crate::smooth::Smoothing;

use super::pair::{self, Row};
use crate::error::Result;

/// The vector instructions a lane kernel is compiled for.
///
/// ```
/// use softiou::{Loss, Smoothing, batch::{Batch, Engine, Simd}};
/// let (p, t) = ([[0.0, 0.0, 4.0, 3.0]; 9], [[1.0, 1.0, 5.0, 5.0]; 9]);
/// let b = Batch::new(Loss::soft_iou(Smoothing::Boltzmann), 1.0)?;
/// let (mut portable, mut widest) = ([0.0; 9], [0.0; 9]);
/// b.engine(Engine::Lanes(Simd::Portable)).loss(&p, &t, &mut portable)?;
/// b.engine(Engine::Lanes(Simd::detected())).loss(&p, &t, &mut widest)?;
/// assert_eq!(portable, widest); // every level gives the same bits
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Simd {
    /// The target's baseline (SSE2 on x86-64): 8 lanes in 4 registers of 2.
    Portable,
    /// AVX2 and FMA: 8 lanes in 2 registers of 4. (An AVX-512 level was measured too: on
    /// this code it was slower than AVX2 on the machine that has it, and each level adds
    /// to the library's build time, so there is none.)
    Avx2,
}

impl Simd {
    /// All levels, narrowest first.
    ///
    /// ```
    /// use softiou::batch::Simd;
    /// assert_eq!(Simd::ALL[0], Simd::Portable);
    /// ```
    pub const ALL: [Simd; 2] = [Simd::Portable, Simd::Avx2];

    /// Whether this CPU can run the level (detected at run time).
    ///
    /// ```
    /// use softiou::batch::Simd;
    /// assert!(Simd::Portable.is_supported());
    /// ```
    pub fn is_supported(self) -> bool {
        match self {
            Simd::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => {
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest level this CPU supports (detected once).
    ///
    /// ```
    /// use softiou::batch::Simd;
    /// assert!(Simd::detected().is_supported());
    /// ```
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
    ///
    /// ```
    /// use softiou::batch::Simd;
    /// assert_eq!(Simd::Avx2.clamped(), Simd::Avx2.min(Simd::detected()));
    /// assert_eq!(Simd::Portable.clamped(), Simd::Portable);
    /// ```
    pub fn clamped(self) -> Simd {
        self.min(Simd::detected())
    }

    /// A short name: `portable` or `avx2`.
    ///
    /// ```
    /// use softiou::batch::Simd;
    /// assert_eq!(Simd::Avx2.name(), "avx2");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Simd::Portable => "portable",
            Simd::Avx2 => "avx2",
        }
    }
}

// # Build time
//
// The kernels are written once, generically, and every lane operation is
// `#[inline(always)]` so that it is compiled (and vectorised) with the SIMD level of the
// kernel it lands in. Inlined whole, a loss is ten smooth extrema, each with an `exp`, an
// `ln_1p` and divisions, for each of 3 operators, 4 loss kinds, 5 methods and 3 levels:
// the library took > 17 minutes and 9 GB to build. Here the two heavy pieces, the
// smoothing correction and the rounded division, go through the `Real` hooks to one
// out-of-line function per number type and level ([`Level`]), the loss kind and the
// operator are run-time values, and each part of the formula is shared by the kinds that
// use it (`Loss::formula`): a kernel is the formula's skeleton of cheap operations.

/// A SIMD level as a type: where the out-of-line pieces of a kernel are compiled.
///
/// Values of `Lv<_, S>` exist only inside a kernel that [`dispatch`] entered after
/// checking that the CPU has `S`'s features; that is what makes the calls to the
/// `#[target_feature]` functions below sound.
pub(super) trait Level: Copy + 'static {
    /// `op.shift_inline(d, kappa)`, compiled for this level.
    fn shift<D: Real>(op: Smoothing, d: D, kappa: D) -> D;
    /// `D::div_rounded(x, y)`, compiled for this level.
    fn div<D: Real>(x: D, y: D) -> D;
    /// `x * y`; for the second-order dual ([`big`]) compiled out of line for this level.
    fn mul<D: Real>(x: D, y: D) -> D;
}

/// Whether `D` is the second-order lane dual (15 sets of lanes): its product, 10 Hessian
/// entries of three products each, is a call to one out-of-line function per level
/// rather than inlined at each of the formula's products (inlined, its loop multiplied
/// the kernel's build time; as a closure per entry it ran 1.6x slower). A size test, so
/// that it is a constant of the monomorphised code.
#[inline(always)]
const fn big<D>() -> bool {
    std::mem::size_of::<D>() >= std::mem::size_of::<LaneHyper4>()
}

/// The target's baseline.
#[derive(Clone, Copy)]
pub(super) struct Portable;
/// AVX2 + FMA.
#[derive(Clone, Copy)]
pub(super) struct Avx2;

#[inline(never)]
fn shift_portable<D: Real>(op: Smoothing, d: &D, kappa: &D) -> D {
    op.shift_inline(*d, *kappa)
}
#[inline(never)]
fn div_portable<D: Real>(x: &D, y: &D) -> D {
    D::div_rounded(*x, *y)
}
#[inline(never)]
fn mul_portable<D: Real>(x: &D, y: &D) -> D {
    *x * *y
}

impl Level for Portable {
    #[inline(always)]
    fn shift<D: Real>(op: Smoothing, d: D, kappa: D) -> D {
        shift_portable(op, &d, &kappa)
    }
    #[inline(always)]
    fn div<D: Real>(x: D, y: D) -> D {
        div_portable(&x, &y)
    }
    #[inline(always)]
    fn mul<D: Real>(x: D, y: D) -> D {
        if big::<D>() {
            mul_portable(&x, &y)
        } else {
            x * y
        }
    }
}

macro_rules! x86_level {
    ($level:ident, $features:literal, $shift:ident, $div:ident, $mul:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        #[inline(never)]
        fn $mul<D: Real>(x: &D, y: &D) -> D {
            *x * *y
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        #[inline(never)]
        fn $shift<D: Real>(op: Smoothing, d: &D, kappa: &D) -> D {
            op.shift_inline(*d, *kappa)
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        #[inline(never)]
        fn $div<D: Real>(x: &D, y: &D) -> D {
            D::div_rounded(*x, *y)
        }
        impl Level for $level {
            #[inline(always)]
            fn shift<D: Real>(op: Smoothing, d: D, kappa: D) -> D {
                // SAFETY: see `Level` (only reached in a kernel of this level, which
                // `dispatch` enters only on a CPU with these features).
                #[cfg(target_arch = "x86_64")]
                return unsafe { $shift(op, &d, &kappa) };
                #[cfg(not(target_arch = "x86_64"))]
                return shift_portable(op, &d, &kappa);
            }
            #[inline(always)]
            fn div<D: Real>(x: D, y: D) -> D {
                // SAFETY: as above.
                #[cfg(target_arch = "x86_64")]
                return unsafe { $div(&x, &y) };
                #[cfg(not(target_arch = "x86_64"))]
                return div_portable(&x, &y);
            }
            #[inline(always)]
            fn mul<D: Real>(x: D, y: D) -> D {
                if !big::<D>() {
                    return x * y;
                }
                // SAFETY: as above.
                #[cfg(target_arch = "x86_64")]
                return unsafe { $mul(&x, &y) };
                #[cfg(not(target_arch = "x86_64"))]
                return mul_portable(&x, &y);
            }
        }
    };
}
x86_level!(Avx2, "avx2,fma", shift_avx2, div_avx2, mul_avx2);

/// A lane number `D` in a kernel of level `S`: `D` itself, except that the two hooks of
/// [`Real`] go to `S`'s out-of-line functions.
#[derive(Clone, Copy)]
pub(super) struct Lv<D, S>(D, PhantomData<S>);

impl<D, S> Lv<D, S> {
    #[inline(always)]
    fn new(d: D) -> Self {
        Lv(d, PhantomData)
    }
}

macro_rules! lv_binop {
    ($tr:ident, $f:ident) => {
        impl<D: Real, S: Level> $tr for Lv<D, S> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, o: Self) -> Self {
                Lv::new(self.0.$f(o.0))
            }
        }
    };
}
lv_binop!(Add, add);
lv_binop!(Sub, sub);
impl<D: Real, S: Level> Mul for Lv<D, S> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Lv::new(S::mul(self.0, o.0))
    }
}

impl<D: Real, S: Level> Neg for Lv<D, S> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Lv::new(-self.0)
    }
}

impl<D: Real, S: Level> Real for Lv<D, S> {
    type Re = D::Re;
    #[inline(always)]
    fn re(&self) -> D::Re {
        self.0.re()
    }
    #[inline(always)]
    fn lit(x: f64) -> Self {
        Lv::new(D::lit(x))
    }
    #[inline(always)]
    fn zero() -> Self {
        Lv::new(D::zero())
    }
    #[inline(always)]
    fn one() -> Self {
        Lv::new(D::one())
    }
    #[inline(always)]
    fn recip(self) -> Self {
        Lv::new(self.0.recip())
    }
    #[inline(always)]
    fn exp(self) -> Self {
        Lv::new(self.0.exp())
    }
    #[inline(always)]
    fn ln_1p(self) -> Self {
        Lv::new(self.0.ln_1p())
    }
    #[inline(always)]
    fn atan(self) -> Self {
        Lv::new(self.0.atan())
    }
    #[inline(always)]
    fn add_re(self, r: D::Re) -> Self {
        Lv::new(self.0.add_re(r))
    }
    #[inline(always)]
    fn select(m: MaskOf<Self>, a: Self, b: Self) -> Self {
        Lv::new(D::select(m, a.0, b.0))
    }
    #[inline(always)]
    fn ln_1p_unit(self) -> Self {
        Lv::new(self.0.ln_1p_unit())
    }
    #[inline(always)]
    fn neg_unless(self, m: MaskOf<Self>) -> Self {
        Lv::new(self.0.neg_unless(m))
    }
    #[inline(always)]
    fn zero_where(self, m: MaskOf<Self>) -> Self {
        Lv::new(self.0.zero_where(m))
    }
    #[inline(always)]
    fn as_constant(&self) -> Option<D::Re> {
        self.0.as_constant()
    }
    #[inline(always)]
    fn scale(self, k: D::Re) -> Self {
        Lv::new(self.0.scale(k))
    }
    #[inline(always)]
    fn div_re(self, k: D::Re) -> Self {
        Lv::new(self.0.div_re(k))
    }
    #[inline(always)]
    fn smooth_shift(op: Smoothing, d: Self, kappa: Self) -> Self {
        Lv::new(S::shift(op, d.0, kappa.0))
    }
    #[inline(always)]
    fn div_rounded(x: Self, y: Self) -> Self {
        // A quotient of plain lanes is a few instructions: inline; a dual's goes out of
        // line. (Plain lanes keep the generic body, `x·(1/y)` corrected to `x/y`, rather
        // than dividing directly: with a subnormal `y` it gives NaN, as the scalar path
        // does, so that both engines fail on the same rows.)
        if std::mem::size_of::<D>() == std::mem::size_of::<Lanes>() {
            Lv::new(D::div_rounded(x.0, y.0))
        } else {
            Lv::new(S::div(x.0, y.0))
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
    pub(super) fn at(&self, i: usize) -> f64 {
        match self {
            Kappa::One(k) => *k,
            Kappa::Each(k) => k[i],
        }
    }
    /// The κ of rows `start..end`.
    fn rows(&self, start: usize, end: usize) -> Kappa<'_> {
        match self {
            Kappa::One(k) => Kappa::One(*k),
            Kappa::Each(k) => Kappa::Each(&k[start..end]),
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
    /// `L` rows' results and whether all are finite (values and derivatives).
    fn lanes<S: Level>(
        &self,
        loss: Loss,
        p: [Lanes; 4],
        t: [Lanes; 4],
        k: Lanes,
    ) -> ([Self::Out; L], bool);
    /// One row on the scalar path (validates, and returns exactly today's errors).
    fn scalar(&self, loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out>;
}

/// The corners `[f(0), f(1), f(2), f(3)]`.
#[inline(always)]
fn four<D>(f: impl Fn(usize) -> D) -> Corners<D> {
    Corners([f(0), f(1), f(2), f(3)])
}

/// Whether every lane of every `xs` is finite: x·0 is ±0 for a finite x and NaN for ±∞
/// and NaN, and a sum with a NaN is NaN (two vector operations per value).
#[inline(always)]
fn finite_all(xs: &[Lanes]) -> bool {
    let zero = Lanes::splat(0.0);
    let sum = xs.iter().fold(zero, |acc, &x| acc + x * zero);
    sum.eq(zero).all()
}

pub(super) struct LossOnly;
impl Method for LossOnly {
    type Out = f64;
    const HESSIAN: bool = false;
    #[inline(always)]
    fn lanes<S: Level>(
        &self,
        loss: Loss,
        p: [Lanes; 4],
        t: [Lanes; 4],
        k: Lanes,
    ) -> ([f64; L], bool) {
        let lv = Lv::<Lanes, S>::new;
        let v = loss
            .formula(&four(|i| lv(p[i])), &four(|i| lv(t[i])), lv(k))
            .0;
        (v.0, finite_all(&[v]))
    }
    #[inline(never)]
    fn scalar(&self, loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<f64> {
        pair::loss(loss, p, t, k)
    }
}

/// Which inputs a first-order pass differentiates with respect to (a run-time value, so
/// that the gradient wrt P, wrt T and ∂/∂κ share one compiled kernel).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Seed {
    /// The predicted box: slots 0..4 are ∂/∂p.
    Pred,
    /// The target box: slots 0..4 are ∂/∂t.
    Target,
    /// κ: slot 0 is ∂/∂κ, the others are 0.
    Kappa,
}

/// The loss and four first derivatives (a 4-slot lane dual), seeded by [`Seed`].
pub(super) struct First(pub(super) Seed);
impl Method for First {
    type Out = (f64, [f64; 4]);
    const HESSIAN: bool = false;
    #[inline(always)]
    fn lanes<S: Level>(
        &self,
        loss: Loss,
        p: [Lanes; 4],
        t: [Lanes; 4],
        k: Lanes,
    ) -> ([Self::Out; L], bool) {
        type D = LaneDual<4>;
        let seed = self.0;
        // A variable in slot `i` if `mine`, else a constant (run-time choice, no branch in
        // the arithmetic that follows).
        let var = |x: Lanes, i: usize, mine: bool| {
            Lv::<D, S>::new(if mine {
                D::variable(x, i)
            } else {
                D::constant(x)
            })
        };
        let pd = four(|i| var(p[i], i, seed == Seed::Pred));
        let td = four(|i| var(t[i], i, seed == Seed::Target));
        let v = loss.formula(&pd, &td, var(k, 0, seed == Seed::Kappa)).0;
        let ok = finite_all(&[v.re, v.eps[0], v.eps[1], v.eps[2], v.eps[3]]);
        (arr(|l| (v.re.0[l], arr(|i| v.eps[i].0[l]))), ok)
    }
    #[inline(never)]
    fn scalar(&self, loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out> {
        match self.0 {
            Seed::Pred => pair::grad(loss, p, t, k),
            Seed::Target => pair::grad_all(loss, p, t, k).map(|(v, _, gt)| (v, gt)),
            Seed::Kappa => pair::dkappa(loss, p, t, k).map(|(v, d)| (v, [d, 0.0, 0.0, 0.0])),
        }
    }
}

pub(super) struct Hessian;
impl Method for Hessian {
    type Out = (f64, [f64; 4], [[f64; 4]; 4]);
    const HESSIAN: bool = true;
    #[inline(always)]
    fn lanes<S: Level>(
        &self,
        loss: Loss,
        p: [Lanes; 4],
        t: [Lanes; 4],
        k: Lanes,
    ) -> ([Self::Out; L], bool) {
        type D = LaneHyper4;
        let pd = four(|i| Lv::<D, S>::new(D::variable(p[i], i)));
        let td = four(|i| Lv::new(D::constant(t[i])));
        let v = loss.formula(&pd, &td, Lv::new(D::constant(k))).0;
        let mut all = [v.re; 15];
        all[1..5].copy_from_slice(&v.g);
        all[5..].copy_from_slice(&v.h);
        let ok = finite_all(&all);
        (
            arr(|l| {
                (
                    v.re.0[l],
                    arr(|i| v.g[i].0[l]),
                    arr(|i| arr(|j| v.hessian(i, j).0[l])),
                )
            }),
            ok,
        )
    }
    #[inline(never)]
    fn scalar(&self, loss: Loss, p: &[f64; 4], t: &[f64; 4], k: f64) -> Row<Self::Out> {
        pair::hessian(loss, p, t, k)
    }
}

/// Below this κ `logsumexp` rescales lengths (`iou::tiny_kappa_units`), which the lane
/// kernels leave to the scalar path: 2^−⌊0.16·log2 MAX⌋ = 2^−163 in f64.
pub(super) const TINY_KAPPA: f64 = 8.552_847_072_295_026e-50;

/// Whether every lane (row) passes every check of the scalar path, so that the lanes may
/// take the chunk: the boxes (unless `checked`: built from `BBox`es) have finite corners,
/// positive sides and a finite positive area; κ is finite and positive; for `logsumexp`,
/// κ is not below [`TINY_KAPPA`] and κ·s (s the shorter side of either box) is not below
/// the floor. The same tests as the scalar path, on all lanes at once.
#[inline(always)]
fn lanes_ok(
    p: &[Lanes; 4],
    t: &[Lanes; 4],
    k: Lanes,
    op: Smoothing,
    min_kappa_s: f64,
    checked: bool,
) -> bool {
    let zero = Lanes::splat(0.0);
    let ((pok, ps), (tok, ts)) = (box_ok(p), box_ok(t));
    let mut ok = finite(k).and(k.gt(zero));
    if !checked {
        ok = ok.and(pok).and(tok);
    }
    if op == Smoothing::LogSumExp {
        let s = Lanes::blend(ps.le(ts), ps, ts);
        ok = ok
            .and(k.ge(Lanes::splat(TINY_KAPPA)))
            .and((k * s).ge(Lanes::splat(min_kappa_s)));
    }
    ok.all()
}

/// Whether each lane of `x` is finite: `x·0` is ±0 for a finite `x`, NaN for ±∞ and NaN.
#[inline(always)]
fn finite(x: Lanes) -> LaneMask {
    let zero = Lanes::splat(0.0);
    (x * zero).eq(zero)
}

/// Per lane, whether the box `b` (corners) is valid, and its shorter side.
#[inline(always)]
fn box_ok(b: &[Lanes; 4]) -> (LaneMask, Lanes) {
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    let area = w * h;
    let ok = finite(b[0])
        .and(finite(b[1]))
        .and(finite(b[2]))
        .and(finite(b[3]))
        .and(finite(area))
        .and(b[2].gt(b[0]))
        .and(b[3].gt(b[1]))
        .and(area.gt(Lanes::splat(0.0)));
    (ok, Lanes::blend(w.le(h), w, h))
}

/// What [`run`] does with a chunk the lanes do not take.
pub(super) struct Mode<'a> {
    /// The rows' boxes were validated by the caller (built from `BBox`es): only κ, the
    /// `logsumexp` floor and finiteness are checked here.
    pub(super) checked: bool,
    /// If given, `failed(first_row, rows)` is told of each such chunk, whose rows then
    /// get no result (the caller evaluates them itself); otherwise they run on the
    /// scalar path of the method.
    pub(super) failed: Option<&'a mut dyn FnMut(usize, usize)>,
}

impl Mode<'_> {
    /// Raw rows; failing chunks on the scalar path.
    pub(super) fn raw() -> Mode<'static> {
        Mode {
            checked: false,
            failed: None,
        }
    }
}

/// Runs method `M` over all rows, `L` at a time, calling `put(first_row, results)` once
/// per chunk of consecutive rows; errors are the scalar path's, with the index of the
/// smallest failing row (plus `offset`). (`put` is a `dyn` call: generic, it made one copy
/// of the whole kernel per entry point; once per chunk, it costs nothing measurable.)
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn run<M: Method, S: Level>(
    m: &M,
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut dyn FnMut(usize, &[M::Out]),
    mut mode: Mode<'_>,
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
        // The last chunk is padded with copies of its last row, so "every lane" below
        // is "every row of the chunk".
        let col = |rows: &[[f64; 4]], c: usize| Lanes::from_fn(|i| rows[i.min(n - 1)][c]);
        let pl: [Lanes; 4] = arr(|c| col(p, c));
        let tl: [Lanes; 4] = arr(|c| col(t, c));
        let kl = Lanes::from_fn(|i| kappa.at(start + i.min(n - 1)));
        let mut done = false;
        if lanes_ok(&pl, &tl, kl, op, min_kappa_s, mode.checked) {
            let (out, finite) = m.lanes::<S>(loss, pl, tl, kl);
            if finite {
                put(start, &out[..n]);
                done = true;
            }
        }
        if !done && let Some(failed) = mode.failed.as_mut() {
            failed(start, n);
        } else if !done {
            for i in 0..n {
                if let Kappa::Each(k) = kappa {
                    pair::check_row_kappa(k[start + i]).map_err(|e| e.at(offset + start + i))?;
                }
                let r = m
                    .scalar(loss, &p[i], &t[i], kappa.at(start + i))
                    .map_err(|e| e.at(offset + start + i))?;
                put(start + i, &[r]);
            }
        }
        start += n;
    }
    Ok(())
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn run_avx2<M: Method>(
    m: &M,
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut dyn FnMut(usize, &[M::Out]),
    mode: Mode<'_>,
) -> Result<()> {
    run::<M, Avx2>(m, loss, pred, target, kappa, offset, put, mode)
}

#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn run_portable<M: Method>(
    m: &M,
    loss: Loss,
    pred: &[[f64; 4]],
    target: &[[f64; 4]],
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut dyn FnMut(usize, &[M::Out]),
    mode: Mode<'_>,
) -> Result<()> {
    run::<M, Portable>(m, loss, pred, target, kappa, offset, put, mode)
}

/// [`run`] compiled for `simd` (clamped to what the CPU supports).
#[allow(clippy::too_many_arguments)]
fn dispatch<M: Method>(
    m: &M,
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut dyn FnMut(usize, &[M::Out]),
    mode: Mode<'_>,
) -> Result<()> {
    match simd.clamped() {
        // SAFETY: `clamped` only returns a level whose features the CPU has.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2 => unsafe { run_avx2::<M>(m, loss, pred, target, kappa, offset, put, mode) },
        _ => run_portable::<M>(m, loss, pred, target, kappa, offset, put, mode),
    }
}

/// A `put` for [`run`] from a function of one row: `f(row, result)` for each result of
/// a chunk.
#[inline(always)]
fn each<T: Copy>(mut f: impl FnMut(usize, T)) -> impl FnMut(usize, &[T]) {
    move |first, results| {
        for (i, r) in results.iter().enumerate() {
            f(first + i, *r);
        }
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
    dispatch(
        &LossOnly,
        simd,
        loss,
        (pred, target),
        kappa,
        offset,
        &mut each(|i, r: f64| v[i] = r),
        Mode::raw(),
    )
}

/// [`First`] wrt P into `v`, `g`.
#[inline(never)]
pub(super) fn grad(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    (v, g): (&mut [f64], &mut [[f64; 4]]),
) -> Result<()> {
    let m = First(Seed::Pred);
    dispatch(
        &m,
        simd,
        loss,
        (pred, target),
        kappa,
        offset,
        &mut each(|i, r: <First as Method>::Out| (v[i], g[i]) = r),
        Mode::raw(),
    )
}

/// [`First`] wrt P and then wrt T into `v`, `gp`, `gt`.
#[inline(never)]
pub(super) fn grad_all(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    (v, (gp, gt)): GradAllOut<'_>,
) -> Result<()> {
    // Two passes of the one first-order kernel (4 slots each) rather than a kernel of
    // its own with 8 slots: about the same arithmetic, one kernel less to build.
    let m = First(Seed::Pred);
    dispatch(
        &m,
        simd,
        loss,
        (pred, target),
        kappa,
        offset,
        &mut each(|i, r: <First as Method>::Out| (v[i], gp[i]) = r),
        Mode::raw(),
    )?;
    let m = First(Seed::Target);
    dispatch(
        &m,
        simd,
        loss,
        (pred, target),
        kappa,
        offset,
        &mut each(|i, r: <First as Method>::Out| gt[i] = r.1),
        Mode::raw(),
    )
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
    let put = &mut each(|i, r: <Hessian as Method>::Out| (v[i], g[i], h[i]) = r);
    // The Hessian kernel is the largest by far; it is compiled for AVX2 only (a portable
    // copy added about a fifth to the library's build time), and below AVX2 the rows run
    // on the scalar num-dual path.
    match simd.clamped() {
        // SAFETY: `clamped` only returns a level whose features the CPU has.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2 => unsafe {
            run_avx2(
                &Hessian,
                loss,
                pred,
                target,
                kappa,
                offset,
                put,
                Mode::raw(),
            )
        },
        _ => run_scalar(&Hessian, loss, (pred, target), kappa, offset, put),
    }
}

/// Every row on the scalar path, with the errors (and indices) [`run`] gives.
fn run_scalar<M: Method>(
    m: &M,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    put: &mut dyn FnMut(usize, &[M::Out]),
) -> Result<()> {
    for (i, (p, t)) in pred.iter().zip(target).enumerate() {
        if let Kappa::Each(k) = kappa {
            pair::check_row_kappa(k[i]).map_err(|e| e.at(offset + i))?;
        }
        let r = m
            .scalar(loss, p, t, kappa.at(i))
            .map_err(|e| e.at(offset + i))?;
        put(i, &[r]);
    }
    Ok(())
}

/// [`First`] wrt κ into `v`, `d`.
#[inline(never)]
pub(super) fn dkappa(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[[f64; 4]], &[[f64; 4]]),
    kappa: Kappa<'_>,
    offset: usize,
    (v, d): (&mut [f64], &mut [f64]),
) -> Result<()> {
    let m = First(Seed::Kappa);
    dispatch(
        &m,
        simd,
        loss,
        (pred, target),
        kappa,
        offset,
        &mut each(|i, r: <First as Method>::Out| (v[i], d[i]) = (r.0, r.1[0])),
        Mode::raw(),
    )
}

/// Rows per block of [`evaluate`]: the block's corners and results live on the stack
/// (about 40 kB), and the three kernels run over it back to back while it is in cache.
const BLOCK: usize = 256;

/// The full [`Evaluation`] of validated boxes (row `i` at κ `kappa.at(i)`) into `out`:
/// the loss and the gradients wrt P, wrt T and κ from three passes of the first-order
/// lane kernel (the boxes are not checked again), the soft IoU with its region and the
/// hard IoU as scalar primal values (cheap next to the derivatives; the kernels compute
/// the loss, not its parts). A row whose chunk the lanes do not take (a κ·s below the
/// `logsumexp` floor, a tiny or bad κ, a non-finite result) is [`crate::evaluate`]d on
/// the scalar path, which gives exactly its result or its error.
pub(super) fn evaluate(
    simd: Simd,
    loss: Loss,
    (pred, target): (&[BBox<f64>], &[BBox<f64>]),
    kappa: Kappa<'_>,
    offset: usize,
    out: &mut [Evaluation<f64>],
) -> Result<()> {
    let mut p = [[0.0; 4]; BLOCK];
    let mut t = [[0.0; 4]; BLOCK];
    let mut v = [0.0; BLOCK];
    let mut gp = [[0.0; 4]; BLOCK];
    let mut gt = [[0.0; 4]; BLOCK];
    let mut dk = [0.0; BLOCK];
    let mut bad = [false; BLOCK];
    let mut start = 0;
    while start < pred.len() {
        let n = (pred.len() - start).min(BLOCK);
        for i in 0..n {
            p[i] = pred[start + i].to_xyxy();
            t[i] = target[start + i].to_xyxy();
        }
        bad[..n].fill(false);
        let k = kappa.rows(start, start + n);
        let rows = (&p[..n], &t[..n]);
        for seed in [Seed::Pred, Seed::Target, Seed::Kappa] {
            let put = &mut each(|i, (value, d): <First as Method>::Out| match seed {
                Seed::Pred => (v[i], gp[i]) = (value, d),
                Seed::Target => gt[i] = d,
                Seed::Kappa => dk[i] = d[0],
            });
            let failed = &mut |first: usize, rows: usize| bad[first..first + rows].fill(true);
            let mode = Mode {
                checked: true,
                failed: Some(failed),
            };
            dispatch(&First(seed), simd, loss, rows, k, offset, put, mode)?;
        }
        for i in 0..n {
            let (pb, tb, kr) = (&pred[start + i], &target[start + i], kappa.at(start + i));
            let lanes = (!bad[i])
                .then(|| valid_soft_iou_and_region(pb, tb, kr, loss.smoothing).ok())
                .flatten();
            out[start + i] = match lanes {
                Some((iou, region)) => Evaluation {
                    loss: v[i],
                    iou,
                    hard_iou: hard_iou(pb, tb),
                    grad_pred: gp[i],
                    grad_target: gt[i],
                    dloss_dkappa: dk[i],
                    kappa_s: kr * tb.width().min(tb.height()),
                    region,
                    hessian_pred: None,
                },
                None => pair::evaluate_boxes(loss, pb, tb, kr, matches!(kappa, Kappa::Each(_)))
                    .map_err(|e| e.at(offset + start + i))?,
            };
        }
        start += n;
    }
    Ok(())
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
