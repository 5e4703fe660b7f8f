//! Choosing κ: a rule computed from the library's own functions, not typed in.
//!
//! κ has units of 1/length, and every loss depends on κ only through κ·s, s a box side
//! (`soft_iou(c·P, c·T, κ/c) = soft_iou(P, T, κ)`). So the rule is found once in
//! dimensionless form, on a family of pairs whose target has side s, and κ for your
//! boxes is κ·s divided by your side. The family is the six standard pairs of the plot
//! set against the target `[0, 0, 10, 10]`: overlapping (IoU 56/144),
//! nested, identical, touching, disjoint in x (gap 3), disjoint in x and y (gaps 3, 2).
//!
//! What [`kappa_rule`] answers, each by a scan and a bisection on library functions:
//!
//! | question | how |
//! |---|---|
//! | the smallest κ·s above which \|soft − hard\| ≤ tolerance | `worst_error` (the largest \|[`soft_iou_loss`] − hard IoU loss\| over `FAMILY`) on a log grid of κ·s, the last grid point above the tolerance, then bisection |
//! | where the pole sits | the largest κ·s at which [`region`] says [`Region::UnionNotPositive`] for some pair of `FAMILY` (`logsumexp`; `boltzmann` has none: the scan finds none) |
//! | where the loss is meaningful | the largest κ·s at which some pair is outside [`Region::Meaningful`] |
//! | how far a useful gradient reaches | `gradient_reach`: the gap at which the pull towards the target falls below a threshold |
//! | mixed box sizes | [`MixedRow`]: one κ chosen for the smallest boxes, its error and reach on boxes r times larger, and the error on the small boxes if κ is chosen for the large ones |

use crate::bbox::BBox;
use crate::error::{Error, Result};
use crate::evaluate::evaluate;
use crate::iou::{Loss, Region, hard_iou, region, soft_iou_loss};
use crate::smooth::Smoothing;

/// The side of the family's target, in the family's coordinate units.
pub(crate) const FAMILY_SIDE: f64 = 10.0;

/// The family of pairs on which the tolerance is checked (the worst case over all of
/// them is taken): the six standard pairs of the plot set, all against the target
/// `[0, 0, 10, 10]` (s = 10) — overlapping (IoU 56/144), nested (P inside T),
/// identical, touching (a shared edge), disjoint in x (gap 3) and disjoint in x and y
/// (gaps 3 and 2). Coordinates `[x1, y1, x2, y2]` of P; the target is the same for all.
pub(crate) const FAMILY: [(&str, [f64; 4]); 6] = [
    ("overlapping", [3.0, 2.0, 13.0, 12.0]),
    ("nested", [2.0, 3.0, 8.0, 7.0]),
    ("identical", [0.0, 0.0, 10.0, 10.0]),
    ("touching", [10.0, 0.0, 20.0, 10.0]),
    ("disjoint in x", [13.0, 1.0, 23.0, 11.0]),
    ("disjoint in x and y", [13.0, 12.0, 23.0, 22.0]),
];

/// The κ·s grid of every scan: log-spaced from 1e-3 to 1e10, 200 points a decade.
/// Its upper end bounds the smallest tolerance that can be met (`MIN_TOLERANCE`).
pub(crate) const SCAN_KAPPA_S: (f64, f64, usize) = (1e-3, 1e10, 200);

/// The smallest tolerance accepted: at the top of the scan (κ·s = 1e10) the worst error
/// of either operator is about 1e-10, so 1e-8 is met well inside the grid.
pub(crate) const MIN_TOLERANCE: f64 = 1e-8;

/// The default tolerance on |soft − hard| (the IoU loss, dimensionless).
pub(crate) const DEFAULT_TOLERANCE: f64 = 0.01;

/// The default threshold on the pull s·∂loss/∂(shift towards the target) below which a
/// gradient is no longer "useful": 1% of the pull of the hard IoU loss on two
/// equal boxes overlapping by half, which is about 1.
pub(crate) const DEFAULT_GRAD_THRESHOLD: f64 = 0.01;

/// The κ·s values at which [`KappaRule::reach`] is tabulated (the rule's own κ·s is
/// added).
pub(crate) const REACH_KAPPA_S: [f64; 7] = [0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1000.0];

/// The size ratios of [`KappaRule::mixed`].
pub(crate) const MIXED_RATIOS: [f64; 4] = [1.0, 3.0, 10.0, 100.0];

/// Bisections stop at this relative width of the bracket.
const REL_WIDTH: f64 = 1e-10;

