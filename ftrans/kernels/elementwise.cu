// ftrans kernel template: a fused group of elementwise equations.
// The generator fills the placeholders: the element function (generated from the jaxpr equations),
// the kernel's parameters, and per-element loads and stores. Each thread handles elements
// i, i + stride, ... of the group's flattened shape (a grid-stride loop), so any grid size
// covers any n.
${math}

${element}

extern "C" __global__ void ${name}(${params}) {
  const long long n = ${size}LL;
  const long long stride = (long long)blockDim.x * gridDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
${body}
  }
}
