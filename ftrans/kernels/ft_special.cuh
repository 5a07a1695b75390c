// ftrans special functions for generated kernels: Hurwitz zeta and polygamma, Gamma,
// log_ndtr and ndtri, expi, the incomplete gamma and beta functions (and their derivatives
// in the shape parameters), the modified Bessel functions I_v. Pasted after ft_math.cuh.
//
// Each follows ftrans/prims/special_numpy.py or incomplete_numpy.py (the NumPy versions used
// without SciPy) step by step, in double precision; float arguments are computed in double
// and rounded. Edge values (poles, infinities, NaN, outside the domain) are SciPy's. The
// host build is compared with those NumPy versions and with SciPy in the tests.
//
// The incomplete gamma and beta functions are templates on their number type N: double, or
// ft_dual (a value and its derivative in one parameter), which gives the derivatives in a
// and b by forward differentiation of the same series and continued fractions.
#ifndef FTRANS_FT_SPECIAL_CUH
#define FTRANS_FT_SPECIAL_CUH

#define FT_EULER 0.57721566490153286061
#define FT_LOG_SQRT_2PI 0.91893853320467274178
#define FT_LOG_2PI 1.8378770664093454836
#define FT_SQRT1_2 0.70710678118654752440
#define FT_PI 3.14159265358979323846
#define FT_SF_EPS 1e-16
#define FT_CF_EPS 3e-16  // |delta - 1| of a continued fraction: one ulp either side of 1
#define FT_TINY 1e-300
#define FT_MAX_ITER 20000

// ----------------------------------------------------------------------------- dual numbers

struct ft_dual {
  double v, d;
  FT_HD ft_dual(double v_ = 0.0, double d_ = 0.0) : v(v_), d(d_) {}
};
FT_HD ft_dual operator-(ft_dual a) { return ft_dual(-a.v, -a.d); }
FT_HD ft_dual operator+(ft_dual a, ft_dual b) { return ft_dual(a.v + b.v, a.d + b.d); }
FT_HD ft_dual operator-(ft_dual a, ft_dual b) { return ft_dual(a.v - b.v, a.d - b.d); }
FT_HD ft_dual operator*(ft_dual a, ft_dual b) {
  return ft_dual(a.v * b.v, a.d * b.v + a.v * b.d);
}
FT_HD ft_dual operator/(ft_dual a, ft_dual b) {
  const double q = a.v / b.v;
  return ft_dual(q, (a.d - q * b.d) / b.v);
}
FT_HD ft_dual operator+(ft_dual a, double b) { return ft_dual(a.v + b, a.d); }
FT_HD ft_dual operator+(double a, ft_dual b) { return ft_dual(a + b.v, b.d); }
FT_HD ft_dual operator-(ft_dual a, double b) { return ft_dual(a.v - b, a.d); }
FT_HD ft_dual operator-(double a, ft_dual b) { return ft_dual(a - b.v, -b.d); }
FT_HD ft_dual operator*(ft_dual a, double b) { return ft_dual(a.v * b, a.d * b); }
FT_HD ft_dual operator*(double a, ft_dual b) { return ft_dual(a * b.v, a * b.d); }
FT_HD ft_dual operator/(ft_dual a, double b) { return ft_dual(a.v / b, a.d / b); }
FT_HD ft_dual operator/(double a, ft_dual b) {
  const double q = a / b.v;
  return ft_dual(q, -q * b.d / b.v);
}
FT_HD ft_dual exp(ft_dual a) { const double e = exp(a.v); return ft_dual(e, e * a.d); }
FT_HD ft_dual expm1(ft_dual a) { return ft_dual(expm1(a.v), exp(a.v) * a.d); }
FT_HD ft_dual log(ft_dual a) { return ft_dual(log(a.v), a.d / a.v); }
FT_HD ft_dual log1p(ft_dual a) { return ft_dual(log1p(a.v), a.d / (1.0 + a.v)); }
FT_HD ft_dual lgamma(ft_dual a) { return ft_dual(lgamma(a.v), ft_digamma(a.v) * a.d); }
FT_HD ft_dual sqrt(ft_dual a) { const double r = sqrt(a.v); return ft_dual(r, 0.5 / r * a.d); }
FT_HD ft_dual erfc(ft_dual a) {
  return ft_dual(erfc(a.v), -1.1283791670955125739 * exp(-a.v * a.v) * a.d);
}

FT_HD double ft_val(double x) { return x; }
FT_HD double ft_val(ft_dual x) { return x.v; }

// a term is negligible beside the total, in value and in derivative
FT_HD bool ft_converged(double term, double total) {
  return fabs(term) <= FT_SF_EPS * fabs(total);
}
FT_HD bool ft_converged(ft_dual term, ft_dual total) {
  return fabs(term.v) <= FT_SF_EPS * fabs(total.v)
      && fabs(term.d) <= FT_SF_EPS * fabs(total.d) + 1e-300;
}
// a continued fraction's factor delta is 1, and its derivative part negligible beside h's
FT_HD bool ft_cf_done(double delta, double h) { return fabs(delta - 1.0) <= FT_CF_EPS; }
FT_HD bool ft_cf_done(ft_dual delta, ft_dual h) {
  return fabs(delta.v - 1.0) <= FT_CF_EPS
      && fabs(h.v * delta.d) <= FT_SF_EPS * fabs(h.d) + 1e-300;
}
template <typename T> FT_HD bool ft_isinf_any(T x) { return x == ft_inf(x) || x == -ft_inf(x); }
template <typename N> FT_HD N ft_not_tiny(N x) { return fabs(ft_val(x)) < FT_TINY ? N(FT_TINY) : x; }

