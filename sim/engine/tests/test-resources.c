/* test-resources.c — sim-resources: the figures are positive, the peak is
 * at least the current figure, and touching 64 MB shows in the current
 * RSS and in the heap (a test that can fail: a reader of the wrong
 * /proc field or unit would miss the 64 MB). */
#include "sim-resources.h"

#include <string.h>

static void
test_positive (void)
{
  double rss = sim_resources_rss_mb ();
  double peak = sim_resources_peak_rss_mb ();
  g_assert_cmpfloat (rss, >, 0.0);
  g_assert_cmpfloat (peak, >, 0.0);
  /* The kernel updates the peak lazily: allow a few pages. */
  g_assert_cmpfloat (peak, >=, rss - 1.0);
}

static void
test_grows (void)
{
  double rss0 = sim_resources_rss_mb ();
  double heap0 = sim_resources_heap_mb ();
  gsize n = (gsize) 64 << 20;
  char *block = g_malloc (n);
  memset (block, 1, n); /* resident only once touched */
  double rss1 = sim_resources_rss_mb ();
  double heap1 = sim_resources_heap_mb ();
  g_assert_cmpfloat (rss1 - rss0, >, 56.0);
  g_assert_cmpfloat (rss1 - rss0, <, 80.0);
  /* Nothing to check where malloc is not glibc's (another libc, or a
   * sanitizer's allocator: glibc's figure then misses the block). */
  if (heap1 - heap0 >= 1.0)
    {
      g_assert_cmpfloat (heap1 - heap0, >, 63.0);
      g_assert_cmpfloat (heap1 - heap0, <, 65.0);
    }
  else
    g_test_message ("malloc is not glibc's: no heap figure to check");
  g_assert_cmpfloat (sim_resources_peak_rss_mb (), >=, rss1 - 1.0);
  g_free (block);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/resources/positive", test_positive);
  g_test_add_func ("/resources/grows", test_grows);
  return g_test_run ();
}
