//! `softiou eval`: loss, soft and hard IoU and exact derivatives for one box pair, as an
//! aligned table or as one JSON object. The numbers come from
//! [`softiou::evaluate`]; this file only parses flags and prints.

use clap::Args;
use softiou::evaluate::{Evaluation, evaluate, evaluate_with_hessian};
use softiou::{BoxFormat, Loss, LossKind, Smoothing};

use super::CliError;
use super::args::{parse_box, parse_kappa, parse_name};

const AFTER_HELP: &str = "\
Units: kappa is in 1 / coordinate units (1/pixel for pixel boxes, 1 for unit-normalised
boxes); what matters is kappa times a box side: kappa * side >> 1 is nearly the hard IoU,
kappa * side ~ 1 is very smooth. Gradients are in loss per coordinate unit and always with
respect to the xyxy corners [x1, y1, x2, y2] of each box, also with --box-format xywh or
cxcywh; dloss/dkappa is in coordinate units. κ·s (kappa_s) is kappa times the target's
shorter side.

Warnings: when the soft IoU leaves [0, 1] (a negative soft intersection with boltzmann, or
kappa * s too small for logsumexp: soft IoU above 1, or past the pole where the soft union
crosses 0) the numbers are still printed — they are the formula's exact values — with one
warning line on stderr and the region's code in the JSON's warnings array; the exit status
stays 0.

Every number is printed with full round-trip precision (the shortest decimal that parses
back to the same 64-bit float).

Examples:
  softiou eval --pred 10,10,110,110 --target 20,20,120,120 --kappa 0.1
  softiou eval --pred=-5,0,5,10 --target 0,0,10,10 --kappa 2 --loss giou --json
  softiou eval --pred 60,60,100,100 --target 70,70,100,100 --kappa 0.5 --box-format cxcywh --hessian";

/// Arguments of `softiou eval`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct EvalArgs {
    /// Predicted box: four comma-separated numbers in --box-format order
    /// (a leading minus sign works: --pred -1,0,2,3)
    #[arg(long, value_name = "X1,Y1,X2,Y2", allow_hyphen_values = true)]
    pub pred: String,
    /// Target box, in the same format as --pred
    #[arg(long, value_name = "X1,Y1,X2,Y2", allow_hyphen_values = true)]
    pub target: String,
    /// Smoothing temperature kappa > 0, in 1 / coordinate units
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub kappa: String,
    /// Smooth max/min operator: hard, boltzmann or logsumexp
    #[arg(long, value_name = "OP", default_value = "logsumexp")]
    pub smoothing: String,
    /// Loss: soft-iou (1 - soft IoU), giou, diou or ciou
    #[arg(long, value_name = "LOSS", default_value = "soft-iou")]
    pub loss: String,
    /// How the four numbers of --pred and --target describe a box: xyxy (x1,y1,x2,y2),
    /// xywh (x1,y1,width,height) or cxcywh (centre x, centre y, width, height)
    #[arg(long, value_name = "FORMAT", default_value = "xyxy")]
    pub box_format: String,
    /// Also compute the 4x4 Hessian of the loss with respect to the predicted corners
    #[arg(long)]
    pub hessian: bool,
    /// Print one JSON object (keys: loss, iou, hard_iou, grad_pred, grad_target,
    /// dloss_dkappa, kappa_s, warnings, and hessian_pred with --hessian) instead of a
    /// table
    #[arg(long)]
    pub json: bool,
}

/// Runs `softiou eval`.
pub fn run(args: EvalArgs) -> Result<(), CliError> {
    let smoothing: Smoothing = parse_name("--smoothing", &args.smoothing)?;
    let kind: LossKind = parse_name("--loss", &args.loss)?;
    let format: BoxFormat = parse_name("--box-format", &args.box_format)?;
    let p = parse_box("--pred", &args.pred, format)?;
    let t = parse_box("--target", &args.target, format)?;
    let kappa = parse_kappa("--kappa", &args.kappa)?;
    let loss = Loss::new(kind, smoothing);
    let result = if args.hessian {
        evaluate_with_hessian(loss, &p, &t, kappa)
    } else {
        evaluate(loss, &p, &t, kappa)
    };
    // The inputs are valid one by one; what is left is their combination (an overflowing
    // area, a smoothed union of 0), which the user changes through κ or the boxes.
    let e = result.map_err(|source| CliError::Value {
        flag: "--pred/--target/--kappa".into(),
        source,
    })?;
    let text = if args.json {
        let mut s = serde_json::to_string(&e)
            .map_err(|err| CliError::Failure(format!("cannot write JSON: {err}")))?;
        s.push('\n');
        s
    } else {
        let mut rows = vec![
            row("pred (xyxy)", &p.to_xyxy()),
            row("target (xyxy)", &t.to_xyxy()),
            row("kappa", &[kappa]),
            row(&format!("loss ({kind}, {smoothing})"), &[e.loss]),
            row("κ·s", &[e.kappa_s]),
        ];
        rows.extend(result_rows(&e));
        table(&rows)
    };
    super::output::print(&text)?;
    if !e.region.is_meaningful() {
        super::output::warn(&format!(
            "soft IoU = {} at kappa * s = {} (s = the target's shorter side): {}",
            crate::number::num(e.iou),
            crate::number::num(e.kappa_s),
            e.region.explanation()
        ));
    }
    Ok(())
}

/// The rows after the loss: IoUs, ∂loss/∂κ, gradients and the Hessian if present.
fn result_rows(e: &Evaluation) -> Vec<(String, Vec<String>)> {
    let mut rows = vec![
        row("soft IoU", &[e.iou]),
        row("hard IoU", &[e.hard_iou]),
        row("∂loss/∂κ", &[e.dloss_dkappa]),
        (
            String::new(),
            [" x1", " y1", " x2", " y2"].map(String::from).to_vec(),
        ),
        row("∂loss/∂pred", &e.grad_pred),
        row("∂loss/∂target", &e.grad_target),
    ];
    if let Some(h) = &e.hessian_pred {
        for (name, r) in ["x1", "y1", "x2", "y2"].iter().zip(h) {
            rows.push(row(&format!("∂²loss/∂pred∂{name}"), r));
        }
    }
    rows
}

fn row(label: &str, values: &[f64]) -> (String, Vec<String>) {
    // The crate's number format (the shortest decimal that parses back to the same f64);
    // the space in front of non-negative numbers lines the signs up.
    let cell = |v: &f64| {
        let s = crate::number::num(*v);
        if s.starts_with('-') {
            s
        } else {
            format!(" {s}")
        }
    };
    (label.to_owned(), values.iter().map(cell).collect())
}

/// Left-aligned labels and columns, two spaces between.
fn table(rows: &[(String, Vec<String>)]) -> String {
    let label_w = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let ncols = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..ncols)
        .map(|j| {
            rows.iter()
                .filter_map(|(_, c)| c.get(j).map(String::len))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for (label, cells) in rows {
        s.push_str(&format!("{label:<label_w$}"));
        for (cell, w) in cells.iter().zip(&widths) {
            s.push_str(&format!("  {cell:<w$}"));
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
    }
    s
}