/// Options of [`kappa_rule`]. The default asks for |soft − hard| ≤ 0.01 with `logsumexp`,
/// and calls a gradient useful while its pull is at least 0.01.
///
/// ```
/// use softiou::{Smoothing, kappa_rule::RuleOptions};
/// let o = RuleOptions::default();
/// assert_eq!((o.tolerance, o.smoothing, o.grad_threshold), (0.01, Smoothing::LogSumExp, 0.01));
/// let strict = RuleOptions { tolerance: 1e-4, ..o };
/// assert!(strict.tolerance < o.tolerance);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleOptions {
    /// The tolerance on |soft − hard| IoU loss (dimensionless), in [1e-8, 1): at the top of
    /// the scan (κ·s = 1e10) the worst error of either operator is about 1e-10, so 1e-8 is
    /// met well inside the grid.
    pub tolerance: f64,
    /// `boltzmann` or `logsumexp` (`hard` needs no κ).
    pub smoothing: Smoothing,
    /// The useful-gradient threshold (positive) on the pull s·∂loss/∂(shift towards the
    /// target). The default 0.01 is 1% of the pull of the hard IoU loss on two equal
    /// boxes overlapping by half, which is about 1.
    pub grad_threshold: f64,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            tolerance: DEFAULT_TOLERANCE,
            smoothing: Smoothing::LogSumExp,
            grad_threshold: DEFAULT_GRAD_THRESHOLD,
        }
    }
}

/// Where the loss has a pole: the κ·s at which the soft union of `pair` crosses 0.
///
/// ```
/// use softiou::kappa_rule::{RuleOptions, kappa_rule};
/// let rule = kappa_rule(10.0, RuleOptions::default())?;
/// let pole = rule.pole.as_ref().expect("logsumexp has a pole");
/// // the pole lies far below the κ·s the rule recommends
/// assert!(pole.kappa_s > 0.0 && pole.kappa_s < rule.kappa_s && !pole.pair.is_empty());
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Pole {
    /// κ·s of the pole (bisected to a relative 1e-10).
    pub kappa_s: f64,
    /// The pair of the family whose pole is at the largest κ·s (met first when κ is
    /// lowered).
    pub pair: &'static str,
}

/// How far from the target a useful gradient reaches at one κ·s.
///
/// ```
/// use softiou::kappa_rule::{RuleOptions, kappa_rule};
/// let rule = kappa_rule(10.0, RuleOptions::default())?;
/// // the smoother the loss (smaller κ·s), the farther a useful gradient reaches
/// let gaps: Vec<f64> = rule.reach.iter().filter_map(|r| r.gap_over_s).collect();
/// assert!(gaps.windows(2).all(|w| w[0] >= w[1]));
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReachRow {
    /// κ·s.
    pub kappa_s: f64,
    /// The gap g/s beyond which the pull is below the threshold; `None` if it is below
    /// it already when the boxes touch (g = 0), e.g. for `hard`.
    pub gap_over_s: Option<f64>,
}

/// One κ for boxes of different sizes: κ chosen from the rule for the smallest side s,
/// applied to a box of side r·s (κ·side = r·κ·s); and the reverse, κ chosen for the
/// side r·s, applied to a box of side s (κ·side = κ·s / r).
///
/// ```
/// use softiou::kappa_rule::{RuleOptions, kappa_rule};
/// let rule = kappa_rule(10.0, RuleOptions::default())?;
/// let same = &rule.mixed[0]; // ratio 1: the rule's own boxes, within the tolerance
/// assert_eq!(same.ratio, 1.0);
/// assert!(same.error_large <= rule.tolerance && same.error_small <= rule.tolerance);
/// // κ chosen for boxes 100 times larger is far too smooth for the small ones
/// assert!(rule.mixed.last().unwrap().error_small > rule.tolerance);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MixedRow {
    /// The size ratio r ≥ 1.
    pub ratio: f64,
    /// Worst |soft − hard| on the boxes r times larger, κ chosen for the small ones.
    pub error_large: f64,
    /// Their gradient reach in units of their own side (g / (r·s)); `None` as in
    /// [`ReachRow`].
    pub reach_large: Option<f64>,
    /// Worst |soft − hard| on the small boxes, κ chosen for the boxes r times larger.
    pub error_small: f64,
}

