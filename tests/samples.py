"""The table of primitive samples: every registered primitive has at least one row.

A row (``Sample``) is a function of float arrays that applies the primitive (through
``ftrans.numpy`` or ``ftrans.lax``) and the arguments to call it with. Every transform is
checked on every row by ``test_primitives.py``. Each area keeps its rows in its own
``samples_<area>.py``; add its list here.
"""

from samples_core import CORE_SAMPLES, Sample, pos, r  # noqa: F401

SAMPLES = [*CORE_SAMPLES]

from samples_control import CONTROL_SAMPLES  # noqa: E402

SAMPLES += CONTROL_SAMPLES

from samples_numpy_api import NUMPY_API_SAMPLES  # noqa: E402

SAMPLES += NUMPY_API_SAMPLES

from samples_linalg import LINALG_SAMPLES, SPECIAL_SAMPLES  # noqa: E402

SAMPLES += [*LINALG_SAMPLES, *SPECIAL_SAMPLES]

from samples_numpy_stats import NUMPY_STATS_SAMPLES  # noqa: E402

SAMPLES += NUMPY_STATS_SAMPLES

from samples_complex import COMPLEX_SAMPLES  # noqa: E402

SAMPLES += COMPLEX_SAMPLES

from samples_random import RANDOM_SAMPLES  # noqa: E402

SAMPLES += RANDOM_SAMPLES

from samples_fft import FFT_SAMPLES  # noqa: E402

SAMPLES += FFT_SAMPLES

from samples_lax import LAX_SAMPLES  # noqa: E402

SAMPLES += LAX_SAMPLES

from samples_special import SPECIAL2_SAMPLES, STATS_SAMPLES  # noqa: E402

SAMPLES += [*SPECIAL2_SAMPLES, *STATS_SAMPLES]