// ----------------------------------------------------------------------------- zeta

// B_2k / (2k)! for k = 1..12 (Euler-Maclaurin's tail)
FT_HD double ft_bernoulli_over_factorial(int k) {
  switch (k) {
    case 1: return 1.0 / 12.0;
    case 2: return -1.0 / 720.0;
    case 3: return 1.0 / 30240.0;
    case 4: return -1.0 / 1209600.0;
    case 5: return 1.0 / 47900160.0;
    case 6: return -691.0 / 1307674368000.0;
    case 7: return 1.0 / 74724249600.0;
    case 8: return -3617.0 / 10670622842880000.0;
    case 9: return 43867.0 / 5109094217170944000.0;
    case 10: return -174611.0 / 802857662784880640000.0;
    case 11: return 854513.0 / 138.0 / 1124000727777607680000.0;
    default: return -236364091.0 / 2730.0 / 620448401733239439360000.0;
  }
}

// zeta(s, q) for finite s > 1, finite q > 0: the terms up to q + k >= max(12, s) (or until
// the rest is negligible), then y^(1-s)/(s-1) + y^-s/2 + sum_j B_2j/(2j)! s(s+1)..(s+2j-2)
// y^(1-s-2j) (12 terms: their ratio is about ((s + 2j) / (2 pi y))^2).
FT_HD double ft_zeta_positive(double s, double q) {
  double total = 0.0, y = q;
  const double shift = fmax(12.0, s);
  for (int k = 0; y < shift && k < 1000000; ++k) {
    total += pow(y, -s);
    y += 1.0;
    const double rest = pow(y, 1.0 - s) / (s - 1.0) + pow(y, -s);
    if (rest <= 1e-17 * total) return total;
  }
  double tail = pow(y, 1.0 - s) / (s - 1.0) + 0.5 * pow(y, -s);
  double factor = s * pow(y, -s - 1.0);
  const double inv2 = 1.0 / (y * y);
  for (int j = 1; j <= 12; ++j) {
    tail += ft_bernoulli_over_factorial(j) * factor;
    factor *= (s + 2 * j - 1) * (s + 2 * j) * inv2;
  }
  return total + tail;
}

// d zeta(s, q) / ds = -sum log(q+k) (q+k)^-s for finite s > 1, finite q > 0: ft_zeta_positive
// differentiated term by term, its Euler-Maclaurin tail too.
FT_HD double ft_zeta_ds_positive(double s, double q) {
  double total = 0.0, dtotal = 0.0, y = q;
  const double shift = fmax(12.0, s);
  for (int k = 0; y < shift && k < 1000000; ++k) {
    const double term = pow(y, -s);
    total += term;
    dtotal -= log(y) * term;
    y += 1.0;
    const double rest = (pow(y, 1.0 - s) / (s - 1.0) + pow(y, -s)) * (1.0 + log(y));
    if (rest <= 1e-17 * fabs(dtotal)) return dtotal;
  }
  const double ly = log(y);
  double d = -pow(y, 1.0 - s) * (ly / (s - 1.0) + 1.0 / ((s - 1.0) * (s - 1.0)))
      - 0.5 * ly * pow(y, -s);
  double factor = s * pow(y, -s - 1.0);
  double dfactor = pow(y, -s - 1.0) * (1.0 - s * ly);
  const double inv2 = 1.0 / (y * y);
  for (int j = 1; j <= 12; ++j) {
    d += ft_bernoulli_over_factorial(j) * dfactor;
    const double a = s + 2 * j - 1, b = s + 2 * j;
    dfactor = (dfactor * a * b + factor * (a + b)) * inv2;
    factor *= a * b * inv2;
  }
  return dtotal + d;
}

// d zeta(s, q) / ds for s > 1, q > 0 (nan elsewhere; 0 at q = inf, or s = inf with q > 1)
FT_HD double ft_zeta_ds(double s, double q) {
  if (!(s > 1.0) || !(q > 0.0)) return FT_NAN_F64;
  if (q == FT_INF_F64 || (s == FT_INF_F64 && q > 1.0)) return 0.0;
  if (s == FT_INF_F64) return FT_NAN_F64;
  return ft_zeta_ds_positive(s, q);
}
FT_HD float ft_zeta_ds(float s, float q) { return (float)ft_zeta_ds((double)s, (double)q); }

