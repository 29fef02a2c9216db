/* sim-results.c — reading results directories: pastrysim's CSV files,
 * hop histograms, and the seed-N and NAME=VALUE subdirectories of multi-run
 * results.
 *
 * Invariant: listings are sorted (seeds ascending; points by their values),
 * never in readdir order, so everything built from them is deterministic.
 */
#include "sim-results.h"
#include "sim-cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
sim_csv_free (SimCsv *csv)
{
  if (csv == NULL)
    return;
  g_free (csv->path);
  g_ptr_array_unref (csv->meta);
  g_strfreev (csv->header);
  g_ptr_array_unref (csv->rows);
  g_array_unref (csv->wall);
  g_free (csv);
}

SimCsv *
sim_csv_read (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *text = NULL;
  gsize len;
  GError *e = NULL;
  if (!g_file_get_contents (path, &text, &len, &e))
    {
      g_set_error (error, SIM_CLI_ERROR,
                   g_error_matches (e, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                       ? SIM_CLI_ERROR_INPUT
                       : SIM_CLI_ERROR_IO,
                   "%s", e->message);
      g_error_free (e);
      return NULL;
    }
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s: not a text file", path);
      return NULL;
    }
  g_autoptr (SimCsv) csv = g_new0 (SimCsv, 1);
  csv->path = g_strdup (path);
  csv->meta = g_ptr_array_new_with_free_func (g_free);
  csv->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  csv->wall = g_array_new (FALSE, FALSE, sizeof (gboolean));
  gboolean wall = FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize n = strlen (line);
      if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
      if (n == 0)
        continue;
      if (line[0] == '#')
        {
          if (csv->header == NULL)
            g_ptr_array_add (csv->meta, g_strdup (line));
          else if (g_str_has_prefix (line, "# wall-clock rows"))
            wall = TRUE;
          continue;
        }
      GStrv fields = g_strsplit (line, ",", -1);
      if (csv->header == NULL)
        {
          csv->header = fields;
          csv->n_cols = g_strv_length (fields);
          continue;
        }
      if (g_strv_length (fields) != csv->n_cols)
        {
          g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                       "%s:%u: expected %u fields like the header, found %u",
                       path, i + 1, csv->n_cols, g_strv_length (fields));
          g_strfreev (fields);
          return NULL;
        }
      g_ptr_array_add (csv->rows, fields);
      g_array_append_val (csv->wall, wall);
    }
  if (csv->header == NULL)
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s: no header row", path);
      return NULL;
    }
  return g_steal_pointer (&csv);
}

int
sim_csv_column (const SimCsv *csv, const char *name)
{
  g_return_val_if_fail (csv != NULL && name != NULL, -1);
  for (guint i = 0; i < csv->n_cols; i++)
    if (g_str_equal (csv->header[i], name))
      return (int)i;
  return -1;
}

const char *
sim_csv_meta (const SimCsv *csv, const char *key)
{
  g_return_val_if_fail (csv != NULL && key != NULL, NULL);
  gsize k = strlen (key);
  for (guint i = 0; i < csv->meta->len; i++)
    {
      const char *line = csv->meta->pdata[i];
      if (g_str_has_prefix (line, "# ") && strncmp (line + 2, key, k) == 0
          && line[2 + k] == ':')
        return line[3 + k] == ' ' ? line + 4 + k : line + 3 + k;
    }
  return NULL;
}

gboolean
sim_results_add_hops (const char *path, GArray *counts, GError **error)
{
  g_return_val_if_fail (path != NULL && counts != NULL, FALSE);
  g_autoptr (SimCsv) csv = sim_csv_read (path, error);
  if (csv == NULL)
    return FALSE;
  int ch = sim_csv_column (csv, "hops"), cc = sim_csv_column (csv, "count");
  if (ch < 0 || cc < 0)
    {
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                   "%s: not a hops.csv (no 'hops' and 'count' columns)", path);
      return FALSE;
    }
  for (guint r = 0; r < csv->rows->len; r++)
    {
      char **f = csv->rows->pdata[r];
      guint64 h, c;
      if (!g_ascii_string_to_unsigned (f[ch], 10, 0, 1000000, &h, NULL)
          || !g_ascii_string_to_unsigned (f[cc], 10, 0, G_MAXUINT64, &c, NULL))
        {
          g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                       "%s: row %u: hops and count must be whole numbers", path,
                       r + 1);
          return FALSE;
        }
      if (h >= counts->len)
        {
          guint old = counts->len;
          g_array_set_size (counts, (guint)h + 1);
          for (guint i = old; i < counts->len; i++)
            g_array_index (counts, guint64, i) = 0;
        }
      g_array_index (counts, guint64, h) += c;
    }
  return TRUE;
}

