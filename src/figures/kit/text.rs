//! Raster text with correct glyph spacing: a [`DrawingBackend`] wrapper, [`GlyphText`],
//! that draws every string itself with `ab_glyph` and passes everything else through.
//!
//! plotters 0.3.7 rasterises text glyph by glyph (`FontDataInternal::draw` in
//! `src/style/font/ab_glyph.rs`): it truncates each glyph's pen position to a whole pixel
//! and drops the glyph's left side bearing, so letters sit up to a pixel off their place
//! and narrow ones ("i", "l") crowd their neighbours — "overl apping", "i denti cal". Here
//! the pen advances in exact (sub-pixel) steps with kerning, each glyph is outlined at its
//! true position (side bearing included), and the coverage of the whole string is summed
//! before it is blended, so touching glyph edges are not blended twice.
//!
//! The scale is plotters' own (`PxScale(size)`: ascent − descent = `size` pixels), so a
//! figure keeps its text sizes. [`png_backend`] and [`gif_backend`] are the backends every
//! raster figure of the crate draws on; SVG output keeps plotters' `<text>` elements,
//! which the viewer lays out itself.

use std::path::Path;

use ab_glyph::{Font, FontRef, GlyphId, OutlinedGlyph, PxScale, ScaleFont, point};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use crate::figures::error::{Error, Result};

/// The advance width in pixels of `text` at `size` in the figures' font, with kerning:
/// the width [`GlyphText`] gives it (0 if the font could not be read, which it always can).
pub fn text_width(text: &str, size: f64) -> f32 {
    let Ok(font) = dejavu_sans() else { return 0.0 };
    let font = font.as_scaled(PxScale::from(size as f32));
    let mut pen = 0f32;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            pen += font.kern(p, id);
        }
        pen += font.h_advance(id);
        prev = Some(id);
    }
    pen
}

/// A backend that draws text with exact glyph placement (see the module documentation)
/// and hands every other primitive to the backend it wraps.
pub struct GlyphText<DB> {
    inner: DB,
    font: FontRef<'static>,
}

impl<DB> std::fmt::Debug for GlyphText<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlyphText").finish_non_exhaustive()
    }
}

/// The figures' font: DejaVu Sans, compiled in (no system fonts).
fn dejavu_sans() -> Result<FontRef<'static>> {
    FontRef::try_from_slice(dejavu::sans::regular()).map_err(|e| Error::Output {
        path: "(font)".into(),
        reason: format!("the embedded DejaVu Sans font could not be read: {e}"),
    })
}

impl<DB: DrawingBackend> GlyphText<DB> {
    /// Wraps `inner`; text is drawn in DejaVu Sans.
    ///
    /// # Errors
    /// [`Error::Output`] if the embedded font cannot be parsed (it always can).
    pub fn new(inner: DB) -> Result<Self> {
        Ok(GlyphText {
            inner,
            font: dejavu_sans()?,
        })
    }

    /// The glyphs of `text` with the x of each glyph's origin (pen position, kerning
    /// applied), and the total advance, in pixels at `size`.
    fn layout(&self, size: f64, text: &str) -> (Vec<(GlyphId, f32)>, f32) {
        let font = self.font.as_scaled(PxScale::from(size as f32));
        let mut pen = 0f32;
        let mut prev: Option<GlyphId> = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                pen += font.kern(p, id);
            }
            glyphs.push((id, pen));
            pen += font.h_advance(id);
            prev = Some(id);
        }
        (glyphs, pen)
    }

    /// The box of horizontal `text`: its advance × (ascent − descent), rounded up.
    fn text_box(&self, size: f64, text: &str) -> (u32, u32) {
        let font = self.font.as_scaled(PxScale::from(size as f32));
        let (_, advance) = self.layout(size, text);
        (
            advance.max(0.0).ceil() as u32,
            (font.ascent() - font.descent()).max(0.0).ceil() as u32,
        )
    }

    /// The outlines of `text` laid out with the top-left of its box at `(dx, dy)`.
    fn outlines(&self, size: f64, text: &str, dx: f32, dy: f32) -> Vec<OutlinedGlyph> {
        let scale = PxScale::from(size as f32);
        let ascent = self.font.as_scaled(scale).ascent();
        let (glyphs, _) = self.layout(size, text);
        glyphs
            .into_iter()
            .filter_map(|(id, x)| {
                let g = id.with_scale_and_position(scale, point(dx + x, dy + ascent));
                self.font.outline_glyph(g)
            })
            .collect()
    }
}

