"""``ftrans.scipy``: the parts of SciPy's API that ftrans differentiates, with SciPy's names:
``ftrans.scipy.special``, ``ftrans.scipy.stats`` and ``ftrans.scipy.linalg``. SciPy itself is
optional; it is imported only when installed and a special function is first computed.

>>> import ftrans.scipy.special as fsp
>>> float(fsp.erf(0.0))
0.0
"""

from . import linalg, signal, special, stats  # noqa: F401

__all__ = ["linalg", "signal", "special", "stats"]
