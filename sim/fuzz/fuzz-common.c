/* fuzz-common.c — what the fuzz targets share: the target table, set-up,
 * failure reports and the error-position check.
 *
 * Invariant: after fuzz_init() the base directory exists and holds exactly
 * the two trace files written there; no target writes anywhere.
 */
#include "fuzz-targets.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-pastry-params.h"

const FuzzTarget fuzz_targets[] = {
  { "scenario", fuzz_scenario_one },
  { "scenario-set", fuzz_scenario_set_one },
  { "trace", fuzz_trace_one },
  { "net-matrix", fuzz_net_matrix_one },
  { "net-coords", fuzz_net_coords_one },
  { "wire", fuzz_wire_one },
  { NULL, NULL },
};

/* Trace files in the base directory, for `churn trace "trace.txt"`. */
static const char good_trace[] = "# node join leave\n0 0 10s\n1 1s -\n"
                                 "0 20s 1min\n00112233445566778899aabbccdd"
                                 "eeff 5ms 7s\n";
static const char bad_trace[] = "0 10 5\n";

static char *base_dir;
static gboolean verbose;

const FuzzTarget *
fuzz_target_find (const char *name)
{
  for (const FuzzTarget *t = fuzz_targets; t->name != NULL; t++)
    if (strcmp (t->name, name) == 0)
      return t;
  return NULL;
}

static void
remove_base_dir (void)
{
  const char *names[] = { "trace.txt", "bad.txt" };

  if (base_dir == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (base_dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (base_dir);
  g_clear_pointer (&base_dir, g_free);
}

static void
write_or_die (const char *name, const char *content)
{
  g_autofree char *path = g_build_filename (base_dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, content, -1, &error))
    fuzz_fail (G_STRLOC, "cannot write %s: %s", path, error->message);
}

void
fuzz_init (void)
{
  g_autoptr (GError) error = NULL;

  if (base_dir != NULL)
    return;
  /* The scenario targets parse with pastrysim's parameters. */
  sim_pastry_params_install ();
  verbose = g_getenv ("FUZZ_VERBOSE") != NULL;
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL
                          | G_LOG_LEVEL_WARNING);
  base_dir = g_dir_make_tmp ("pastrysim-fuzz-XXXXXX", &error);
  if (base_dir == NULL)
    fuzz_fail (G_STRLOC, "cannot make a temporary directory: %s",
               error->message);
  write_or_die ("trace.txt", good_trace);
  write_or_die ("bad.txt", bad_trace);
  atexit (remove_base_dir);
}

gboolean
fuzz_verbose (void)
{
  return verbose;
}

void
fuzz_report (const char *target, const GError *error)
{
  if (verbose)
    fprintf (stderr, "  %s: %s\n", target,
             error != NULL ? error->message : "ok");
}

const char *
fuzz_base_dir (void)
{
  g_assert (base_dir != NULL);
  return base_dir;
}

void
fuzz_fail (const char *where, const char *fmt, ...)
{
  va_list ap;

  fprintf (stderr, "fuzz: invariant broken at %s: ", where);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  fflush (stderr);
  abort ();
}

/* Reads a positive decimal without leading zeros at *p; advances *p.
 * Returns 0 if there is none (or it overflows). */
static guint64
read_positive (const char **p)
{
  const char *s = *p;
  guint64 v = 0;

  if (*s < '1' || *s > '9')
    return 0;
  while (*s >= '0' && *s <= '9')
    {
      if (v > G_MAXUINT64 / 10 - 1)
        return 0;
      v = v * 10 + (guint64) (*s - '0');
      s++;
    }
  *p = s;
  return v;
}

void
fuzz_check_position (const char *message, const char *prefix,
                     const char *text, gsize len)
{
  gsize plen = strlen (prefix);
  const char *p = message + plen;
  guint64 line, col, lines = 1, line_len = 0, cur = 1;

  if (!g_utf8_validate (message, -1, NULL))
    fuzz_fail (G_STRLOC, "error message is not UTF-8");
  if (strncmp (message, prefix, plen) != 0 || *p++ != ':')
    fuzz_fail (G_STRLOC, "message '%s' does not start with '%s:'", message,
               prefix);
  if ((line = read_positive (&p)) == 0 || *p++ != ':'
      || (col = read_positive (&p)) == 0 || *p++ != ':' || *p++ != ' '
      || *p == '\0')
    fuzz_fail (G_STRLOC, "message '%s' is not 'FILE:LINE:COL: text'",
               message);
  if (text == NULL)
    return;

  /* Count the lines, and the length of line `line`. */
  for (gsize i = 0; i < len; i++)
    if (text[i] == '\n')
      {
        lines++;
        cur++;
      }
    else if (cur == line)
      line_len++;
  if (line > lines)
    fuzz_fail (G_STRLOC, "message '%s': line %" G_GUINT64_FORMAT
               " beyond the %" G_GUINT64_FORMAT " lines of the input",
               message, line, lines);
  if (col > line_len + 1)
    fuzz_fail (G_STRLOC, "message '%s': column %" G_GUINT64_FORMAT
               " beyond line %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
               " bytes",
               message, col, line, line_len);
}
