// ftrans element functions: one inline __host__ __device__ function per helper that the
// primitives' CUDA expressions name (ft_sign, ft_logistic, ft_ipow, ft_max, ft_min), plus
// the constants generated code uses. The standard math functions (sin, exp, log1p, atan2,
// pow, fabs, ...) come from CUDA's math library on the device and from <cmath> on the host,
// overloaded for float and double in both places.
//
// NaN and infinity behave as NumPy's: ft_max/ft_min propagate NaN (np.maximum/np.minimum,
// unlike fmax/fmin), ft_sign(NaN) is NaN, ft_logistic saturates to 0 and 1.
//
// Self-contained on purpose: NVRTC (what CuPy's RawModule uses) has no standard headers, so
// this file includes nothing when compiled for the device, and the generator pastes it at
// the top of every kernel source.
#ifndef FTRANS_FT_MATH_CUH
#define FTRANS_FT_MATH_CUH

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define FT_HD __host__ __device__ __forceinline__
#else  // a plain C++ host build (the tests' CPU emulation of generated element code)
#include <cmath>
#define FT_HD inline
using std::acos; using std::asin; using std::atan; using std::atan2; using std::cos;
using std::cosh; using std::exp; using std::expm1; using std::fabs; using std::log;
using std::log1p; using std::pow; using std::sin; using std::sinh; using std::sqrt;
using std::tan; using std::tanh;
#endif

// ----------------------------------------------------------------------------- constants

FT_HD double ft_bits_f64(unsigned long long bits) {
  union { unsigned long long u; double d; } v;
  v.u = bits;
  return v.d;
}

FT_HD float ft_bits_f32(unsigned int bits) {
  union { unsigned int u; float f; } v;
  v.u = bits;
  return v.f;
}

#define FT_INF_F64 ft_bits_f64(0x7ff0000000000000ULL)
#define FT_NAN_F64 ft_bits_f64(0x7ff8000000000000ULL)
#define FT_INF_F32 ft_bits_f32(0x7f800000U)
#define FT_NAN_F32 ft_bits_f32(0x7fc00000U)

// ----------------------------------------------------------------------------- helpers

template <typename T> FT_HD bool ft_isnan(T x) { return x != x; }

// np.sign: -1, 0 or 1; NaN stays NaN.
template <typename T> FT_HD T ft_sign(T x) {
  return ft_isnan(x) ? x : (x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)));
}
FT_HD bool ft_sign(bool x) { return x; }

// Reduction combiners: ft_add for sums, ft_max / ft_min (below) for extrema.
template <typename T> FT_HD T ft_add(T a, T b) { return a + b; }

// np.maximum / np.minimum: NaN in either operand gives NaN.
template <typename T> FT_HD T ft_max(T a, T b) { return (ft_isnan(a) || a > b) ? a : b; }
template <typename T> FT_HD T ft_min(T a, T b) { return (ft_isnan(a) || a < b) ? a : b; }

// The logistic function 1 / (1 + exp(-x)), as ftrans's impl computes it: exp(-x)
// overflowing to inf gives exactly 0.
FT_HD double ft_logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
FT_HD float ft_logistic(float x) { return 1.0f / (1.0f + exp(-x)); }

// x ** y for a static integer y, as ftrans's impl computes it with NumPy: pow(x, y) for
// y >= 0 and 1 / pow(x, -y) for y < 0 (x ** 0 is 1 for every x, NaN included); the
// exact cases y = 0, 1, 2 skip pow. Integers multiply (wrapping like NumPy's).
template <typename T> FT_HD T ft_ipow_nonneg(T x, int y) {
  if (y == 0) return T(1);
  if (y == 1) return x;
  if (y == 2) return x * x;
  return pow(x, T(y));
}
template <typename T> FT_HD T ft_ipow_float(T x, int y) {
  return y < 0 ? T(1) / ft_ipow_nonneg(x, -y) : ft_ipow_nonneg(x, y);
}
FT_HD double ft_ipow(double x, int y) { return ft_ipow_float(x, y); }
FT_HD float ft_ipow(float x, int y) { return ft_ipow_float(x, y); }
template <typename T> FT_HD T ft_ipow(T x, int y) {
  T acc = T(1);
  for (int i = 0; i < y; ++i) acc = acc * x;
  return acc;
}

#endif  // FTRANS_FT_MATH_CUH
