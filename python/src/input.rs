//! Reading the Python arguments: box arrays, κ and the names of operators and formats.
//!
//! Nothing numeric happens here: float64 xyxy boxes in a C-contiguous array are read in
//! place (zero-copy); every other layout or dtype is copied row by row into f64 (float32
//! → float64 is exact), and boxes in another format are converted to corners by the
//! library's own `BBox::from_format`.

use std::str::FromStr;

use numpy::{
    PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use softiou::{BBox, BoxFormat};

/// `N × [x_min, y_min, x_max, y_max]` boxes, borrowed from NumPy when possible.
pub struct Rows<'py> {
    /// The array itself, when it could be read in place (float64, C-contiguous, xyxy).
    borrowed: Option<PyReadonlyArrayDyn<'py, f64>>,
    /// A copy otherwise.
    owned: Vec<[f64; 4]>,
}

impl<'py> Rows<'py> {
    /// The rows, as the library's batch API takes them.
    pub fn rows(&self) -> &[[f64; 4]] {
        match self.borrowed.as_ref().map(PyReadonlyArrayDyn::as_slice) {
            // `Rows::read` keeps an array only if it is C-contiguous of shape (N, 4) and
            // `as_slice` succeeded on it, so the remainder is empty.
            Some(Ok(flat)) => flat.as_chunks::<4>().0,
            _ => &self.owned,
        }
    }

    /// The number of boxes.
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    /// Reads argument `arg` (for messages), an array of shape (N, 4) of float64 or
    /// float32, as boxes in `format`.
    ///
    /// # Errors
    /// `TypeError` if it is not a NumPy array of float32 or float64; `ValueError` naming
    /// `arg` for another shape, or naming the row of a box `format` cannot convert (a
    /// width or height ≤ 0). Boxes in xyxy are validated later, by the batch functions.
    pub fn read(arg: &str, obj: &Bound<'py, PyAny>, format: BoxFormat) -> PyResult<Rows<'py>> {
        let array = untyped(arg, obj, "an array of boxes of shape (N, 4)")?;
        let shape = array.shape();
        if shape.len() != 2 || shape[1] != 4 {
            return Err(PyValueError::new_err(format!(
                "{arg}: expected an array of shape (N, 4) (one box per row, {}), got shape {}",
                format.fields().join(", "),
                shape_text(shape)
            )));
        }
        let rows = if let Ok(a) = obj.cast::<PyArrayDyn<f64>>() {
            let a = a.readonly();
            // `as_slice` also succeeds on a Fortran-ordered array, whose memory holds the
            // columns one after the other: only C order is N rows of 4.
            if format == BoxFormat::Xyxy && array.is_c_contiguous() && a.as_slice().is_ok() {
                return Ok(Rows {
                    borrowed: Some(a),
                    owned: Vec::new(),
                });
            }
            let view = a.as_array();
            view.rows()
                .into_iter()
                .map(|r| std::array::from_fn(|j| r[j]))
                .collect::<Vec<[f64; 4]>>()
        } else if let Ok(a) = obj.cast::<PyArrayDyn<f32>>() {
            let a = a.readonly();
            let view = a.as_array();
            view.rows()
                .into_iter()
                .map(|r| std::array::from_fn(|j| f64::from(r[j])))
                .collect()
        } else {
            return Err(dtype_error(arg, array));
        };
        let owned = if format == BoxFormat::Xyxy {
            rows
        } else {
            rows.into_iter()
                .enumerate()
                .map(|(i, r)| {
                    BBox::from_format(r, format)
                        .map(|b| b.to_xyxy())
                        .map_err(|e| {
                            PyValueError::new_err(format!("{arg}: row {i} (0-based): {e}"))
                        })
                })
                .collect::<PyResult<_>>()?
        };
        Ok(Rows {
            borrowed: None,
            owned,
        })
    }
}

/// κ: one number for every pair, or one per pair.
pub enum Kappa {
    /// The same κ for every pair.
    One(f64),
    /// `kappa[i]` for pair `i`.
    PerRow(Vec<f64>),
}

impl Kappa {
    /// Reads `kappa`: a Python number, a 0-d array, or an array of shape (`n`,) of
    /// float64 or float32. Values are checked by the library (κ finite and > 0).
    ///
    /// # Errors
    /// `TypeError` for something that is not a number or an array of float32/float64;
    /// `ValueError` for an array of another shape.
    pub fn read(obj: &Bound<'_, PyAny>, n: usize) -> PyResult<Kappa> {
        let Ok(array) = obj.cast::<PyUntypedArray>() else {
            return obj.extract::<f64>().map(Kappa::One).map_err(|_| {
                PyTypeError::new_err(format!(
                    "kappa: expected a number or an array of shape ({n},), got {}",
                    type_name(obj)
                ))
            });
        };
        let per_row = |v: Vec<f64>| match array.ndim() {
            0 if v.len() == 1 => Ok(Kappa::One(v[0])),
            1 if array.len() == n => Ok(Kappa::PerRow(v)),
            _ => Err(PyValueError::new_err(format!(
                "kappa: expected a number or an array of shape ({n},) (one kappa per pair), \
                 got shape {}",
                shape_text(array.shape())
            ))),
        };
        if let Ok(a) = obj.cast::<PyArrayDyn<f64>>() {
            per_row(a.readonly().as_array().iter().copied().collect())
        } else if let Ok(a) = obj.cast::<PyArrayDyn<f32>>() {
            per_row(
                a.readonly()
                    .as_array()
                    .iter()
                    .map(|&k| f64::from(k))
                    .collect(),
            )
        } else {
            Err(dtype_error("kappa", array))
        }
    }
}

/// Parses a name with the library's `FromStr` (whose message lists the valid names).
///
/// # Errors
/// `ValueError` naming `arg`.
pub fn name<T: FromStr<Err = softiou::Error>>(arg: &str, text: &str) -> PyResult<T> {
    text.parse()
        .map_err(|e| PyValueError::new_err(format!("{arg}: {e}")))
}

fn untyped<'a, 'py>(
    arg: &str,
    obj: &'a Bound<'py, PyAny>,
    expected: &str,
) -> PyResult<&'a Bound<'py, PyUntypedArray>> {
    obj.cast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{arg}: expected a NumPy array ({expected}), got {}",
            type_name(obj)
        ))
    })
}

fn dtype_error(arg: &str, array: &Bound<'_, PyUntypedArray>) -> PyErr {
    let dtype = array
        .dtype()
        .str()
        .map_or_else(|_| "?".to_owned(), |s| s.to_string());
    PyTypeError::new_err(format!(
        "{arg}: dtype {dtype} is not supported; give float64 or float32 (e.g. {arg}.astype(numpy.float64))"
    ))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |s| s.to_string())
}

/// `(3, 5)`, `(4,)`, `()` as Python prints a shape.
pub fn shape_text(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