// Hurwitz's zeta with SciPy's edges; a negative non-integer q needs an integer s (else nan):
// its first m = -floor(q) terms one by one for m <= 64, else
// zeta(s, q) = zeta(s, q+m) + (-1)^s (zeta(s, 1-q-m) - zeta(s, 1-q)).
FT_HD double ft_zeta(double s, double q) {
  if (s < 1.0) return FT_NAN_F64;
  if (s == 1.0) return FT_INF_F64;
  if (q <= 0.0 && q == floor(q)) return FT_INF_F64;  // the poles, -inf included
  if (ft_isnan(s) || ft_isnan(q)) return FT_NAN_F64;
  if (s == FT_INF_F64) return q < 1.0 ? FT_INF_F64 : (q == 1.0 ? 1.0 : 0.0);  // q^-inf
  if (q == FT_INF_F64) return 0.0;
  if (q > 0.0) return ft_zeta_positive(s, q);
  if (s != floor(s)) return FT_NAN_F64;
  const double m = -floor(q);
  if (m <= 64.0) {
    double total = 0.0;
    for (int k = 0; k < (int)m; ++k) total += pow(q + k, -s);
    return total + ft_zeta_positive(s, q + m);
  }
  const double f = q + m;
  const double parity = fmod(s, 2.0) == 0.0 ? 1.0 : -1.0;
  return ft_zeta_positive(s, f)
      + parity * (ft_zeta_positive(s, 1.0 - f) - ft_zeta_positive(s, 1.0 - q));
}
FT_HD float ft_zeta(float s, float q) { return (float)ft_zeta((double)s, (double)q); }

// psi^(n)(x) = (-1)^(n+1) n! zeta(n+1, x), n >= 1
FT_HD double ft_polygamma(int n, double x) {
  double fact = 1.0;
  for (int m = 2; m <= n; ++m) fact *= m;
  const double sign = n % 2 ? 1.0 : -1.0;
  return sign * fact * ft_zeta((double)(n + 1), x);
}
FT_HD float ft_polygamma(int n, float x) { return (float)ft_polygamma(n, (double)x); }

// ----------------------------------------------------------------------------- normal

// log Phi(x): log(erfc(-x/sqrt2)/2); log1p(-erfc(x/sqrt2)/2) above 0; below -20 the
// asymptotic series -x^2/2 - log(-x) - log sqrt(2 pi) + log1p(sum_k (-1)^k (2k-1)!!/x^2k).
FT_HD double ft_log_ndtr(double x) {
  const double z = x * FT_SQRT1_2;
  if (x > 0.0) return log1p(-0.5 * erfc(z));
  if (x > -20.0) return log(0.5 * erfc(-z));
  const double inv2 = 1.0 / (x * x);
  double term = 1.0, series = 0.0;
  for (int k = 1; k <= 10; ++k) {
    term *= -(2 * k - 1) * inv2;
    series += term;
  }
  return -0.5 * x * x - log(-x) - FT_LOG_SQRT_2PI + log1p(series);
}

// Phi^-1(p): sqrt2 erfinv(2p - 1) for 1/4 <= p <= 3/4 (an exact argument: relative accuracy
// near 1/2); in the tails Hastings' approximation (A&S 26.2.23) polished by four Newton steps
// on log_ndtr(x) = log p. The device uses CUDA's normcdfinv.
#ifndef __CUDA_ARCH__
inline double ft_ndtri_host(double p) {
  if (ft_isnan(p) || p < 0.0 || p > 1.0) return FT_NAN_F64;
  if (p == 0.0) return -FT_INF_F64;
  if (p == 1.0) return FT_INF_F64;
  if (p >= 0.25 && p <= 0.75) return 1.4142135623730950488 * ft_erfinv_host(2.0 * p - 1.0);
  const double q = p > 0.5 ? 1.0 - p : p;
  const double t = sqrt(-2.0 * log(q));
  double x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
               / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
  const double target = log(q);
  for (int i = 0; i < 4; ++i) {
    const double ln = ft_log_ndtr(x);
    const double step = (ln - target) / exp(-0.5 * x * x - FT_LOG_SQRT_2PI - ln);
    if (ft_isfinite(step)) x -= step;
  }
  return p > 0.5 ? -x : x;
}
#endif
FT_HD double ft_ndtri(double p) {
#ifdef __CUDA_ARCH__
  return normcdfinv(p);
#else
  return ft_ndtri_host(p);
#endif
}
FT_HD float ft_ndtri(float p) {
#ifdef __CUDA_ARCH__
  return normcdfinvf(p);
#else
  return (float)ft_ndtri_host((double)p);
#endif
}

// ----------------------------------------------------------------------------- expi

// Ei(x): gamma + log|x| + sum x^k/(k k!) for 0 < x <= 40 and -1 <= x < 0; e^x/x sum k!/x^k
// (to its smallest term) above 40; -E1(-x) below -1, E1 by its continued fraction.
FT_HD double ft_expi(double x) {
  if (ft_isnan(x)) return x;
  if (x == 0.0) return -FT_INF_F64;
  if (x == FT_INF_F64) return FT_INF_F64;
  if (x == -FT_INF_F64) return -0.0;
  if (x <= 40.0 && x >= -1.0) {
    double u = 1.0, total = 0.0;
    for (int k = 1; k < 200; ++k) {
      u = u * x / k;
      const double term = u / k;
      total += term;
      if (fabs(term) <= 1e-17 * fabs(total)) break;
    }
    return FT_EULER + log(fabs(x)) + total;
  }
  if (x > 40.0) {
    double term = 1.0, total = 1.0;
    for (int k = 1; k < 100; ++k) {
      const double next = term * k / x;
      if (!(next < term)) break;
      term = next;
      total += next;
      if (!(next > 1e-17 * total)) break;
    }
    return exp(x) / x * total;
  }
  const double y = -x;
  double b = y + 1.0, c = 1.0 / FT_TINY, d = 1.0 / b, h = d;
  for (int i = 1; i < 500; ++i) {
    const double an = -(double)i * i;
    b += 2.0;
    d = 1.0 / (an * d + b);
    c = b + an / c;
    const double delta = c * d;
    h *= delta;
    if (fabs(delta - 1.0) <= FT_CF_EPS) break;
  }
  return -h * exp(-y);
}
FT_HD float ft_expi(float x) { return (float)ft_expi((double)x); }

