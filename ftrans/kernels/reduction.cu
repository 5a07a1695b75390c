// ftrans kernel template: a fused group of elementwise equations ending in a reduction.
// Each block reduces one part of one output element's reduced elements: block b works on
// output j = b / parts, part p = b % parts, striding over the reduced index k. The group's
// other outputs are stored along the way (every element is visited exactly once). With
// parts > 1 the partial results go to a scratch buffer that ${name}_finish reduces.
#define FT_BLOCK ${block}
${math}

${element}

extern "C" __global__ void ${name}(${params}) {
  __shared__ ${acc_t} ft_shared[FT_BLOCK];
  const long long n_out = ${n_out}LL, r_size = ${r_size}LL, parts = ${parts}LL;
  for (long long b = blockIdx.x; b < n_out * parts; b += gridDim.x) {
    const long long j = b / parts, p = b % parts;
    ${acc_t} acc = ${identity};
    for (long long k = p * FT_BLOCK + threadIdx.x; k < r_size; k += parts * FT_BLOCK) {
${index}
${body}
${accumulate}
    }
    ft_shared[threadIdx.x] = acc;
    __syncthreads();
    for (int s = FT_BLOCK / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s)
        ft_shared[threadIdx.x] = ${combine}(ft_shared[threadIdx.x], ft_shared[threadIdx.x + s]);
      __syncthreads();
    }
    if (threadIdx.x == 0) ft_partial[b] = ft_shared[0];
    __syncthreads();
  }
}

extern "C" __global__ void ${name}_finish(const ${acc_t}* __restrict__ ft_partial,
                                         ${acc_t}* __restrict__ ft_out) {
  __shared__ ${acc_t} ft_shared[FT_BLOCK];
  const long long n_out = ${n_out}LL, parts = ${parts}LL;
  for (long long j = blockIdx.x; j < n_out; j += gridDim.x) {
    ${acc_t} acc = ${identity};
    for (long long p = threadIdx.x; p < parts; p += FT_BLOCK)
      acc = ${combine}(acc, ft_partial[j * parts + p]);
    ft_shared[threadIdx.x] = acc;
    __syncthreads();
    for (int s = FT_BLOCK / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s)
        ft_shared[threadIdx.x] = ${combine}(ft_shared[threadIdx.x], ft_shared[threadIdx.x + s]);
      __syncthreads();
    }
    if (threadIdx.x == 0) ft_out[j] = ft_shared[0];
    __syncthreads();
  }
}
