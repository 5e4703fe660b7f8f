//! Axis-aligned boxes: validated construction from the three common formats.

use std::fmt;

use num_dual::DualNum;

use crate::error::{Error, Result};
use crate::smooth::lit;

/// How four numbers describe a box.
///
/// ```
/// use softiou::{BBox, BoxFormat};
/// let f: BoxFormat = "cxcywh".parse()?;
/// let b = BBox::from_format([2.0, 2.0, 4.0, 2.0], f)?;
/// assert_eq!(b.to_xyxy(), [0.0, 1.0, 4.0, 3.0]);
/// assert_eq!(f.fields(), ["centre_x", "centre_y", "width", "height"]);
/// # Ok::<(), softiou::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BoxFormat {
    /// `[x_min, y_min, x_max, y_max]` (the internal form).
    #[default]
    Xyxy,
    /// `[x_min, y_min, width, height]`.
    Xywh,
    /// `[centre_x, centre_y, width, height]`.
    Cxcywh,
}

impl BoxFormat {
    /// The names of the four numbers in this format.
    pub fn fields(self) -> [&'static str; 4] {
        match self {
            BoxFormat::Xyxy => ["x_min", "y_min", "x_max", "y_max"],
            BoxFormat::Xywh => ["x_min", "y_min", "width", "height"],
            BoxFormat::Cxcywh => ["centre_x", "centre_y", "width", "height"],
        }
    }
}

crate::names::named_values! {
    BoxFormat,
    all = "All formats.",
    name = "The name used on the command line and by `FromStr`.",
    unknown = |s| Error::UnknownBoxFormat(s.to_owned()),
    {
        Xyxy => "xyxy",
        Xywh => "xywh",
        Cxcywh => "cxcywh",
    }
}

/// An axis-aligned box `[x_min, y_min, x_max, y_max]` with `x_max > x_min`, `y_max > y_min`
/// and finite coordinates (checked on the real part for dual numbers).
///
/// The fields are private so that every `BBox` in existence is valid.
///
/// ```
/// use softiou::BBox;
/// let b = BBox::from_xywh(10.0, 20.0, 30.0, 40.0).unwrap();
/// assert_eq!(b.to_xyxy(), [10.0, 20.0, 40.0, 60.0]);
/// assert_eq!(b.area(), 1200.0);
/// assert!(BBox::new(5.0, 0.0, 5.0, 1.0).is_err()); // empty in x
/// assert!(BBox::new(0.0, f64::NAN, 1.0, 1.0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox<T> {
    x_min: T,
    y_min: T,
    x_max: T,
    y_max: T,
}

fn check_finite<T: DualNum>(name: &'static str, v: &T) -> Result<()> {
    let re = v.re();
    if num_traits::Float::is_finite(re) {
        Ok(())
    } else {
        Err(Error::NonFiniteCoordinate {
            name,
            value: num_traits::ToPrimitive::to_f64(&re).unwrap_or(f64::NAN),
        })
    }
}

/// A width and a height given by the user must be positive; say so in their terms.
fn check_size<T: DualNum>(width: &T, height: &T) -> Result<()> {
    for (name, v) in [("width", width), ("height", height)] {
        let v = to_f64(v);
        if v <= 0.0 {
            return Err(Error::NonPositiveSize { name, value: v });
        }
    }
    Ok(())
}

fn to_f64<T: DualNum>(v: &T) -> f64 {
    num_traits::ToPrimitive::to_f64(&v.re()).unwrap_or(f64::NAN)
}

impl<T: DualNum + Copy> BBox<T> {
    /// A box from corners `[x_min, y_min, x_max, y_max]`.
    ///
    /// # Errors
    /// [`Error::NonFiniteCoordinate`] for NaN or ±∞, [`Error::EmptyBox`] if
    /// `x_max <= x_min` or `y_max <= y_min`.
    pub fn new(x_min: T, y_min: T, x_max: T, y_max: T) -> Result<Self> {
        for (name, v) in [
            ("x_min", &x_min),
            ("y_min", &y_min),
            ("x_max", &x_max),
            ("y_max", &y_max),
        ] {
            check_finite(name, v)?;
        }
        for (axis, lo, hi) in [("x", &x_min, &x_max), ("y", &y_min, &y_max)] {
            if hi.re() <= lo.re() {
                return Err(Error::EmptyBox {
                    axis,
                    min: to_f64(lo),
                    max: to_f64(hi),
                });
            }
        }
        // Sides and area must be representable too: every loss divides by areas, so a
        // box whose area underflows to 0 or overflows to ∞ would make NaN downstream.
        // Checked in the box's own precision: an f32 box overflows f32, not f64.
        let (w, h) = (x_max.re() - x_min.re(), y_max.re() - y_min.re());
        let area = w * h;
        if !(num_traits::Float::is_finite(area) && area > lit::<T::Primitive>(0.0)) {
            return Err(Error::AreaOutOfRange {
                width: to_f64(&w),
                height: to_f64(&h),
            });
        }
        Ok(BBox {
            x_min,
            y_min,
            x_max,
            y_max,
        })
    }

    /// A box from `[x_min, y_min, x_max, y_max]`.
    pub fn from_xyxy(c: [T; 4]) -> Result<Self> {
        Self::new(c[0], c[1], c[2], c[3])
    }

