//! `softiou._native`: the compiled half of the `softiou` Python package.
//!
//! Every number comes from the `softiou` library's batch API ([`Batch`]) or, for the
//! pairwise matrices, from its per-pair functions; this crate only reads NumPy arrays,
//! calls the library with the GIL released and copies the results into new arrays. The
//! Python half (`softiou/_api.py`) adds the torchvision-style signatures, dtypes and
//! reductions.
//!
//! All computation is in f64: float32 input is widened exactly; the Python half rounds
//! the results back to float32.

mod errors;
mod input;
mod run;

use numpy::{PyArray1, PyArray2, PyArray3, PyArrayMethods};
use pyo3::prelude::*;
use softiou::batch::{Batch, Engine, Exec};
use softiou::evaluate::Evaluation;
use softiou::iou::check_kappa;
use softiou::{BBox, BoxFormat, Error, Loss, LossKind, Smoothing, hard_iou, soft_iou};

use errors::{Args, PRED_TARGET};
use input::{Kappa, Rows, name};

/// The arguments every loss function takes, read and checked.
struct Pairs<'py> {
    job: Job,
    pred: Rows<'py>,
    target: Rows<'py>,
}

/// What to compute on the pairs (plain data, so it crosses into the threads that run
/// without the GIL; the rows go as slices).
struct Job {
    loss: Loss,
    kappa: Kappa,
}

impl<'py> Pairs<'py> {
    fn read(
        loss: &str,
        pred: &Bound<'py, PyAny>,
        target: &Bound<'py, PyAny>,
        kappa: &Bound<'py, PyAny>,
        smoothing: &str,
        box_format: &str,
    ) -> PyResult<Self> {
        let kind: LossKind = name("loss", loss)?;
        let smoothing: Smoothing = name("smoothing", smoothing)?;
        let format: BoxFormat = name("box_format", box_format)?;
        let pred = Rows::read("pred", pred, format)?;
        let target = Rows::read("target", target, format)?;
        if target.len() != pred.len() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "target: has {} boxes but pred has {}; give one target box per predicted box",
                target.len(),
                pred.len()
            )));
        }
        let kappa = Kappa::read(kappa, pred.len())?;
        Ok(Pairs {
            job: Job {
                loss: Loss::new(kind, smoothing),
                kappa,
            },
            pred,
            target,
        })
    }

    /// The job and the two boxes' rows, ready to cross into [`run::detached`].
    fn parts(&self) -> (&Job, &[[f64; 4]], &[[f64; 4]]) {
        (&self.job, self.pred.rows(), self.target.rows())
    }
}

impl Job {
    /// The batch evaluator at the one κ (checked here, before any pair), on the lane
    /// engine: the engine of `softiou batch`, whose numbers these are, bit for bit.
    fn batch(&self, exec: Exec, kappa: f64) -> Result<Batch<f64>, Error> {
        Ok(Batch::new(self.loss, kappa)?.exec(exec).engine(Engine::Auto))
    }

    /// The batch evaluator for a κ per pair (each checked with its pair), on the lane
    /// engine.
    fn per_pair(&self, exec: Exec) -> Batch<f64, ()> {
        Batch::kappa_per_pair(self.loss).exec(exec).engine(Engine::Auto)
    }

    /// Every pair's full evaluation (loss, gradients wrt both boxes, ∂loss/∂κ), as
    /// columns. The library fills [`Evaluation`]s (a few hundred bytes each, Hessian slot
    /// included) [`CHUNK`] pairs at a time, so memory stays that of the outputs.
    fn evaluate(&self, exec: Exec, p: &[[f64; 4]], t: &[[f64; 4]]) -> Result<Columns, Error> {
        let n = p.len();
        let one = match self.kappa {
            Kappa::One(k) => Some(self.batch(exec, k)?),
            Kappa::PerRow(_) => None,
        };
        let per_pair = self.per_pair(exec);
        let mut cols = Columns {
            loss: Vec::with_capacity(n),
            grad_pred: Vec::with_capacity(n),
            grad_target: Vec::with_capacity(n),
            dkappa: Vec::with_capacity(n),
            outside: Vec::with_capacity(n),
        };
        let mut buf = vec![Evaluation::default(); CHUNK.min(n)];
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let k = match &self.kappa {
                Kappa::One(_) => None,
                Kappa::PerRow(k) => Some(&k[start..end]),
            };
            let (pb, tb) = checked(&p[start..end], &t[start..end], k)
                .map_err(|e| errors::shifted(e, start))?;
            let out = &mut buf[..end - start];
            match (&one, k) {
                (Some(batch), _) => batch.evaluate(&pb, &tb, out),
                (None, Some(k)) => per_pair.evaluate_kappas(&pb, &tb, k, out),
                (None, None) => unreachable!("a per-row kappa has its rows"),
            }
            .map_err(|e| errors::shifted(e, start))?;
            for e in out.iter() {
                cols.loss.push(e.loss);
                cols.grad_pred.push(e.grad_pred);
                cols.grad_target.push(e.grad_target);
                cols.dkappa.push(e.dloss_dkappa);
                cols.outside.push(!e.region.is_meaningful());
            }
        }
        Ok(cols)
    }
}

