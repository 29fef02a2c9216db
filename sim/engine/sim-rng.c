/* sim-rng.c — stream seeding, bounded integers and distributions; see the
 * header for the invariant (a stream depends only on its triple and on how
 * far it has been drawn).  Nothing here keeps state outside the SimRng or
 * SimZipf the caller passes in. */
#include "sim-rng.h"

#include <math.h>

#define GOLDEN_GAMMA G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)

/* The splitmix64 output function: a bijection on 64-bit words with full
 * avalanche. */
static guint64
mix64 (guint64 z)
{
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

guint64
sim_splitmix64_next (guint64 *state)
{
  *state += GOLDEN_GAMMA;
  return mix64 (*state);
}

void
sim_rng_seed_splitmix (SimRng *r, guint64 seed)
{
  g_return_if_fail (r != NULL);
  /* Four successive outputs of a bijection applied to four distinct
   * states: at most one is zero, so the state is never all-zero. */
  for (int i = 0; i < 4; i++)
    r->s[i] = sim_splitmix64_next (&seed);
}

/* Hashes the triple.  Each step is a bijection of the new component for a
 * fixed prefix, so for one (master, purpose) distinct indices always get
 * distinct seeds; across prefixes a collision has probability 2^-64.  The
 * odd multiples of the golden gamma keep the components apart (index 0 of
 * purpose 1 does not hash like index 1 of purpose 0). */
void
sim_rng_init (SimRng *r, guint64 master, SimRngPurpose purpose,
              guint64 index)
{
  sim_rng_init_keyed (r, master, purpose, &index, 1);
}

/* Further key words are chained like the index, each with its own odd
 * multiple of the golden gamma, so (a, b) and (b, a) hash apart. */
void
sim_rng_init_keyed (SimRng *r, guint64 master, SimRngPurpose purpose,
                    const guint64 *key, guint n)
{
  g_return_if_fail (r != NULL);
  g_return_if_fail (key != NULL && n >= 1);
  guint64 h = mix64 (master + GOLDEN_GAMMA);
  h = mix64 (h ^ mix64 ((guint64) purpose + 3 * GOLDEN_GAMMA));
  for (guint i = 0; i < n; i++)
    h = mix64 (h ^ mix64 (key[i] + (5 + 2 * (guint64) i) * GOLDEN_GAMMA));
  sim_rng_seed_splitmix (r, h);
}

/* 64×64 → 128-bit product, high and low halves. */
static inline void
mul128 (guint64 a, guint64 b, guint64 *hi, guint64 *lo)
{
#ifdef __SIZEOF_INT128__
  __extension__ typedef unsigned __int128 u128;
  u128 m = (u128) a * b;
  *hi = (guint64) (m >> 64);
  *lo = (guint64) m;
#else
  guint64 a_lo = a & 0xffffffffu, a_hi = a >> 32;
  guint64 b_lo = b & 0xffffffffu, b_hi = b >> 32;
  guint64 ll = a_lo * b_lo, lh = a_lo * b_hi;
  guint64 hl = a_hi * b_lo, hh = a_hi * b_hi;
  guint64 mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  *lo = (mid << 32) | (ll & 0xffffffffu);
  *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* Lemire, "Fast random integer generation in an interval" (ACM TOMACS
 * 2019).  x·n / 2^64 maps [0, 2^64) onto [0, n); the low half of the
 * product tells whether x fell in one of the 2^64 mod n over-represented
 * positions, which are rejected.  The modulo is computed only when the low
 * half is below n, i.e. with probability n / 2^64. */
guint64
sim_rng_uniform_u64 (SimRng *r, guint64 n)
{
  g_return_val_if_fail (r != NULL, 0);
  g_return_val_if_fail (n > 0, 0);
  guint64 hi, lo;
  mul128 (sim_rng_next_u64 (r), n, &hi, &lo);
  if (lo < n)
    {
      guint64 threshold = (0 - n) % n; /* 2^64 mod n */
      while (lo < threshold)
        mul128 (sim_rng_next_u64 (r), n, &hi, &lo);
    }
  return hi;
}

double
sim_rng_double (SimRng *r)
{
  g_return_val_if_fail (r != NULL, 0.0);
  return (double) (sim_rng_next_u64 (r) >> 11) * 0x1.0p-53;
}

gboolean
sim_rng_bernoulli (SimRng *r, double p)
{
  g_return_val_if_fail (r != NULL, FALSE);
  return sim_rng_double (r) < p;
}

void
sim_rng_fill_bytes (SimRng *r, void *buf, gsize len)
{
  g_return_if_fail (r != NULL);
  g_return_if_fail (buf != NULL || len == 0);
  guint8 *p = buf;
  while (len > 0)
    {
      guint64 x = sim_rng_next_u64 (r);
      gsize n = MIN (len, 8);
      for (gsize i = 0; i < n; i++)
        p[i] = (guint8) (x >> (8 * i));
      p += n;
      len -= n;
    }
}

/* 1 - U lies in (0, 1], so logarithms of it are finite. */
static inline double
open_left_uniform (SimRng *r)
{
  return 1.0 - sim_rng_double (r);
}

double
sim_rng_exponential (SimRng *r, double mean)
{
  g_return_val_if_fail (mean > 0, NAN);
  return -mean * log (open_left_uniform (r));
}

double
sim_rng_pareto (SimRng *r, double shape, double scale)
{
  g_return_val_if_fail (shape > 0 && scale > 0, NAN);
  return scale * exp (-log (open_left_uniform (r)) / shape);
}

double
sim_rng_weibull (SimRng *r, double shape, double scale)
{
  g_return_val_if_fail (shape > 0 && scale > 0, NAN);
  return scale * pow (-log (open_left_uniform (r)), 1.0 / shape);
}

double
sim_rng_uniform (SimRng *r, double lo, double hi)
{
  g_return_val_if_fail (lo <= hi, NAN);
  return lo + (hi - lo) * sim_rng_double (r);
}

double
sim_rng_normal (SimRng *r, double mu, double sigma)
{
  g_return_val_if_fail (sigma >= 0, NAN);
  double radius = sqrt (-2.0 * log (open_left_uniform (r)));
  double angle = 2.0 * G_PI * sim_rng_double (r);
  return mu + sigma * radius * cos (angle);
}

double
sim_rng_lognormal (SimRng *r, double mu, double sigma)
{
  g_return_val_if_fail (sigma >= 0, NAN);
  return exp (sim_rng_normal (r, mu, sigma));
}

/* ---- Zipf by rejection-inversion ----
 *
 * The hat is h(x) = x^-s with integral H(x) = (x^(1-s) - 1) / (1 - s) from
 * 1, which becomes log(x) at s = 1.  Both H and its inverse are written
 * with log1p/expm1 quotients so that they stay accurate as s -> 1 and at
 * s = 1 exactly.  A uniform u on (H(1.5) - 1, H(n + 0.5)] is inverted to x;
 * the nearest rank k is accepted when u lies under the bar of k. */

/* expm1(y) / y, continuous at 0. */
static double
expm1_ratio (double y)
{
  if (fabs (y) > 1e-8)
    return expm1 (y) / y;
  return 1.0 + y / 2.0 * (1.0 + y / 3.0 * (1.0 + y / 4.0));
}

/* log1p(y) / y, continuous at 0. */
static double
log1p_ratio (double y)
{
  if (fabs (y) > 1e-8)
    return log1p (y) / y;
  return 1.0 - y * (1.0 / 2.0 - y * (1.0 / 3.0 - y / 4.0));
}

static double
zipf_h (double s, double x)
{
  return exp (-s * log (x));
}

static double
zipf_big_h (double s, double x)
{
  double lx = log (x);
  return expm1_ratio ((1.0 - s) * lx) * lx;
}

static double
zipf_big_h_inv (double s, double y)
{
  double t = y * (1.0 - s);
  if (t < -1.0)
    t = -1.0; /* rounding can push it just below the domain */
  return exp (log1p_ratio (t) * y);
}

void
sim_zipf_init (SimZipf *z, double s, guint64 n)
{
  g_return_if_fail (z != NULL);
  g_return_if_fail (s > 0 && isfinite (s));
  g_return_if_fail (n >= 1 && n <= (G_GUINT64_CONSTANT (1) << 53));
  z->s = s;
  z->n = (double) n;
  z->h_x1 = zipf_big_h (s, 1.5) - 1.0;
  z->h_n = zipf_big_h (s, z->n + 0.5);
  z->cut = 2.0 - zipf_big_h_inv (s, zipf_big_h (s, 2.5) - zipf_h (s, 2.0));
}

guint64
sim_zipf_sample (const SimZipf *z, SimRng *r)
{
  g_return_val_if_fail (z != NULL && z->n >= 1, 1);
  for (;;)
    {
      double u = z->h_n + sim_rng_double (r) * (z->h_x1 - z->h_n);
      double x = zipf_big_h_inv (z->s, u);
      double k = floor (x + 0.5);
      if (k < 1)
        k = 1;
      else if (k > z->n)
        k = z->n;
      if (k - x <= z->cut
          || u >= zipf_big_h (z->s, k + 0.5) - zipf_h (z->s, k))
        return sim_u64_from_double (k);
    }
}

#define HARMONIC_EXACT 10000

double
sim_harmonic (guint64 n, double s)
{
  guint64 m = MIN (n, (guint64) HARMONIC_EXACT);
  double sum = 0;
  /* Smallest terms first (for s > 0) to limit rounding error. */
  for (guint64 k = m; k >= 1; k--)
    sum += exp (-s * log ((double) k));
  if (n <= HARMONIC_EXACT)
    return sum;

  /* Euler–Maclaurin for f(x) = x^-s on [M, n], M = HARMONIC_EXACT; the
   * exact part above already counted f(M), hence the minus half. */
  double big_m = (double) HARMONIC_EXACT, big_n = (double) n;
  double l = log (big_n / big_m);
  double f_m = exp (-s * log (big_m)), f_n = exp (-s * log (big_n));
  double integral = big_m * f_m * l * expm1_ratio ((1.0 - s) * l);
  double d1 = -s * (f_n / big_n - f_m / big_m);
  double d3 = -s * (s + 1) * (s + 2)
              * (f_n / (big_n * big_n * big_n) - f_m / (big_m * big_m * big_m));
  return sum - f_m + integral + (f_m + f_n) / 2 + d1 / 12 - d3 / 720;
}

/* ---- SimDist ---- */

SimDist
sim_dist_constant (double value)
{
  return (SimDist){ SIM_DIST_CONSTANT, value, 0 };
}

SimDist
sim_dist_uniform (double lo, double hi)
{
  return (SimDist){ SIM_DIST_UNIFORM, lo, hi };
}

SimDist
sim_dist_exponential (double mean)
{
  return (SimDist){ SIM_DIST_EXPONENTIAL, mean, 0 };
}

SimDist
sim_dist_pareto (double shape, double scale)
{
  return (SimDist){ SIM_DIST_PARETO, shape, scale };
}

SimDist
sim_dist_pareto_median (double shape, double median)
{
  return (SimDist){ SIM_DIST_PARETO, shape, median / exp2 (1.0 / shape) };
}

SimDist
sim_dist_weibull (double shape, double scale)
{
  return (SimDist){ SIM_DIST_WEIBULL, shape, scale };
}

SimDist
sim_dist_normal (double mu, double sigma)
{
  return (SimDist){ SIM_DIST_NORMAL, mu, sigma };
}

SimDist
sim_dist_lognormal (double mu, double sigma)
{
  return (SimDist){ SIM_DIST_LOGNORMAL, mu, sigma };
}

SimDist
sim_dist_zipf (double s, guint64 n)
{
  return (SimDist){ SIM_DIST_ZIPF, s, (double) n };
}

gboolean
sim_dist_is_valid (const SimDist *d)
{
  g_return_val_if_fail (d != NULL, FALSE);
  double a = d->p1, b = d->p2;
  if (!isfinite (a) || !isfinite (b))
    return FALSE;
  switch (d->kind)
    {
    case SIM_DIST_CONSTANT:
      return TRUE;
    case SIM_DIST_UNIFORM:
      return a <= b;
    case SIM_DIST_EXPONENTIAL:
      return a > 0;
    case SIM_DIST_PARETO:
    case SIM_DIST_WEIBULL:
      return a > 0 && b > 0;
    case SIM_DIST_NORMAL:
    case SIM_DIST_LOGNORMAL:
      return b >= 0;
    case SIM_DIST_ZIPF:
      return a > 0 && b >= 1 && b <= 0x1.0p53 && b == floor (b);
    default:
      return FALSE;
    }
}

double
sim_dist_sample (const SimDist *d, SimRng *r)
{
  g_return_val_if_fail (r != NULL, NAN);
  g_return_val_if_fail (sim_dist_is_valid (d), NAN);
  switch (d->kind)
    {
    case SIM_DIST_CONSTANT:
      return d->p1;
    case SIM_DIST_UNIFORM:
      return sim_rng_uniform (r, d->p1, d->p2);
    case SIM_DIST_EXPONENTIAL:
      return sim_rng_exponential (r, d->p1);
    case SIM_DIST_PARETO:
      return sim_rng_pareto (r, d->p1, d->p2);
    case SIM_DIST_WEIBULL:
      return sim_rng_weibull (r, d->p1, d->p2);
    case SIM_DIST_NORMAL:
      return sim_rng_normal (r, d->p1, d->p2);
    case SIM_DIST_LOGNORMAL:
      return sim_rng_lognormal (r, d->p1, d->p2);
    case SIM_DIST_ZIPF:
      {
        SimZipf z;
        sim_zipf_init (&z, d->p1, sim_u64_from_double (d->p2));
        return (double) sim_zipf_sample (&z, r);
      }
    default:
      g_return_val_if_reached (NAN);
    }
}

SimTime
sim_dist_sample_time (const SimDist *d, SimRng *r, SimTime unit)
{
  /* Negative, zero or NaN give 0; beyond SimTime, SIM_TIME_MAX. */
  return sim_time_from_us (floor (sim_dist_sample (d, r) * (double) unit
                                  + 0.5));
}

double
sim_dist_mean (const SimDist *d)
{
  g_return_val_if_fail (d != NULL, NAN);
  if (!sim_dist_is_valid (d))
    return NAN;
  double a = d->p1, b = d->p2;
  switch (d->kind)
    {
    case SIM_DIST_CONSTANT:
      return a;
    case SIM_DIST_UNIFORM:
      return (a + b) / 2;
    case SIM_DIST_EXPONENTIAL:
      return a;
    case SIM_DIST_PARETO:
      return a > 1 ? a * b / (a - 1) : INFINITY;
    case SIM_DIST_WEIBULL:
      return b * tgamma (1 + 1 / a);
    case SIM_DIST_NORMAL:
      return a;
    case SIM_DIST_LOGNORMAL:
      return exp (a + b * b / 2);
    case SIM_DIST_ZIPF:
      return sim_harmonic (sim_u64_from_double (b), a - 1)
             / sim_harmonic (sim_u64_from_double (b), a);
    default:
      return NAN;
    }
}

double
sim_dist_median (const SimDist *d)
{
  g_return_val_if_fail (d != NULL, NAN);
  if (!sim_dist_is_valid (d))
    return NAN;
  double a = d->p1, b = d->p2;
  switch (d->kind)
    {
    case SIM_DIST_CONSTANT:
      return a;
    case SIM_DIST_UNIFORM:
      return (a + b) / 2;
    case SIM_DIST_EXPONENTIAL:
      return a * G_LN2;
    case SIM_DIST_PARETO:
      return b * exp2 (1 / a);
    case SIM_DIST_WEIBULL:
      return b * pow (G_LN2, 1 / a);
    case SIM_DIST_NORMAL:
      return a;
    case SIM_DIST_LOGNORMAL:
      return exp (a);
    case SIM_DIST_ZIPF:
      {
        guint64 n = sim_u64_from_double (b), lo = 1, hi = n;
        double half = sim_harmonic (n, a) / 2;
        while (lo < hi) /* smallest k with H(k, s) >= H(n, s) / 2 */
          {
            guint64 mid = lo + (hi - lo) / 2;
            if (sim_harmonic (mid, a) >= half)
              hi = mid;
            else
              lo = mid + 1;
          }
        return (double) lo;
      }
    default:
      return NAN;
    }
}