// ----------------------------------------------------------------------------- lgamma, betaln

// lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2) for x >= 10: Stirling's series, 8 terms
template <typename N> FT_HD N ft_lgamma_correction(N x) {
  const N inv = 1.0 / x;
  const N inv2 = inv * inv;
  N acc = N(-3617.0 / 122400.0);
  acc = acc * inv2 + 1.0 / 156.0;
  acc = acc * inv2 - 691.0 / 360360.0;
  acc = acc * inv2 + 1.0 / 1188.0;
  acc = acc * inv2 - 1.0 / 1680.0;
  acc = acc * inv2 + 1.0 / 1260.0;
  acc = acc * inv2 - 1.0 / 360.0;
  acc = acc * inv2 + 1.0 / 12.0;
  return acc * inv;
}

// zeta(k) for k = 2..26
FT_HD double ft_zeta_int(int k) {
  switch (k) {
    case 2: return 1.6449340668482264365;
    case 3: return 1.2020569031595942854;
    case 4: return 1.0823232337111381915;
    case 5: return 1.0369277551433699263;
    case 6: return 1.0173430619844491397;
    case 7: return 1.0083492773819228268;
    case 8: return 1.0040773561979443394;
    case 9: return 1.0020083928260822144;
    case 10: return 1.0009945751278180853;
    case 11: return 1.0004941886041194646;
    case 12: return 1.0002460865533080483;
    case 13: return 1.0001227133475784891;
    case 14: return 1.0000612481350587048;
    case 15: return 1.0000305882363070205;
    case 16: return 1.0000152822594086519;
    case 17: return 1.0000076371976378998;
    case 18: return 1.0000038172932649998;
    case 19: return 1.0000019082127165539;
    case 20: return 1.0000009539620338728;
    case 21: return 1.0000004769329867878;
    case 22: return 1.0000002384505027277;
    case 23: return 1.0000001192199259653;
    case 24: return 1.0000000596081890513;
    case 25: return 1.0000000298035035147;
    default: return 1.0000000149015548284;
  }
}

// lgamma(1 + a), accurate for small a: -gamma a + sum_k (-a)^k zeta(k)/k for |a| < 0.2
template <typename N> FT_HD N ft_lgamma1p(N a) {
  if (!(fabs(ft_val(a)) < 0.2)) return lgamma(1.0 + a);
  N acc = N(0.0);
  for (int k = 26; k >= 2; --k) acc = (acc + (k % 2 ? -1.0 : 1.0) * ft_zeta_int(k) / k) * a;
  return (acc - FT_EULER) * a;
}

