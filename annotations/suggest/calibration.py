"""Calibrated confidence: a raw model score turned into the probability that a suggestion is
right, fitted on held-out articles, and the confidence below which suggestions cost more
than they bring."""

import bisect
from dataclasses import dataclass


@dataclass
class Calibration:
    """Isotonic (pool adjacent violators) map from a raw score to a probability, stored as
    breakpoints and read by linear interpolation, so it is monotone by construction."""

    xs: list[float]
    ys: list[float]

    @classmethod
    def fit(cls, scores: list[float], outcomes: list[int]) -> "Calibration":
        if not scores:
            return cls([0.0, 1.0], [0.0, 1.0])
        pairs = sorted(zip(scores, outcomes))
        blocks = []  # [sum_y, weight, mean_x]
        for x, y in pairs:
            blocks.append([float(y), 1.0, x])
            while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
                y2, w2, x2 = blocks.pop()
                y1, w1, x1 = blocks[-1]
                blocks[-1] = [y1 + y2, w1 + w2, (x1 * w1 + x2 * w2) / (w1 + w2)]
        xs = [b[2] for b in blocks]
        ys = [b[0] / b[1] for b in blocks]
        return cls(xs, ys)

    def __call__(self, x: float) -> float:
        xs, ys = self.xs, self.ys
        if x <= xs[0]:
            return ys[0]
        if x >= xs[-1]:
            return ys[-1]
        j = bisect.bisect_right(xs, x)
        x0, x1, y0, y1 = xs[j - 1], xs[j], ys[j - 1], ys[j]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def best_floor(confidences: list[float], outcomes: list[int], n_gold: int, slack: float = 0.0) -> float:
    """The confidence below which dropping suggestions gives the best held-out F1; with `slack`,
    the lowest one whose F1 is within `slack` of the best (on a flat top, the one that keeps more)."""
    pairs = sorted(zip(confidences, outcomes), reverse=True)
    curve, tp = [], 0  # (confidence, F1 when suggestions down to it are kept)
    for k, (c, ok) in enumerate(pairs, 1):
        tp += ok
        if k == len(pairs) or pairs[k][0] < c:
            curve.append((c, 2 * tp / (k + n_gold) if n_gold else 0.0))
    if not curve:
        return 0.0
    best = max(f1 for _, f1 in curve)
    if slack == 0.0:
        return round(next(c for c, f1 in curve if f1 == best), 4)
    return round(min(c for c, f1 in curve if f1 >= best - slack), 4)
