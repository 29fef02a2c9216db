/* test-seed.h — randomised test cases whose names carry their seed, for
 * every test executable of the project (core's and sim's: GLib only, so
 * the one copy of the replay rule serves both sides of the layers).
 *
 * A case's name ends in /seed=S.  Without PASTRYSIM_TEST_SEED the base
 * seed is the wall clock and a case's seed is base + its offset; with
 * PASTRYSIM_TEST_SEED=S every family (path) runs once, with seed S
 * itself, so the seed a name shows is the seed that replays it:
 *   PASTRYSIM_TEST_SEED=S test-... -p /family/seed=S
 */
#pragma once

#include <glib.h>

static guint64 test_seed_base;
static gboolean test_seed_replaying; /* PASTRYSIM_TEST_SEED is set */

/* Reads PASTRYSIM_TEST_SEED; call once, after g_test_init. */
static inline void
test_seed_init (void)
{
  const char *env = g_getenv ("PASTRYSIM_TEST_SEED");
  test_seed_replaying = env != NULL;
  test_seed_base = env != NULL ? g_ascii_strtoull (env, NULL, 10)
                               : (guint64) g_get_real_time ();
}

/* Adds fn as path/seed=S with S = base + offset (S itself when
 * replaying: then a path added twice runs once).  fn receives a const
 * guint64 * to S. */
static inline void
test_add_seeded (const char *path, GTestDataFunc fn, guint64 offset)
{
  /* Static storage: GLib does not free the data of tests that a -p
   * filter leaves out. */
  static guint64 seeds[64];
  static guint n_seeds;
  static GHashTable *added;
  g_assert (n_seeds < G_N_ELEMENTS (seeds));
  if (test_seed_replaying)
    {
      if (added == NULL)
        added = g_hash_table_new (g_str_hash, g_str_equal);
      if (g_hash_table_contains (added, path))
        return;
      g_hash_table_add (added, (gpointer) path);
    }
  guint64 *seed = &seeds[n_seeds++];
  *seed = test_seed_replaying ? test_seed_base : test_seed_base + offset;
  char *name = g_strdup_printf ("%s/seed=%" G_GUINT64_FORMAT, path, *seed);
  g_test_add_data_func (name, seed, fn);
  g_free (name);
}
