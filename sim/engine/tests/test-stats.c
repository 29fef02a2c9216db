/* test-stats.c — sim-stats against closed forms, published tables and
 * SciPy 1.10 reference values (scipy.stats.t.ppf, chi2.sf, ttest_ind with
 * equal_var=False, chi2_contingency with correction=False). */
#include "sim-stats.h"

#include <math.h>

/* Asserts |got - want| <= tol * max(1, |want|). */
#define assert_close(got, want, tol)                                           \
  do                                                                           \
    {                                                                          \
      double g_ = (got), w_ = (want);                                          \
      if (!(fabs (g_ - w_) <= (tol)*MAX (1.0, fabs (w_))))                     \
        g_error ("%s = %.17g, want %.17g (tol %g)", #got, g_, w_,              \
                 (double)(tol));                                               \
    }                                                                          \
  while (0)

typedef struct
{
  double p, dof, t;
} TCase;

/* Closed forms: dof 1 is Cauchy, t = tan (pi (p - 1/2)); dof 2 has
 * t = (2p - 1) / sqrt (2p (1 - p)); dof 4 has t = 2 sqrt (q - 1) with
 * q = cos (acos (sqrt a) / 3) / sqrt a, a = 4p (1 - p). */
static double
t_exact (double p, double dof)
{
  if (dof == 1)
    return tan (G_PI * (p - 0.5));
  if (dof == 2)
    return (2 * p - 1) / sqrt (2 * p * (1 - p));
  double a = 4 * p * (1 - p);
  double q = cos (acos (sqrt (a)) / 3) / sqrt (a);
  return (p > 0.5 ? 2 : -2) * sqrt (q - 1);
}

static const TCase exact_cases[] = {
  { 0.975, 1, 0 }, { 0.6, 1, 0 },    { 0.999, 1, 0 },
  { 0.95, 2, 0 },  { 0.9995, 2, 0 }, { 0.3, 2, 0 },
  { 0.975, 4, 0 }, { 0.995, 4, 0 },  { 0.025, 4, 0 },
};

/* The CDF for even dof as a finite sum (Student 1908): with
 * x = t / sqrt (dof + t²), F(t) = 1/2 + x/2 sum_{j < dof/2}
 * ((2j - 1)!! / (2j)!!) (1 - x²)^j. */
static double
t_cdf_even (double t, guint dof)
{
  long double x = t / sqrtl ((long double)dof + (long double)t * t);
  long double c = 1, w = 1, sum = 0;
  for (guint j = 0; j < dof / 2; j++)
    {
      if (j > 0)
        {
          c *= (2.0L * j - 1) / (2.0L * j);
          w *= 1 - x * x;
        }
      sum += c * w;
    }
  return (double)(0.5L + x / 2 * sum);
}

/* SciPy's t.ppf for odd and fractional dof.  Its own error reaches 1e-9
 * (it gives t.ppf (0.975, 1) = 12.706204736432, the exact value being
 * 12.706204736174696, and t.ppf (0.995, 10) = 3.169272667176 where the
 * sum above gives 3.169272672617), so these compare at 1e-8.  The sum
 * is computed in long double: at dof 1e5 it has 50,000 terms. */
static const TCase scipy_cases[] = {
  { 0.975, 2.5, 3.5746548420118773 },
  { 0.975, 7, 2.3646242510102993 },
  { 0.9, 5, 1.4758840487820273 },
  { 0.999, 3, 10.214531852405331 },
};

static void
test_t_quantile_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (exact_cases); i++)
    {
      const TCase *c = &exact_cases[i];
      double want = t_exact (c->p, c->dof);
      assert_close (sim_stats_t_quantile (c->p, c->dof), want, 1e-13);
      assert_close (sim_stats_t_cdf (want, c->dof), c->p, 1e-14);
    }
  for (guint i = 0; i < G_N_ELEMENTS (scipy_cases); i++)
    {
      const TCase *c = &scipy_cases[i];
      assert_close (sim_stats_t_quantile (c->p, c->dof), c->t, 1e-8);
      assert_close (sim_stats_t_cdf (c->t, c->dof), c->p, 1e-9);
    }
  static const guint even[] = { 2, 6, 10, 30, 100, 1000 };
  static const double ps[] = { 0.6, 0.9, 0.975, 0.995, 0.9999 };
  for (guint i = 0; i < G_N_ELEMENTS (even); i++)
    for (guint j = 0; j < G_N_ELEMENTS (ps); j++)
      {
        double t = sim_stats_t_quantile (ps[j], even[i]);
        assert_close (t_cdf_even (t, even[i]), ps[j], 1e-12);
        assert_close (sim_stats_t_cdf (t / 2, even[i]),
                      t_cdf_even (t / 2, even[i]), 1e-12);
      }
  /* The three table values, to the table's three decimals. */
  assert_close (sim_stats_t_quantile (0.975, 1), 12.706, 5e-4 / 12.706);
  assert_close (sim_stats_t_quantile (0.975, 4), 2.776, 5e-4 / 2.776);
  assert_close (sim_stats_t_quantile (0.975, 30), 2.042, 5e-4 / 2.042);
}

