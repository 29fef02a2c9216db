/* test-build.c — instant builds on several threads.
 *
 * A build's result must not depend on the thread count: every node's
 * state (leaf set, routing table with proximities, neighbourhood set), the
 * shadow overlay of ideal_compare, the protocol stream the build draws
 * from (the run goes on drawing from it: failures, repairs) and every
 * output file are compared between 1, 2 and 8 threads, on networks of
 * several shapes.  Eight threads on a small build also exercises more
 * threads than blocks of work.
 *
 * Randomised cases put their seed in the test name; a name's seed S
 * replays it: PASTRYSIM_TEST_SEED=S test-build -p /build/threads/.../seed=S
 * (with the variable set, every case runs once, with seed S). */
#include "sim-pastry-params.h"
#include "sim-world.h"

#include <glib/gstdio.h>
#include <string.h>

static guint64 base_seed = 1;

typedef struct
{
  const char *name;
  const char *text; /* the scenario, without its seed */
} Shape;

/* Shapes chosen to reach every path of the build: sampled and exact
 * slots, short last digits (b = 3), one-bit digits with a deep table
 * (b = 1), b = 8's wide rows, a leaf set wider than the network's first
 * row, no neighbourhood set, a second build into a live network, the
 * shadow overlay, and maintenance after the build (so the protocol
 * stream's state after the build shows in the results). */
static const Shape shapes[] = {
  { "b=4,sample=16,ideal",
    "b = 4\nbuild_sample = 16\nideal_compare = on\nideal_sample = 8\n"
    "quality_sample = 300\n"
    "at 0s build 6000\nat 1s lookup 2000 over 10s keys random\nend\n" },
  { "b=4,exact,fail",
    "b = 4\nbuild_sample = 0\nquality_sample = 100\n"
    "at 0s build 3000\nat 1s lookup 500 over 10s keys random\n"
    "at 20s fail 30\nat 3min lookup 500 over 10s keys random\nend\n" },
  { "b=3,sample=4,twobuilds",
    "b = 3\nbuild_sample = 4\nleaf_size = 8\nneighbourhood_size = 8\n"
    "at 0s build 2500\nat 1s build 2600\n"
    "at 2s lookup 1000 over 10s keys random\nend\n" },
  { "b=1,sample=2,L=32,M=0",
    "b = 1\nbuild_sample = 2\nleaf_size = 32\nneighbourhood_size = 0\n"
    "at 0s build 1500\nat 1s lookup 500 over 10s keys random\nend\n" },
  { "b=8,sample=3,sphere",
    "b = 8\nbuild_sample = 3\nnetwork = sphere\n"
    "at 0s build 4000\nat 1s lookup 1000 over 10s keys random\nend\n" },
  { "tiny",
    "b = 4\nbuild_sample = 16\nat 0s build 5\n"
    "at 1s lookup 50 over 1s keys random\nend\n" },
};

typedef struct
{
  char *dump;    /* every node's state, sim_world_dump_nodes */
  char *files;   /* hops.csv, messages.csv, summary.csv without wall time */
  guint wrong_leafsets;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->dump);
  g_free (r->files);
}

/* Appends dir/name to out, up to its wall-clock rows (build time among
 * them), which vary between runs. */
static void
append_file (GString *out, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gchar *text = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  gchar *wall = g_strstr_len (text, (gssize) len, "# wall-clock rows");
  g_string_append_printf (out, "== %s\n", name);
  g_string_append_len (out, text, wall != NULL ? wall - text : (gssize) len);
  g_free (text);
  g_unlink (path);
}

