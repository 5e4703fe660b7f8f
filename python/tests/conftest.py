"""Shared fixtures: the repository's reference rows and the `softiou` command-line tool,
whose output the package must reproduce bit for bit."""

import csv
import io
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tests" / "data" / "soft_iou_reference.csv"
INPUT_COLUMNS = ["px1", "py1", "px2", "py2", "tx1", "ty1", "tx2", "ty2", "kappa"]
OUTPUT_COLUMNS = [
    "loss", "iou",
    "g_px1", "g_py1", "g_px2", "g_py2",
    "g_tx1", "g_ty1", "g_tx2", "g_ty2",
    "dloss_dkappa",
]


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `softiou` binary of this checkout: the newest of target/release and
    target/debug, built with `cargo build --bin softiou` if there is neither."""
    found = [REPO / "target" / d / "softiou" for d in ("release", "debug")]
    found = [p for p in found if p.is_file()]
    if not found:
        subprocess.run(
            ["cargo", "build", "--bin", "softiou"], cwd=REPO, check=True
        )
        found = [REPO / "target" / "debug" / "softiou"]
    return max(found, key=lambda p: p.stat().st_mtime)


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="session")
def reference_rows() -> list[dict[str, str]]:
    rows = read_csv(REFERENCE.read_text())
    assert len(rows) == 300  # the file's 300 public rows, none lost by the reader
    return rows


@pytest.fixture(scope="session")
def run_batch(cli, tmp_path_factory):
    """`run_batch(rows, loss)`: the CLI's `softiou batch --loss LOSS` output for `rows`
    (dicts with the input columns and `smoothing`), as a list of dicts."""
    def run(rows, loss):
        d = tmp_path_factory.mktemp("batch")
        src, out = d / "in.csv", d / "out.csv"
        with src.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=INPUT_COLUMNS + ["smoothing"])
            w.writeheader()
            for r in rows:
                w.writerow({k: r[k] for k in INPUT_COLUMNS + ["smoothing"]})
        subprocess.run(
            [cli, "batch", "--input", src, "--output", out, "--loss", loss],
            check=True,
        )
        return read_csv(out.read_text())
    return run


def column(rows, *names) -> np.ndarray:
    """The named columns of `rows` as float64 (Python's float() reads the CLI's
    shortest round-trip decimals back to the exact same doubles)."""
    a = np.array([[float(r[n]) for n in names] for r in rows], dtype=np.float64)
    return a[:, 0] if len(names) == 1 else a


def random_pairs(n: int, seed: int = 0):
    """The peer benchmark's workload: widths and heights in [1, 50], every coordinate in
    [0, 100]."""
    rng = np.random.default_rng(seed)

    def boxes():
        w, h = rng.uniform(1.0, 50.0, n), rng.uniform(1.0, 50.0, n)
        x0 = rng.uniform(0.0, 1.0, n) * (100.0 - w)
        y0 = rng.uniform(0.0, 1.0, n) * (100.0 - h)
        return np.stack([x0, y0, x0 + w, y0 + h], axis=1)

    return boxes(), boxes()
