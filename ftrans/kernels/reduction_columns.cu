// ftrans kernel template: a fused group of elementwise equations ending in a reduction
// over leading axes (a column sum, as a bias gradient is). Thread t works on output
// j = t % n_out, part p = t / n_out, for k = p, p + parts, ...: neighbouring threads read
// neighbouring elements (coalesced), unlike reduction.cu's block-per-output layout, which
// suits reductions over trailing axes. Partial results go to ft_partial[j * parts + p],
// which ${name}_finish reduces when parts > 1 (with parts == 1 it is the output).
#define FT_BLOCK ${block}
${math}

${element}

extern "C" __global__ void ${name}(${params}) {
  const long long n_out = ${n_out}LL, r_size = ${r_size}LL, parts = ${parts}LL;
  const long long stride = (long long)blockDim.x * gridDim.x;
  for (long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x; t < n_out * parts;
       t += stride) {
    const long long j = t % n_out, p = t / n_out;
    ${acc_t} acc = ${identity};
    for (long long k = p; k < r_size; k += parts) {
${index}
${body}
${accumulate}
    }
    ft_partial[j * parts + p] = acc;
  }
}

extern "C" __global__ void ${name}_finish(const ${acc_t}* __restrict__ ft_partial,
                                         ${acc_t}* __restrict__ ft_out) {
  const long long n_out = ${n_out}LL, parts = ${parts}LL;
  const long long stride = (long long)blockDim.x * gridDim.x;
  for (long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x; j < n_out; j += stride) {
    ${acc_t} acc = ${identity};
    for (long long p = 0; p < parts; ++p) acc = ${combine}(acc, ft_partial[j * parts + p]);
    ft_out[j] = acc;
  }
}
