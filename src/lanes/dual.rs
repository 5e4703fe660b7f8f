//! Option-free dual numbers over [`Lanes`]: every lane is an independent box pair, every
//! derivative slot a full set of lanes.

use std::ops::{Add, Mul, Neg, Sub};

use super::real::Real;
use super::{LaneMask, Lanes, amap, arr};

/// A first-order dual number: value and `N` partial derivatives, each for [`super::L`]
/// lanes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LaneDual<const N: usize> {
    /// The values.
    pub re: Lanes,
    /// `∂/∂x_i` of the values.
    pub eps: [Lanes; N],
}

impl<const N: usize> LaneDual<N> {
    /// A constant (all derivatives 0).
    #[inline(always)]
    pub fn constant(re: Lanes) -> Self {
        LaneDual {
            re,
            eps: [Lanes::splat(0.0); N],
        }
    }
    /// The variable `x_i` (derivative 1 in slot `i`).
    #[inline(always)]
    pub fn variable(re: Lanes, i: usize) -> Self {
        let mut d = Self::constant(re);
        d.eps[i] = Lanes::splat(1.0);
        d
    }
    /// `f` applied to every part, the real part included (a linear map of the number,
    /// or a bitwise one such as a sign flip).
    #[inline(always)]
    fn map(self, f: impl Fn(Lanes) -> Lanes) -> Self {
        LaneDual {
            re: f(self.re),
            eps: amap(self.eps, f),
        }
    }
    /// `f(re)` with `f'(re) = df`: the chain rule.
    #[inline(always)]
    fn chain(self, f: Lanes, df: Lanes) -> Self {
        LaneDual {
            re: f,
            eps: amap(self.eps, |e| e * df),
        }
    }
}

impl<const N: usize> Add for LaneDual<N> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        LaneDual {
            re: self.re + o.re,
            eps: arr(|i| self.eps[i] + o.eps[i]),
        }
    }
}

impl<const N: usize> Sub for LaneDual<N> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        LaneDual {
            re: self.re - o.re,
            eps: arr(|i| self.eps[i] - o.eps[i]),
        }
    }
}

impl<const N: usize> Mul for LaneDual<N> {
    type Output = Self;
    // the product rule adds
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        LaneDual {
            re: self.re * o.re,
            eps: arr(|i| self.eps[i] * o.re + o.eps[i] * self.re),
        }
    }
}

impl<const N: usize> Neg for LaneDual<N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(|e| -e)
    }
}

impl<const N: usize> Real for LaneDual<N> {
    type Re = Lanes;
    #[inline(always)]
    fn re(&self) -> Lanes {
        self.re
    }
    #[inline(always)]
    fn lit(x: f64) -> Self {
        Self::constant(Lanes::splat(x))
    }
    #[inline(always)]
    fn recip(self) -> Self {
        let r = Real::recip(self.re);
        self.chain(r, -(r * r))
    }
    #[inline(always)]
    fn exp(self) -> Self {
        let e = self.re.exp();
        self.chain(e, e)
    }
    #[inline(always)]
    fn ln_1p(self) -> Self {
        let d = Real::recip(Lanes::splat(1.0) + self.re);
        self.chain(self.re.ln_1p(), d)
    }
    #[inline(always)]
    fn ln_1p_unit(self) -> Self {
        let d = Real::recip(Lanes::splat(1.0) + self.re);
        self.chain(super::math::ln_1p_unit(self.re), d)
    }
    #[inline(always)]
    fn atan(self) -> Self {
        let d = Real::recip(Lanes::splat(1.0) + self.re * self.re);
        self.chain(Real::atan(self.re), d)
    }
    #[inline(always)]
    fn add_re(self, r: Lanes) -> Self {
        LaneDual {
            re: self.re + r,
            ..self
        }
    }
    #[inline(always)]
    fn select(m: LaneMask, a: Self, b: Self) -> Self {
        LaneDual {
            re: Lanes::blend(m, a.re, b.re),
            eps: arr(|i| Lanes::blend(m, a.eps[i], b.eps[i])),
        }
    }
    #[inline(always)]
    fn neg_unless(self, m: LaneMask) -> Self {
        self.map(|e| Lanes::flip(e, m))
    }
    #[inline(always)]
    fn zero_where(self, m: LaneMask) -> Self {
        self.map(|e| Lanes::clear(e, m))
    }
    #[inline(always)]
    fn as_constant(&self) -> Option<Lanes> {
        Lanes::all_zero(&self.eps).then_some(self.re)
    }
    #[inline(always)]
    fn scale(self, k: Lanes) -> Self {
        self.map(|e| e * k)
    }
    /// The real part divided, the derivative parts times the rounded reciprocal (as
    /// [`Real::div_rounded`] by a constant).
    #[inline(always)]
    fn div_re(self, k: Lanes) -> Self {
        LaneDual {
            re: self.re / k,
            ..self.scale(Real::recip(k))
        }
    }
}

/// Index of `∂²/∂x_i∂x_j` (`i ≤ j`) among the 10 distinct second derivatives of 4
/// variables, row by row of the upper triangle.
pub(crate) const fn sym(i: usize, j: usize) -> usize {
    let (i, j) = if i <= j { (i, j) } else { (j, i) };
    i * 4 - i * (i + 1) / 2 + j
}

/// A second-order dual number in 4 variables: value, gradient and the 10 distinct
/// entries of the symmetric Hessian, each for [`super::L`] lanes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LaneHyper4 {
    /// The values.
    pub re: Lanes,
    /// The gradient.
    pub g: [Lanes; 4],
    /// The upper triangle of the Hessian, row by row: (0,0), (0,1), …, (3,3).
    pub h: [Lanes; 10],
}

