//! Figures 5 and 6: loss surfaces with their contour lines, and gradient fields, over
//! translations of the predicted box ([`data`], [`contour`]), drawn by [`draw`].

pub mod contour;
pub mod data;
pub mod draw;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::path::Path;

use contour::{Contour, contour_levels, contours};
pub use data::*;
use draw::{FieldFigure, SurfaceFigure};

use crate::figures::error::Result;
use crate::figures::kit::{Family, Job, Options, data_job, figure_job, scenario};
use crate::smooth::Smoothing;

/// κ·s of the three smooth panels of figures 5 and 6.
pub const SURFACE_KAPPA_S: [f64; 3] = [0.5, 2.0, 10.0];
/// Half-width of the offset grid of figures 5 and 6, in units of s.
pub const SURFACE_HALF_RANGE: f64 = 2.0;
/// Grid points per axis of the loss surfaces.
pub const SURFACE_POINTS: usize = 101;
/// Grid points per axis of the gradient fields (offsets in steps of s/4).
pub const FIELD_POINTS: usize = 17;

/// The smooth-operator settings of figures 5 and 6, after `hard`.
pub fn surface_settings() -> Vec<Setting> {
    let mut v = vec![Setting {
        smoothing: Smoothing::Hard,
        kappa_s: 1.0,
    }];
    v.extend(SURFACE_KAPPA_S.map(|k| Setting {
        smoothing: Smoothing::LogSumExp,
        kappa_s: k,
    }));
    v
}

/// The surfaces, their contour lines and the gradient fields of the standard set.
#[derive(Debug, Clone, PartialEq)]
pub struct Surfaces {
    /// The target's side s (offsets are in units of it).
    pub side: f64,
    /// Figure 5: loss surfaces (hard, then logsumexp at [`SURFACE_KAPPA_S`]).
    pub surfaces: Vec<Surface>,
    /// Figure 5: contour lines of each surface, at levels chosen for it
    /// ([`contour_levels`]).
    pub contours: Vec<Vec<Contour>>,
    /// Figure 6: gradient fields, same settings as the surfaces.
    pub fields: Vec<GradientField>,
}

/// The family of the standard set.
///
/// # Errors
/// Only on internal inconsistencies (the inputs are fixed and valid).
pub(crate) fn standard() -> Result<Box<dyn Family>> {
    let side = scenario::STANDARD_SIDE;
    let target = centred_target(side)?;
    let settings = surface_settings();
    let surfaces = settings
        .iter()
        .map(|&s| loss_surface(&target, s, SURFACE_HALF_RANGE, SURFACE_POINTS))
        .collect::<Result<Vec<_>>>()?;
    let contours = surfaces
        .iter()
        .map(|s| contours(s, &contour_levels(s)))
        .collect();
    let fields = settings
        .iter()
        .map(|&s| gradient_field(&target, s, SURFACE_HALF_RANGE, FIELD_POINTS))
        .collect::<Result<Vec<_>>>()?;
    Ok(Box::new(Surfaces {
        side,
        surfaces,
        contours,
        fields,
    }))
}

impl Family for Surfaces {
    fn jobs<'a>(&'a self, dir: &'a Path, opts: Options) -> Vec<Job<'a>> {
        let surfaces = SurfaceFigure {
            surfaces: &self.surfaces,
            contours: &self.contours,
        };
        let fields = FieldFigure {
            fields: &self.fields,
            side: self.side,
        };
        vec![
            figure_job(dir, "fig5_loss_surfaces", surfaces, opts),
            data_job(dir.join("fig5_loss_surfaces.csv"), move |p| {
                csv::surfaces(p, &self.surfaces)
            }),
            data_job(dir.join("fig5_contours.csv"), move |p| {
                csv::contours(p, &self.surfaces, &self.contours)
            }),
            figure_job(dir, "fig6_gradient_fields", fields, opts),
            data_job(dir.join("fig6_gradient_fields.csv"), move |p| {
                csv::fields(p, &self.fields)
            }),
        ]
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
