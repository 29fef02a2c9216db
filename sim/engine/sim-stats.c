/* sim-stats.c — special functions and the tests built on them.
 *
 * Invariant: every function here is a pure function of its arguments (no
 * state, no RNG), so results files and `compare` verdicts are reproducible
 * bit for bit on one platform.
 *
 * Cost: each incomplete beta or gamma evaluation is a continued fraction
 * of at most MAX_ITER terms (usually under 50, about sqrt (dof) for a t
 * statistic near 0 at large dof); a quantile is about 60 bisection steps
 * of that.  Nothing here is on a hot path.
 */
#include "sim-stats.h"

#include <float.h>
#include <math.h>

#define MAX_ITER 5000
#define EPS 1e-15
#define TINY 1e-300

/* The continued fraction of the incomplete beta function (Numerical
 * Recipes' betacf, modified Lentz), for x < (a + 1) / (a + b + 2). */
static double
beta_cf (double a, double b, double x)
{
  double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0, d = 1.0 - qab * x / qap;
  if (fabs (d) < TINY)
    d = TINY;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= MAX_ITER; m++)
    {
      int m2 = 2 * m;
      double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
      d = 1.0 + aa * d;
      if (fabs (d) < TINY)
        d = TINY;
      c = 1.0 + aa / c;
      if (fabs (c) < TINY)
        c = TINY;
      d = 1.0 / d;
      h *= d * c;
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
      d = 1.0 + aa * d;
      if (fabs (d) < TINY)
        d = TINY;
      c = 1.0 + aa / c;
      if (fabs (c) < TINY)
        c = TINY;
      d = 1.0 / d;
      double del = d * c;
      h *= del;
      if (fabs (del - 1.0) < EPS)
        break;
    }
  return h;
}

/* ln Γ(a + s) - ln Γ(a) for a >= 100, by Stirling's series written as a
 * difference, so the two huge logarithms never cancel (lgamma (a + s) -
 * lgamma (a) loses eps * a ln a, 1e-8 at a = 1e8).  The series' error is
 * below 1e-20 for a >= 100. */
static double
lgamma_step (double a, double s)
{
  double b = a + s;
  double ia = 1.0 / a, ib = 1.0 / b, ia2 = ia * ia, ib2 = ib * ib;
  double ca
      = ia * (1.0 / 12 - ia2 * (1.0 / 360 - ia2 * (1.0 / 1260 - ia2 / 1680)));
  double cb
      = ib * (1.0 / 12 - ib2 * (1.0 / 360 - ib2 * (1.0 / 1260 - ib2 / 1680)));
  return (a - 0.5) * log1p (s / a) + s * log (b) - s + (cb - ca);
}

/* ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b). */
static double
lbeta (double a, double b)
{
  double big = MAX (a, b), small = MIN (a, b);
  if (big >= 100)
    return lgamma (small) - lgamma_step (big, small);
  return lgamma (a) + lgamma (b) - lgamma (a + b);
}

/* I_x(a, b) given x, y = 1 - x and their logarithms separately, so that
 * callers who know them more precisely than 1 - x and log (x) lose
 * nothing (a t statistic close to 0, or a large dof). */
static double
beta_inc_log (double a, double b, double x, double y, double lx, double ly)
{
  if (x <= 0)
    return 0;
  if (y <= 0)
    return 1;
  double lbt = a * lx + b * ly - lbeta (a, b);
  if (x < (a + 1.0) / (a + b + 2.0))
    return exp (lbt) * beta_cf (a, b, x) / a;
  return 1.0 - exp (lbt) * beta_cf (b, a, y) / b;
}

static double
beta_inc2 (double a, double b, double x, double y)
{
  if (x <= 0 || y <= 0)
    return x <= 0 ? 0 : 1;
  return beta_inc_log (a, b, x, y, log (x), log (y));
}

double
sim_stats_beta_inc (double a, double b, double x)
{
  g_return_val_if_fail (a > 0 && b > 0 && x >= 0 && x <= 1, NAN);
  return beta_inc2 (a, b, x, 1.0 - x);
}