/* Boundaries: p = 0, 0.5 and 1; symmetry; p outside [0, 1]; dof <= 0;
 * and a huge dof, where t tends to the normal quantile 1.959964. */
static void
test_t_quantile_edges (void)
{
  g_assert_true (isinf (sim_stats_t_quantile (0, 3))
                 && sim_stats_t_quantile (0, 3) < 0);
  g_assert_true (isinf (sim_stats_t_quantile (1, 3))
                 && sim_stats_t_quantile (1, 3) > 0);
  g_assert_cmpfloat (sim_stats_t_quantile (0.5, 3), ==, 0);
  g_assert_true (isnan (sim_stats_t_quantile (-0.1, 3)));
  g_assert_true (isnan (sim_stats_t_quantile (1.1, 3)));
  g_assert_true (isnan (sim_stats_t_quantile (0.9, 0)));
  for (double p = 0.01; p < 1; p += 0.07)
    assert_close (sim_stats_t_quantile (p, 6), -sim_stats_t_quantile (1 - p, 6),
                  1e-12);
  /* Huge dof: t = z + (z³ + z) / (4 dof) + O(dof^-2), z the normal
   * quantile. */
  const double z = 1.959963984540054;
  assert_close (sim_stats_t_quantile (0.975, 1e9), z + (z * z * z + z) / 4e9,
                1e-13);
  /* Both sides of the switch to the normal transformation at dof 1e5
   * agree with the even-dof sum (error < 1e-11). */
  for (double t = 0.25; t < 6; t += 0.5)
    {
      assert_close (sim_stats_t_cdf (t, 99998), t_cdf_even (t, 99998), 1e-11);
      assert_close (sim_stats_t_cdf (t, 100002), t_cdf_even (t, 100002), 1e-11);
    }
  /* Far tails stay accurate: dof 1 is Cauchy, t = tan (pi (p - 1/2)). */
  assert_close (sim_stats_t_quantile (1 - 1e-10, 1), tan (G_PI * (0.5 - 1e-10)),
                1e-6);
  g_assert_cmpfloat (sim_stats_t_cdf (0, 5), ==, 0.5);
  g_assert_cmpfloat (sim_stats_t_cdf (INFINITY, 5), ==, 1);
  g_assert_cmpfloat (sim_stats_t_cdf (-INFINITY, 5), ==, 0);
}

static void
test_special_functions (void)
{
  /* I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b; symmetry. */
  assert_close (sim_stats_beta_inc (2.5, 1, 0.3), pow (0.3, 2.5), 1e-13);
  assert_close (sim_stats_beta_inc (1, 3, 0.2), 1 - pow (0.8, 3), 1e-13);
  assert_close (sim_stats_beta_inc (3, 5, 0.4),
                1 - sim_stats_beta_inc (5, 3, 0.6), 1e-13);
  g_assert_cmpfloat (sim_stats_beta_inc (2, 2, 0), ==, 0);
  g_assert_cmpfloat (sim_stats_beta_inc (2, 2, 1), ==, 1);
  /* Q(1, x) = e^-x; Q(a, 0) = 1. */
  assert_close (sim_stats_gamma_q (1, 2.5), exp (-2.5), 1e-13);
  assert_close (sim_stats_gamma_q (1, 0.3), exp (-0.3), 1e-13);
  g_assert_cmpfloat (sim_stats_gamma_q (4, 0), ==, 1);
}

