//! The peers' benchmark workload (`benches/peers/peer_bench.py`), reproducible from a seed.

use crate::rng::{Pcg64, Rng, SeedableRng};

/// `n` random pairs of valid boxes `(pred, target)` as in the peers' benchmark: widths and
/// heights uniform in [1, 50], lower corners uniform in [0, 100 − size], so every
/// coordinate lies in [0, 100]. The same `seed` gives the same boxes on every machine
/// (PCG64); they are not the peers' NumPy numbers, but the same distribution.
///
/// ```
/// let (pred, target) = softiou::batch::workload::peer_pairs(1000, 7);
/// assert_eq!(pred.len(), 1000);
/// for b in pred.iter().chain(&target) {
///     let (w, h) = (b[2] - b[0], b[3] - b[1]);
///     assert!((1.0..=50.0).contains(&w) && (1.0..=50.0).contains(&h));
///     assert!(b.iter().all(|c| (0.0..=100.0).contains(c)));
/// }
/// assert_eq!(softiou::batch::workload::peer_pairs(1000, 7), (pred, target));
/// ```
pub fn peer_pairs(n: usize, seed: u64) -> (Vec<[f64; 4]>, Vec<[f64; 4]>) {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut boxes = |n: usize| -> Vec<[f64; 4]> {
        (0..n)
            .map(|_| {
                let w = rng.random_range(1.0..=50.0);
                let h = rng.random_range(1.0..=50.0);
                let x0 = rng.random::<f64>() * (100.0 - w);
                let y0 = rng.random::<f64>() * (100.0 - h);
                [x0, y0, x0 + w, y0 + h]
            })
            .collect()
    };
    let pred = boxes(n);
    let target = boxes(n);
    (pred, target)
}
