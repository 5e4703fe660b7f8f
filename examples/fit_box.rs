//! Fit `[0,0,10,10]` onto `[15,3,25,13]` under several losses and κ, print what happens.
//!
//! ```sh
//! cargo run --release --example fit_box                       # one annealed fit, step by step
//! cargo run --release --example fit_box -- --table            # the README's table (Markdown)
//! cargo run --release --example fit_box -- --figures plots/fit  # the figures and the GIF
//! ```

use std::time::Instant;

use softiou::BBox;
use softiou::figures::{Options, write_fit};
use softiou::fit::{self, FitConfig, Optimizer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--table") => {
            let opts = Optimizer::ALL;
            let outcomes = fit::run_all(&opts, FitConfig::default().steps)?;
            print!("{}", fit::markdown_table(&outcomes, &opts));
        }
        Some("--figures") => {
            let dir = args.get(1).map_or("plots/fit", String::as_str);
            let t0 = Instant::now();
            let set = fit::FitSet::compute()?;
            let written = write_fit(&set, dir.as_ref(), Options::default(), &|| {})?;
            eprintln!("wrote {} files in {:.3?}", written.len(), t0.elapsed());
            for p in written {
                println!("{}", p.display());
            }
        }
        _ => {
            let p = BBox::new(0.0, 0.0, 10.0, 10.0)?;
            let t = BBox::from_xyxy(fit::FitSet::TARGET)?;
            let run = fit::fit(&p, &t, &FitConfig::default())?;
            println!("step  kappa*s   loss        hard IoU  |grad|");
            for s in fit::sampled_history(&run) {
                println!(
                    "{:5} {:8.3} {:11.6} {:9.6} {:.3e}",
                    s.step,
                    s.kappa * t.min_side(),
                    s.loss,
                    s.hard_iou,
                    s.grad_norm
                );
            }
            println!(
                "final box {} hard IoU {} after {} steps ({:?})",
                run.final_box, run.final_iou, run.steps, run.stop
            );
        }
    }
    Ok(())
}
