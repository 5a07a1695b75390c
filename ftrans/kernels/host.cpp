// ftrans host template: the same element function and per-element loads and stores as
// the kernels, in a plain C++ loop, so generated code can run on the CPU (tests compare
// it with NumPy). Arguments arrive as arrays of pointers; the group's reduction, if any,
// is a sequential loop over the same (j, k) index map the kernel uses.
${element}

extern "C" void ${name}(void** ft_in, void** ft_out) {
${unpack}
  const long long n_out = ${n_out}LL, r_size = ${r_size}LL;
  for (long long j = 0; j < n_out; ++j) {
    ${acc_t} acc = ${identity};
    for (long long k = 0; k < r_size; ++k) {
${index}
${body}
${accumulate}
    }
    ${store_reduced}
  }
}
