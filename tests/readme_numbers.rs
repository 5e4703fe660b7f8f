//! The README's numbers cannot drift: every number it quotes from the plot set, the κ rule
//! or the fit demo is recomputed here (the plot set by a fresh `softiou plots` into a
//! temporary folder, read back from its `summary.json`; the κ rule by `softiou kappa`; the
//! fit table by the library) and must appear in the README exactly as formatted below.
//! When a number changes on purpose, the failure message shows the text to put in the
//! README.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The README with every run of white space as one space: a quote may be wrapped
/// anywhere in the Markdown.
fn readme() -> String {
    flat(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md is readable"),
    )
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn softiou(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_softiou"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "softiou {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// `x` to `n` significant figures, as a person writes it: no exponent for 1e-4 ≤ |x| <
/// 1e5, trailing zeros kept (they are significant), `−` as the sign of a negative number
/// (the exponent keeps `-`, as in `1.4e-16`).
fn sig(x: f64, n: i32) -> String {
    assert!(x.is_finite(), "a quoted number is {x}");
    let s = if x == 0.0 {
        "0".to_owned()
    } else if (1e-4..1e5).contains(&x.abs()) {
        let magnitude = x.abs().log10().floor() as i32;
        let decimals = n - 1 - magnitude;
        if decimals >= 0 {
            format!("{x:.*}", decimals as usize)
        } else {
            let unit = 10f64.powi(-decimals);
            format!("{:.0}", (x / unit).round() * unit)
        }
    } else {
        format!("{x:.*e}", (n - 1) as usize)
    };
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// The whole set of numbers, computed once (the plot set takes a few seconds).
struct Fresh {
    summary: Value,
    /// Points per decade of the κ·s grid of figures 1–4.
    per_decade: f64,
}

fn fresh() -> Fresh {
    let dir = std::env::temp_dir().join(format!("softiou-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    softiou(&["plots", "--out", dir.to_str().unwrap()]);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let csv = std::fs::read_to_string(dir.join("fig1_loss_vs_kappa.csv")).unwrap();
    let mut ks: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    ks.sort_by(f64::total_cmp);
    ks.dedup();
    let per_decade = (ks.len() - 1) as f64 / (ks[ks.len() - 1] / ks[0]).log10();
    std::fs::remove_dir_all(&dir).unwrap();
    Fresh {
        summary,
        per_decade,
    }
}

impl Fresh {
    fn scenario(&self, name: &str, smoothing: &str, key: &str) -> f64 {
        self.summary["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["scenario"] == name && s["smoothing"] == smoothing)
            .unwrap_or_else(|| panic!("no scenario {name}/{smoothing}"))[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}/{smoothing}: {key} is not a number"))
    }

    fn entry(&self, list: &str, field: &str, starts: &str) -> &Value {
        self.summary[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s[field].as_str().unwrap().starts_with(starts))
            .unwrap_or_else(|| panic!("no {list} entry {starts}"))
    }
}

/// Every expected piece of text, with what it is, so a failure says what to fix.
fn expected(f: &Fresh) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    // Figure 1: the κ·s from which |soft − hard| ≤ 0.01, a grid point: two significant
    // figures (the grid steps by 10^(1/40) ≈ 6 %).
    out.push((
        "fig1 grid",
        format!("{:.0} points per decade", f.per_decade),
    ));
    for name in [
        "overlapping",
        "nested",
        "identical",
        "touching",
        "disjoint in x",
        "disjoint in x and y",
    ] {
        let k = |op| sig(f.scenario(name, op, "kappa_s_within_1pct"), 2);
        out.push((
            "fig1 table row",
            format!("| {name} | {} | {} |", k("boltzmann"), k("logsumexp")),
        ));
    }
    // Figure 2: fitted slopes of the error.
    for name in ["identical", "touching"] {
        out.push((
            "fig2 slope with ties",
            format!(
                "{} ({name})",
                sig(f.scenario(name, "logsumexp", "error_slope"), 3)
            ),
        ));
    }
    let steep: Vec<f64> = f.summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["error_slope"].as_f64())
        .filter(|&s| s < -2.0)
        .collect();
    let (lo, hi) = steep
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &s| {
            (a.min(s), b.max(s))
        });
    out.push((
        "fig2 slopes without ties",
        format!(
            "slopes over the same range are {} to {}",
            sig(hi, 2),
            sig(lo, 2)
        ),
    ));
    // Figure 3: where the logsumexp gradient of a disjoint pair falls below 1e-6.
    out.push((
        "fig3 gradient below 1e-6",
        format!(
            "from κ·s = {} (gap 0.3 s in x) and {} (gaps in x and y)",
            sig(
                f.scenario("disjoint in x", "logsumexp", "kappa_s_grad_below_1e_6"),
                2
            ),
            sig(
                f.scenario(
                    "disjoint in x and y",
                    "logsumexp",
                    "kappa_s_grad_below_1e_6"
                ),
                2
            ),
        ),
    ));
    // Figure 1: the poles of logsumexp over the six pairs.
    let poles: Vec<f64> = f.summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["poles"].as_array().unwrap().iter())
        .map(|p| p.as_f64().unwrap())
        .collect();
    let (plo, phi) = poles
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &p| {
            (a.min(p), b.max(p))
        });
    out.push((
        "fig1 poles",
        format!(
            "a pole, at κ·s = {} to {} depending on the pair",
            sig(plo, 2),
            sig(phi, 2)
        ),
    ));
    // Figure 3: central differences against the dual numbers (the overlapping pair).
    out.push((
        "fig3 central differences",
        format!(
            "to {} in units of s·∂loss/∂coordinate at worst, {} relative",
            sig(
                f.scenario("overlapping", "logsumexp", "fd_max_abs_error_s"),
                2
            ),
            sig(
                f.scenario("overlapping", "logsumexp", "fd_max_rel_error"),
                2
            )
        ),
    ));
    // Figure 5: the range of the loss surfaces.
    let surface = |k: &str, key: &str| {
        sig(
            f.entry("surfaces", "setting", &format!("logsumexp, κ·s = {k}"))[key]
                .as_f64()
                .unwrap(),
            3,
        )
    };
    out.push((
        "fig5 range at 0.5",
        format!(
            "from {} (at P = T) to {} over the whole grid",
            surface("0.5", "min"),
            surface("0.5", "max")
        ),
    ));
    out.push((
        "fig5 minimum at 2",
        format!("At κ·s = 2 even P = T scores {}", surface("2", "min")),
    ));
    out.push((
        "fig5 minimum at 10",
        format!("At κ·s = 10 the minimum is {}", surface("10", "min")),
    ));
    // Figure 6: where the gradient vanishes.
    let field = |k: &str| f.entry("fields", "setting", k);
    let hard = field("hard");
    out.push((
        "fig6 hard zeros",
        format!(
            "exactly 0 at {} of {} points",
            hard["exact_zeros"], hard["points"]
        ),
    ));
    let at10 = field("logsumexp, κ·s = 10");
    out.push((
        "fig6 small at 10",
        format!(
            "below 1e-3 at {} of {} points",
            at10["below_1e_3"], at10["points"]
        ),
    ));
    let gap = |k: &str| {
        sig(
            field(&format!("logsumexp, κ·s = {k}"))["grad_at_gap_half_s"]
                .as_f64()
                .unwrap(),
            2,
        )
    };
    out.push((
        "fig6 gradient at gap s/2",
        format!(
            "its size is {} (κ·s = 0.5), {} (κ·s = 2) and {} (κ·s = 10)",
            gap("0.5"),
            gap("2"),
            gap("10")
        ),
    ));
    // Figure 7: curvature of identical boxes with logsumexp at κ·s = 10.
    out.push((
        "fig7 λmax at 10",
        format!(
            "{} at κ·s = 10",
            sig(
                f.scenario("identical", "logsumexp", "lambda_max_s2_at_10"),
                2
            )
        ),
    ));
    // Figure 8: the step study.
    let steps = f.summary["steps"].as_array().unwrap();
    let best = |i: usize, stencil: &str| {
        let b = steps[i]["best"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b[0] == stencil)
            .unwrap();
        sig(b[2].as_f64().unwrap(), 2)
    };
    out.push((
        "fig8 central2",
        format!(
            "off by {} (logsumexp) and {} (boltzmann) relative",
            best(0, "central2"),
            best(1, "central2")
        ),
    ));
    out.push((
        "fig8 central4",
        format!(
            "the 4th-order one by {} and {}",
            best(0, "central4"),
            best(1, "central4")
        ),
    ));
    out.push((
        "fig8 richardson",
        format!(
            "the Richardson extrapolation by {} and {}",
            best(0, "richardson"),
            best(1, "richardson")
        ),
    ));
    let dual = |i: usize| sig(steps[i]["dual_rel_error"].as_f64().unwrap(), 2);
    out.push((
        "fig8 dual numbers",
        format!("is off by {} and {} relative", dual(0), dual(1)),
    ));
    // Figure 9: the article's formula.
    let broken = f.entry("breakdown", "panel", "disjoint in x");
    let counts = broken["counts"].as_array().unwrap();
    let count = |what: &str| {
        counts.iter().find(|c| c[0] == what).unwrap()[1]
            .as_u64()
            .unwrap()
    };
    let cells: u64 = counts.iter().map(|c| c[1].as_u64().unwrap()).sum();
    out.push((
        "fig9 negative IoU",
        format!(
            "negative (down to {}) from κ·s = {} on: {} of the {cells} cells",
            sig(broken["min_boltzmann_iou"].as_f64().unwrap(), 2),
            sig(broken["first_outside_kappa_s"].as_f64().unwrap(), 2),
            count("IoU outside [0,1]"),
        ),
    ));
    let article = f.entry("breakdown", "panel", "overlapping");
    out.push((
        "fig9 first NaN",
        format!(
            "near the origin from κ·s ≈ {} on",
            sig(article["first_nan_kappa_s"].as_f64().unwrap(), 2)
        ),
    ));
    out
}

#[test]
fn every_number_the_readme_quotes_from_the_plot_set_is_the_computed_one() {
    let readme = readme();
    let fresh = fresh();
    let missing: Vec<String> = expected(&fresh)
        .into_iter()
        .filter(|(_, text)| !readme.contains(&flat(text)))
        .map(|(what, text)| format!("  {what}: {text:?}"))
        .collect();
    assert!(
        missing.is_empty(),
        "the README does not quote these freshly computed numbers:\n{}",
        missing.join("\n")
    );
}

/// The two `softiou kappa` outputs in "Choosing κ" are the command's output, verbatim.
#[test]
fn the_kappa_rule_examples_in_the_readme_are_the_commands_output() {
    // verbatim: the README as it is, not flattened (the columns are part of the output)
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for args in [
        &["kappa", "--side", "32"][..],
        &["kappa", "--side", "0.05", "--smoothing", "boltzmann"][..],
    ] {
        let out = softiou(args);
        assert!(
            readme.contains(&format!(
                "softiou {}\n```\n\n```text\n{out}```",
                args.join(" ")
            )),
            "README's example of `softiou {}` should read:\n{out}",
            args.join(" ")
        );
    }
}

/// The fit demo's table is what `cargo run --release --example fit_box -- --table`
/// prints (the library's own table of the runs), and the numbers the text after it
/// quotes are those of the same runs.
#[test]
fn the_fit_table_and_its_numbers_in_the_readme_are_the_demo_output() {
    use softiou::fit::{Optimizer, Outcome};
    // The starts in the order of the fit set (and of the table's rows, checked below).
    const STARTS: [&str; 3] = ["overlapping", "just disjoint", "far disjoint"];
    let readme = readme();
    let opts = Optimizer::ALL;
    let steps = softiou::fit::FitConfig::default().steps;
    let outcomes = softiou::fit::run_all(&opts, steps).unwrap();
    let table = softiou::fit::markdown_table(&outcomes, &opts);
    assert!(
        readme.contains(&flat(&table)),
        "README's fit table should read: {table}"
    );
    // the table lists the starts in this order (it renders them by index)
    let mut listed: Vec<&str> = table
        .lines()
        .skip(2)
        .map(|row| row.split('|').nth(1).unwrap().trim())
        .collect();
    listed.dedup();
    assert_eq!(listed, STARTS);
    let run = |start: &str, method: &str, opt: Optimizer| {
        let i = STARTS.iter().position(|&s| s == start).unwrap();
        let o: &Outcome = outcomes
            .iter()
            .find(|o| o.start == i && o.method == method && o.optimizer == opt)
            .unwrap_or_else(|| panic!("no run {start}/{method}/{opt:?}"));
        o.result
            .as_ref()
            .expect("the quoted runs do not diverge")
            .clone()
    };
    let iou = |start, method, opt| format!("{:.3}", run(start, method, opt).final_iou);
    let side = |start, method| {
        let [x0, y0, x1, y1] = run(start, method, Optimizer::Newton).final_box.to_xyxy();
        let (w, h) = (x1 - x0, y1 - y0);
        format!("{w:.2} × {h:.2}")
    };
    let newton = Optimizer::Newton;
    let mut quotes = vec![
        format!(
            "(Newton ends at {} after {steps} steps, Adam at {})",
            iou("far disjoint", "GIoU", newton),
            iou("far disjoint", "GIoU", Optimizer::Adam)
        ),
        format!(
            "the fit converges to a {} box centred on the target (hard IoU {})",
            side("overlapping", "logsumexp κ·s=2"),
            iou("overlapping", "logsumexp κ·s=2", newton)
        ),
        format!(
            "at κ·s = 10 to {} ({})",
            side("overlapping", "logsumexp κ·s=10"),
            iou("overlapping", "logsumexp κ·s=10", newton)
        ),
        format!(
            "at κ·s = 50 to {}",
            iou("overlapping", "logsumexp κ·s=50", newton)
        ),
        format!(
            "({} at κ·s = 2, {} at κ·s = 5)",
            iou("overlapping", "boltzmann κ·s=2", newton),
            iou("overlapping", "boltzmann κ·s=5", newton)
        ),
    ];
    // Annealing: Newton and Adam over every start and both ramps.
    let annealed = |opt| -> (f64, f64) {
        outcomes
            .iter()
            .filter(|o| o.optimizer == opt && o.method.starts_with("annealed"))
            .map(|o| o.result.as_ref().unwrap().final_iou)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            })
    };
    let (n_lo, n_hi) = annealed(newton);
    let (a_lo, a_hi) = annealed(Optimizer::Adam);
    assert_eq!(format!("{n_lo:.3}"), format!("{n_hi:.3}"));
    quotes.push(format!(
        "(Newton: IoU {n_lo:.3} from all three starts; Adam: {a_lo:.3}–{a_hi:.3})"
    ));
    // The degenerate strip of logsumexp at κ·s = 1 from [0,0,10,10].
    let strip = run("just disjoint", "logsumexp κ·s=1", newton);
    let [x0, y0, x1, y1] = strip.final_box.to_xyxy();
    let (long, short) = ((x1 - x0).max(y1 - y0), (x1 - x0).min(y1 - y0));
    let exponent = short.log10().floor();
    quotes.push(format!(
        "box becomes a {long:.0} × {:.1}·10⁻{} strip",
        short / 10f64.powf(exponent),
        superscript(-exponent as u32)
    ));
    let missing: Vec<&String> = quotes
        .iter()
        .filter(|q| !readme.contains(&flat(q)))
        .collect();
    assert!(
        missing.is_empty(),
        "the README's text on the fit table should quote:\n{missing:#?}"
    );
}

fn superscript(n: u32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap() as usize])
        .collect()
}