double
sim_stats_gamma_q (double a, double x)
{
  g_return_val_if_fail (a > 0 && x >= 0, NAN);
  if (x == 0)
    return 1;
  double lpre = -x + a * log (x) - lgamma (a);
  if (x < a + 1.0)
    {
      /* Series for P(a, x); Q = 1 - P. */
      double ap = a, sum = 1.0 / a, del = sum;
      for (int n = 0; n < MAX_ITER; n++)
        {
          ap += 1.0;
          del *= x / ap;
          sum += del;
          if (fabs (del) < fabs (sum) * EPS)
            break;
        }
      return 1.0 - sum * exp (lpre);
    }
  /* Continued fraction for Q(a, x), modified Lentz. */
  double b = x + 1.0 - a, c = 1.0 / TINY, d = 1.0 / b, h = d;
  for (int i = 1; i <= MAX_ITER; i++)
    {
      double an = -i * (i - a);
      b += 2.0;
      d = an * d + b;
      if (fabs (d) < TINY)
        d = TINY;
      c = b + an / c;
      if (fabs (c) < TINY)
        c = TINY;
      d = 1.0 / d;
      double del = d * c;
      h *= del;
      if (fabs (del - 1.0) < EPS)
        break;
    }
  return exp (lpre) * h;
}

/* P(T > t) for t >= 0: half the two-sided tail I_{dof/(dof+t²)}(dof/2,
 * 1/2).  Above T_NORMAL_DOF the continued fraction would need about
 * sqrt (dof) terms near the centre, so the tail is taken from the normal
 * distribution through Wallace's (1959) transformation
 * z = t (1 - 1/(4 dof)) / sqrt (1 + t²/(2 dof)), whose error is O(dof^-2):
 * under 1e-11 there. */
#define T_NORMAL_DOF 1e5

static double
t_upper (double t, double dof)
{
  if (dof > T_NORMAL_DOF)
    {
      double z = t * (1 - 1 / (4 * dof)) / sqrt (1 + t * t / (2 * dof));
      return 0.5 * erfc (z / G_SQRT2);
    }
  if (t == 0)
    return 0.5;
  double t2 = t * t;
  double x = dof / (dof + t2), y = t2 / (dof + t2);
  return 0.5
         * beta_inc_log (dof / 2.0, 0.5, x, y, -log1p (t2 / dof),
                         -log1p (dof / t2));
}

double
sim_stats_t_cdf (double t, double dof)
{
  g_return_val_if_fail (dof > 0, NAN);
  if (isnan (t))
    return NAN;
  if (isinf (t))
    return t > 0 ? 1.0 : 0.0;
  double up = t_upper (fabs (t), dof);
  return t >= 0 ? 1.0 - up : up;
}

double
sim_stats_t_quantile (double p, double dof)
{
  if (isnan (p) || p < 0 || p > 1 || !(dof > 0))
    return NAN;
  if (p == 0)
    return -INFINITY;
  if (p == 1)
    return INFINITY;
  if (p == 0.5)
    return 0;
  /* Solve P(T > t) = q for t > 0, q the smaller tail (exact: 1 - p has no
   * rounding error for p >= 0.5). */
  double q = p < 0.5 ? p : 1.0 - p;
  double lo = 0, hi = 1;
  while (t_upper (hi, dof) > q && hi < 1e300)
    {
      lo = hi;
      hi *= 2;
    }
  for (int i = 0; i < 2000 && hi - lo > 4 * DBL_EPSILON * hi; i++)
    {
      double mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi)
        break;
      if (t_upper (mid, dof) > q)
        lo = mid;
      else
        hi = mid;
    }
  double t = lo + (hi - lo) / 2;
  return p < 0.5 ? -t : t;
}

double
sim_stats_chi2_sf (double x, double k)
{
  g_return_val_if_fail (k > 0, NAN);
  if (isnan (x))
    return NAN;
  if (x <= 0)
    return 1;
  return sim_stats_gamma_q (k / 2.0, x / 2.0);
}