/* Runs text with seed on the given thread count. */
static void
run_with (const char *text, guint64 seed, guint threads,
          volatile int *cancel, Result *out)
{
  g_autofree char *seed_set = g_strdup_printf ("seed=%" G_GUINT64_FORMAT,
                                               seed);
  const char *overrides[] = { seed_set, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (SimScenario) sc = sim_scenario_parse (
      "build.scn", text, strlen (text), NULL, overrides, &error);
  g_assert_no_error (error);
  g_autoptr (SimMetrics) m = sim_metrics_new ();
  g_autoptr (SimWorld) w = sim_world_new (sc, m, &error);
  g_assert_no_error (error);
  sim_world_set_threads (w, threads);
  gboolean done = sim_world_run (w, FALSE, cancel);
  g_assert_true (done == (cancel == NULL || *cancel == 0));

  g_autoptr (GString) dump = g_string_new (NULL);
  sim_world_dump_nodes (w, dump);
  out->dump = g_string_free (g_steal_pointer (&dump), FALSE);
  out->wrong_leafsets = sim_world_check_leafsets (w, NULL);
  out->files = NULL;
  if (!done)
    return;

  g_autofree char *dir = g_dir_make_tmp ("test-build-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (sim_metrics_write (m, dir, "# test\n", &error));
  g_assert_no_error (error);
  g_autoptr (GString) files = g_string_new (NULL);
  static const char *names[] = { "hops.csv", "messages.csv", "summary.csv" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    append_file (files, dir, names[i]);
  g_rmdir (dir);
  out->files = g_string_free (g_steal_pointer (&files), FALSE);
}

/* Fails with the first line where a and b differ, not two megabytes of
 * text. */
static void
assert_same_text (const char *what, guint threads, const char *a,
                  const char *b)
{
  if (g_str_equal (a, b))
    return;
  guint line = 1;
  const char *pa = a, *pb = b;
  while (*pa != '\0' && *pa == *pb)
    {
      if (*pa == '\n')
        line++;
      pa++, pb++;
    }
  const char *la = a, *lb = b;
  for (const char *p = a; p < pa; p++)
    if (*p == '\n')
      la = p + 1;
  lb = b + (la - a);
  g_autofree char *ea = g_strndup (la, strcspn (la, "\n"));
  g_autofree char *eb = g_strndup (lb, strcspn (lb, "\n"));
  g_error ("%s: %u threads differ from 1 at line %u:\n  1: %.300s\n  %u: "
           "%.300s", what, threads, line, ea, threads, eb);
}

typedef struct
{
  const Shape *shape;
  guint64 seed;
} Case;

static void
test_threads (gconstpointer data)
{
  const Case *c = data;
  Result ref;
  run_with (c->shape->text, c->seed, 1, NULL, &ref);
  /* The build did something: every leaf set is exact (the build's
   * invariant), unless failures came after it. */
  if (strstr (c->shape->text, "fail") == NULL)
    g_assert_cmpuint (ref.wrong_leafsets, ==, 0);
  static const guint counts[] = { 2, 8 };
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      Result r;
      run_with (c->shape->text, c->seed, counts[i], NULL, &r);
      assert_same_text ("node states", counts[i], ref.dump, r.dump);
      assert_same_text ("output files", counts[i], ref.files, r.files);
      g_assert_cmpuint (r.wrong_leafsets, ==, ref.wrong_leafsets);
      result_clear (&r);
    }
  result_clear (&ref);
}

/* A flag raised before the run: the build stops at its first poll, on
 * every thread count, leaving the nodes it had not reached without state
 * (here: all of them), and the run reports the interruption. */
static void
test_cancel (void)
{
  static const char text[] = "build_sample = 16\nat 0s build 20000\n"
                             "at 1s lookup 10 over 1s keys random\nend\n";
  static const guint counts[] = { 1, 2, 8 };
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      volatile int cancel = 1;
      Result r;
      run_with (text, base_seed, counts[i], &cancel, &r);
      g_assert_cmpuint (r.wrong_leafsets, ==, 20000);
      result_clear (&r);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sim_pastry_params_install ();
  const char *env = g_getenv ("PASTRYSIM_TEST_SEED");
  if (env != NULL)
    base_seed = g_ascii_strtoull (env, NULL, 10);
  /* Two seeds per shape (one when replaying). */
  guint n_seeds = env != NULL ? 1 : 2;
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    for (guint k = 0; k < n_seeds; k++)
      {
        Case *c = g_new (Case, 1); /* lives until exit */
        c->shape = &shapes[i];
        c->seed = base_seed + k;
        g_autofree char *path = g_strdup_printf (
            "/build/threads/%s/seed=%" G_GUINT64_FORMAT, shapes[i].name,
            c->seed);
        g_test_add_data_func (path, c, test_threads);
      }
  g_test_add_func ("/build/cancel", test_cancel);
  return g_test_run ();
}