static void
test_chi2_sf (void)
{
  assert_close (sim_stats_chi2_sf (3.841458820694124, 1), 0.05, 1e-12);
  assert_close (sim_stats_chi2_sf (11.070497693516351, 5), 0.05, 1e-12);
  assert_close (sim_stats_chi2_sf (1.0, 1), 0.31731050786291115, 1e-12);
  assert_close (sim_stats_chi2_sf (10.0, 3), 0.01856613546304325, 1e-12);
  assert_close (sim_stats_chi2_sf (0.5, 2), 0.7788007830714049, 1e-12);
  assert_close (sim_stats_chi2_sf (30, 10), 0.000856641210775301, 1e-10);
  assert_close (sim_stats_chi2_sf (100.0, 50), 3.454931382984871e-05, 1e-10);
  g_assert_cmpfloat (sim_stats_chi2_sf (0, 4), ==, 1);
}

/* Mean, sd and CI of 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sd sqrt(32/7),
 * half-width t(0.975, 7) sd / sqrt 8. */
static void
test_summarize (void)
{
  const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
  SimStatsSummary s;
  sim_stats_summarize (x, G_N_ELEMENTS (x), 0.95, &s);
  g_assert_cmpuint (s.n, ==, 8);
  assert_close (s.mean, 5, 1e-15);
  assert_close (s.sd, 2.138089935299395, 1e-14);
  double half = 2.3646242510102993 * 2.138089935299395 / sqrt (8);
  assert_close (s.ci_low, 5 - half, 1e-8);
  assert_close (s.ci_high, 5 + half, 1e-8);

  /* NaN and infinities are skipped; n counts finite values. */
  const double y[] = { NAN, 1, INFINITY, 3 };
  sim_stats_summarize (y, G_N_ELEMENTS (y), 0.95, &s);
  g_assert_cmpuint (s.n, ==, 2);
  assert_close (s.mean, 2, 1e-15);
  assert_close (s.sd, sqrt (2), 1e-15);
  assert_close (s.ci_high - s.mean, tan (G_PI * 0.475), 1e-13);

  /* n = 1: a mean but no spread; n = 0: nothing. */
  sim_stats_summarize (x, 1, 0.95, &s);
  g_assert_cmpuint (s.n, ==, 1);
  g_assert_cmpfloat (s.mean, ==, 2);
  g_assert_true (isnan (s.sd) && isnan (s.ci_low) && isnan (s.ci_high));
  sim_stats_summarize (NULL, 0, 0.95, &s);
  g_assert_cmpuint (s.n, ==, 0);
  g_assert_true (isnan (s.mean));

  /* Constant data: sd exactly 0, CI collapses; a large offset does not
   * cancel (the two-pass algorithm). */
  const double c[] = { 1e9 + 1, 1e9 + 1, 1e9 + 1 };
  sim_stats_summarize (c, 3, 0.95, &s);
  g_assert_cmpfloat (s.sd, ==, 0);
  g_assert_cmpfloat (s.ci_low, ==, s.mean);
  const double o[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };
  sim_stats_summarize (o, 4, 0.95, &s);
  assert_close (s.sd, sqrt (30), 1e-12);
}

static void
mean_sd (const double *x, guint n, double *mean, double *sd)
{
  SimStatsSummary s;
  sim_stats_summarize (x, n, 0.95, &s);
  *mean = s.mean;
  *sd = s.sd;
}

/* The two worked examples of the Wikipedia article on Welch's t-test, and
 * a small unbalanced one; p-values from scipy.stats.ttest_ind
 * (equal_var=False).  Our t is B - A, SciPy's A - B. */
