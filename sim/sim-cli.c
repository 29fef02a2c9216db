/* sim-cli.c — helpers every subcommand shares: the error domain and its
 * exit statuses, removing and atomically replacing results directories,
 * and finding our own executable for child runs.
 */
#include "sim-cli.h"
#include "sim-scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (sim - cli - error - quark, sim_cli_error)

int
sim_cli_exit_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, SIM_EXIT_IO);
  if (error->domain == SIM_CLI_ERROR)
    return error->code == SIM_CLI_ERROR_INPUT ? SIM_EXIT_BAD_INPUT
                                              : SIM_EXIT_IO;
  if (error->domain == SIM_SCENARIO_ERROR)
    return SIM_EXIT_BAD_INPUT;
  return SIM_EXIT_IO;
}

int
sim_cli_fail (const GError *error)
{
  g_return_val_if_fail (error != NULL, SIM_EXIT_IO);
  /* Scenario errors start with their own FILE:LINE:COL position. */
  if (error->domain == SIM_SCENARIO_ERROR)
    fprintf (stderr, "%s\n", error->message);
  else
    fprintf (stderr, "pastrysim: %s\n", error->message);
  return sim_cli_exit_status (error);
}

void
sim_cli_rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            sim_cli_rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

gboolean
sim_cli_replace_dir (const char *tmp, const char *out_dir, GError **error)
{
  g_autofree char *old = NULL;
  if (g_file_test (out_dir, G_FILE_TEST_EXISTS))
    {
      old = g_strdup_printf ("%s.old-%d", out_dir, (int)getpid ());
      if (g_rename (out_dir, old) != 0)
        {
          int e = errno;
          g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_IO,
                       "cannot replace %s: %s", out_dir, g_strerror (e));
          return FALSE;
        }
    }
  if (g_rename (tmp, out_dir) != 0)
    {
      int e = errno;
      g_set_error (error, SIM_CLI_ERROR, SIM_CLI_ERROR_IO,
                   "cannot rename %s to %s: %s", tmp, out_dir, g_strerror (e));
      if (old != NULL)
        g_rename (old, out_dir); /* put the old results back */
      return FALSE;
    }
  if (old != NULL)
    sim_cli_rm_rf (old);
  return TRUE;
}

static char *self_exe;

void
sim_cli_set_argv0 (const char *argv0)
{
  g_free (self_exe);
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL && argv0 != NULL)
    {
      if (strchr (argv0, '/') != NULL)
        self_exe = g_canonicalize_filename (argv0, NULL);
      else
        self_exe = g_find_program_in_path (argv0);
    }
}

const char *
sim_cli_self_exe (void)
{
  return self_exe != NULL ? self_exe : "/proc/self/exe";
}

gboolean
sim_cli_input_error (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, SIM_CLI_ERROR, SIM_CLI_ERROR_INPUT, msg);
  return FALSE;
}
