//! A tiny seeded random number generator, so that the numeric core needs no `rand`.
//!
//! It is PCG64 (the XSL RR 128/64 LCG of O'Neill's PCG family) seeded as `rand_core` 0.9's
//! `SeedableRng::seed_from_u64` does, and it draws floats and booleans as `rand` 0.9 does
//! (`random_range` over a float range, `random::<f64>()`, `random_bool`). The streams are
//! therefore bit for bit those of `rand_pcg::Pcg64` under `rand` 0.9, which earlier versions
//! of this crate used: `softiou check --seed N` and the benchmark workload keep their
//! numbers. The names mirror `rand`'s so that callers read the same.

use std::ops::{Range, RangeInclusive};

/// The LCG multiplier of PCG64.
const MULTIPLIER: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

/// PCG64 (XSL RR 128/64 LCG).
#[derive(Debug, Clone)]
pub(crate) struct Pcg64 {
    state: u128,
    increment: u128,
}

/// Seeding from a `u64`, as `rand_core::SeedableRng` names it.
pub(crate) trait SeedableRng {
    /// The generator whose 32 seed bytes are drawn from a PCG32 started at `seed`.
    fn seed_from_u64(seed: u64) -> Self;
}

impl SeedableRng for Pcg64 {
    fn seed_from_u64(mut state: u64) -> Self {
        // rand_core 0.9: fill the seed with PCG32 outputs (little-endian)
        let mut pcg32 = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(11_634_580_027_462_260_723);
            let xorshifted = (((state >> 18) ^ state) >> 27) as u32;
            let rot = (state >> 59) as u32;
            u64::from(xorshifted.rotate_right(rot))
        };
        let mut words = [0_u64; 4];
        for w in &mut words {
            let lo = pcg32();
            let hi = pcg32();
            *w = lo | (hi << 32);
        }
        let state = u128::from(words[0]) | (u128::from(words[1]) << 64);
        let increment = (u128::from(words[2]) | (u128::from(words[3]) << 64)) | 1;
        let mut pcg = Pcg64 {
            state: state.wrapping_add(increment),
            increment,
        };
        pcg.step();
        pcg
    }
}

impl Pcg64 {
    fn step(&mut self) {
        self.state = self
            .state
            .wrapping_mul(MULTIPLIER)
            .wrapping_add(self.increment);
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.step();
        let rot = (self.state >> 122) as u32;
        let xsl = ((self.state >> 64) as u64) ^ (self.state as u64);
        xsl.rotate_right(rot)
    }
}

/// A float range to draw from uniformly.
pub(crate) trait FloatRange {
    /// The lower and upper end.
    fn ends(&self) -> (f64, f64);
}

impl FloatRange for Range<f64> {
    fn ends(&self) -> (f64, f64) {
        (self.start, self.end)
    }
}

impl FloatRange for RangeInclusive<f64> {
    fn ends(&self) -> (f64, f64) {
        (*self.start(), *self.end())
    }
}

/// Drawing numbers, as `rand::Rng` names it.
pub(crate) trait Rng {
    /// The next 64 random bits.
    fn bits(&mut self) -> u64;

    /// Uniform in the range: `low + u·(high − low)` with `u` in [0, 1) on 52 bits, which is
    /// what `rand` 0.9 does for both half-open and closed float ranges.
    fn random_range<R: FloatRange>(&mut self, range: R) -> f64 {
        let (low, high) = range.ends();
        debug_assert!(low <= high && (high - low).is_finite());
        let value1_2 = f64::from_bits((self.bits() >> 12) | (1023_u64 << 52));
        (value1_2 - 1.0) * (high - low) + low
    }

    /// Uniform in [0, 1) on 53 bits (`rand`'s `StandardUniform` for `f64`).
    fn random<T: FromBits>(&mut self) -> T {
        T::from_bits(self.bits())
    }

    /// `true` with probability `p` in [0, 1] (`rand`'s `Bernoulli`).
    fn random_bool(&mut self, p: f64) -> bool {
        debug_assert!((0.0..=1.0).contains(&p));
        if p >= 1.0 {
            return true;
        }
        let p_int = (p * 2.0 * (1_u64 << 63) as f64) as u64;
        self.bits() < p_int
    }
}

impl Rng for Pcg64 {
    fn bits(&mut self) -> u64 {
        self.next_u64()
    }
}

/// A value made from 64 random bits.
pub(crate) trait FromBits {
    /// The value.
    fn from_bits(bits: u64) -> Self;
}

impl FromBits for f64 {
    fn from_bits(bits: u64) -> f64 {
        (bits >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first outputs of `rand_pcg::Pcg64::seed_from_u64(0)` and `(42)` under rand 0.9,
    /// recorded from that crate: the stream must be the same bit for bit.
    #[test]
    fn matches_rand_pcg() {
        let mut a = Pcg64::seed_from_u64(0);
        let mut b = Pcg64::seed_from_u64(42);
        let got: Vec<u64> = (0..3)
            .map(|_| a.next_u64())
            .chain((0..3).map(|_| b.next_u64()))
            .collect();
        assert_eq!(got, EXPECTED);
    }

    const EXPECTED: [u64; 6] = [
        2_354_861_276_966_075_475,
        6_411_218_084_291_373_563,
        13_092_586_260_176_364_081,
        4_178_418_447_715_145_737,
        4_410_739_922_618_931_473,
        14_034_899_209_665_866_285,
    ];

    /// The draws the crate makes (both float ranges, `random::<f64>`, `random_bool`) are
    /// those of `rand` 0.9 on `rand_pcg::Pcg64`, bit for bit, over many seeds and draws.
    #[test]
    fn every_draw_matches_rand() {
        use rand::{Rng as _, SeedableRng as _};
        for seed in [0, 1, 7, 11, 42, u64::MAX] {
            let mut theirs = rand_pcg::Pcg64::seed_from_u64(seed);
            let mut ours = Pcg64::seed_from_u64(seed);
            for i in 0..20_000 {
                let (a, b) = match i % 5 {
                    0 => (
                        theirs.random_range(0.0..100.0),
                        ours.random_range(0.0..100.0),
                    ),
                    1 => (
                        theirs.random_range(-1.0..=1.0),
                        ours.random_range(-1.0..=1.0),
                    ),
                    2 => (theirs.random::<f64>(), ours.random::<f64>()),
                    3 => (
                        f64::from(u8::from(theirs.random_bool(0.5))),
                        f64::from(u8::from(ours.random_bool(0.5))),
                    ),
                    _ => {
                        let (lo, hi) = (0.1_f64.ln(), 10.0_f64.ln());
                        (theirs.random_range(lo..=hi), ours.random_range(lo..=hi))
                    }
                };
                assert_eq!(a.to_bits(), b.to_bits(), "seed {seed}, draw {i}");
            }
        }
    }

    #[test]
    fn floats_in_range() {
        let mut r = Pcg64::seed_from_u64(7);
        for _ in 0..10_000 {
            let x = r.random_range(1.0..=50.0);
            assert!((1.0..=50.0).contains(&x));
            let u: f64 = r.random();
            assert!((0.0..1.0).contains(&u));
        }
        assert!(r.random_bool(1.0));
        assert!(!r.random_bool(0.0));
    }
}
