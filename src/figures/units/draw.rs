//! Drawing of [`super::UnitsData`]: two panels, the loss against κ (three
//! curves) and against κ·s (the three curves on top of each other).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{OPERATOR, SCALES, UnitsData};
use crate::figures::kit::panel::{Corner, Line, Mark, Panel, YAxis, draw_panel};
use crate::figures::kit::style::{FONT, TITLE, series};
use crate::figures::kit::{DrawResult, Figure};

/// The file stem of the figure and its CSV.
pub const STEM: &str = "fig10_units";

/// The figure.
#[derive(Debug, Clone, Copy)]
pub struct UnitsFigure<'a> {
    /// Its data.
    pub data: &'a UnitsData,
}

fn lines(d: &UnitsData, x: impl Fn(&super::UnitsRow) -> f64, marks: [Mark; 3]) -> Vec<Line> {
    SCALES
        .iter()
        .zip(marks)
        .enumerate()
        .map(|(i, (&side, mark))| Line {
            label: Some(format!("s = {side}")),
            color: series(i),
            mark,
            // circles at every 4th point only, so that the line under them shows
            points: d
                .at_side(side)
                .step_by(if mark == Mark::Circles { 4 } else { 1 })
                .map(|r| (x(r), r.loss))
                .collect(),
        })
        .collect()
}

impl Figure for UnitsFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1520, 624)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let root = root.titled(
            &format!("κ has units of 1/length: one pair at three scales ({OPERATOR})"),
            (FONT, TITLE),
        )?;
        let panels = root.split_evenly((1, 2));
        let by_kappa = lines(self.data, |r| r.kappa, [Mark::Solid; 3]);
        let kx = self.data.rows.iter().map(|r| r.kappa);
        let kx = (
            kx.clone().fold(f64::INFINITY, f64::min),
            kx.fold(0.0, f64::max),
        );
        let y = YAxis::linear_auto(&by_kappa, 0.0, 2.0);
        draw_panel(
            &panels[0],
            &Panel {
                caption: "against κ: three curves".into(),
                x: kx,
                x_desc: "κ  (1 / coordinate unit)".into(),
                y,
                y_desc: "soft IoU loss".into(),
                lines: by_kappa,
                legend: Some(Corner::UpperRight),
            },
        )?;
        // solid, dashed and circles so that the coinciding curves stay visible
        let by_ks = lines(
            self.data,
            |r| r.kappa_s,
            [Mark::Solid, Mark::Dashed, Mark::Circles],
        );
        let sx = self.data.rows.iter().map(|r| r.kappa_s);
        let sx = (
            sx.clone().fold(f64::INFINITY, f64::min),
            sx.fold(0.0, f64::max),
        );
        draw_panel(
            &panels[1],
            &Panel {
                caption: "against κ·s: one curve".into(),
                x: sx,
                x_desc: "κ·s  (s = target's side; dimensionless)".into(),
                y,
                y_desc: "soft IoU loss".into(),
                lines: by_ks,
                legend: Some(Corner::UpperRight),
            },
        )?;
        Ok(())
    }
}
