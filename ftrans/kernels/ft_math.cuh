// ftrans element functions: one inline __host__ __device__ function per helper that the
// primitives' CUDA expressions name (ft_sign, ft_logistic, ft_ipow, ft_max, ft_min,
// ft_logaddexp, ft_logaddexp2, ft_erfinv, ft_digamma, the integer ft_bitnot, ft_shl,
// ft_shr_logical, ft_shr_arith and ft_threefry2x32), the reduction
// combiners (ft_add, ft_mul, ft_max, ft_min), plus the constants generated code uses. The
// standard math functions (sin, exp, log1p, atan2, pow, fabs, erf, lgamma, cbrt, hypot,
// copysign, rint, isnan, ...) come from CUDA's math library on the device and from <cmath>
// on the host, overloaded for float and double in both places.
//
// NaN and infinity behave as NumPy's: ft_max/ft_min propagate NaN (np.maximum/np.minimum,
// unlike fmax/fmin), ft_sign(NaN) is NaN, ft_logistic saturates to 0 and 1,
// ft_logaddexp(inf, inf) is inf. The special functions follow ftrans/prims/special_numpy.py's
// NumPy versions step by step (the host build is compared with them to 1e-12).
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
using std::tan; using std::tanh; using std::exp2; using std::log2; using std::log10;
using std::cbrt; using std::asinh; using std::acosh; using std::atanh; using std::hypot;
using std::fmax; using std::fmin; using std::copysign; using std::floor; using std::ceil;
using std::trunc; using std::rint; using std::isnan; using std::isinf; using std::isfinite;
using std::signbit;
using std::erf; using std::erfc; using std::lgamma; using std::fmod; using std::tgamma;
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

FT_HD double ft_inf(double) { return FT_INF_F64; }
FT_HD float ft_inf(float) { return FT_INF_F32; }
FT_HD double ft_nan(double) { return FT_NAN_F64; }
FT_HD float ft_nan(float) { return FT_NAN_F32; }

// ----------------------------------------------------------------------------- helpers

template <typename T> FT_HD bool ft_isnan(T x) { return x != x; }

// np.sign: -1, 0 or 1; NaN stays NaN.
template <typename T> FT_HD T ft_sign(T x) {
  return ft_isnan(x) ? x : (x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)));
}
FT_HD bool ft_sign(bool x) { return x; }

// Reduction combiners: ft_add for sums, ft_mul for products, ft_max / ft_min (below) for
// extrema.
template <typename T> FT_HD T ft_add(T a, T b) { return a + b; }
template <typename T> FT_HD T ft_mul(T a, T b) { return a * b; }

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

// ----------------------------------------------------------------------------- logaddexp

// np.logaddexp and np.logaddexp2 as NumPy computes them: equal operands (infinities of one
// sign included) give x + log(2) (x + 1), else the larger plus log1p of the rest; NaN in,
// NaN out.
template <typename T> FT_HD T ft_logaddexp(T x, T y) {
  if (x == y) return x + T(0.693147180559945309417232121458176568);
  const T d = x - y;
  if (d > T(0)) return x + log1p(exp(-d));
  if (d <= T(0)) return y + log1p(exp(d));
  return d;
}
template <typename T> FT_HD T ft_logaddexp2(T x, T y) {
  if (x == y) return x + T(1);
  const T log2e = T(1.442695040888963407359924681001892137);
  const T d = x - y;
  if (d > T(0)) return x + log2e * log1p(exp2(-d));
  if (d <= T(0)) return y + log2e * log1p(exp2(d));
  return d;
}

// ----------------------------------------------------------------------------- erfinv

template <typename T> FT_HD bool ft_isfinite(T x) { return (x - x) == T(0); }

// The host's erfinv (C++ has none): ftrans/prims/special_numpy.py's version, computed in
// double -- Giles' single-precision approximation ("Approximating the erfinv function",
// 2010) refined by four Newton steps on erf(|x|) = |y|, on log erfc(|x|) = log(1 - |y|)
// in the tails. The device uses CUDA's erfinv / erfinvf.
#ifndef __CUDA_ARCH__
inline double ft_erfinv_host(double y) {
  const double w = -log((1.0 - y) * (1.0 + y));
  double p;
  if (w < 5.0) {
    const double wc = w - 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * wc;
    p = -3.5233877e-06 + p * wc;
    p = -4.39150654e-06 + p * wc;
    p = 0.00021858087 + p * wc;
    p = -0.00125372503 + p * wc;
    p = -0.00417768164 + p * wc;
    p = 0.246640727 + p * wc;
    p = 1.50140941 + p * wc;
  } else {
    const double wt = sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * wt;
    p = 0.00134934322 + p * wt;
    p = -0.00367342844 + p * wt;
    p = 0.00573950773 + p * wt;
    p = -0.0076224613 + p * wt;
    p = 0.00943887047 + p * wt;
    p = 1.00167406 + p * wt;
    p = 2.83297682 + p * wt;
  }
  double x = p * y;
  const double a = fabs(y);
  const bool tail = a > 0.5;
  const double target = tail ? 1.0 - a : a;
  const double sy = ft_sign(y);
  for (int i = 0; i < 4; ++i) {
    const double ax = fabs(x);
    const double density = 2.0 / sqrt(3.141592653589793) * exp(-ax * ax);
    double f;
    if (tail) {
      const double c = erfc(ax);
      f = (log(target) - log(c)) * c;
    } else {
      f = erf(ax) - target;
    }
    const double step = f / density;
    if (ft_isfinite(step)) x = x - sy * step;
  }
  if (a == 1.0) return sy * FT_INF_F64;
  if (a > 1.0) return FT_NAN_F64;
  return x;
}
#endif

