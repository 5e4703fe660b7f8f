//! Branch-free `exp` and `ln_1p` on [`Lanes`]: the fdlibm/musl algorithms, every step
//! written for all lanes at once (a lane-by-lane function with early returns is turned
//! back into scalar code with branches by LLVM), the special cases blended in at the end.

// The constants are written as fdlibm publishes them, so that they can be checked
// against it; they round to the same f64.
#![allow(clippy::excessive_precision)]

use super::{L, LaneMask, Lanes, amap, arr};
use crate::lanes::real::Value;

type U = [u64; L];

#[inline(always)]
fn bits(x: Lanes) -> U {
    amap(x.0, f64::to_bits)
}

#[inline(always)]
fn from_bits(u: U) -> Lanes {
    Lanes(amap(u, f64::from_bits))
}

#[inline(always)]
fn umap(u: U, f: impl Fn(u64) -> u64) -> U {
    amap(u, f)
}

#[inline(always)]
fn horner(x: Lanes, c: &[f64]) -> Lanes {
    // c[0] + x·(c[1] + x·(…)), highest coefficient last
    let mut acc = Lanes::splat(c[c.len() - 1]);
    for &k in c[..c.len() - 1].iter().rev() {
        acc = Lanes::splat(k) + x * acc;
    }
    acc
}

/// 0x1.8p52: adding it rounds a number of magnitude < 2^51 to an integer, which then sits
/// in the low bits of the sum.
const MAGIC: f64 = 6_755_399_441_055_744.0;

/// `e^x` per lane (musl's `exp`: k = round(x/ln2), r = x − k·ln2 in two parts, a
/// rational approximation of e^r on |r| ≤ ln2/2, then 2^k applied as two exact powers of
/// two so that a subnormal result is rounded once). Within 1 ulp of the correctly
/// rounded result; ±∞, NaN, overflow (→ ∞) and underflow (→ 0) as libm.
#[inline(always)]
pub(super) fn exp(x: Lanes) -> Lanes {
    const O_THRESHOLD: f64 = 7.097_827_128_933_839_730_96e2;
    const U_THRESHOLD: f64 = -7.451_332_191_019_411_084_20e2;
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const INV_LN2: f64 = std::f64::consts::LOG2_E;
    const P: [f64; 5] = [
        1.666_666_666_666_660_190_37e-1,
        -2.777_777_777_701_559_338_42e-3,
        6.613_756_321_437_934_361_17e-5,
        -1.653_390_220_546_525_153_90e-6,
        4.138_136_797_057_238_460_39e-8,
    ];
    // Clamp so that the integer tricks below stay in range (the ends are replaced by
    // ∞ or 0 at the end); NaN lanes become −746 here and NaN again at the end.
    let xc = x.map(|v| if v > 710.0 { 710.0 } else { v });
    let xc = xc.map(|v| if v >= -746.0 { v } else { -746.0 });
    let t = xc * Lanes::splat(INV_LN2) + Lanes::splat(MAGIC);
    let kf = t - Lanes::splat(MAGIC);
    let hi = xc - kf * Lanes::splat(LN2_HI);
    let lo = kf * Lanes::splat(LN2_LO);
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * horner(rr, &P);
    let y = Lanes::splat(1.0) + (r * c / (Lanes::splat(2.0) - c) - lo + hi);
    // 2^k = 2^k1 · 2^k2 with k1 = round(k/2): both factors are normal numbers for every
    // k in [−1077, 1025], y·2^k1 is exact and the second product rounds once.
    let t1 = kf * Lanes::splat(0.5) + Lanes::splat(MAGIC);
    let magic_bits = MAGIC.to_bits();
    let k1 = umap(bits(t1), |b| b.wrapping_sub(magic_bits));
    let k = umap(bits(t), |b| b.wrapping_sub(magic_bits));
    let k2: U = arr(|i| k[i].wrapping_sub(k1[i]));
    let s1 = from_bits(umap(k1, |k| k.wrapping_add(1023) << 52));
    let s2 = from_bits(umap(k2, |k| k.wrapping_add(1023) << 52));
    let v = y * s1 * s2;
    let v = Lanes::blend(
        x.gt(Lanes::splat(O_THRESHOLD)),
        Lanes::splat(f64::INFINITY),
        v,
    );
    let v = Lanes::blend(x.lt_mask(Lanes::splat(U_THRESHOLD)), Lanes::splat(0.0), v);
    Lanes::blend(x.is_nan(), x + x, v)
}

/// `ln(1 + x)` per lane (musl's `log1p`: 1 + x = 2^k·(1 + f) with 1 + f in
/// [√2/2, √2), a correction for the rounding of 1 + x, and the Remez polynomial of
/// `log` in s = f/(2 + f)). Within 1 ulp of the correctly rounded result; −1 → −∞,
/// below −1 → NaN, +∞ and NaN as libm, |x| < 2^−53 (±0 and subnormals) → x.
#[inline(always)]
pub(super) fn ln_1p(x: Lanes) -> Lanes {
    ln_1p_body(x, true)
}

