#!/usr/bin/env python3
"""High-precision reference values for the soft IoU loss of softiou.

Requirements: mpmath>=1.3 (``python3 -m pip install "mpmath>=1.3"``; installing gmpy2 as
well makes it several times faster, mpmath picks it up on its own).

For each input row (predicted box P, target box T, kappa, operator) this computes the soft
IoU loss, the soft IoU, the gradient of the loss with respect to the eight coordinates and
d loss / d kappa, from the exact definitions (see tests/data/README.md):

* Inputs are f64 numbers; each is converted to an exact binary interval of zero width.
* Everything is evaluated in mpmath's interval arithmetic (outward rounding), so every
  output is an interval that contains the exact mathematical value at those inputs.
* Derivatives are exact, not numerical: forward-mode dual numbers (value plus the nine
  partial derivatives) carried through the same closed form, in interval arithmetic.
* The working precision starts at 60 decimal digits and doubles until both ends of every
  output interval round to the same f64 (round to nearest, ties to even, subnormals
  included). That f64 is then the correctly rounded exact value; a value whose interval
  lies within half the smallest subnormal of zero is written as 0.0 (-0.0 when the whole
  interval is negative). This is stricter than "two precision levels agree": an
  interval cannot agree with itself by accident when a cancellation rounds to exactly 0
  at two levels.

Usage:
    python3 tools/reference/generate.py --check            # re-verify both CSV files
    python3 tools/reference/generate.py --extreme          # regenerate the extreme file
    python3 tools/reference/generate.py --check --file tests/data/soft_iou_reference.csv

Runtime (2-core machine, mpmath with gmpy2): see tests/data/README.md.
"""

import argparse
import csv
import math
import os
import random
import sys
import time
from fractions import Fraction

from mpmath import iv

COLUMNS = [
    "px1", "py1", "px2", "py2", "tx1", "ty1", "tx2", "ty2", "kappa", "smoothing",
    "loss", "iou",
    "g_px1", "g_py1", "g_px2", "g_py2", "g_tx1", "g_ty1", "g_tx2", "g_ty2",
    "dloss_dkappa",
]
OUTPUTS = COLUMNS[10:]
NVAR = 9  # eight coordinates, then kappa

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "data"))
MAIN_FILE = os.path.join(DATA, "soft_iou_reference.csv")
EXTREME_FILE = os.path.join(DATA, "soft_iou_reference_extreme.csv")

START_DPS = 60
MAX_DPS = 60 * 2**9  # 30720 digits: far beyond any row we generate
SIGN_DPS = 60 * 2**7  # 7680 digits: how far we go to settle the sign of a zero


# --------------------------------------------------------------------------- dual numbers
class Dual:
    """A value and its nine partial derivatives, all mpmath intervals."""

    __slots__ = ("v", "g")

    def __init__(self, v, g):
        self.v = v
        self.g = g

    @staticmethod
    def const(c):
        return Dual(iv.mpf(c), [iv.mpf(0)] * NVAR)

    @staticmethod
    def var(x, k):
        g = [iv.mpf(0)] * NVAR
        g[k] = iv.mpf(1)
        return Dual(iv.mpf(x), g)

    def __add__(self, o):
        return Dual(self.v + o.v, [a + b for a, b in zip(self.g, o.g)])

    def __sub__(self, o):
        return Dual(self.v - o.v, [a - b for a, b in zip(self.g, o.g)])

    def __neg__(self):
        return Dual(-self.v, [-a for a in self.g])

    def __mul__(self, o):
        return Dual(self.v * o.v, [a * o.v + self.v * b for a, b in zip(self.g, o.g)])

    def __truediv__(self, o):
        q = self.v / o.v
        return Dual(q, [(a - q * b) / o.v for a, b in zip(self.g, o.g)])

    def mid(self):
        return self.v.mid


def d_exp(x):
    e = iv.exp(x.v)
    return Dual(e, [e * a for a in x.g])


def d_log1p(x):
    one_plus = 1 + x.v
    return Dual(iv.log1p(x.v), [a / one_plus for a in x.g])


def d_sigmoid(z):
    """1 / (1 + e^-z) as e^z / (1 + e^z) (z <= 0 here, so e^z <= 1)."""
    e = d_exp(z)
    return e / (Dual.const(1) + e)