static int
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
  return x < y ? -1 : x > y;
}

guint
sim_results_list_seeds (const char *dir, GArray *seeds)
{
  g_return_val_if_fail (dir != NULL && seeds != NULL, 0);
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return 0;
  guint start = seeds->len;
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      guint64 s;
      if (!g_str_has_prefix (name, "seed-")
          || strspn (name + 5, "0123456789") != strlen (name + 5)
          || !g_ascii_string_to_unsigned (name + 5, 10, 0, G_MAXUINT64, &s,
                                          NULL))
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        g_array_append_val (seeds, s);
    }
  g_dir_close (d);
  g_array_sort (seeds, cmp_u64);
  return seeds->len - start;
}

/* Numbers (the whole value parses, finite) sort numerically before words;
 * words sort byte-wise. */
static int
cmp_value (const char *a, const char *b)
{
  char *ea, *eb;
  double x = g_ascii_strtod (a, &ea), y = g_ascii_strtod (b, &eb);
  gboolean na = *a != '\0' && *ea == '\0' && isfinite (x);
  gboolean nb = *b != '\0' && *eb == '\0' && isfinite (y);
  if (na && nb && x != y)
    return x < y ? -1 : 1;
  if (na != nb)
    return na ? -1 : 1;
  return strcmp (a, b);
}

typedef struct
{
  char *dir;
  GPtrArray *names, *values;
} Point;

static void
point_free (gpointer p)
{
  Point *pt = p;
  g_free (pt->dir);
  g_ptr_array_unref (pt->names);
  g_ptr_array_unref (pt->values);
  g_free (pt);
}

static int
cmp_point (gconstpointer a, gconstpointer b)
{
  const Point *x = *(Point *const *)a, *y = *(Point *const *)b;
  for (guint i = 0; i < x->values->len; i++)
    {
      int c = cmp_value (x->values->pdata[i], y->values->pdata[i]);
      if (c != 0)
        return c;
    }
  return strcmp (x->dir, y->dir);
}

/* Temporary directories of runs in progress or being replaced:
 * "X.tmp-XXXXXX" and "X.old-PID". */
static gboolean
is_temporary (const char *name)
{
  const char *p = strrchr (name, '.');
  return p != NULL
         && (g_str_has_prefix (p, ".tmp-") || g_str_has_prefix (p, ".old-"));
}

gboolean
sim_results_list_points (const char *dir, GPtrArray *points, GError **error)
{
  g_return_val_if_fail (dir != NULL && points != NULL, FALSE);
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return TRUE;
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (point_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (strchr (name, '=') == NULL || is_temporary (name))
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      Point *p = g_new0 (Point, 1);
      p->dir = g_strdup (name);
      p->names = g_ptr_array_new_with_free_func (g_free);
      p->values = g_ptr_array_new_with_free_func (g_free);
      if (!sim_point_dir_parse (name, p->names, p->values))
        {
          point_free (p);
          continue;
        }
      g_ptr_array_add (found, p);
    }
  g_dir_close (d);
  for (guint i = 1; i < found->len; i++)
    {
      Point *a = found->pdata[0], *b = found->pdata[i];
      gboolean same = a->names->len == b->names->len;
      for (guint k = 0; same && k < a->names->len; k++)
        same = g_str_equal (a->names->pdata[k], b->names->pdata[k]);
      if (!same)
        {
          g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT,
                       "%s: point directories '%s' and '%s' do not sweep "
                       "the same parameters",
                       dir, a->dir, b->dir);
          return FALSE;
        }
    }
  g_ptr_array_sort (found, cmp_point);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (points, g_strdup (((Point *)found->pdata[i])->dir));
  return TRUE;
}