/// The rows as validated boxes for the evaluate functions of the batch API, which take
/// [`BBox`]es; with a κ per row, each row's κ is checked with its boxes, so that the
/// error is that of the first bad row (its index in `p`), as the other batch functions
/// report it.
fn checked(
    p: &[[f64; 4]],
    t: &[[f64; 4]],
    kappa: Option<&[f64]>,
) -> Result<(Vec<BBox<f64>>, Vec<BBox<f64>>), Error> {
    let at = |index, what, source| Error::InPair {
        index,
        what,
        source: Box::new(source),
    };
    let mut boxes = (Vec::with_capacity(p.len()), Vec::with_capacity(p.len()));
    for (i, (p, t)) in p.iter().zip(t).enumerate() {
        boxes.0.push(BBox::from_xyxy(*p).map_err(|e| at(i, "predicted box", e))?);
        boxes.1.push(BBox::from_xyxy(*t).map_err(|e| at(i, "target box", e))?);
        if let Some(k) = kappa {
            check_kappa(&k[i]).map_err(|e| at(i, "kappa", e))?;
        }
    }
    Ok(boxes)
}

/// Pairs evaluated together by [`Job::evaluate`]: 16 parallel tasks of the batch API.
const CHUNK: usize = 1 << 16;

/// The columns of the pairs' evaluations.
struct Columns {
    loss: Vec<f64>,
    grad_pred: Vec<[f64; 4]>,
    grad_target: Vec<[f64; 4]>,
    dkappa: Vec<f64>,
    /// Outside the meaningful region (`softiou::Region`: soft IoU not in [0, 1]).
    outside: Vec<bool>,
}

fn array2<'py>(py: Python<'py>, rows: Vec<[f64; 4]>) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let n = rows.len();
    PyArray1::from_vec(py, rows.into_flattened()).reshape([n, 4])
}

/// The loss of every pair, shape (N,).
#[pyfunction]
#[pyo3(signature = (loss, pred, target, kappa, smoothing, box_format, threads=None))]
#[allow(clippy::too_many_arguments)]
fn losses<'py>(
    py: Python<'py>,
    loss: &str,
    pred: &Bound<'py, PyAny>,
    target: &Bound<'py, PyAny>,
    kappa: &Bound<'py, PyAny>,
    smoothing: &str,
    box_format: &str,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let pairs = Pairs::read(loss, pred, target, kappa, smoothing, box_format)?;
    let (job, p, t) = pairs.parts();
    let value = run::detached(py, threads, |exec| match &job.kappa {
        Kappa::One(k) => {
            let mut value = vec![0.0; p.len()];
            job.batch(exec, *k)?.loss(p, t, &mut value)?;
            Ok(value)
        }
        Kappa::PerRow(k) => {
            let mut value = vec![0.0; p.len()];
            job.per_pair(exec).loss_kappas(p, t, k, &mut value)?;
            Ok(value)
        }
    })?
    .map_err(|e| errors::batch(e, PRED_TARGET))?;
    Ok(PyArray1::from_vec(py, value))
}

/// What `evaluate` returns: loss (N,), ∂loss/∂pred (N, 4), ∂loss/∂target (N, 4),
/// ∂loss/∂κ (N,), and the out-of-region flags (N,) bool (the library's `Region` is not
/// `Meaningful`: soft IoU outside [0, 1]).
type Evaluated<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Option<Bound<'py, PyArray1<bool>>>,
);