    /// A box from its lower corner, width and height.
    ///
    /// # Errors
    /// As [`BBox::new`]; a width or height `<= 0` is an [`Error::NonPositiveSize`].
    pub fn from_xywh(x_min: T, y_min: T, width: T, height: T) -> Result<Self> {
        for (name, v) in [
            ("x_min", &x_min),
            ("y_min", &y_min),
            ("width", &width),
            ("height", &height),
        ] {
            check_finite(name, v)?;
        }
        check_size(&width, &height)?;
        Self::new(x_min, y_min, x_min + width, y_min + height)
    }

    /// A box from its centre, width and height.
    ///
    /// # Errors
    /// As [`BBox::from_xywh`].
    pub fn from_cxcywh(cx: T, cy: T, width: T, height: T) -> Result<Self> {
        for (name, v) in [
            ("centre_x", &cx),
            ("centre_y", &cy),
            ("width", &width),
            ("height", &height),
        ] {
            check_finite(name, v)?;
        }
        check_size(&width, &height)?;
        let half = lit::<T>(0.5);
        Self::new(
            cx - width * half,
            cy - height * half,
            cx + width * half,
            cy + height * half,
        )
    }

    /// A box from four numbers in the given format.
    pub fn from_format(c: [T; 4], format: BoxFormat) -> Result<Self> {
        match format {
            BoxFormat::Xyxy => Self::from_xyxy(c),
            BoxFormat::Xywh => Self::from_xywh(c[0], c[1], c[2], c[3]),
            BoxFormat::Cxcywh => Self::from_cxcywh(c[0], c[1], c[2], c[3]),
        }
    }

    /// `[x_min, y_min, x_max, y_max]`.
    pub fn to_xyxy(&self) -> [T; 4] {
        [self.x_min, self.y_min, self.x_max, self.y_max]
    }

    /// `[x_min, y_min, width, height]`.
    pub fn to_xywh(&self) -> [T; 4] {
        [self.x_min, self.y_min, self.width(), self.height()]
    }

    /// `[centre_x, centre_y, width, height]`.
    pub fn to_cxcywh(&self) -> [T; 4] {
        let [cx, cy] = self.centre();
        [cx, cy, self.width(), self.height()]
    }

    /// Lower x coordinate.
    pub fn x_min(&self) -> T {
        self.x_min
    }
    /// Lower y coordinate.
    pub fn y_min(&self) -> T {
        self.y_min
    }
    /// Upper x coordinate.
    pub fn x_max(&self) -> T {
        self.x_max
    }
    /// Upper y coordinate.
    pub fn y_max(&self) -> T {
        self.y_max
    }
    /// `x_max − x_min` (> 0).
    pub fn width(&self) -> T {
        self.x_max - self.x_min
    }
    /// `y_max − y_min` (> 0).
    pub fn height(&self) -> T {
        self.y_max - self.y_min
    }
    /// `[(x_min + x_max)/2, (y_min + y_max)/2]`.
    pub fn centre(&self) -> [T; 2] {
        let half = lit::<T>(0.5);
        [
            (self.x_min + self.x_max) * half,
            (self.y_min + self.y_max) * half,
        ]
    }
    /// Width times height.
    pub fn area(&self) -> T {
        self.width() * self.height()
    }
    /// The shorter side, `min(width, height)`, as a plain number: the length scale `s`
    /// that makes κ dimensionless (κ·s).
    pub fn min_side(&self) -> f64 {
        to_f64(&self.width()).min(to_f64(&self.height()))
    }

    /// The same box with every coordinate passed through `f` (for example to lift an
    /// `f64` box into dual numbers with `Dual64::from_re`).
    ///
    /// # Errors
    /// As [`BBox::new`]: the result is validated, so `f` cannot make an invalid box.
    pub fn map<U: DualNum + Copy>(&self, f: impl Fn(T) -> U) -> Result<BBox<U>> {
        BBox::new(f(self.x_min), f(self.y_min), f(self.x_max), f(self.y_max))
    }

    /// The real parts of the coordinates, as a plain box.
    pub fn re(&self) -> BBox<T::Primitive> {
        BBox {
            x_min: self.x_min.re(),
            y_min: self.y_min.re(),
            x_max: self.x_max.re(),
            y_max: self.y_max.re(),
        }
    }

    /// The box translated by `(dx, dy)`.
    ///
    /// # Errors
    /// As [`BBox::new`]: a non-finite shift, or one so large that rounding empties the
    /// box, is an error.
    pub fn translated(&self, dx: T, dy: T) -> Result<Self> {
        Self::new(
            self.x_min + dx,
            self.y_min + dy,
            self.x_max + dx,
            self.y_max + dy,
        )
    }

    /// The box with every coordinate multiplied by `c` (> 0).
    ///
    /// # Errors
    /// If `c` is not finite and positive the result would be invalid: [`Error::EmptyBox`]
    /// or [`Error::NonFiniteCoordinate`].
    pub fn scaled(&self, c: T) -> Result<Self> {
        Self::new(
            self.x_min * c,
            self.y_min * c,
            self.x_max * c,
            self.y_max * c,
        )
    }
}

impl<T: fmt::Display> fmt::Display for BBox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}, {}, {}, {}]",
            self.x_min, self.y_min, self.x_max, self.y_max
        )
    }
}
