"""NumPy's keyword values as ``Literal`` types: ``ftrans.numpy``'s functions annotate their
keywords with them as NumPy's stubs do, so that a type checker passes them on to NumPy.

Each lists the values that every NumPy ftrans supports (>= 1.26) accepts; newer NumPys
accept a few more spellings (``kind="stablesort"``), which run but do not type-check.

>>> from typing import get_args
>>> get_args(SortSide)
('left', 'right')
"""

from __future__ import annotations

from typing import Literal

Casting = Literal["no", "equiv", "safe", "same_kind", "unsafe"]
ConvolveMode = Literal["valid", "same", "full"]
Indexing = Literal["xy", "ij"]
OrderACF = Literal["A", "C", "F"]
OrderKACF = Literal["K", "A", "C", "F"]
PadMode = Literal["constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
                  "reflect", "symmetric", "wrap", "empty"]
QRMode = Literal["reduced", "complete", "r", "raw"]
QuantileMethod = Literal["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
                         "interpolated_inverted_cdf", "hazen", "weibull", "linear",
                         "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint",
                         "nearest"]
SortKind = Literal["quicksort", "mergesort", "heapsort", "stable"]
SortSide = Literal["left", "right"]
TakeMode = Literal["raise", "wrap", "clip"]
Triangle = Literal["L", "U", "l", "u"]  # UPLO: the lower or upper one