// log |B(a, b)|: lgamma(a) + lgamma(b) - lgamma(a+b) for small arguments, Stirling's
// series where those would cancel (both >= 10, or the larger >= 10).
template <typename N> FT_HD N ft_betaln(N a, N b) {
  const bool swap = ft_val(a) < ft_val(b);
  const N hi = swap ? b : a, lo = swap ? a : b;
  const double hv = ft_val(hi), lv = ft_val(lo);
  if (lv >= 10.0) {
    const N ratio = lo / hi;
    return -(hi - 0.5) * log1p(ratio) - lo * log1p(1.0 / ratio) - 0.5 * log(lo)
        + 0.5 * FT_LOG_2PI + ft_lgamma_correction(hi) - ft_lgamma_correction(hi + lo)
        + ft_lgamma_correction(lo);
  }
  if (hv >= 10.0 && lv > 0.0) {
    const N ratio = lo / hi;
    const N corr = ft_lgamma_correction(hi) - ft_lgamma_correction(hi + lo);
    return lgamma(lo) - ((hi - 0.5) * log1p(ratio) + lo * log(hi + lo) - lo - corr);
  }
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

// ----------------------------------------------------------------------------- igamma

// log(x^a e^-x / Gamma(a)), through Stirling's series for a >= 10
template <typename N> FT_HD N ft_igamma_logfac(N a, double x) {
  if (ft_val(a) < 10.0) return a * log(x) - x - lgamma(a);
  const N t = (x - a) / a;
  const N lm = fabs(ft_val(t)) < 0.5 ? log1p(t) - t : (log(x) - log(a)) - t;
  return a * lm + 0.5 * (log(a) - FT_LOG_2PI) - ft_lgamma_correction(a);
}

// P(a, x) = x^a e^-x / Gamma(a+1) sum x^n / ((a+1)...(a+n))
template <typename N> FT_HD N ft_igamma_series(N a, double x) {
  N term = N(1.0), total = N(1.0);
  for (int k = 1; k < FT_MAX_ITER; ++k) {
    term = term * x / (a + (double)k);
    total = total + term;
    if (ft_converged(term, total)) break;
  }
  return exp(ft_igamma_logfac(a, x)) / a * total;
}

// Q(a, x) = x^a e^-x / Gamma(a) / (x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), Lentz
template <typename N> FT_HD N ft_igamma_fraction(N a, double x) {
  N b = x + 1.0 - a;
  N c = N(1.0 / FT_TINY);
  N d = 1.0 / b;
  N h = d;
  for (int i = 1; i < FT_MAX_ITER; ++i) {
    const N an = -(double)i * ((double)i - a);
    b = b + 2.0;
    d = ft_not_tiny(an * d + b);
    c = ft_not_tiny(b + an / c);
    d = 1.0 / d;
    const N delta = d * c;
    h = h * delta;
    if (ft_cf_done(delta, h)) break;
  }
  return exp(ft_igamma_logfac(a, x)) * h;
}

// Q(a, x) for x <= 1.5 (DLMF 8.7.3): -expm1(a log x - lgamma(1+a)) - x^a/Gamma(a+1)
// sum_{n>=1} (-x)^n a / (n! (a+n))
template <typename N> FT_HD N ft_igammac_small_x(N a, double x) {
  const N lg = a * log(x) - ft_lgamma1p(a);
  N u = N(1.0), total = N(0.0);
  for (int k = 1; k < 60; ++k) {
    u = u * (-x) / (double)k;
    total = total + u * a / (a + (double)k);
  }
  return -expm1(lg) - exp(lg) * total;
}

// P(a, x) or Q(a, x) for large a, Temme's uniform expansion (DLMF 8.12.3-8.12.9):
// Q = erfc(eta sqrt(a/2))/2 + S, P = erfc(-eta sqrt(a/2))/2 - S,
// S = e^(-a eta^2/2) / sqrt(2 pi a) (c0(eta) + c1(eta)/a), eta^2/2 = mu - log(1 + mu),
// mu = x/a - 1; near eta = 0, c0 and c1 by their Maclaurin series (from DLMF 8.12.13).
template <typename N> FT_HD N ft_igamma_temme(N a, double x, bool upper) {
  const N mu = (x - a) / a;
  N eta;
  if (fabs(ft_val(mu)) < 0.1) {
    // log(1+mu) - mu = mu^2 sum_(k>=2) (-1)^(k+1) mu^(k-2) / k; eta = mu sqrt(-2 sum)
    N acc = N(-1.0 / 30.0);
    for (int k = 29; k >= 2; --k) acc = acc * mu + (k % 2 ? 1.0 : -1.0) / k;
    eta = mu * sqrt(-2.0 * acc);
  } else {
    eta = ft_sign(ft_val(mu)) * sqrt(-2.0 * (log1p(mu) - mu));
  }
  N c0, c1;
  if (fabs(ft_val(eta)) < 0.05) {
    c0 = ((((((1.0 / 25515.0 * eta - 139.0 / 777600.0) * eta + 1.0 / 2835.0) * eta
            + 1.0 / 864.0) * eta - 2.0 / 135.0) * eta + 1.0 / 12.0) * eta - 1.0 / 3.0);
    c1 = ((((1.0 / 4860.0 * eta - 77.0 / 77760.0) * eta + 1.0 / 378.0) * eta
           - 1.0 / 288.0) * eta - 1.0 / 540.0);
  } else {
    c0 = 1.0 / mu - 1.0 / eta;
    c1 = 1.0 / (eta * eta * eta) - 1.0 / (mu * mu * mu) - 1.0 / (mu * mu) - 1.0 / (12.0 * mu);
  }
  const N y = eta * sqrt(a / 2.0);
  const N s = exp(-0.5 * a * eta * eta) / sqrt(2.0 * FT_PI * a) * (c0 + c1 / a);
  if (upper) return ft_val(mu) >= 0.0 ? 0.5 * erfc(y) + s : 1.0 - (0.5 * erfc(-y) - s);
  return ft_val(mu) < 0.0 ? 0.5 * erfc(-y) - s : 1.0 - (0.5 * erfc(y) + s);
}

// P(a, x) (upper = false) or Q(a, x), SciPy's edges; Temme's expansion for a > 1e6
template <typename N> FT_HD N ft_igamma_t(N a, double x, bool upper) {
  const double av = ft_val(a);
  if (ft_isnan(av) || ft_isnan(x) || av < 0.0 || x < 0.0) return N(FT_NAN_F64);
  if (av == 0.0) return x > 0.0 ? N(upper ? 0.0 : 1.0) : N(FT_NAN_F64);
  if (av == FT_INF_F64) return x == FT_INF_F64 ? N(FT_NAN_F64) : N(upper ? 1.0 : 0.0);
  if (x == 0.0) return N(upper ? 1.0 : 0.0);
  if (x == FT_INF_F64) return N(upper ? 0.0 : 1.0);
  if (av > 1e6) return ft_igamma_temme(a, x, upper);
  if (x < av + 1.0) {
    N p = ft_igamma_series(a, x);
    if (x <= 1.5 && ft_val(p) > 0.5) {
      const N q = ft_igammac_small_x(a, x);
      return upper ? q : 1.0 - q;
    }
    return upper ? 1.0 - p : p;
  }
  const N q = ft_igamma_fraction(a, x);
  return upper ? q : 1.0 - q;
}
FT_HD double ft_igamma(double a, double x, bool upper) { return ft_igamma_t(a, x, upper); }
FT_HD float ft_igamma(float a, float x, bool upper) {
  return (float)ft_igamma_t((double)a, (double)x, upper);
}
// d/da of P(a, x) (or of Q = 1 - P)
FT_HD double ft_igamma_grad_a(double a, double x, bool upper) {
  const ft_dual r = ft_igamma_t(ft_dual(a, 1.0), x, upper);
  return ft_isnan(r.v) ? r.v : r.d;
}
FT_HD float ft_igamma_grad_a(float a, float x, bool upper) {
  return (float)ft_igamma_grad_a((double)a, (double)x, upper);
}

// ----------------------------------------------------------------------------- betainc

// the continued fraction of I_x(a, b) a B(a, b) / (x^a (1-x)^b) (DLMF 8.17.22), Lentz
template <typename N> FT_HD N ft_beta_fraction(N a, N b, double x) {
  const N qab = a + b, qap = a + 1.0, qam = a - 1.0;
  N c = N(1.0);
  N d = 1.0 / ft_not_tiny(1.0 - qab * x / qap);
  N h = d;
  for (int m = 1; m < FT_MAX_ITER; ++m) {
    const double m2 = 2.0 * m;
    N aa = (double)m * (b - (double)m) * x / ((qam + m2) * (a + m2));
    d = 1.0 / ft_not_tiny(1.0 + aa * d);
    c = ft_not_tiny(1.0 + aa / c);
    h = h * d * c;
    aa = -(a + (double)m) * (qab + (double)m) * x / ((a + m2) * (qap + m2));
    d = 1.0 / ft_not_tiny(1.0 + aa * d);
    c = ft_not_tiny(1.0 + aa / c);
    const N delta = d * c;
    h = h * delta;
    if (ft_cf_done(delta, h)) break;
  }
  return h;
}

// sum_{n>=0} (1-b)_n x^n / (n! (a+n)) (DLMF 8.17.7): positive terms for b <= 1
template <typename N> FT_HD N ft_beta_series(N a, N b, double x) {
  N t = N(1.0);
  N total = 1.0 / a;
  for (int k = 1; k < FT_MAX_ITER; ++k) {
    t = t * ((double)k - b) * x / (double)k;
    const N term = t / (a + (double)k);
    total = total + term;
    if (ft_converged(term, total)) break;
  }
  return total;
}

// log(1 / (a B(a, b))); for a < 1 as lgamma(a+b) - lgamma(b) - lgamma(1+a), the difference by
// Stirling's series for b >= 10
template <typename N> FT_HD N ft_log_inv_abeta(N a, N b) {
  if (!(ft_val(a) < 1.0)) return -log(a) - ft_betaln(a, b);
  N diff;
  if (ft_val(b) >= 10.0) {
    const N corr = ft_lgamma_correction(b + a) - ft_lgamma_correction(b);
    diff = (b - 0.5) * log1p(a / b) + a * log(b + a) - a + corr;
  } else {
    diff = lgamma(a + b) - lgamma(b);
  }
  return diff - ft_lgamma1p(a);
}

// I_x(a, b) for finite a, b > 0, 0 < x < 1: the continued fraction on the side of the mean
// where it converges fast (I_x(a, b) = 1 - I_(1-x)(b, a)), but the power series above the
// mean for b <= 1 and x <= 0.97, where 1 - I_(1-x)(b, a) would cancel.
template <typename N> FT_HD N ft_betainc_main(N a, N b, double x) {
  const double av = ft_val(a), bv = ft_val(b);
  const bool above = x > (av + 1.0) / (av + bv + 2.0);
  if (above && bv <= 1.0 && x <= 0.97) {
    return exp(a * log(x) + ft_log_inv_abeta(a, b)) * a * ft_beta_series(a, b, x);
  }
  if (above) {
    const double x1 = 1.0 - x;
    const N part = exp(b * log1p(-x) + a * log(x) + ft_log_inv_abeta(b, a))
        * ft_beta_fraction(b, a, x1);
    return 1.0 - part;
  }
  return exp(a * log(x) + b * log1p(-x) + ft_log_inv_abeta(a, b)) * ft_beta_fraction(a, b, x);
}

// I_x(a, b), SciPy's edges: x = 0 and 1 give 0 and 1; in between the mass sits at 0 for
// a = 0 or b = inf (1), at 1 for b = 0 or a = inf (0)
template <typename N> FT_HD N ft_betainc_t(N a, N b, double x) {
  const double av = ft_val(a), bv = ft_val(b);
  if (ft_isnan(av) || ft_isnan(bv) || ft_isnan(x) || x < 0.0 || x > 1.0 || av < 0.0
      || bv < 0.0 || (av == 0.0 && bv == 0.0)
      || (av == FT_INF_F64 && bv == FT_INF_F64)) return N(FT_NAN_F64);
  if (x == 0.0) return N(0.0);
  if (x == 1.0) return N(1.0);
  if (av == 0.0 || bv == FT_INF_F64) return N(1.0);
  if (bv == 0.0 || av == FT_INF_F64) return N(0.0);
  return ft_betainc_main(a, b, x);
}
FT_HD double ft_betainc(double a, double b, double x) { return ft_betainc_t(a, b, x); }
FT_HD float ft_betainc(float a, float b, float x) {
  return (float)ft_betainc_t((double)a, (double)b, (double)x);
}
// d/da (argnum 0) or d/db (argnum 1) of I_x(a, b)
FT_HD double ft_betainc_grad(int argnum, double a, double b, double x) {
  const ft_dual r = argnum == 0 ? ft_betainc_t(ft_dual(a, 1.0), ft_dual(b), x)
                                : ft_betainc_t(ft_dual(a), ft_dual(b, 1.0), x);
  return ft_isnan(r.v) ? r.v : r.d;
}
FT_HD float ft_betainc_grad(int argnum, float a, float b, float x) {
  return (float)ft_betainc_grad(argnum, (double)a, (double)b, (double)x);
}

// ----------------------------------------------------------------------------- Bessel I

// e^-x I_v(x) for finite x > 0 and finite v, not a negative integer: Hankel's asymptotic
// series sum (-1)^k a_k(v) / x^k / sqrt(2 pi x) (to its smallest term) for x >= max(30,
// v^2/2), else the power series sum (x/2)^(v+2k) / (k! Gamma(v+k+1)) from its first term's
// logarithm, rescaled as it grows (for a negative v its first terms change sign), at most 1e5
// terms (enough for |v| <= 400).
FT_HD double ft_ive_main(double v, double x) {
  if (x >= 30.0 && x >= 0.5 * v * v) {
    const double mu = 4.0 * v * v;
    double term = 1.0, total = 1.0;
    for (int k = 1; k < 200; ++k) {
      const double next = -term * (mu - (2.0 * k - 1.0) * (2.0 * k - 1.0)) / (8.0 * k * x);
      if (!(fabs(next) < fabs(term))) break;
      term = next;
      total += next;
      if (!(fabs(next) > 1e-17 * fabs(total))) break;
    }
    return total / sqrt(2.0 * FT_PI * x);
  }
  // (v = 0: no v log(x/2), which is 0 * -inf where x/2 underflows)
  const double log0 = (v == 0.0 ? 0.0 : v * log(0.5 * x)) - lgamma(v + 1.0) - x;
  const double fl = floor(v + 1.0);
  const double sign0 = (v + 1.0 < 0.0 && fmod(fl, 2.0) != 0.0) ? -1.0 : 1.0;
  const double q = 0.25 * x * x;
  // first term below e^-750 and every ratio below 1/2: the value underflows to 0
  if (log0 < -750.0 && v >= 0.0 && q < 0.5 * (v + 1.0)) return 0.0;
  double term = sign0, total = sign0, scale = 0.0;
  for (int k = 1; k <= 100000; ++k) {
    term = term * q / ((double)k * (v + (double)k));
    total += term;
    if (fmax(fabs(total), fabs(term)) > 1e250) {
      term *= 1e-250;
      total *= 1e-250;
      scale += 250.0 * 2.302585092994045684;
    }
    if (fabs(term) <= 1e-17 * fabs(total) && k > 0.5 * x && k > -v) break;
  }
  return ft_sign(total) * exp(log0 + scale + log(fabs(total)));
}

// I_v(x), or e^-|x| I_v(x) when scaled, SciPy's edges: nan at x = +-inf, for negative x with
// a non-integer v, and where the scaled value overflows; iv(+-inf, finite x) = 0.
FT_HD double ft_iv(double v, double x, bool scaled) {
  if (ft_isnan(v) || ft_isnan(x) || ft_isinf_any(x)) return FT_NAN_F64;
  if (ft_isinf_any(v)) return scaled ? FT_NAN_F64 : 0.0;
  const bool integer = v == floor(v);
  if (x == 0.0) {
    if (v == 0.0) return 1.0;
    if (v > 0.0 || integer) return 0.0;
    return scaled ? FT_NAN_F64 : FT_INF_F64;
  }
  if (x < 0.0 && !integer) return FT_NAN_F64;
  const double ax = fabs(x);
  double out = ft_ive_main(integer ? fabs(v) : v, ax);
  if (x < 0.0 && fmod(v, 2.0) != 0.0) out = -out;
  if (scaled) return ft_isinf_any(out) ? FT_NAN_F64 : out;
  const double half = exp(0.5 * ax);
  return out * half * half;
}
FT_HD float ft_iv(float v, float x, bool scaled) {
  return (float)ft_iv((double)v, (double)x, scaled);
}

// I_0 and I_1 (order), SciPy's i0/i1/i0e/i1e edges: the scaled ones are 0 at +-inf (with
// x's sign for order 1)
FT_HD double ft_bessel_i01(int order, double x, bool scaled) {
  if (scaled && ft_isinf_any(x)) return order == 1 ? copysign(0.0, x) : 0.0;
  return ft_iv((double)order, x, scaled);
}
FT_HD float ft_bessel_i01(int order, float x, bool scaled) {
  return (float)ft_bessel_i01(order, (double)x, scaled);
}

// ----------------------------------------------------------------------------- inverses

FT_HD double ft_log_expit(double t) { return t > 0.0 ? -log1p(exp(-t)) : t - log1p(exp(t)); }

// one safeguarded Newton step on f(t) = 0: the bracket [lo, hi] is updated from which side
// the root is on; a step that leaves it bisects. Returns whether t has converged.
FT_HD bool ft_newton_step(double& t, double& lo, double& hi, double f, double slope,
                          bool below) {
  if (below) hi = t; else lo = t;
  if (f == 0.0) return true;
  double next = t - f / slope;
  if (!ft_isfinite(next) || next < lo || next > hi) next = 0.5 * (lo + hi);
  const double scale = fmax(1.0, fabs(next));
  const bool done = fabs(next - t) <= 1e-15 * scale || hi - lo <= 1e-15 * scale;
  t = next;
  return done;
}

// x with P(a, x) = p (or Q(a, x) = p when upper): Newton on log P (log Q on the smaller tail)
// in t = log x, safeguarded by bisection, from Wilson-Hilferty's guess (or
// (P Gamma(a+1))^(1/a)).
FT_HD double ft_igamma_inv(double a, double p, bool upper) {
  if (ft_isnan(a) || ft_isnan(p) || a < 0.0 || p < 0.0 || p > 1.0) return FT_NAN_F64;
  const double at0 = upper ? 1.0 : 0.0;
  if (p == at0) return 0.0;
  if (p == 1.0 - at0) return FT_INF_F64;
  if (a == 0.0 || a == FT_INF_F64) return FT_NAN_F64;
  const double pp = upper ? 1.0 - p : p, qq = upper ? p : 1.0 - p;
  const bool lower_tail = pp <= 0.5;
  const double target = lower_tail ? log(pp) : log(qq);
  const double lg = lgamma(a);
  const double z = upper ? -ft_ndtri(p) : ft_ndtri(p);
  const double wh = a * pow(1.0 - 1.0 / (9.0 * a) + z / (3.0 * sqrt(a)), 3.0);
  double t = wh > 0.0 ? log(wh) : (log(pp) + lgamma(a + 1.0)) / a;
  if (!ft_isfinite(t)) t = 0.0;
  t = fmin(fmax(t, -744.0), 709.0);
  double lo = -745.0, hi = 710.0;
  for (int i = 0; i < 200; ++i) {
    const double x = exp(t);
    const double log_f = log(ft_igamma_t(a, x, !lower_tail));
    const double slope = exp(a * t - x - lg - log_f);
    const double f = log_f - target;
    if (ft_newton_step(t, lo, hi, f, lower_tail ? slope : -slope,
                       lower_tail ? f > 0.0 : f < 0.0)) break;
  }
  if (lower_tail && t <= -745.0 + 1e-9) return 0.0;
  return exp(t);
}
FT_HD float ft_igamma_inv(float a, float p, bool upper) {
  return (float)ft_igamma_inv((double)a, (double)p, upper);
}

// x with I_x(a, b) = p: Newton on log I (log(1 - I) = log I_(1-x)(b, a) where I > 1/2 and
// x >= 1e-4) in t = logit x, safeguarded by bisection, from the tails' power laws.
FT_HD double ft_betainc_inv(double a, double b, double p) {
  if (ft_isnan(a) || ft_isnan(b) || ft_isnan(p) || a <= 0.0 || b <= 0.0 || p < 0.0
      || p > 1.0) return FT_NAN_F64;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return 1.0;
  if (a == FT_INF_F64 || b == FT_INF_F64) return FT_NAN_F64;
  const double lb = ft_betaln(a, b);
  double t;
  if (p <= 0.5) {
    const double lx = (log(p) + log(a) + lb) / a;
    t = lx - log1p(-exp(fmin(lx, -1e-3)));
  } else {
    const double ly = (log1p(-p) + log(b) + lb) / b;
    t = log1p(-exp(fmin(ly, -1e-3))) - ly;
  }
  if (!ft_isfinite(t)) t = 0.0;
  t = fmin(fmax(t, -744.0), 744.0);
  double lo = -745.0, hi = 745.0;
  const double log_p = log(p), log_q = log1p(-p);
  for (int i = 0; i < 200; ++i) {
    const double lx = ft_log_expit(t), ly = ft_log_expit(-t);
    const double i_low = ft_betainc_t(a, b, exp(lx));
    const bool low = i_low <= 0.5 || t < -9.2;
    const double log_f = log(low ? i_low : ft_betainc_t(b, a, exp(ly)));
    const double slope = exp(a * lx + b * ly - lb - log_f);
    const double f = log_f - (low ? log_p : log_q);
    if (ft_newton_step(t, lo, hi, f, low ? slope : -slope, low ? f > 0.0 : f < 0.0)) break;
  }
  if (t <= -745.0 + 1e-9) return 0.0;
  return exp(ft_log_expit(t));
}
FT_HD float ft_betainc_inv(float a, float b, float p) {
  return (float)ft_betainc_inv((double)a, (double)b, (double)p);
}

#endif  // FTRANS_FT_SPECIAL_CUH
