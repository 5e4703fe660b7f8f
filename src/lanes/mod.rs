//! Lane-parallel numbers, and the trait the loss formulas are written against.
//!
//! The public part is [`Real`] (with [`Value`], [`Mask`] and [`MaskOf`]): the few
//! operations the generic loss code needs, implemented for `f64`, `f32` and every
//! `num-dual` type, so that one formula gives values, gradients and Hessians. Inside the
//! crate, `Lanes` holds `L` = 8 `f64` values (one box pair each), and `LaneDual` /
//! `LaneHyper4` are first- and second-order dual numbers whose value and every derivative
//! slot are such lanes, stored inline (no `Option`); [`crate::batch`] runs them.
//!
//! ```
//! use softiou::lanes::{MaskOf, Real, Value};
//! /// max(a, b) without a branch on data: an `if` on plain numbers, a blend on lanes.
//! fn max<D: Real>(a: D, b: D) -> D {
//!     let a_wins: MaskOf<D> = a.re().ge(b.re());
//!     D::select(a_wins, a, b)
//! }
//! assert_eq!(max(1.0_f64, 2.0), 2.0);
//! ```
//!
//! # SIMD means
//!
//! `Lanes` is a plain `[f64; 8]` (64-byte aligned) whose operations are written lane by
//! lane ("vertically"), with no branch inside a lane: comparisons give a mask and
//! [`Real::select`] blends. LLVM turns every such loop into packed instructions of the
//! widest vector unit enabled *where the code is compiled*. The batch kernels are
//! instantiated twice — inside `#[target_feature(enable = "avx2,fma")]` and as plain
//! functions — and [`crate::batch`] picks one at run time with
//! `is_x86_feature_detected!`, so a default `cargo build --release` (baseline x86-64)
//! runs 2×4-wide AVX2 code on a CPU that has it, and SSE2 (or the target's own vectors)
//! otherwise. Stable `std::arch` intrinsics would need one hand-written copy per
//! instruction set, and a crate such as `wide` fixes its instruction set at compile time
//! (a default build would run its SSE2 path); plain arrays get every level from one
//! source. Two rules keep that working: every operation is `#[inline(always)]` (so it is
//! compiled inside the kernel, with the kernel's features), and no operation goes through
//! `std::array::from_fn` or `<[T; N]>::map`, whose closures LLVM left as calls in the
//! kernels; `arr` is a plain loop.
//!
//! An AVX-512 level (8 lanes in one register) was built and measured: on this code it
//! ran slower than AVX2 on a CPU that has both, and each level adds to the build time of
//! the library, so there is none.
//!
//! # Accuracy
//!
//! The lane `exp` and `ln_1p` are branch-free versions of the fdlibm/musl algorithms (the
//! same reductions and polynomials), within 1 ulp of the correctly rounded result over the
//! whole `f64` range (tested against libm over millions of arguments, including
//! underflow, overflow, subnormals, ±0, ±∞ and NaN, in `src/lanes/tests.rs`). `atan`
//! (CIoU only) is libm's, lane by lane.

mod dual;
mod math;
pub(crate) mod real;
#[cfg(test)]
mod tests;

pub(crate) use dual::{LaneDual, LaneHyper4};
pub use real::{Mask, MaskOf, Real, Value};

use std::ops::{Add, Div, Mul, Neg, Sub};

/// `[f(0), …, f(N − 1)]`, built by a plain loop. `std::array::from_fn` and
/// `<[T; N]>::map` go through layers of closures that LLVM left as calls inside the
/// `#[target_feature]` kernels (a call per lane or per derivative slot: measured with
/// `perf`, the kernels ran at scalar speed); a loop over a small constant range is
/// unrolled and vectorised.
#[inline(always)]
pub(crate) fn arr<T: Copy + Default, const N: usize>(f: impl Fn(usize) -> T) -> [T; N] {
    let mut a = [T::default(); N];
    for (i, x) in a.iter_mut().enumerate() {
        *x = f(i);
    }
    a
}

/// `f` applied to every element of `a`, as [`arr`].
#[inline(always)]
pub(crate) fn amap<T: Copy + Default, U: Copy + Default, const N: usize>(
    a: [T; N],
    f: impl Fn(T) -> U,
) -> [U; N] {
    arr(|i| f(a[i]))
}

/// The number of lanes: box pairs evaluated per operation.
pub(crate) const L: usize = 8;

/// [`L`] lanes of `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C, align(64))]
pub(crate) struct Lanes(pub(crate) [f64; L]);

/// One boolean per lane, stored as all-ones / all-zeros 64-bit words (what a vector
/// compare produces, so that a select is a bitwise blend).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct LaneMask(pub(crate) [u64; L]);

impl LaneMask {
    /// The mask of `f(i)` for each lane `i`.
    #[inline(always)]
    pub fn from_fn(f: impl Fn(usize) -> bool) -> Self {
        LaneMask(arr(|i| if f(i) { u64::MAX } else { 0 }))
    }
    /// Lane-wise and.
    #[inline(always)]
    pub fn and(self, o: Self) -> Self {
        LaneMask(arr(|i| self.0[i] & o.0[i]))
    }
}

impl Mask for LaneMask {
    #[inline(always)]
    fn all(self) -> bool {
        self.0.iter().fold(u64::MAX, |a, &b| a & b) != 0
    }
    #[inline(always)]
    fn none(self) -> bool {
        self.0.iter().fold(0, |a, &b| a | b) == 0
    }
}

