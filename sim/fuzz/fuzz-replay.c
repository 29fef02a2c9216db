/* fuzz-replay.c — runs every file of a fuzz corpus through its target,
 * without libFuzzer: the regression test that keeps crashers fixed.
 *
 * Usage: fuzz-replay CORPUS_DIR...  Each CORPUS_DIR is either a directory
 * named after a target (its files are inputs of that target) or a root
 * holding such directories (sim/fuzz/corpus/).  Files whose name starts
 * with '.' or ends in ".md" are skipped.  A broken invariant aborts (the
 * file being replayed is printed first); otherwise the exit status is 0
 * when at least one input was replayed, 1 on usage or I/O errors.
 */
#include "fuzz-targets.h"

#include <stdio.h>
#include <string.h>

static gboolean
skip_name (const char *name)
{
  return name[0] == '.' || g_str_has_suffix (name, ".md");
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Replays the files of dir through target; adds to *count.  Sorted, so
 * the order (and any failure) is reproducible. */
static gboolean
replay_dir (const FuzzTarget *target, const char *dir, guint *count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    {
      fprintf (stderr, "fuzz-replay: %s\n", error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (!skip_name (name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path
          = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_autofree char *data = NULL;
      gsize len;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      if (!g_file_get_contents (path, &data, &len, &error))
        {
          fprintf (stderr, "fuzz-replay: %s\n", error->message);
          return FALSE;
        }
      printf ("%s %s\n", target->name, path);
      fflush (stdout);
      target->run ((const guint8 *) data, len);
      (*count)++;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint count = 0;

  if (argc < 2)
    {
      fprintf (stderr, "usage: fuzz-replay CORPUS_DIR...\n");
      return 1;
    }
  fuzz_init ();
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *base = g_path_get_basename (argv[i]);
      const FuzzTarget *target = fuzz_target_find (base);

      if (target != NULL)
        {
          if (!replay_dir (target, argv[i], &count))
            return 1;
          continue;
        }
      for (const FuzzTarget *t = fuzz_targets; t->name != NULL; t++)
        {
          g_autofree char *sub = g_build_filename (argv[i], t->name, NULL);

          if (g_file_test (sub, G_FILE_TEST_IS_DIR)
              && !replay_dir (t, sub, &count))
            return 1;
        }
    }
  printf ("replayed %u inputs\n", count);
  return count > 0 ? 0 : 1;
}
