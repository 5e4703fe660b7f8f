//! Where a computation runs: the calling thread, all of rayon's threads, or a pool of a
//! given size — always with the GIL released, so other Python threads keep running.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use rayon::prelude::*;
use softiou::batch::Exec;

/// Runs `f` without the GIL: `threads = None` on rayon's global pool (all cores),
/// `Some(1)` serially on the calling thread, `Some(n)` on a pool of `n` threads.
///
/// # Errors
/// `ValueError` for `threads = 0`; `RuntimeError` if a pool cannot be created.
pub fn detached<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    f: impl FnOnce(Exec) -> T + Send,
) -> PyResult<T> {
    match threads {
        None => Ok(py.detach(|| f(Exec::Parallel))),
        Some(0) => Err(PyValueError::new_err(
            "threads: 0 is not valid; give None (all cores) or a number of threads >= 1",
        )),
        Some(1) => Ok(py.detach(|| f(Exec::Serial))),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| PyRuntimeError::new_err(format!("threads: {e}")))?;
            Ok(py.detach(|| pool.install(|| f(Exec::Parallel))))
        }
    }
}

/// Calls `f(i, chunk)` for the `i`-th chunk of `per` elements of `out` (serially, or on
/// the current rayon pool) and returns the error of the smallest failing `i`, as a
/// serial loop would. For the few outputs the library has no batch function for.
pub fn each_chunk<T: Send, E: Send>(
    exec: Exec,
    out: &mut [T],
    per: usize,
    f: impl Fn(usize, &mut [T]) -> Result<(), E> + Sync,
) -> Result<(), E> {
    if out.is_empty() || per == 0 {
        return Ok(());
    }
    match exec {
        Exec::Serial => out
            .chunks_mut(per)
            .enumerate()
            .try_for_each(|(i, c)| f(i, c)),
        Exec::Parallel => out
            .par_chunks_mut(per)
            .enumerate()
            .with_min_len(64)
            .find_map_first(|(i, c)| f(i, c).err())
            .map_or(Ok(()), Err),
    }
}