static void
test_welch (void)
{
  static const double a1[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
                               21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
  static const double b1[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
                               24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
  static const double a2[]
      = { 19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0 };
  static const double b2[]
      = { 28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7,
          23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3 };
  static const double a3[] = { 1, 2, 3 };
  static const double b3[] = { 1.5, 2.5, 3.5, 10 };
  struct
  {
    const double *a, *b;
    guint na, nb;
    double t, p;
  } cases[] = {
    { a1, b1, 15, 15, -2.455356398286006, 0.021378001462866985 },
    { a2, b2, 10, 20, -2.225512039969852, 0.035484530830010325 },
    { a3, b3, 3, 4, -1.18518743694843, 0.30965760203847714 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double ma, sa, mb, sb, t, dof;
      mean_sd (cases[i].a, cases[i].na, &ma, &sa);
      mean_sd (cases[i].b, cases[i].nb, &mb, &sb);
      double p = sim_stats_welch (ma, sa, cases[i].na, mb, sb, cases[i].nb, &t,
                                  &dof);
      assert_close (-t, cases[i].t, 1e-12);
      assert_close (p, cases[i].p, 1e-9);
      /* Swapping the sides flips t, keeps p. */
      assert_close (sim_stats_welch (mb, sb, cases[i].nb, ma, sa, cases[i].na,
                                     NULL, NULL),
                    p, 1e-14);
    }
  /* Identical samples: t = 0, p = 1. */
  double m, s;
  mean_sd (a1, 15, &m, &s);
  assert_close (sim_stats_welch (m, s, 15, m, s, 15, NULL, NULL), 1, 1e-14);
  /* Degenerate (zero variance both sides) and n < 2. */
  g_assert_cmpfloat (sim_stats_welch (3, 0, 5, 3, 0, 5, NULL, NULL), ==, 1);
  g_assert_cmpfloat (sim_stats_welch (3, 0, 5, 4, 0, 5, NULL, NULL), ==, 0);
  g_assert_true (isnan (sim_stats_welch (3, 1, 1, 4, 1, 5, NULL, NULL)));
}

static void
test_chi2_homogeneity (void)
{
  /* scipy.stats.chi2_contingency([[10,20,30],[20,20,20]],
   * correction=False): 5.3333, dof 2, p 0.0694834512228015. */
  const guint64 a[] = { 10, 20, 30 }, b[] = { 20, 20, 20 };
  double stat;
  guint dof;
  double p = sim_stats_chi2_homogeneity (a, b, 3, &stat, &dof);
  assert_close (stat, 5.333333333333334, 1e-12);
  g_assert_cmpuint (dof, ==, 2);
  assert_close (p, 0.0694834512228015, 1e-10);

  /* Identical distributions (even at different totals): p = 1. */
  const guint64 h1[] = { 0, 40, 430, 520, 10 };
  const guint64 h2[] = { 0, 80, 860, 1040, 20 };
  p = sim_stats_chi2_homogeneity (h1, h2, 5, &stat, &dof);
  assert_close (stat, 0, 1e-12);
  assert_close (p, 1, 1e-12);

  /* Clearly different: hop counts of b = 4 against b = 1 routing. */
  const guint64 fast[] = { 5, 300, 600, 95, 0, 0, 0 };
  const guint64 slow[] = { 0, 10, 100, 300, 400, 150, 40 };
  p = sim_stats_chi2_homogeneity (fast, slow, 7, &stat, &dof);
  g_assert_cmpfloat (p, <, 1e-100);

  /* Sparse categories are merged: 0 and 1 (expected < 5) join 2; the
   * tail 5..6 joins 4.  Categories: {0,1,2}, {3}, {4,5,6}: dof 2. */
  const guint64 sa[] = { 1, 1, 20, 20, 20, 1, 1 };
  const guint64 sb[] = { 1, 2, 20, 20, 20, 2, 0 };
  p = sim_stats_chi2_homogeneity (sa, sb, 7, &stat, &dof);
  g_assert_cmpuint (dof, ==, 2);
  g_assert_cmpfloat (p, >, 0.5);

  /* One category only: indistinguishable.  An empty side: NaN. */
  const guint64 one_a[] = { 0, 50, 0 }, one_b[] = { 0, 70, 0 };
  g_assert_cmpfloat (sim_stats_chi2_homogeneity (one_a, one_b, 3, &stat, &dof),
                     ==, 1);
  g_assert_cmpuint (dof, ==, 0);
  const guint64 none[] = { 0, 0, 0 };
  g_assert_true (
      isnan (sim_stats_chi2_homogeneity (one_a, none, 3, NULL, NULL)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/t-quantile/table", test_t_quantile_table);
  g_test_add_func ("/stats/t-quantile/edges", test_t_quantile_edges);
  g_test_add_func ("/stats/special-functions", test_special_functions);
  g_test_add_func ("/stats/chi2-sf", test_chi2_sf);
  g_test_add_func ("/stats/summarize", test_summarize);
  g_test_add_func ("/stats/welch", test_welch);
  g_test_add_func ("/stats/chi2-homogeneity", test_chi2_homogeneity);
  return g_test_run ();
}