# --------------------------------------------------------------------------- definitions
def smax(a, b, op, kappa):
    """Smooth maximum of two dual numbers.

    boltzmann: (a e^{ka} + b e^{kb}) / (e^{ka} + e^{kb}) = hi + (lo - hi) * sigmoid(k (lo - hi))
    logsumexp: ln(e^{ka} + e^{kb}) / k                  = hi + ln(1 + e^{k (lo - hi)}) / k
    Both right-hand sides are identities valid for either assignment of (hi, lo) to (a, b),
    so choosing hi as the larger one (by the interval midpoint) changes only the rounding,
    never the function or its derivatives, exact ties included (each argument gets 1/2).
    """
    if a.mid() >= b.mid():
        hi, lo = a, b
    else:
        hi, lo = b, a
    diff = lo - hi
    z = kappa * diff
    if op == "boltzmann":
        return hi + diff * d_sigmoid(z)
    if op == "logsumexp":
        return hi + d_log1p(d_exp(z)) / kappa
    raise ValueError(f"unknown smoothing {op!r}")


def smin(a, b, op, kappa):
    return -smax(-a, -b, op, kappa)


def soft_iou_dual(row, op):
    """(loss, iou) as dual numbers for row = eight coordinates + kappa (floats)."""
    px1, py1, px2, py2, tx1, ty1, tx2, ty2, kappa = [
        Dual.var(x, k) for k, x in enumerate(row)
    ]
    zero = Dual.const(0)
    w = smax(zero, smin(px2, tx2, op, kappa) - smax(px1, tx1, op, kappa), op, kappa)
    h = smax(zero, smin(py2, ty2, op, kappa) - smax(py1, ty1, op, kappa), op, kappa)
    inter = w * h
    union = (px2 - px1) * (py2 - py1) + (tx2 - tx1) * (ty2 - ty1) - inter
    iou = inter / union
    loss = Dual.const(1) - iou
    return loss, iou, union


# --------------------------------------------------------------------------- rounding
def mpf_raw_to_float(raw):
    """Round an exact mpmath raw mpf (sign, man, exp, bc) to the nearest f64."""
    sign, man, exp, _ = raw
    if man == 0:
        # mpmath's special values have man == 0 and exp != 0 (inf/nan) or exp == 0 (zero)
        if raw[2] == 0 and raw[3] == 0:
            return -0.0 if sign else 0.0
        raise ArithmeticError(f"non-finite interval end {raw}")
    num = int(man) * (2 ** exp if exp > 0 else 1)
    den = 1 if exp > 0 else 2 ** (-exp)
    try:
        x = float(Fraction(num, den))  # correctly rounded, ties to even, subnormals too
    except OverflowError:
        x = math.inf
    if math.isinf(x):
        raise ArithmeticError("interval end beyond the f64 range")
    return -x if sign else x


def _round_end(raw):
    try:
        return mpf_raw_to_float(raw)
    except ArithmeticError:
        if raw[1] == 0:  # an infinite or NaN end: the enclosure is too wide yet
            return math.nan
        return -math.inf if raw[0] else math.inf


def round_interval(x):
    """The f64 both ends of the interval round to, or None if they differ.

    Returns (value, sign_known): sign_known is False for a zero whose interval still
    contains 0, so its sign is not settled.
    """
    a_raw, b_raw = x._mpi_
    a = _round_end(a_raw)
    b = _round_end(b_raw)
    if math.isinf(a) and a == b:
        raise OverflowError("the value is beyond the f64 range")
    if a == b:  # also true for -0.0 == 0.0
        if a == 0.0:
            negative = b_raw[0] == 1 and b_raw[1] != 0  # the whole interval is < 0
            positive = a_raw[0] == 0 and a_raw[1] != 0  # the whole interval is > 0
            return (-0.0 if negative else 0.0), (negative or positive)
        return a, True
    return None, False


class NotFinite(Exception):
    """The formula has no finite value at this row (e.g. a soft union of exactly 0)."""


def evaluate(row, op):
    """Outputs (floats, in OUTPUTS order) and the decimal digits used.

    Raises NotFinite when the soft union is exactly 0 (the only way the formula has no
    finite value at finite inputs); an enclosure that merely still contains 0 or has an
    infinite end is refined by raising the precision. Once every output is settled, a
    zero whose interval still contains 0 gets more precision (up to SIGN_DPS digits) to
    settle its sign; past that it is written as 0.0 (exact zeros, e.g. by symmetry, and
    values below about 10^-SIGN_DPS).
    """
    dps = START_DPS
    settled = None
    while dps <= MAX_DPS:
        iv.dps = dps
        loss, iou, union = soft_iou_dual(row, op)
        if union.v.a == 0 and union.v.b == 0:
            raise NotFinite("soft union is exactly 0")
        try:
            rounded = [round_interval(loss.v), round_interval(iou.v)]
            rounded += [round_interval(g) for g in loss.g]
        except OverflowError as e:
            raise NotFinite(str(e))
        if all(v is not None for v, _ in rounded):
            settled = settled or ([v for v, _ in rounded], dps)
            if all(known for _, known in rounded) or dps >= SIGN_DPS:
                return [v for v, _ in rounded], settled[1]
        dps *= 2
    raise NotFinite(f"no convergence at {MAX_DPS} digits for {row} {op}")


