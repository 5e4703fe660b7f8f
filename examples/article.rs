//! The article's example, three ways.
//!
//! Boxes P = [10, 10, 110, 110] and T = [20, 20, 120, 120], κ = 10 (1/pixel):
//! (a) the article's formula, transcribed literally, gives NaN in f32 and f64;
//! (b) the stable forms give a finite loss and gradient for each operator;
//! (c) `hard` gives the exact IoU loss 1 − 8100/11900.
//!
//! Run with `cargo run --release --example article`.

use softiou::{BBox, Loss, Smoothing, diff};

/// THE ARTICLE'S CODE, transcribed literally (NumPy version, with `k` = κ): do not use.
/// `exp(k·a)` overflows once k·a > 709 in f64 (88 in f32), and the ratio becomes ∞/∞.
mod article {
    pub trait Float:
        Copy
        + std::ops::Mul<Output = Self>
        + std::ops::Add<Output = Self>
        + std::ops::Sub<Output = Self>
        + std::ops::Div<Output = Self>
        + std::ops::Neg<Output = Self>
    {
        fn exp(self) -> Self;
        fn zero() -> Self;
        fn one() -> Self;
    }
    impl Float for f32 {
        fn exp(self) -> Self {
            f32::exp(self)
        }
        fn zero() -> Self {
            0.0
        }
        fn one() -> Self {
            1.0
        }
    }
    impl Float for f64 {
        fn exp(self) -> Self {
            f64::exp(self)
        }
        fn zero() -> Self {
            0.0
        }
        fn one() -> Self {
            1.0
        }
    }

    pub fn soft_maximum<T: Float>(a: T, b: T, k: T) -> T {
        let exp_a = (k * a).exp();
        let exp_b = (k * b).exp();
        (a * exp_a + b * exp_b) / (exp_a + exp_b)
    }

    pub fn soft_minimum<T: Float>(a: T, b: T, k: T) -> T {
        -soft_maximum(-a, -b, k)
    }

    pub fn soft_iou_loss<T: Float>(box1: [T; 4], box2: [T; 4], k: T) -> T {
        let [x1_min, y1_min, x1_max, y1_max] = box1;
        let [x2_min, y2_min, x2_max, y2_max] = box2;
        let x_min_intersection = soft_maximum(x1_min, x2_min, k);
        let y_min_intersection = soft_maximum(y1_min, y2_min, k);
        let x_max_intersection = soft_minimum(x1_max, x2_max, k);
        let y_max_intersection = soft_minimum(y1_max, y2_max, k);
        let intersection_width =
            soft_maximum(T::zero(), x_max_intersection - x_min_intersection, k);
        let intersection_height =
            soft_maximum(T::zero(), y_max_intersection - y_min_intersection, k);
        let intersection_area = intersection_width * intersection_height;
        let area1 = (x1_max - x1_min) * (y1_max - y1_min);
        let area2 = (x2_max - x2_min) * (y2_max - y2_min);
        let union_area = area1 + area2 - intersection_area;
        T::one() - intersection_area / union_area
    }
}

fn main() -> Result<(), softiou::Error> {
    let pred = [10.0, 10.0, 110.0, 110.0];
    let target = [20.0, 20.0, 120.0, 120.0];
    let kappa = 10.0;

    println!(
        "Boxes P = {pred:?}, T = {target:?}, kappa = {kappa} (1/pixel; kappa*s = {})\n",
        kappa * 100.0
    );

    println!("(a) The article's formula, transcribed literally (NOT ours):");
    let naive64 = article::soft_iou_loss(pred, target, kappa);
    let naive32 = article::soft_iou_loss(
        pred.map(|v| v as f32),
        target.map(|v| v as f32),
        kappa as f32,
    );
    println!("    f64: loss = {naive64}");
    println!("    f32: loss = {naive32}");
    println!(
        "    exp(kappa * 120) = {} in f64: the ratio of sums is inf/inf = NaN\n",
        (kappa * 120.0f64).exp()
    );

    println!(
        "(b) softiou's stable forms (exact gradient from dual numbers, wrt P = [x_min, y_min, x_max, y_max]):"
    );
    let p = BBox::from_xyxy(pred)?;
    let t = BBox::from_xyxy(target)?;
    for op in Smoothing::ALL {
        let g = diff::grad_pred(Loss::soft_iou(op), &p, &t, kappa)?;
        let grad: Vec<String> = g.grad.iter().map(|v| format!("{v:+.6e}")).collect();
        println!(
            "    {:<10} loss = {:<22} grad = [{}]",
            op.name(),
            g.value,
            grad.join(", ")
        );
    }

    println!(
        "\n    kappa = 10 on 100-pixel boxes (kappa*s = 1000) is the hard IoU to 15 digits. Smaller kappa:"
    );
    for k in [1.0, 0.1, 0.03, 0.01] {
        let losses: Vec<String> = Smoothing::ALL
            .iter()
            .map(|&op| {
                softiou::soft_iou_loss(&p, &t, k, op).map(|l: f64| format!("{}={l:.6}", op.name()))
            })
            .collect::<Result<_, _>>()?;
        println!(
            "    kappa = {k:<5} (kappa*s = {:>4}): {}",
            k * 100.0,
            losses.join("  ")
        );
    }

    println!("\n(c) `hard` is the exact IoU loss:");
    let hard: f64 = softiou::soft_iou_loss(&p, &t, kappa, Smoothing::Hard)?;
    println!("    loss = {hard}");
    println!(
        "    1 - 8100/11900 = 3800/11900 = {}  (identical: {})",
        3800.0 / 11900.0,
        hard == 3800.0 / 11900.0
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_literal_transcription_gives_nan_and_ours_does_not() {
        let (pred, target): ([f64; 4], [f64; 4]) =
            ([10.0, 10.0, 110.0, 110.0], [20.0, 20.0, 120.0, 120.0]);
        assert!(article::soft_iou_loss(pred, target, 10.0).is_nan());
        assert!(
            article::soft_iou_loss(pred.map(|v| v as f32), target.map(|v| v as f32), 10.0f32)
                .is_nan()
        );
        // where it does not overflow, the transcription and ours agree
        let (p, t) = (
            BBox::from_xyxy(pred).unwrap(),
            BBox::from_xyxy(target).unwrap(),
        );
        let ours: f64 = softiou::soft_iou_loss(&p, &t, 0.5, Smoothing::Boltzmann).unwrap();
        let theirs = article::soft_iou_loss(pred, target, 0.5);
        assert!((ours - theirs).abs() < 1e-12, "{ours} vs {theirs}");
        main().unwrap();
    }
}
