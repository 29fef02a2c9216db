/* sim-cli.c — helpers every subcommand shares: the error domain and its
 * exit statuses, signal handling, and finding our own executable for
 * child runs.  (Results directories: sim-publish.c.)
 */
#include "sim-cli.h"
#include "sim-metric-info.h"
#include "sim-scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (sim - cli - error - quark, sim_cli_error)

static int
exit_status (const GError *error)
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
  return exit_status (error);
}

/* sig_atomic_t is int on every platform we build on; the world's run loop
 * takes a volatile int *. */
G_STATIC_ASSERT (sizeof (sig_atomic_t) == sizeof (int));
static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  (void) sig;
  interrupted = 1;
}

static const int interrupt_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGXCPU };

void
sim_cli_interrupt_signals (sigset_t *set)
{
  sigemptyset (set);
  for (guint i = 0; i < G_N_ELEMENTS (interrupt_signals); i++)
    sigaddset (set, interrupt_signals[i]);
}

void
sim_cli_signals_init (void)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sigemptyset (&sa.sa_mask);
  sa.sa_handler = on_signal;
  for (guint i = 0; i < G_N_ELEMENTS (interrupt_signals); i++)
    sigaction (interrupt_signals[i], &sa, NULL);
  sa.sa_handler = SIG_IGN;
  sigaction (SIGPIPE, &sa, NULL);
  sigaction (SIGXFSZ, &sa, NULL);
}

volatile int *
sim_cli_interrupt_flag (void)
{
  return (volatile int *) &interrupted;
}

gboolean
sim_cli_interrupted (void)
{
  return interrupted != 0;
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

gboolean
sim_cli_check_expects (const SimScenario *sc, GError **error)
{
  g_return_val_if_fail (sc != NULL, FALSE);
  for (guint i = 0; i < sim_scenario_n_expects (sc); i++)
    {
      const SimExpect *e = sim_scenario_expect (sc, i);
      if (sim_metric_info_lookup (e->metric) == NULL)
        {
          g_set_error (error, SIM_SCENARIO_ERROR,
                       SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD,
                       "%s:%u:%u: expect: unknown metric '%s' (see "
                       "'pastrysim metrics')",
                       sim_scenario_display_name (sc), e->line, e->col,
                       e->metric);
          return FALSE;
        }
    }
  return TRUE;
}

SimPublish *
sim_cli_publish_begin (const SimScenario *sc, const char *path,
                       const char *out_dir, GError **error)
{
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (inputs, g_strdup (path));
  sim_scenario_add_input_files (sc, inputs);
  g_ptr_array_add (inputs, NULL);
  return sim_publish_begin (out_dir, (const char *const *) inputs->pdata,
                            error);
}

gboolean
sim_cli_write_results (const char *dir, const SimMetrics *metrics,
                       const char *meta, const SimScenario *sc, GError **error)
{
  g_autoptr (GString) canon = g_string_new (NULL);
  sim_scenario_write_canonical (sc, canon);
  g_autofree char *canon_path = g_build_filename (dir, "scenario.scn", NULL);
  return sim_metrics_write (metrics, dir, meta, error)
         && g_file_set_contents (canon_path, canon->str, (gssize) canon->len,
                                 error);
}

gboolean
sim_cli_publish_commit (SimPublish *pub, GError **error)
{
  sigset_t block, orig;
  sim_cli_interrupt_signals (&block);
  sigprocmask (SIG_BLOCK, &block, &orig);
  gboolean published
      = !sim_cli_interrupted () && sim_publish_commit (pub, error);
  sigprocmask (SIG_SETMASK, &orig, NULL);
  return published;
}