impl LaneHyper4 {
    /// A constant.
    #[inline(always)]
    pub fn constant(re: Lanes) -> Self {
        LaneHyper4 {
            re,
            g: [Lanes::splat(0.0); 4],
            h: [Lanes::splat(0.0); 10],
        }
    }
    /// The variable `x_i`.
    #[inline(always)]
    pub fn variable(re: Lanes, i: usize) -> Self {
        let mut d = Self::constant(re);
        d.g[i] = Lanes::splat(1.0);
        d
    }
    /// `f` applied to every part, as [`LaneDual`]'s.
    #[inline(always)]
    fn map(self, f: impl Fn(Lanes) -> Lanes) -> Self {
        LaneHyper4 {
            re: f(self.re),
            g: amap(self.g, &f),
            h: amap(self.h, f),
        }
    }
    /// `∂²/∂x_i∂x_j`.
    #[inline(always)]
    pub fn hessian(&self, i: usize, j: usize) -> Lanes {
        self.h[sym(i, j)]
    }
    /// `f(re)` with derivatives `f1 = f'`, `f2 = f''`.
    #[inline(always)]
    fn chain(self, f: Lanes, f1: Lanes, f2: Lanes) -> Self {
        let g = self.g;
        LaneHyper4 {
            re: f,
            g: amap(g, |e| e * f1),
            h: arr(|k| {
                let (i, j) = PAIRS[k];
                self.h[k] * f1 + f2 * g[i] * g[j]
            }),
        }
    }
}

const PAIRS: [(usize, usize); 10] = [
    (0, 0),
    (0, 1),
    (0, 2),
    (0, 3),
    (1, 1),
    (1, 2),
    (1, 3),
    (2, 2),
    (2, 3),
    (3, 3),
];

impl Add for LaneHyper4 {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        LaneHyper4 {
            re: self.re + o.re,
            g: arr(|i| self.g[i] + o.g[i]),
            h: arr(|i| self.h[i] + o.h[i]),
        }
    }
}

impl Sub for LaneHyper4 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        LaneHyper4 {
            re: self.re - o.re,
            g: arr(|i| self.g[i] - o.g[i]),
            h: arr(|i| self.h[i] - o.h[i]),
        }
    }
}

impl Mul for LaneHyper4 {
    type Output = Self;
    // the product rule adds
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        LaneHyper4 {
            re: self.re * o.re,
            g: arr(|i| self.g[i] * o.re + o.g[i] * self.re),
            h: {
                // A plain loop (inlined, unrolled, vectorised): the batch kernels call the
                // product out of line, once per SIMD level (`batch::lanes::Level::mul`),
                // so it is compiled there rather than at each product of the formula.
                let mut h = [Lanes::splat(0.0); 10];
                for (k, e) in h.iter_mut().enumerate() {
                    let (i, j) = PAIRS[k];
                    *e = self.h[k] * o.re
                        + (self.g[i] * o.g[j] + self.g[j] * o.g[i])
                        + o.h[k] * self.re;
                }
                h
            },
        }
    }
}

impl Neg for LaneHyper4 {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(|e| -e)
    }
}

impl Real for LaneHyper4 {
    type Re = Lanes;
    #[inline(always)]
    fn re(&self) -> Lanes {
        self.re
    }
    #[inline(always)]
    fn lit(x: f64) -> Self {
        Self::constant(Lanes::splat(x))
    }
    #[inline(always)]
    fn recip(self) -> Self {
        let r = Real::recip(self.re);
        let f1 = -(r * r);
        self.chain(r, f1, Lanes::splat(-2.0) * f1 * r)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        let e = self.re.exp();
        self.chain(e, e, e)
    }
    #[inline(always)]
    fn ln_1p(self) -> Self {
        let d = Real::recip(Lanes::splat(1.0) + self.re);
        self.chain(self.re.ln_1p(), d, -(d * d))
    }
    #[inline(always)]
    fn ln_1p_unit(self) -> Self {
        let d = Real::recip(Lanes::splat(1.0) + self.re);
        self.chain(super::math::ln_1p_unit(self.re), d, -(d * d))
    }
    #[inline(always)]
    fn atan(self) -> Self {
        let d = Real::recip(Lanes::splat(1.0) + self.re * self.re);
        self.chain(Real::atan(self.re), d, Lanes::splat(-2.0) * self.re * d * d)
    }
    #[inline(always)]
    fn add_re(self, r: Lanes) -> Self {
        LaneHyper4 {
            re: self.re + r,
            ..self
        }
    }
    #[inline(always)]
    fn neg_unless(self, m: LaneMask) -> Self {
        self.map(|e| Lanes::flip(e, m))
    }
    #[inline(always)]
    fn zero_where(self, m: LaneMask) -> Self {
        self.map(|e| Lanes::clear(e, m))
    }
    #[inline(always)]
    fn as_constant(&self) -> Option<Lanes> {
        (Lanes::all_zero(&self.g) && Lanes::all_zero(&self.h)).then_some(self.re)
    }
    #[inline(always)]
    fn scale(self, k: Lanes) -> Self {
        self.map(|e| e * k)
    }
    #[inline(always)]
    fn div_re(self, k: Lanes) -> Self {
        LaneHyper4 {
            re: self.re / k,
            ..self.scale(Real::recip(k))
        }
    }
    #[inline(always)]
    fn select(m: LaneMask, a: Self, b: Self) -> Self {
        LaneHyper4 {
            re: Lanes::blend(m, a.re, b.re),
            g: arr(|i| Lanes::blend(m, a.g[i], b.g[i])),
            h: arr(|i| Lanes::blend(m, a.h[i], b.h[i])),
        }
    }
}