/// The answer of [`kappa_rule`]. Lengths are in the caller's coordinate units, κ in
/// 1/coordinate units; `kappa_s` and the ratios are dimensionless.
///
/// ```
/// use softiou::{Smoothing, kappa_rule::{RuleOptions, kappa_rule}};
/// let options = RuleOptions { smoothing: Smoothing::Boltzmann, ..RuleOptions::default() };
/// let rule = kappa_rule(4.0, options)?;
/// assert_eq!((rule.side, rule.kappa), (4.0, rule.kappa_s / 4.0));
/// assert!(rule.pole.is_none()); // the Boltzmann soft union stays positive
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KappaRule {
    /// The shorter box side s the rule is for.
    pub side: f64,
    /// The operator (serialised as its name).
    #[cfg_attr(feature = "serde", serde(serialize_with = "smoothing_name"))]
    pub smoothing: Smoothing,
    /// The tolerance on |soft − hard|.
    pub tolerance: f64,
    /// The smallest κ·s above which the worst |soft − hard| over the family stays ≤ the
    /// tolerance (bisected to a relative 1e-10; the value at it is ≤ the tolerance).
    pub kappa_s: f64,
    /// `kappa_s / side`, in 1/coordinate units.
    pub kappa: f64,
    /// The pair of the family whose error decides `kappa_s` (the worst case).
    pub worst_pair: &'static str,
    /// The largest κ·s at which some pair of the family is outside
    /// [`Region::Meaningful`] (soft IoU outside [0, 1]); `None` if none is on the grid.
    pub not_meaningful_below: Option<f64>,
    /// The pole ([`Pole`]); `None` for `boltzmann`, whose soft union stays positive.
    pub pole: Option<Pole>,
    /// The threshold of the gradient reach.
    pub grad_threshold: f64,
    /// The gradient reach at κ·s = 0.3, 1, 3, 10, 30, 100, 1000 and at `kappa_s`, sorted
    /// by κ·s.
    pub reach: Vec<ReachRow>,
    /// The one-κ trade-off at the size ratios 1, 3, 10 and 100.
    pub mixed: Vec<MixedRow>,
}

#[cfg(feature = "serde")]
fn smoothing_name<S: serde::Serializer>(
    op: &Smoothing,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(op.name())
}

/// A pair of `FAMILY`: its name, P and T.
type Pair = (&'static str, BBox<f64>, BBox<f64>);

fn family_boxes() -> Result<Vec<Pair>> {
    let t = BBox::new(0.0, 0.0, FAMILY_SIDE, FAMILY_SIDE)?;
    FAMILY
        .iter()
        .map(|(name, p)| Ok((*name, BBox::from_xyxy(*p)?, t)))
        .collect()
}

fn check_smooth(op: Smoothing) -> Result<()> {
    if op == Smoothing::Hard {
        return Err(Error::InvalidParameter {
            name: "smoothing",
            value: "hard".to_owned(),
            need: "boltzmann or logsumexp: the hard IoU has no kappa to choose",
        });
    }
    Ok(())
}

fn check_positive(name: &'static str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            name,
            value: crate::number::num(v),
            need: "it must be a finite number > 0",
        })
    }
}

/// The worst |soft IoU loss − hard IoU loss| over `FAMILY` at `kappa_s`, and the pair
/// it occurs on.
///
/// # Errors
/// [`Error::InvalidParameter`] unless κ·s is finite and > 0; any error of
/// [`soft_iou_loss`].
pub(crate) fn worst_error(op: Smoothing, kappa_s: f64) -> Result<(f64, &'static str)> {
    check_positive("kappa_s", kappa_s)?;
    let kappa = kappa_s / FAMILY_SIDE;
    let mut worst = (0.0, FAMILY[0].0);
    for (name, p, t) in family_boxes()? {
        let soft = soft_iou_loss(&p, &t, kappa, op)?;
        let e = (soft - (1.0 - hard_iou(&p, &t))).abs();
        if e > worst.0 {
            worst = (e, name);
        }
    }
    Ok(worst)
}

/// The κ·s grid of `SCAN_KAPPA_S`, ascending.
pub(crate) fn scan_grid() -> Vec<f64> {
    let (lo, hi, per_decade) = SCAN_KAPPA_S;
    let decades = (hi / lo).log10();
    let n = (decades * per_decade as f64).round() as usize;
    (0..=n)
        .map(|i| lo * 10f64.powf(decades * i as f64 / n as f64))
        .collect()
}

