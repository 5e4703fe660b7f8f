//! Figure 8: the finite-difference step study (error against step for each stencil, the
//! V-shaped curves) against the error of the dual-number derivative.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::StepPanel;
use crate::figures::kit::panel::{Corner, Line, Mark, Panel, YAxis, draw_panel};
use crate::figures::kit::style::{FONT, TITLE, series};
use crate::figures::kit::{DrawResult, Figure};

const PANEL_W: u32 = 760;
const PANEL_H: u32 = 580;
const TITLE_H: u32 = 64;
/// Errors below this are drawn at it (an error of exactly 0 has no place on a log axis).
const FLOOR: f64 = 1e-19;

/// Figure 8: one panel per reference point.
#[derive(Debug, Clone, Copy)]
pub struct StepFigure<'a> {
    /// The studies.
    pub panels: &'a [StepPanel],
}

impl Figure for StepFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (PANEL_W * self.panels.len().max(1) as u32, PANEL_H + TITLE_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let root = root.titled(
            "Finite differences vs dual numbers: error of ∂loss/∂P.x_min against a high-precision reference",
            (FONT, TITLE),
        )?;
        for (p, area) in self
            .panels
            .iter()
            .zip(root.split_evenly((1, self.panels.len())))
        {
            let rows = &p.study.rows;
            let stencil = |i: usize, name: &str, e: fn(&crate::fdcheck::StepRow) -> f64| Line {
                label: Some(name.to_owned()),
                color: series(i),
                mark: Mark::Solid,
                points: rows.iter().map(|r| (r.h, e(r).max(FLOOR))).collect(),
            };
            let (h0, h1) = rows.iter().fold((f64::INFINITY, 0.0_f64), |(a, b), r| {
                (a.min(r.h), b.max(r.h))
            });
            let dual = p.study.dual_error.max(FLOOR);
            let lines = vec![
                stencil(0, "central, 2nd order", |r| r.central2),
                stencil(1, "central, 4th order", |r| r.central4),
                stencil(2, "Richardson (3 levels)", |r| r.richardson),
                Line {
                    label: Some(format!("dual numbers: {:.1e}", p.study.dual_error)),
                    color: BLACK,
                    mark: Mark::Dashed,
                    points: vec![(h0, dual), (h1, dual)],
                },
            ];
            let pt = &p.point;
            draw_panel(
                &area,
                &Panel {
                    caption: format!(
                        "{}  (κ = {:.4} per coordinate unit; reference row {})",
                        pt.name, pt.kappa, pt.reference_line
                    ),
                    x: (h0, h1),
                    x_desc: "relative step h  (perturbation h·max(1, |x_min|), |x_min| ≈ 27–41)"
                        .into(),
                    y: YAxis::Log(FLOOR, 100.0),
                    y_desc: "|derivative − reference|  (loss per coordinate unit)".into(),
                    lines,
                    legend: Some(Corner::UpperRight),
                },
            )?;
        }
        Ok(())
    }
}