# --------------------------------------------------------------------------- extreme rows
SEED = 20261202

# (name, side length s, offset of the pair from the origin): the coordinates are about
# `offset` while the sides are about `s`, so offset / s measures the cancellation a
# width computed from two coordinates suffers in f64.
SCALES = [
    ("side10_at_1e9", 10.0, 1e9),   # 1e8 side lengths from the origin
    ("side1_at_1e8", 1.0, 1e8),     # 1e8 side lengths
    ("side1_at_1e6", 1.0, 1e6),     # 1e6 side lengths
    ("side1_at_1e4", 1.0, 1e4),     # 1e4 side lengths
    ("side1e-6_at_0", 1e-6, 0.0),   # tiny boxes near the origin
    ("side1e-6_at_1e3", 1e-6, 1e3), # tiny boxes near 1e3 (1e9 side lengths)
]
CONFIGS = ["overlap", "nested", "identical", "touching", "disjoint"]
OPERATORS = ["boltzmann", "logsumexp"]
# kappa * s (s = the target's shorter side) for the two rows of each (scale, config,
# operator): one log-uniform in [0.1, 10], one log-uniform in [10, 1e4]; the grid ends
# 0.1 and 1e4 themselves are hit by the first and last scale.
KS_LOW, KS_MID, KS_HIGH = 0.1, 10.0, 1e4
# Tiny kappa for logsumexp: kappa * s down to 1e-150, where the soft intersection
# (about (ln(5/4) / kappa)^2) dwarfs both areas and the soft union is negative.
TINY_KS = [1e-2, 1e-5, 1e-10, 1e-30, 1e-60, 1e-100, 1e-150]


def _box_pair(rng, config, s, offset):
    """A target and a predicted box (xyxy floats) of the given configuration."""
    ox = offset * (1 + 0.1 * rng.random()) if offset else s * rng.uniform(-3, 3)
    oy = offset * (1 + 0.1 * rng.random()) if offset else s * rng.uniform(-3, 3)
    tw, th = s * rng.uniform(1, 2), s * rng.uniform(1, 2)
    t = [ox, oy, ox + tw, oy + th]
    if config == "overlap":
        dx, dy = tw * rng.uniform(-0.6, 0.6), th * rng.uniform(-0.6, 0.6)
        pw, ph = tw * rng.uniform(0.7, 1.3), th * rng.uniform(0.7, 1.3)
        p = [ox + dx, oy + dy, ox + dx + pw, oy + dy + ph]
    elif config == "nested":
        p = [ox + tw * rng.uniform(0.05, 0.3), oy + th * rng.uniform(0.05, 0.3),
             t[2] - tw * rng.uniform(0.05, 0.3), t[3] - th * rng.uniform(0.05, 0.3)]
        if rng.random() < 0.5:  # the target inside the prediction half of the time
            p, t = t, p
    elif config == "identical":
        p = list(t)
    elif config == "touching":
        # P's left edge is T's right edge (the same float), rows overlapping in y
        pw, ph = tw * rng.uniform(0.5, 1.5), th * rng.uniform(0.5, 1.5)
        dy = th * rng.uniform(-0.5, 0.5)
        p = [t[2], oy + dy, t[2] + pw, oy + dy + ph]
    elif config == "disjoint":
        gap = s * rng.uniform(0.1, 2.0)
        pw, ph = tw * rng.uniform(0.5, 1.5), th * rng.uniform(0.5, 1.5)
        if rng.random() < 0.5:  # apart along x only
            dy = th * rng.uniform(-0.5, 0.5)
            p = [t[2] + gap, oy + dy, t[2] + gap + pw, oy + dy + ph]
        else:  # apart along both axes
            gy = s * rng.uniform(0.1, 2.0)
            p = [t[0] - gap - pw, t[1] - gy - ph, t[0] - gap, t[1] - gy]
    else:
        raise ValueError(config)
    if not (p[0] < p[2] and p[1] < p[3] and t[0] < t[2] and t[1] < t[3]):
        raise AssertionError(f"degenerate box from {config} at s={s}, offset={offset}")
    return p, t


def _kappa(ks, t):
    return ks / min(t[2] - t[0], t[3] - t[1])


def extreme_inputs():
    """The inputs of the extreme file, deterministic (seeded): [(8 coords + kappa, op)]."""
    rng = random.Random(SEED)
    rows = []
    for si, (_, s, offset) in enumerate(SCALES):
        for config in CONFIGS:
            for op in OPERATORS:
                p, t = _box_pair(rng, config, s, offset)
                low = math.exp(rng.uniform(math.log(KS_LOW), math.log(KS_MID)))
                high = math.exp(rng.uniform(math.log(KS_MID), math.log(KS_HIGH)))
                if si == 0 and config == "overlap":
                    low = KS_LOW
                if si == len(SCALES) - 1 and config == "disjoint":
                    high = KS_HIGH
                for ks in (low, high):
                    rows.append((p + t + [_kappa(ks, t)], op))
    for i, ks in enumerate(TINY_KS):
        for si in (i % len(SCALES), (i + 3) % len(SCALES)):
            _, s, offset = SCALES[si]
            config = CONFIGS[(i + si) % len(CONFIGS)]
            p, t = _box_pair(rng, config, s, offset)
            rows.append((p + t + [_kappa(ks, t)], "logsumexp"))
    return rows