/// Bisects `[lo, hi]` (geometrically) for the boundary where `bad` turns false, given
/// `bad(lo)` and `!bad(hi)`; returns the upper end, at which `bad` is false.
fn bisect(mut lo: f64, mut hi: f64, bad: impl Fn(f64) -> Result<bool>) -> Result<f64> {
    while hi / lo - 1.0 > REL_WIDTH {
        let mid = (lo * hi).sqrt();
        if bad(mid)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(hi)
}

/// The largest grid point at which `bad` holds and the bisected boundary above it
/// (where `bad` is false again for every grid point above); `None` if `bad` holds at no
/// grid point.
fn last_bad(grid: &[f64], bad: impl Fn(f64) -> Result<bool>) -> Result<Option<f64>> {
    for w in grid.windows(2).rev() {
        if bad(w[0])? {
            return bisect(w[0], w[1], &bad).map(Some);
        }
    }
    Ok(None)
}

/// The smallest κ·s above which the worst |soft − hard| over the family is ≤
/// `tolerance` at every point of the scan grid, and the pair that decides it.
///
/// ```
/// use softiou::{Smoothing, kappa_rule::kappa_s_within};
/// let (loose, _) = kappa_s_within(Smoothing::LogSumExp, 0.1)?;
/// let (tight, pair) = kappa_s_within(Smoothing::LogSumExp, 0.001)?;
/// assert!(tight > loose && !pair.is_empty()); // a tighter tolerance needs a larger κ·s
/// assert!(kappa_s_within(Smoothing::Hard, 0.01).is_err());
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for a tolerance outside [1e-8, 1) or `hard`.
pub fn kappa_s_within(op: Smoothing, tolerance: f64) -> Result<(f64, &'static str)> {
    check_smooth(op)?;
    if !(tolerance.is_finite() && (MIN_TOLERANCE..1.0).contains(&tolerance)) {
        return Err(Error::InvalidParameter {
            name: "tolerance",
            value: crate::number::num(tolerance),
            need: "it must be a number in [1e-8, 1): the largest |soft - hard| IoU loss accepted",
        });
    }
    let grid = scan_grid();
    let bad = |ks: f64| worst_error(op, ks).map(|(e, _)| e > tolerance);
    let ks = last_bad(&grid, bad)?.unwrap_or(grid[0]);
    Ok((ks, worst_error(op, ks)?.1))
}

/// The pole of `op` on `FAMILY`: the largest κ·s at which some pair's soft union is
/// ≤ 0 ([`Region::UnionNotPositive`]); `None` if there is none on the scan grid.
///
/// # Errors
/// As [`region`].
pub(crate) fn pole(op: Smoothing) -> Result<Option<Pole>> {
    let grid = scan_grid();
    let mut best: Option<Pole> = None;
    for (name, p, t) in family_boxes()? {
        let bad =
            |ks: f64| region(&p, &t, ks / FAMILY_SIDE, op).map(|r| r == Region::UnionNotPositive);
        if let Some(ks) = last_bad(&grid, bad)?
            && best.as_ref().is_none_or(|b| ks > b.kappa_s)
        {
            best = Some(Pole {
                kappa_s: ks,
                pair: name,
            });
        }
    }
    Ok(best)
}

/// The largest κ·s at which some pair of the family is outside [`Region::Meaningful`].
///
/// # Errors
/// As [`region`].
pub(crate) fn not_meaningful_below(op: Smoothing) -> Result<Option<f64>> {
    let grid = scan_grid();
    let boxes = family_boxes()?;
    let bad = |ks: f64| -> Result<bool> {
        for (_, p, t) in &boxes {
            if !region(p, t, ks / FAMILY_SIDE, op)?.is_meaningful() {
                return Ok(true);
            }
        }
        Ok(false)
    };
    last_bad(&grid, bad)
}

/// The pull of the soft IoU loss towards the target, times s, on the pair
/// `T = [0, 0, s, s]`, `P = T` shifted right by `s + gap` (equal boxes, side by side
/// with a gap along x, aligned in y): `s · ∂loss/∂x` for a shift x of P to the right,
/// i.e. the component of `s·∇loss` along the direction that moves P away from the
/// target. It is positive when the gradient pulls P towards the target and negative
/// when it pushes P away (`boltzmann`'s negative soft intersection). Dimensionless;
/// from [`evaluate`]'s exact gradient: `s·(∂loss/∂x1 + ∂loss/∂x2)`.
///
/// # Errors
/// As [`evaluate`]; [`Error::InvalidParameter`] for a negative or non-finite gap.
pub(crate) fn pull(op: Smoothing, kappa_s: f64, gap_over_s: f64) -> Result<f64> {
    check_positive("kappa_s", kappa_s)?;
    if !(gap_over_s.is_finite() && gap_over_s >= 0.0) {
        return Err(Error::InvalidParameter {
            name: "gap",
            value: crate::number::num(gap_over_s),
            need: "it must be a finite number >= 0",
        });
    }
    let s = FAMILY_SIDE;
    let t = BBox::new(0.0, 0.0, s, s)?;
    let p = t.translated(s * (1.0 + gap_over_s), 0.0)?;
    let e = evaluate(Loss::soft_iou(op), &p, &t, kappa_s / s)?;
    Ok(s * (e.grad_pred[0] + e.grad_pred[2]))
}

/// The gap g/s (on the pair of `pull`) at which the pull towards the target first
/// falls below `threshold` as the gap grows from 0 (scanned on 0 and a log grid from
/// 1e-4 to 1e4 with 100 points a decade, then bisected); `None` if it is below the
/// threshold already at g = 0, `Some(f64::INFINITY)` if it never falls below it on the
/// grid. The gap is resolved down to the grid's first point, 1e-4: `hard`, whose pull
/// vanishes at every positive gap, gets `Some(1e-4)`.
///
/// # Errors
/// As `pull`.
pub(crate) fn gradient_reach(op: Smoothing, kappa_s: f64, threshold: f64) -> Result<Option<f64>> {
    check_positive("grad_threshold", threshold)?;
    let weak = |g: f64| pull(op, kappa_s, g).map(|v| v < threshold);
    if weak(0.0)? {
        return Ok(None);
    }
    let n = 800;
    let mut prev = 0.0;
    for i in 0..=n {
        let g = 1e-4 * 10f64.powf(8.0 * i as f64 / n as f64);
        if weak(g)? {
            if prev == 0.0 {
                return Ok(Some(g));
            }
            // the boundary between prev (strong) and g (weak)
            let mut lo = prev;
            let mut hi = g;
            while hi / lo - 1.0 > REL_WIDTH {
                let mid = (lo * hi).sqrt();
                if weak(mid)? {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return Ok(Some(hi));
        }
        prev = g;
    }
    Ok(Some(f64::INFINITY))
}

/// The κ rule for boxes whose shorter side is `side` (coordinate units).
///
/// ```
/// use softiou::kappa_rule::{RuleOptions, kappa_rule};
/// let rule = kappa_rule(32.0, RuleOptions::default())?;
/// assert_eq!(rule.kappa, rule.kappa_s / 32.0);
/// // the worst pair (identical boxes, hard loss 0) meets the tolerance at the rule's κ,
/// // and not at a slightly smaller one
/// assert_eq!(rule.worst_pair, "identical");
/// let t = softiou::BBox::new(0.0, 0.0, 32.0, 32.0)?;
/// let error = |k: f64| softiou::soft_iou_loss(&t, &t, k, rule.smoothing);
/// assert!(error(rule.kappa)? <= 0.01 && error(rule.kappa * 0.999)? > 0.01);
/// # Ok::<(), softiou::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for a side that is not finite and > 0, a tolerance
/// outside [1e-8, 1), a non-positive gradient threshold, or `hard`.
pub fn kappa_rule(side: f64, options: RuleOptions) -> Result<KappaRule> {
    check_positive("side", side)?;
    check_smooth(options.smoothing)?;
    check_positive("grad_threshold", options.grad_threshold)?;
    let op = options.smoothing;
    let (ks, worst_pair) = kappa_s_within(op, options.tolerance)?;
    let mut reach_at: Vec<f64> = REACH_KAPPA_S.to_vec();
    reach_at.push(ks);
    reach_at.sort_by(f64::total_cmp);
    let reach = reach_at
        .into_iter()
        .map(|k| {
            Ok(ReachRow {
                kappa_s: k,
                gap_over_s: gradient_reach(op, k, options.grad_threshold)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mixed = MIXED_RATIOS
        .iter()
        .map(|&r| {
            Ok(MixedRow {
                ratio: r,
                error_large: worst_error(op, ks * r)?.0,
                reach_large: gradient_reach(op, ks * r, options.grad_threshold)?,
                error_small: worst_error(op, ks / r)?.0,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(KappaRule {
        side,
        smoothing: op,
        tolerance: options.tolerance,
        kappa_s: ks,
        kappa: ks / side,
        worst_pair,
        not_meaningful_below: not_meaningful_below(op)?,
        pole: pole(op)?,
        grad_threshold: options.grad_threshold,
        reach,
        mixed,
    })
}
// Its tests compare with the plot set's standard scenarios (feature `plots`).
#[cfg(all(test, feature = "plots"))]
#[path = "kappa_rule_tests.rs"]
mod tests;
