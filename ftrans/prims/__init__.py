"""Every primitive of ftrans, one module per family. Importing this package registers them
all in ``ftrans.core.PRIMITIVES``."""

from . import (  # noqa: F401  # noqa: F401,E402
                    bitwise,
                    complex_parts,
                    cumulative,
                    dot,
                    elementwise,
                    fft,
                    indexing,
                    random,
                    random_gamma,
                    random_poisson,
                    reduce,
                    shape,
                    slicing,  # noqa: F401,E402
                    sorting,
                    stop_gradient,
)
from .dot import dot_general, dot_general_p  # noqa: F401
from .elementwise import *  # noqa: F401,F403
from .reduce import reduce_max_p, reduce_min_p, reduce_sum, reduce_sum_p  # noqa: F401
from .shape import (  # noqa: F401
                    broadcast_in_dim,
                    broadcast_in_dim_p,
                    convert_element_type,
                    convert_element_type_p,
                    expand_dims,
                    expand_dims_p,
                    moveaxis,
                    reshape,
                    reshape_p,
                    squeeze,
                    squeeze_p,
                    transpose,
                    transpose_p,
)
from .slicing import (  # noqa
                    concatenate,
                    concatenate_p,
                    pad,
                    pad_p,
                    rev,
                    rev_p,
                    roll,
                    roll_p,
                    slice_,
                    slice_p,
)