/// [`ln_1p`] for `+0 ≤ x ≤ 1` (and NaN), the only arguments the smoothing gives it
/// (`e^{−κd}` with `κd ≥ 0`, never −0): the same numbers, bit for bit (tested), without
/// the steps that only other arguments take — the other form of the rounding correction
/// (for `1 + x ≥ 4`), its cut-off (for `1 + x ≥ 2^54`), and the special cases
/// `|x| < 2^−53` (which the general steps already return exactly, as `x`), `+∞`, `−1` and
/// `x < −1`.
#[inline(always)]
pub(super) fn ln_1p_unit(x: Lanes) -> Lanes {
    ln_1p_body(x, false)
}

/// The body of [`ln_1p`] (`general`) and [`ln_1p_unit`].
#[inline(always)]
fn ln_1p_body(x: Lanes, general: bool) -> Lanes {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const LG: [f64; 7] = [
        6.666_666_666_666_735_130e-1,
        3.999_999_999_940_941_908e-1,
        2.857_142_874_366_239_149e-1,
        2.222_219_843_214_978_396e-1,
        1.818_357_216_161_805_012e-1,
        1.531_383_769_920_937_332e-1,
        1.479_819_860_511_658_591e-1,
    ];
    // musl's "k = 0" range, √2/2 − 1 ≲ x < √2 − 1 (its high-word tests as numbers)
    let upper = f64::from_bits(0x3fda_827a_0000_0000);
    let lower = -f64::from_bits(0x3fd2_bec5_0000_0000);
    let near0 = if general {
        x.lt_mask(Lanes::splat(upper))
            .and(x.gt(Lanes::splat(lower)))
    } else {
        x.lt_mask(Lanes::splat(upper))
    };

    let u = Lanes::splat(1.0) + x;
    let ub = bits(u);
    let hu = umap(ub, |b| (b >> 32).wrapping_add(0x3ff0_0000 - 0x3fe6_a09e));
    // k + 1023 as an integer, and k as a float (through the 2^52 trick)
    let kb = umap(hu, |h| (h >> 20) & 0xfff);
    let dk = from_bits(umap(kb, |k| 0x4330_0000_0000_0000 | k))
        - Lanes::splat(4_503_599_627_370_496.0 + 1023.0);
    let c_small = x - (u - Lanes::splat(1.0));
    let c = if general {
        let c_big = Lanes::splat(1.0) - (u - x);
        let c = Lanes::blend(dk.ge(Lanes::splat(2.0)), c_big, c_small) / u;
        Lanes::blend(dk.lt_mask(Lanes::splat(54.0)), c, Lanes::splat(0.0))
    } else {
        c_small / u
    };
    let reduced: U = arr(|i| (((hu[i] & 0x000f_ffff) + 0x3fe6_a09e) << 32) | (ub[i] & 0xffff_ffff));
    let f_big = from_bits(reduced) - Lanes::splat(1.0);

    let f = Lanes::blend(near0, x, f_big);
    let c = Lanes::blend(near0, Lanes::splat(0.0), c);
    let dk = Lanes::blend(near0, Lanes::splat(0.0), dk);

    let hfsq = Lanes::splat(0.5) * f * f;
    let s = f / (Lanes::splat(2.0) + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * horner(w, &[LG[1], LG[3], LG[5]]);
    let t2 = z * horner(w, &[LG[0], LG[2], LG[4], LG[6]]);
    let r = t2 + t1;
    let v = s * (hfsq + r) + (dk * Lanes::splat(LN2_LO) + c) - hfsq + f + dk * Lanes::splat(LN2_HI);

    if !general {
        return Lanes::blend(x.is_nan(), x + x, v);
    }
    let tiny = x
        .map(f64::abs)
        .lt_mask(Lanes::splat(f64::from_bits(0x3ca0_0000_0000_0000)));
    let v = Lanes::blend(tiny, x, v);
    let v = Lanes::blend(x.eq(Lanes::splat(f64::INFINITY)), x, v);
    let v = Lanes::blend(x.eq(Lanes::splat(-1.0)), Lanes::splat(f64::NEG_INFINITY), v);
    let v = Lanes::blend(x.lt_mask(Lanes::splat(-1.0)), Lanes::splat(f64::NAN), v);
    Lanes::blend(x.is_nan(), x + x, v)
}

impl Lanes {
    /// `self < o`, per lane.
    #[inline(always)]
    pub fn lt_mask(self, o: Self) -> LaneMask {
        LaneMask::from_fn(|i| self.0[i] < o.0[i])
    }
    /// Whether each lane is NaN.
    #[inline(always)]
    pub fn is_nan(self) -> LaneMask {
        LaneMask::from_fn(|i| self.0[i].is_nan())
    }
}