/// The coverage (0 … 1) of a set of outlined glyphs on the pixel grid: the top-left pixel
/// and a row-major `w × h` map, the glyphs' coverages summed and capped at 1.
struct Coverage {
    x0: i32,
    y0: i32,
    w: usize,
    h: usize,
    cov: Vec<f32>,
}

impl Coverage {
    fn of(outlined: &[OutlinedGlyph]) -> Option<Coverage> {
        let mut bounds = outlined.iter().map(|o| o.px_bounds());
        let first = bounds.next()?;
        let (mut x0, mut y0, mut x1, mut y1) = (first.min.x, first.min.y, first.max.x, first.max.y);
        for b in bounds {
            x0 = x0.min(b.min.x);
            y0 = y0.min(b.min.y);
            x1 = x1.max(b.max.x);
            y1 = y1.max(b.max.y);
        }
        // px_bounds are whole pixels already
        let (x0, y0) = (x0 as i32, y0 as i32);
        let (w, h) = (
            (x1 as i32 - x0).max(0) as usize,
            (y1 as i32 - y0).max(0) as usize,
        );
        let mut cov = vec![0f32; w * h];
        for o in outlined {
            let b = o.px_bounds();
            let (ox, oy) = (b.min.x as i32 - x0, b.min.y as i32 - y0);
            o.draw(|x, y, c| {
                let (cx, cy) = (ox + x as i32, oy + y as i32);
                if cx >= 0
                    && cy >= 0
                    && (cx as usize) < w
                    && let Some(v) = cov.get_mut(cy as usize * w + cx as usize)
                {
                    *v = (*v + c).min(1.0);
                }
            });
        }
        Some(Coverage { x0, y0, w, h, cov })
    }
}

impl<DB: DrawingBackend> DrawingBackend for GlyphText<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        Ok(self.text_box(style.size(), text))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let size = style.size();
        let (_, h) = self.text_box(size, text);
        let h = h as f32;
        // top-left of the text box relative to the anchor, in unrotated text space; the
        // advance is not rounded here, so a centred label is centred to the sub-pixel
        let (_, advance) = self.layout(size, text);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -advance / 2.0,
            HPos::Right => -advance,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0.0,
            VPos::Center => -h / 2.0,
            VPos::Bottom => -h,
        };
        let Some(cov) = Coverage::of(&self.outlines(size, text, dx, dy)) else {
            return Ok(()); // only spaces
        };
        let transform = style.transform();
        let (cw, ch) = self.inner.get_size();
        for yy in 0..cov.h {
            for xx in 0..cov.w {
                let c = cov.cov[yy * cov.w + xx];
                if c <= 0.0 {
                    continue;
                }
                let (rx, ry) = transform.transform(cov.x0 + xx as i32, cov.y0 + yy as i32);
                let (px, py) = (pos.0 + rx, pos.1 + ry);
                if px < 0 || py < 0 || px >= cw as i32 || py >= ch as i32 {
                    continue;
                }
                let ink = BackendColor {
                    alpha: color.alpha * f64::from(c),
                    rgb: color.rgb,
                };
                self.inner.draw_pixel((px, py), ink)?;
            }
        }
        Ok(())
    }
}

/// The backend of a PNG figure of `size` pixels written to `path` (plotters picks the
/// format from the extension), with [`GlyphText`]'s text.
///
/// # Errors
/// [`Error::Output`] if the embedded font cannot be parsed (it always can).
pub fn png_backend(path: &Path, size: (u32, u32)) -> Result<GlyphText<BitMapBackend<'_>>> {
    GlyphText::new(BitMapBackend::new(path, size))
}