/// Loss, exact gradients wrt both boxes and ∂loss/∂κ of every pair.
#[pyfunction]
#[pyo3(signature = (loss, pred, target, kappa, smoothing, box_format, threads=None))]
#[allow(clippy::too_many_arguments)]
fn evaluate<'py>(
    py: Python<'py>,
    loss: &str,
    pred: &Bound<'py, PyAny>,
    target: &Bound<'py, PyAny>,
    kappa: &Bound<'py, PyAny>,
    smoothing: &str,
    box_format: &str,
    threads: Option<usize>,
) -> PyResult<Evaluated<'py>> {
    let pairs = Pairs::read(loss, pred, target, kappa, smoothing, box_format)?;
    let (job, p, t) = pairs.parts();
    let out = run::detached(py, threads, |exec| job.evaluate(exec, p, t))?
        .map_err(|e| errors::batch(e, PRED_TARGET))?;
    // True where the library's `Region` is not `Meaningful` (soft IoU outside [0, 1]).
    let flags = Some(PyArray1::from_vec(py, out.outside));
    Ok((
        PyArray1::from_vec(py, out.loss),
        array2(py, out.grad_pred)?,
        array2(py, out.grad_target)?,
        PyArray1::from_vec(py, out.dkappa),
        flags,
    ))
}

/// What `grad_pred` returns: loss (N,), ∂loss/∂pred (N, 4).
type LossGrad<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray2<f64>>);

/// The loss and its exact gradient wrt the predicted box only, of every pair: one
/// forward pass on a 4-component dual number instead of the full evaluation (about a
/// third of the time), for training loops that need nothing else.
#[pyfunction]
#[pyo3(signature = (loss, pred, target, kappa, smoothing, box_format, threads=None))]
#[allow(clippy::too_many_arguments)]
fn grad_pred<'py>(
    py: Python<'py>,
    loss: &str,
    pred: &Bound<'py, PyAny>,
    target: &Bound<'py, PyAny>,
    kappa: &Bound<'py, PyAny>,
    smoothing: &str,
    box_format: &str,
    threads: Option<usize>,
) -> PyResult<LossGrad<'py>> {
    let pairs = Pairs::read(loss, pred, target, kappa, smoothing, box_format)?;
    let (job, p, t) = pairs.parts();
    let n = p.len();
    let (value, grad) = run::detached(py, threads, |exec| {
        let (mut value, mut grad) = (vec![0.0; n], vec![[0.0; 4]; n]);
        match &job.kappa {
            Kappa::One(k) => job.batch(exec, *k)?.grad(p, t, &mut value, &mut grad)?,
            Kappa::PerRow(k) => job.per_pair(exec).grad_kappas(p, t, k, &mut value, &mut grad)?,
        }
        Ok::<_, Error>((value, grad))
    })?
    .map_err(|e| errors::batch(e, PRED_TARGET))?;
    Ok((PyArray1::from_vec(py, value), array2(py, grad)?))
}

/// The Hessian of the loss wrt the predicted box of every pair, shape (N, 4, 4).
#[pyfunction]
#[pyo3(signature = (loss, pred, target, kappa, smoothing, box_format, threads=None))]
#[allow(clippy::too_many_arguments)]
fn hessian<'py>(
    py: Python<'py>,
    loss: &str,
    pred: &Bound<'py, PyAny>,
    target: &Bound<'py, PyAny>,
    kappa: &Bound<'py, PyAny>,
    smoothing: &str,
    box_format: &str,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray3<f64>>> {
    let pairs = Pairs::read(loss, pred, target, kappa, smoothing, box_format)?;
    let (job, p, t) = pairs.parts();
    let n = p.len();
    let hessians = run::detached(py, threads, |exec| {
        let mut hess = vec![[[0.0; 4]; 4]; n];
        match &job.kappa {
            // The Hessians are those of `softiou eval --hessian` bit for bit: the scalar
            // engine (the CLI computes no Hessians on lanes).
            Kappa::One(k) => {
                let (mut value, mut grad) = (vec![0.0; n], vec![[0.0; 4]; n]);
                Batch::new(job.loss, *k)?
                    .exec(exec)
                    .hessian(p, t, &mut value, &mut grad, &mut hess)?;
            }
            // No batch function takes a κ per pair and returns Hessians: run the batch
            // function on chunks of one pair each, at that pair's κ.
            Kappa::PerRow(k) => run::each_chunk(exec, &mut hess, 1, |i, h| {
                let (mut value, mut grad) = ([0.0], [[0.0; 4]]);
                Batch::new(job.loss, k[i])
                    .and_then(|b| b.hessian(&p[i..=i], &t[i..=i], &mut value, &mut grad, h))
                    .map_err(|e| errors::at_row(e, i))
            })?,
        }
        Ok::<_, Error>(hess)
    })?
    .map_err(|e| errors::batch(e, PRED_TARGET))?;
    PyArray1::from_vec(py, hessians.into_flattened().into_flattened()).reshape([n, 4, 4])
}