FT_HD double ft_erfinv(double y) {
#ifdef __CUDA_ARCH__
  return erfinv(y);
#else
  return ft_erfinv_host(y);
#endif
}
FT_HD float ft_erfinv(float y) {
#ifdef __CUDA_ARCH__
  return erfinvf(y);
#else
  return (float)ft_erfinv_host((double)y);
#endif
}

// ----------------------------------------------------------------------------- digamma

// B_2k (k = 1..10).
FT_HD double ft_bernoulli(int k) {
  switch (k) {
    case 1: return 1.0 / 6.0;
    case 2: return -1.0 / 30.0;
    case 3: return 1.0 / 42.0;
    case 4: return -1.0 / 30.0;
    case 5: return 5.0 / 66.0;
    case 6: return -691.0 / 2730.0;
    case 7: return 7.0 / 6.0;
    case 8: return -3617.0 / 510.0;
    case 9: return 43867.0 / 798.0;
    default: return -174611.0 / 330.0;
  }
}
// psi(x): reflection psi(x) = psi(1 - x) - pi cot(pi x) for x < 1/2 (x reduced first, so
// pi x keeps its precision near the poles), the recurrence psi(y) = psi(y + 1) - 1/y up
// to y >= threshold, then ln y - 1/2y - sum_k B_2k / (2k y^2k) (``terms`` terms). -inf at
// 0, NaN at the negative integers and -inf.
template <typename T> FT_HD T ft_digamma_series(T x, T threshold, int terms) {
  const T pi = T(3.141592653589793);
  const bool reflect = x < T(0.5);
  T y = reflect ? T(1) - x : x;
  T acc = T(0);
  for (int i = 0; i < 10 && y < threshold; ++i) {
    acc = acc - T(1) / y;
    y = y + T(1);
  }
  const T inv2 = T(1) / (y * y);
  T series = T(0);
  for (int k = terms; k >= 1; --k) series = (series + T(ft_bernoulli(k) / (2 * k))) * inv2;
  T out = acc + log(y) - T(0.5) / y - series;
  if (reflect) out = out - pi / tan(pi * (x - rint(x)));
  if (x <= T(0) && x == floor(x)) out = x == T(0) ? copysign(ft_inf(x), -x) : ft_nan(x);
  return out;
}
// double: as the NumPy version (y >= 10, 7 terms: truncation below 1e-16); float: y >= 6
// and 4 terms (truncation below 1e-10).
FT_HD double ft_digamma(double x) { return ft_digamma_series(x, 10.0, 7); }
FT_HD float ft_digamma(float x) { return ft_digamma_series(x, 6.0f, 4); }

// ----------------------------------------------------------------------------- bits

// The unsigned and signed integer types of each integer type's width (NVRTC has no
// <type_traits>).
template <typename T> struct ft_uint;
template <typename T> struct ft_sint;
#define FT_INT_PAIR(S, U)                          \
  template <> struct ft_uint<S> { typedef U type; }; \
  template <> struct ft_uint<U> { typedef U type; }; \
  template <> struct ft_sint<S> { typedef S type; }; \
  template <> struct ft_sint<U> { typedef S type; };
FT_INT_PAIR(signed char, unsigned char)
FT_INT_PAIR(short, unsigned short)
FT_INT_PAIR(int, unsigned int)
FT_INT_PAIR(long long, unsigned long long)
#undef FT_INT_PAIR

// ~x (logical not for bool, as NumPy's invert).
template <typename T> FT_HD T ft_bitnot(T x) { return (T)~x; }
FT_HD bool ft_bitnot(bool x) { return !x; }

// Shifts as NumPy and JAX define them for every count: on the unsigned bit pattern (no
// undefined behaviour), 0 for counts outside [0, bits) (a negative count is one), the sign
// fill for an arithmetic right shift.
template <typename T> FT_HD T ft_shl(T x, T y) {
  typedef typename ft_uint<T>::type U;
  return (U)y < (U)(8 * sizeof(T)) ? (T)(U)((U)x << (U)y) : T(0);
}
template <typename T> FT_HD T ft_shr_logical(T x, T y) {
  typedef typename ft_uint<T>::type U;
  return (U)y < (U)(8 * sizeof(T)) ? (T)(U)((U)x >> (U)y) : T(0);
}
template <typename T> FT_HD T ft_shr_arith(T x, T y) {
  typedef typename ft_uint<T>::type U;
  typedef typename ft_sint<T>::type S;
  const S sx = (S)x;
  return (T)((U)y < (U)(8 * sizeof(T)) ? (S)(sx >> (U)y) : (sx < 0 ? S(-1) : S(0)));
}

// ----------------------------------------------------------------------------- threefry

// Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC 2011; the block cipher JAX's default PRNG uses) of the counter (x0, x1) under the
// key (k0, k1), returned as (y0 << 32) | y1 -- ftrans/prims/random.py's threefry2x32.
FT_HD unsigned int ft_rotl32(unsigned int x, int r) { return (x << r) | (x >> (32 - r)); }
FT_HD unsigned long long ft_threefry2x32(unsigned int k0, unsigned int k1, unsigned int x0,
                                         unsigned int x1) {
  const unsigned int ks[3] = {k0, k1, k0 ^ k1 ^ 0x1BD11BDAu};
  const int rot[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  x0 += k0;
  x1 += k1;
  for (int b = 0; b < 5; ++b) {
    for (int j = 0; j < 4; ++j) {
      x0 += x1;
      x1 = ft_rotl32(x1, rot[b % 2][j]);
      x1 ^= x0;
    }
    x0 += ks[(b + 1) % 3];
    x1 += ks[(b + 2) % 3] + (unsigned int)(b + 1);
  }
  return ((unsigned long long)x0 << 32) | (unsigned long long)x1;
}

#endif  // FTRANS_FT_MATH_CUH