void
sim_stats_summarize (const double *x, guint n, double level,
                     SimStatsSummary *out)
{
  g_return_if_fail ((x != NULL || n == 0) && out != NULL);
  g_return_if_fail (level > 0 && level < 1);
  guint m = 0;
  double sum = 0;
  for (guint i = 0; i < n; i++)
    if (isfinite (x[i]))
      {
        sum += x[i];
        m++;
      }
  out->n = m;
  out->mean = m > 0 ? sum / m : NAN;
  out->sd = out->ci_low = out->ci_high = NAN;
  if (m < 2)
    return;
  double ss = 0, corr = 0;
  for (guint i = 0; i < n; i++)
    if (isfinite (x[i]))
      {
        double d = x[i] - out->mean;
        ss += d * d;
        corr += d;
      }
  /* The corrected two-pass formula (Chan, Golub & LeVeque 1983). */
  double var = (ss - corr * corr / m) / (m - 1);
  out->sd = sqrt (var > 0 ? var : 0);
  double half = sim_stats_t_quantile (1.0 - (1.0 - level) / 2.0, m - 1)
                * out->sd / sqrt ((double)m);
  out->ci_low = out->mean - half;
  out->ci_high = out->mean + half;
}

double
sim_stats_welch (double mean_a, double sd_a, guint64 n_a, double mean_b,
                 double sd_b, guint64 n_b, double *t_out, double *dof_out)
{
  if (t_out != NULL)
    *t_out = NAN;
  if (dof_out != NULL)
    *dof_out = NAN;
  if (n_a < 2 || n_b < 2 || !isfinite (mean_a) || !isfinite (mean_b)
      || !isfinite (sd_a) || !isfinite (sd_b))
    return NAN;
  double na = (double)n_a, nb = (double)n_b;
  double va = sd_a * sd_a / na, vb = sd_b * sd_b / nb;
  double se2 = va + vb;
  if (se2 == 0)
    return mean_a == mean_b ? 1.0 : 0.0;
  double t = (mean_b - mean_a) / sqrt (se2);
  double dof = se2 * se2 / (va * va / (na - 1) + vb * vb / (nb - 1));
  if (t_out != NULL)
    *t_out = t;
  if (dof_out != NULL)
    *dof_out = dof;
  double p = 2.0 * t_upper (fabs (t), dof);
  return p > 1 ? 1 : p;
}

double
sim_stats_chi2_homogeneity (const guint64 *a, const guint64 *b, guint k,
                            double *stat_out, guint *dof_out)
{
  g_return_val_if_fail ((a != NULL && b != NULL) || k == 0, NAN);
  if (stat_out != NULL)
    *stat_out = NAN;
  if (dof_out != NULL)
    *dof_out = 0;
  double ta = 0, tb = 0;
  for (guint i = 0; i < k; i++)
    {
      ta += (double)a[i];
      tb += (double)b[i];
    }
  if (ta == 0 || tb == 0)
    return NAN;
  double total = ta + tb, smaller = MIN (ta, tb);

  /* Merge adjacent categories until each expects >= 5 on both sides. */
  g_autoptr (GArray) ba = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) bb = g_array_new (FALSE, FALSE, sizeof (double));
  double ca = 0, cb = 0;
  for (guint i = 0; i < k; i++)
    {
      ca += (double)a[i];
      cb += (double)b[i];
      if (smaller * (ca + cb) / total >= 5.0)
        {
          g_array_append_val (ba, ca);
          g_array_append_val (bb, cb);
          ca = cb = 0;
        }
    }
  if (ca + cb > 0)
    {
      if (ba->len == 0)
        {
          g_array_append_val (ba, ca);
          g_array_append_val (bb, cb);
        }
      else
        {
          g_array_index (ba, double, ba->len - 1) += ca;
          g_array_index (bb, double, bb->len - 1) += cb;
        }
    }
  if (ba->len < 2)
    {
      if (stat_out != NULL)
        *stat_out = 0;
      return 1.0;
    }
  double stat = 0;
  for (guint i = 0; i < ba->len; i++)
    {
      double oa = g_array_index (ba, double, i);
      double ob = g_array_index (bb, double, i);
      double ea = ta * (oa + ob) / total, eb = tb * (oa + ob) / total;
      stat += (oa - ea) * (oa - ea) / ea + (ob - eb) * (ob - eb) / eb;
    }
  if (stat_out != NULL)
    *stat_out = stat;
  if (dof_out != NULL)
    *dof_out = ba->len - 1;
  return sim_stats_chi2_sf (stat, ba->len - 1);
}