impl Lanes {
    /// Every lane `x`.
    #[inline(always)]
    pub fn splat(x: f64) -> Self {
        Lanes([x; L])
    }
    /// Lane `i` is `f(i)`.
    #[inline(always)]
    pub fn from_fn(f: impl Fn(usize) -> f64) -> Self {
        Lanes(arr(f))
    }
    /// `f` applied to every lane.
    #[inline(always)]
    pub fn map(self, f: impl Fn(f64) -> f64) -> Self {
        Lanes(amap(self.0, f))
    }
    #[inline(always)]
    fn zip(self, o: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        Lanes(arr(|i| f(self.0[i], o.0[i])))
    }
    #[inline(always)]
    fn cmp(self, o: Self, f: impl Fn(f64, f64) -> bool) -> LaneMask {
        LaneMask::from_fn(|i| f(self.0[i], o.0[i]))
    }
    /// `a` where `m`, else `b`, lane by lane (a bitwise blend: NaN in the unselected
    /// side never leaks).
    #[inline(always)]
    pub fn blend(m: LaneMask, a: Self, b: Self) -> Self {
        Lanes(arr(|i| {
            f64::from_bits((a.0[i].to_bits() & m.0[i]) | (b.0[i].to_bits() & !m.0[i]))
        }))
    }
    /// `x` where `m`, `−x` elsewhere, lane by lane (a sign flip).
    #[inline(always)]
    pub fn flip(x: Self, m: LaneMask) -> Self {
        const SIGN: u64 = 1 << 63;
        Lanes(arr(|i| f64::from_bits(x.0[i].to_bits() ^ (!m.0[i] & SIGN))))
    }
    /// `+0` where `m`, `x` elsewhere, lane by lane.
    #[inline(always)]
    pub fn clear(x: Self, m: LaneMask) -> Self {
        Lanes(arr(|i| f64::from_bits(x.0[i].to_bits() & !m.0[i])))
    }
    /// Whether every lane is 0 (either sign).
    #[inline(always)]
    pub fn all_zero(xs: &[Self]) -> bool {
        const MAGNITUDE: u64 = !(1 << 63);
        let any = xs
            .iter()
            .fold([0u64; L], |acc, x| arr(|i| acc[i] | x.0[i].to_bits()));
        any.iter().fold(0, |a, &b| a | (b & MAGNITUDE)) == 0
    }
    /// `e^x` per lane, within 1 ulp (see the module docs).
    #[inline(always)]
    pub fn exp(self) -> Self {
        math::exp(self)
    }
    /// `ln(1 + x)` per lane, within 1 ulp (see the module docs).
    #[inline(always)]
    pub fn ln_1p(self) -> Self {
        math::ln_1p(self)
    }
}

macro_rules! lane_binop {
    ($tr:ident, $f:ident, $op:tt) => {
        impl $tr for Lanes {
            type Output = Lanes;
            #[inline(always)]
            fn $f(self, o: Lanes) -> Lanes {
                self.zip(o, |a, b| a $op b)
            }
        }
    };
}
lane_binop!(Add, add, +);
lane_binop!(Sub, sub, -);
lane_binop!(Mul, mul, *);
lane_binop!(Div, div, /);

impl Neg for Lanes {
    type Output = Lanes;
    #[inline(always)]
    fn neg(self) -> Lanes {
        self.map(|a| -a)
    }
}

impl Value for Lanes {
    type Mask = LaneMask;
    #[inline(always)]
    fn lit(x: f64) -> Self {
        Lanes::splat(x)
    }
    #[inline(always)]
    fn ge(self, o: Self) -> LaneMask {
        self.cmp(o, |a, b| a >= b)
    }
    #[inline(always)]
    fn le(self, o: Self) -> LaneMask {
        self.cmp(o, |a, b| a <= b)
    }
    #[inline(always)]
    fn gt(self, o: Self) -> LaneMask {
        self.cmp(o, |a, b| a > b)
    }
    #[inline(always)]
    fn eq(self, o: Self) -> LaneMask {
        self.cmp(o, |a, b| a == b)
    }
}

impl Real for Lanes {
    type Re = Lanes;
    #[inline(always)]
    fn re(&self) -> Lanes {
        *self
    }
    #[inline(always)]
    fn lit(x: f64) -> Self {
        Lanes::splat(x)
    }
    #[inline(always)]
    fn recip(self) -> Self {
        self.map(|a| 1.0 / a)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        math::exp(self)
    }
    #[inline(always)]
    fn ln_1p(self) -> Self {
        math::ln_1p(self)
    }
    #[inline(always)]
    fn atan(self) -> Self {
        self.map(f64::atan)
    }
    #[inline(always)]
    fn add_re(self, r: Lanes) -> Self {
        self + r
    }
    #[inline(always)]
    fn select(m: LaneMask, a: Self, b: Self) -> Self {
        Lanes::blend(m, a, b)
    }
    #[inline(always)]
    fn ln_1p_unit(self) -> Self {
        math::ln_1p_unit(self)
    }
    #[inline(always)]
    fn neg_unless(self, m: LaneMask) -> Self {
        Lanes::flip(self, m)
    }
    #[inline(always)]
    fn zero_where(self, m: LaneMask) -> Self {
        Lanes::clear(self, m)
    }
    #[inline(always)]
    fn as_constant(&self) -> Option<Lanes> {
        Some(*self)
    }
    #[inline(always)]
    fn scale(self, k: Lanes) -> Self {
        self * k
    }
    #[inline(always)]
    fn div_re(self, k: Lanes) -> Self {
        self / k
    }
}