/// The backend of an animated GIF of `size` pixels at `path`, one frame per
/// `present()`, `frame_ms` milliseconds each, with [`GlyphText`]'s text.
///
/// # Errors
/// [`Error::Output`] if the GIF cannot be started or the font cannot be parsed.
pub fn gif_backend(
    path: &Path,
    size: (u32, u32),
    frame_ms: u32,
) -> Result<GlyphText<BitMapBackend<'_>>> {
    let gif = BitMapBackend::gif(path, size, frame_ms).map_err(|e| Error::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    GlyphText::new(gif)
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;

    use super::GlyphText;
    use crate::figures::kit::register_fonts;
    use crate::figures::kit::style::FONT;

    const W: u32 = 360;
    const H: u32 = 60;
    const SAMPLE: &str = "iiii llll nnnn";

    /// Renders `SAMPLE` at `size` px in black on white, either through [`GlyphText`] or
    /// through plotters' own raster text, and returns the ink per column (sum of
    /// darkness over the rows, 0 … H).
    fn ink_profile(size: u32, fixed: bool) -> Vec<f64> {
        register_fonts().unwrap();
        let mut buf = vec![255u8; (W * H * 3) as usize];
        {
            let bitmap = BitMapBackend::with_buffer(&mut buf, (W, H));
            let text = Text::new(SAMPLE, (10, 10), (FONT, size).into_font().color(&BLACK));
            if fixed {
                let root = GlyphText::new(bitmap).unwrap().into_drawing_area();
                root.draw(&text).unwrap();
                root.present().unwrap();
            } else {
                let root = bitmap.into_drawing_area();
                root.draw(&text).unwrap();
                root.present().unwrap();
            }
        }
        (0..W as usize)
            .map(|x| {
                (0..H as usize)
                    .map(|y| 1.0 - f64::from(buf[(y * W as usize + x) * 3]) / 255.0)
                    .sum()
            })
            .collect()
    }

    /// The words of an ink profile: column ranges separated by at least four blank
    /// columns (the space at 14 px is over 6 px wide with the side bearings; the gap
    /// between two letters of a word at most 3 px).
    fn words(profile: &[f64]) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = None;
        let mut blank = 0;
        for (x, &v) in profile.iter().enumerate() {
            if v > 1e-3 {
                start.get_or_insert(x);
                blank = 0;
            } else {
                blank += 1;
                if blank == 4
                    && let Some(s) = start.take()
                {
                    out.push(s..x - 3);
                }
            }
        }
        if let Some(s) = start {
            out.push(s..profile.len());
        }
        out
    }

    /// The ink centroids (x) of the stems of a word: the runs of columns with more than a
    /// fifth of the word's darkest column, each with its anti-aliased edge columns.
    fn stem_centroids(profile: &[f64], word: std::ops::Range<usize>) -> Vec<f64> {
        let peak = profile[word.clone()].iter().copied().fold(0.0, f64::max);
        let mut out = Vec::new();
        let mut x = word.start;
        while x < word.end {
            if profile[x] <= 0.2 * peak {
                x += 1;
                continue;
            }
            let start = x;
            while x < word.end && profile[x] > 0.2 * peak {
                x += 1;
            }
            let (lo, hi) = (start.saturating_sub(1), (x + 1).min(profile.len()));
            let mass: f64 = profile[lo..hi].iter().sum();
            let moment: f64 = (lo..hi).map(|c| c as f64 * profile[c]).sum();
            out.push(moment / mass);
        }
        out
    }

    /// For each word of four equal letters: the distances from each stem to the same stem
    /// of the next letter (the letter pitch, as drawn), largest minus smallest.
    fn pitch_spreads(size: u32, fixed: bool) -> Vec<f64> {
        let profile = ink_profile(size, fixed);
        let words = words(&profile);
        assert_eq!(words.len(), 3, "{size} px: words {words:?}");
        words
            .into_iter()
            .map(|w| {
                let c = stem_centroids(&profile, w);
                // i and l have one stem, n has two
                assert!(c.len() == 4 || c.len() == 8, "{size} px: stems {c:?}");
                let per = c.len() / 4;
                let d: Vec<f64> = c.iter().zip(&c[per..]).map(|(a, b)| b - a).collect();
                let lo = d.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                hi - lo
            })
            .collect()
    }

    #[test]
    fn equal_letters_are_equally_spaced() {
        // With exact pen positions the pitch of equal letters varies only by how the
        // anti-aliasing of a stem at a different sub-pixel offset moves its ink centroid:
        // measured ≤ 0.27 px at 14 … 24 px. plotters' own path truncates every pen
        // position to a whole pixel, so its pitch jumps by a whole pixel (measured 1.0);
        // half a pixel separates the two with room on both sides.
        for size in [14, 17, 20, 24] {
            let fixed = pitch_spreads(size, true);
            assert!(
                fixed.iter().all(|&s| s < 0.5),
                "{size} px: pitch spreads {fixed:?} (iiii, llll, nnnn)"
            );
            // the cause, still in plotters: if this fails, plotters' text path was fixed
            // upstream and the wrapper may no longer be needed
            let old = pitch_spreads(size, false);
            assert!(
                old.iter().any(|&s| s >= 0.5),
                "{size} px: plotters' own pitch spreads {old:?}"
            );
        }
    }
}
