/* sim-stats.h — the statistics behind multi-seed results and `compare`:
 * sample mean and standard deviation, Student t quantiles and confidence
 * intervals, Welch's unequal-variance t-test, and the chi-square test of
 * homogeneity for two count distributions (hop counts).
 *
 * Engine layer: plain numbers in, plain numbers out; knows nothing of
 * Pastry or of files.  Every function is pure and deterministic.
 *
 * The special functions are computed from their definitions, not from
 * tables: the t distribution through the regularized incomplete beta
 * function, the chi-square distribution through the regularized incomplete
 * gamma function (both by Lentz's continued fractions, error around
 * 1e-15; above 1e5 degrees of freedom the t tail comes from the normal
 * through Wallace's transformation, error under 1e-11), and quantiles by
 * bisection on the CDF to full double precision.  Tabulated approximations
 * (Hill 1970, Cornish–Fisher) were rejected: they are accurate only to about
 * 1e-4 at small dof, and bisection costs microseconds here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Summary of a sample of finite values. */
typedef struct
{
  guint n;        /* number of finite values used */
  double mean;    /* NaN when n == 0 */
  double sd;      /* sample standard deviation (n - 1); NaN when n < 2 */
  double ci_low;  /* mean -/+ t(1 - (1 - level) / 2, n - 1) * sd / sqrt n; */
  double ci_high; /* NaN when n < 2 */
} SimStatsSummary;

/* Summarises the n values at x (borrowed), ignoring NaN and infinities,
 * with a two-sided confidence interval of the mean at level (0 < level < 1,
 * 0.95 for the usual 95 % interval).  The mean and variance are computed
 * in two passes, so large offsets do not cancel. */
void sim_stats_summarize (const double *x, guint n, double level,
                          SimStatsSummary *out);

/* The regularized incomplete beta function I_x(a, b), a, b > 0,
 * 0 <= x <= 1. */
double sim_stats_beta_inc (double a, double b, double x);

/* The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a),
 * a > 0, x >= 0. */
double sim_stats_gamma_q (double a, double x);

/* Student t with dof > 0 degrees of freedom (need not be whole): the CDF
 * P(T <= t), and its inverse for 0 < p < 1 (returns -inf / +inf at 0 / 1,
 * NaN outside [0, 1] or for dof <= 0). */
double sim_stats_t_cdf (double t, double dof);
double sim_stats_t_quantile (double p, double dof);

/* Chi-square with k > 0 degrees of freedom: the survival function
 * P(X > x). */
double sim_stats_chi2_sf (double x, double k);

/* Welch's two-sample t-test from summary statistics (n >= 2 on each side).
 * Returns the two-sided p-value of "the means are equal"; the statistic
 * t = (mean_b - mean_a) / sqrt (sd_a²/n_a + sd_b²/n_b) and the
 * Welch–Satterthwaite degrees of freedom go to t_out and dof_out when
 * non-NULL.  When both standard deviations are 0 the test is degenerate:
 * the p-value is 1 if the means are equal and 0 otherwise (t and dof are
 * then NaN).  Returns NaN if a side has n < 2. */
double sim_stats_welch (double mean_a, double sd_a, guint64 n_a, double mean_b,
                        double sd_b, guint64 n_b, double *t_out,
                        double *dof_out);

/* Chi-square test of homogeneity of two count distributions over the same
 * k categories (a[i], b[i] borrowed; hop counts 0..k-1).  Categories empty
 * on both sides are dropped, then adjacent categories are merged left to
 * right until every merged category has an expected count of at least 5
 * on both sides (a short tail joins the last merged category), the usual
 * condition for the chi-square approximation.  Returns the p-value of "a
 * and b come from the same distribution"; the statistic and the degrees of
 * freedom (merged categories - 1) go to stat_out and dof_out when non-NULL.
 * With fewer than two merged categories the distributions cannot be told
 * apart: returns 1 with a zero statistic and dof.  Returns NaN if either
 * side is empty. */
double sim_stats_chi2_homogeneity (const guint64 *a, const guint64 *b, guint k,
                                   double *stat_out, guint *dof_out);

G_END_DECLS