/// Validated boxes of a pairwise function, for the library's per-pair functions.
fn boxes(arg: &'static str, rows: &Rows<'_>) -> PyResult<Vec<BBox<f64>>> {
    rows.rows()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            BBox::from_xyxy(*r).map_err(|e| {
                pyo3::exceptions::PyValueError::new_err(format!("{arg}: row {i} (0-based): {e}"))
            })
        })
        .collect()
}

/// The (N, M) matrix `f(a[i], b[j])`, computed row by row without the GIL; the error
/// of the first failing pair in row-major order.
fn pairwise<'py>(
    py: Python<'py>,
    a: &[BBox<f64>],
    b: &[BBox<f64>],
    threads: Option<usize>,
    f: impl Fn(&BBox<f64>, &BBox<f64>) -> Result<f64, Error> + Sync,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (n, m) = (a.len(), b.len());
    let out = run::detached(py, threads, |exec| {
        let mut out = vec![0.0; n * m];
        run::each_chunk(exec, &mut out, m, |i, row| {
            for (j, (o, q)) in row.iter_mut().zip(b).enumerate() {
                *o = f(&a[i], q).map_err(|e| (i, j, e))?;
            }
            Ok(())
        })
        .map(|()| out)
    })?
    .map_err(|(i, j, e)| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "a, b: row {i} of a and row {j} of b (0-based): {e}"
        ))
    })?;
    PyArray1::from_vec(py, out).reshape([n, m])
}

/// Pairwise hard IoU, shape (N, M), as `torchvision.ops.box_iou`.
#[pyfunction]
#[pyo3(signature = (a, b, box_format, threads=None))]
fn box_iou<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    box_format: &str,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let format: BoxFormat = name("box_format", box_format)?;
    let a = boxes("a", &Rows::read("a", a, format)?)?;
    let b = boxes("b", &Rows::read("b", b, format)?)?;
    pairwise(py, &a, &b, threads, |p, q| Ok(hard_iou(p, q)))
}

/// Pairwise soft IoU with operator `smoothing` at one κ, shape (N, M).
#[pyfunction]
#[pyo3(signature = (a, b, kappa, smoothing, box_format, threads=None))]
fn soft_box_iou<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    kappa: f64,
    smoothing: &str,
    box_format: &str,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let smoothing: Smoothing = name("smoothing", smoothing)?;
    let format: BoxFormat = name("box_format", box_format)?;
    check_kappa(&kappa).map_err(|e| {
        errors::batch(
            e,
            Args {
                first: "a",
                second: "b",
            },
        )
    })?;
    let a = boxes("a", &Rows::read("a", a, format)?)?;
    let b = boxes("b", &Rows::read("b", b, format)?)?;
    pairwise(py, &a, &b, threads, |p, q| soft_iou(p, q, kappa, smoothing))
}

/// The κ (1/coordinate units) that keeps |soft − hard| IoU loss within `tolerance` for
/// boxes of shorter side `side`: the library's κ rule (`kappa_rule::kappa_s_within`, the
/// worst case over its standard pairs) divided by the side.
#[pyfunction]
#[pyo3(signature = (side, tolerance, smoothing))]
fn kappa_for(side: f64, tolerance: f64, smoothing: &str) -> PyResult<f64> {
    let smoothing: Smoothing = name("smoothing", smoothing)?;
    if !(side.is_finite() && side > 0.0) {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "side: {side:?} is not valid; a box side must be a finite number > 0"
        )));
    }
    let (kappa_s, _) = softiou::kappa_rule::kappa_s_within(smoothing, tolerance)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(kappa_s / side)
}

/// The compiled module `softiou._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(losses, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(grad_pred, m)?)?;
    m.add_function(wrap_pyfunction!(hessian, m)?)?;
    m.add_function(wrap_pyfunction!(box_iou, m)?)?;
    m.add_function(wrap_pyfunction!(soft_box_iou, m)?)?;
    m.add_function(wrap_pyfunction!(kappa_for, m)?)?;
    Ok(())
}