# --------------------------------------------------------------------------- CSV helpers
def read_rows(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        if header != COLUMNS:
            raise SystemExit(f"{path}: unexpected header {header}")
        return [line for line in r]


def fmt(x):
    return repr(float(x))


def ulps(a, b):
    """Distance in units in the last place between two finite floats (0 for +-0)."""
    if a == b:
        return 0
    def key(x):
        i = int.from_bytes(__import__("struct").pack(">d", x), "big")
        return i if i < 2**63 else -(i - 2**63)
    return abs(key(a) - key(b))


def check_file(path, verbose=False):
    """Recompute every output of every row; print a summary. Returns True if all match."""
    rows = read_rows(path)
    t0 = time.time()
    n_vals = n_exact = n_zero_sign = 0
    worst = (0, None)
    max_dps = 0
    mismatched_rows = set()
    for i, line in enumerate(rows):
        inputs = [float(v) for v in line[:9]]
        op = line[9]
        vals, dps = evaluate(inputs, op)
        max_dps = max(max_dps, dps)
        for name, ref_s, ours in zip(OUTPUTS, line[10:], vals):
            ref = float(ref_s)
            n_vals += 1
            if repr(ref) == repr(ours):
                n_exact += 1
                continue
            if ref == ours:  # +0.0 vs -0.0
                n_zero_sign += 1
                continue
            mismatched_rows.add(i)
            d = ulps(ref, ours)
            if verbose:
                print(f"  line {i + 2} {name}: file {ref!r} ours {ours!r} ({d} ulps)")
            if d > worst[0]:
                worst = (d, f"line {i + 2} {name}: file {ref!r} ours {ours!r}")
    dt = time.time() - t0
    print(f"{os.path.relpath(path)}: {len(rows)} rows, {n_vals} values in {dt:.1f} s "
          f"(up to {max_dps} digits)")
    print(f"  bit-for-bit: {n_exact}; equal but for the sign of zero: {n_zero_sign}; "
          f"different: {n_vals - n_exact - n_zero_sign} in {len(mismatched_rows)} rows")
    if worst[1]:
        print(f"  worst difference: {worst[0]} ulps ({worst[1]})")
    return n_vals == n_exact + n_zero_sign, n_vals, n_exact, n_zero_sign, worst


def check_extreme_inputs():
    """The extreme file's inputs are exactly what extreme_inputs() generates."""
    want = [[fmt(v) for v in x] + [op] for x, op in extreme_inputs()]
    have = [line[:10] for line in read_rows(EXTREME_FILE)]
    same = want == have
    print(f"  inputs {'match' if same else 'DO NOT match'} the seeded generator "
          f"({len(have)} rows in the file, {len(want)} generated)")
    return same


def compute_rows(inputs):
    """Rows (lists of strings) for (coords8 + kappa, op) inputs; skipped count."""
    out, skipped = [], 0
    for x, op in inputs:
        try:
            vals, _ = evaluate(x, op)
        except NotFinite:
            skipped += 1
            continue
        out.append([fmt(v) for v in x] + [op] + [fmt(v) for v in vals])
    return out, skipped


def write_csv(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="recompute every row of the CSV files and compare")
    ap.add_argument("--extreme", action="store_true",
                    help="regenerate tests/data/soft_iou_reference_extreme.csv")
    ap.add_argument("--file", action="append",
                    help="with --check: only this CSV file (repeatable)")
    ap.add_argument("--verbose", action="store_true", help="list every differing value")
    args = ap.parse_args(argv)
    if not (args.check or args.extreme):
        ap.error("nothing to do: give --check and/or --extreme")
    ok = True
    if args.extreme:
        t0 = time.time()
        rows, skipped = compute_rows(extreme_inputs())
        write_csv(EXTREME_FILE, rows)
        print(f"wrote {os.path.relpath(EXTREME_FILE)}: {len(rows)} rows "
              f"({skipped} skipped) in {time.time() - t0:.1f} s")
    if args.check:
        paths = args.file or [MAIN_FILE, EXTREME_FILE]
        for path in paths:
            ok &= check_file(path, args.verbose)[0]
        if os.path.abspath(EXTREME_FILE) in map(os.path.abspath, paths):
            ok &= check_extreme_inputs()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
