//! The contour levels chosen per panel of figure 5.

use super::contour::{MIN_LEVELS, contour_levels};
use super::{SURFACE_HALF_RANGE, Surface, centred_target, loss_surface, surface_settings};

#[test]
fn each_surface_gets_at_least_four_round_equally_spaced_levels_inside_its_range() {
    let target = centred_target(10.0).unwrap();
    for setting in surface_settings() {
        // a coarse grid is enough: the levels depend only on the range
        let s = loss_surface(&target, setting, SURFACE_HALF_RANGE, 41).unwrap();
        let (lo, hi) = s
            .loss
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let levels = contour_levels(&s);
        let label = setting.label();
        assert!(levels.len() >= MIN_LEVELS, "{label}: {levels:?}");
        // at most 10 lines: the largest step with four levels gives fewer than 4·2.5
        assert!(levels.len() <= 10, "{label}: {levels:?}");
        assert!(
            levels.iter().all(|&l| lo < l && l < hi),
            "{label}: {levels:?} in [{lo}, {hi}]"
        );
        let step = levels[1] - levels[0];
        for w in levels.windows(2) {
            // rounded to the step's decimals: equal up to that rounding (1e-9 ≪ any step)
            assert!((w[1] - w[0] - step).abs() < 1e-9, "{label}: {levels:?}");
        }
        // labels are short: at most three decimals, no 0.7000000000000001
        for l in &levels {
            let text = l.to_string();
            let decimals = text.split('.').nth(1).map_or(0, str::len);
            assert!(decimals <= 3, "{label}: level {text}");
        }
    }
}

#[test]
fn the_nearly_flat_surface_gets_lines_as_dense_as_the_steep_one() {
    // κ·s = 0.5 spans about 0.13 in loss, the hard surface 1: both get 4–6 lines
    let target = centred_target(10.0).unwrap();
    let settings = surface_settings();
    let counts: Vec<usize> = settings
        .iter()
        .map(|&s| contour_levels(&loss_surface(&target, s, SURFACE_HALF_RANGE, 41).unwrap()).len())
        .collect();
    assert!(
        counts.iter().all(|&n| (MIN_LEVELS..=6).contains(&n)),
        "{counts:?}"
    );
}

#[test]
fn a_surface_without_two_distinct_values_gets_no_level() {
    let target = centred_target(10.0).unwrap();
    let mut s: Surface =
        loss_surface(&target, surface_settings()[0], SURFACE_HALF_RANGE, 5).unwrap();
    s.loss.iter_mut().for_each(|v| *v = 0.5);
    assert!(contour_levels(&s).is_empty());
    s.loss.iter_mut().for_each(|v| *v = f64::NAN);
    assert!(contour_levels(&s).is_empty());
}
