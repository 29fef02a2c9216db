/* test-decimal.c — exact decimal scaling shared by scenario times and
 * churn traces: units, rounding of halves, ignored digits, both sides of
 * the overflow edge. */
#include "sim-decimal.h"

static guint64
scale (const char *i, const char *f, guint64 m, guint e, gboolean *exact)
{
  guint64 out = 0;
  g_assert_true (sim_decimal_scale (i, f, m, e, &out, exact));
  return out;
}

static void
test_units (void)
{
  gboolean exact;
  g_assert_cmpuint (scale ("1", "5", 6, 7, &exact), ==, 90000000); /* 1.5min */
  g_assert_true (exact);
  g_assert_cmpuint (scale ("0", "1", 1, 6, &exact), ==, 100000); /* 0.1s */
  g_assert_true (exact);
  g_assert_cmpuint (scale ("2", "", 864, 8, &exact), ==,
                    G_GUINT64_CONSTANT (172800000000));      /* 2d */
  g_assert_cmpuint (scale ("1", "5", 1, 3, NULL), ==, 1500); /* 1.5k */
  g_assert_cmpuint (scale ("0", "", 1, 0, &exact), ==, 0);
}

/* Halves round up; anything else below the unit makes the value inexact. */
static void
test_rounding (void)
{
  gboolean exact;
  g_assert_cmpuint (scale ("0", "0005", 1, 3, &exact), ==, 1); /* 0.5 us */
  g_assert_false (exact);
  g_assert_cmpuint (scale ("0", "0004", 1, 3, &exact), ==, 0);
  g_assert_false (exact);
  g_assert_cmpuint (scale ("0", "001", 1, 3, &exact), ==, 1);
  g_assert_true (exact);
}

/* Digits after the 15th are ignored: zeros keep the value exact. */
static void
test_long_fraction (void)
{
  gboolean exact;
  g_assert_cmpuint (scale ("1", "0000000000000000000", 1, 6, &exact), ==,
                    1000000);
  g_assert_true (exact);
  g_assert_cmpuint (scale ("1", "0000000000000000001", 1, 6, &exact), ==,
                    1000000);
  g_assert_false (exact);
}

/* 2^64 - 1 us fits; one more does not; overflow in the integer digits,
 * in their scaling and in the final addition are all refused. */
static void
test_overflow_edge (void)
{
  guint64 out;
  g_assert_true (
      sim_decimal_scale ("18446744073709551615", "", 1, 0, &out, NULL));
  g_assert_cmpuint (out, ==, G_MAXUINT64);
  g_assert_false (
      sim_decimal_scale ("18446744073709551616", "", 1, 0, &out, NULL));
  g_assert_false (sim_decimal_scale ("18446744073710", "", 1, 6, &out, NULL));
  g_assert_true (
      sim_decimal_scale ("18446744073709", "551615", 1, 6, &out, NULL));
  g_assert_cmpuint (out, ==, G_MAXUINT64);
  g_assert_false (
      sim_decimal_scale ("18446744073709", "551616", 1, 6, &out, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/decimal/units", test_units);
  g_test_add_func ("/decimal/rounding", test_rounding);
  g_test_add_func ("/decimal/long-fraction", test_long_fraction);
  g_test_add_func ("/decimal/overflow-edge", test_overflow_edge);
  return g_test_run ();
}
