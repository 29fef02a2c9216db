/* sim-batch.c — running a plan: one child `pastrysim run` per (point,
 * seed), at most `jobs` at a time, into a temporary directory that is
 * collected and renamed into place only when every run has finished.
 *
 * Invariants:
 * - Each child is this same binary running `run SCENARIO --out
 *   TMP/RELDIR --quiet ARGS`, ARGS exactly those `sweep-list` prints, so a
 *   run's files are byte-identical to a sequential `pastrysim run` with the
 *   same options (wall-clock rows aside).
 * - The results directory appears only complete: children write into
 *   DIR.tmp-XXXXXX, which is renamed to DIR after sim_results_collect().
 *   On failure or interruption the temporary directory is removed.
 * - Output files do not depend on completion order (collect sorts);
 *   only the progress lines do.
 *
 * Processes: fork + execv (not g_spawn) because the child must restore the
 * signal mask the parent blocks while it waits.  The parent blocks SIGCHLD,
 * SIGINT and SIGTERM and waits in sigsuspend(), so a signal can never slip
 * between "check" and "wait".  A child's stderr goes to a log file, shown
 * (prefixed with the run's directory) when it ends.  A child exiting 2
 * (bad input), 1 (I/O), 130 or killed by a signal aborts the batch, as
 * SIGINT or SIGTERM to the parent does: the other children get SIGTERM,
 * which `run` handles by deleting its own temporary directory, and
 * SIGKILL a second later if they are still there.  Exit 3 (an expectation
 * failed) is reported and the batch goes on, ending with status 3.
 * Expectations: a batch over seeds passes --no-judge to its runs and
 * judges the mean over the seeds of each point once the results are in
 * place (sim_judge_plan, the function `collect` uses too); the runs of a
 * sweep without seeds judge themselves, as single runs.
 */
#include "sim-cli.h"
#include "sim-publish.h"
#include "sim-results.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Set by the signal handlers main() installed (sim_cli_signals_init), or
 * by a signal found pending at the end. */
static gboolean stop_pending;

static gboolean
interrupted (void)
{
  return stop_pending || sim_cli_interrupted ();
}

static void
on_child (int sig)
{
  (void)sig; /* only wakes sigsuspend() */
}

typedef struct
{
  pid_t pid; /* 0 = slot free */
  guint run; /* index into the plan */
  int log_fd;
  char *log_path;
  gint64 started; /* monotonic µs */
} Child;

typedef struct
{
  const SimPlan *plan;
  const char *const *child_opts; /* --max-memory/--max-events, or NULL */
  const char *tmp;
  const char *log_dir;
  gboolean quiet;
  sigset_t orig_mask;
  Child *slots;
  guint jobs, running, next, done;
  int status;       /* worst exit status so far (0 or 3) */
  int abort_status; /* nonzero: stop starting runs, exit with this */
  guint n_expect_failed;
} Batch;

/* Starts run `r` in a free slot.  Returns FALSE (and sets abort_status)
 * if the process could not be started. */
static gboolean
start_run (Batch *b, guint r)
{
  const SimPlanRun *run = sim_plan_run (b->plan, r);
  Child *c = NULL;
  for (guint i = 0; i < b->jobs && c == NULL; i++)
    if (b->slots[i].pid == 0)
      c = &b->slots[i];
  g_assert (c != NULL);

  g_autofree char *out = g_build_filename (b->tmp, run->reldir, NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, "pastrysim");
  g_ptr_array_add (argv, "run");
  g_ptr_array_add (argv, (gpointer)sim_plan_scenario (b->plan));
  g_ptr_array_add (argv, "--out");
  g_ptr_array_add (argv, out);
  g_ptr_array_add (argv, "--quiet");
  for (guint i = 0; run->args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)run->args[i]);
  for (guint i = 0; b->child_opts != NULL && b->child_opts[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)b->child_opts[i]);
  g_ptr_array_add (argv, NULL);

  c->log_path = g_strdup_printf ("%s/run-%u.log", b->log_dir, r);
  c->log_fd
      = open (c->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (c->log_fd < 0 || null_fd < 0)
    {
      fprintf (stderr, "pastrysim: %s: %s\n", c->log_path, g_strerror (errno));
      if (c->log_fd >= 0)
        close (c->log_fd);
      if (null_fd >= 0)
        close (null_fd);
      g_clear_pointer (&c->log_path, g_free);
      b->abort_status = SIM_EXIT_IO;
      return FALSE;
    }
  const char *exe = sim_cli_self_exe ();
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid == 0)
    {
      /* Child: only async-signal-safe calls until exec. */
      sigprocmask (SIG_SETMASK, &b->orig_mask, NULL);
      dup2 (null_fd, STDIN_FILENO);
      dup2 (null_fd, STDOUT_FILENO);
      dup2 (c->log_fd, STDERR_FILENO);
      execv (exe, (char *const *)argv->pdata);
      static const char msg[] = "pastrysim: cannot execute ";
      (void)!write (STDERR_FILENO, msg, sizeof msg - 1);
      (void)!write (STDERR_FILENO, exe, strlen (exe));
      (void)!write (STDERR_FILENO, "\n", 1);
      _exit (SIM_EXIT_IO);
    }
  close (null_fd);
  if (pid < 0)
    {
      fprintf (stderr, "pastrysim: cannot start a run: %s\n",
               g_strerror (errno));
      close (c->log_fd);
      g_unlink (c->log_path);
      g_clear_pointer (&c->log_path, g_free);
      b->abort_status = SIM_EXIT_IO;
      return FALSE;
    }
  c->pid = pid;
  c->run = r;
  c->started = g_get_monotonic_time ();
  b->running++;
  return TRUE;
}

/* Shows a finished child's stderr, each line prefixed with its run. */
static void
show_log (const Child *c, const char *reldir)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (c->log_path, &text, NULL, NULL) || *text == '\0')
    return;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      {
        const char *l = lines[i];
        if (g_str_has_prefix (l, "pastrysim: "))
          l += strlen ("pastrysim: ");
        fprintf (stderr, "pastrysim: %s: %s\n", reldir, l);
      }
}

/* Handles the end of child c with wait status ws. */
static void
finish_run (Batch *b, Child *c, int ws)
{
  const SimPlanRun *run = sim_plan_run (b->plan, c->run);
  double secs = (double)(g_get_monotonic_time () - c->started) / 1e6;
  close (c->log_fd);
  b->running--;
  b->done++;
  int code = WIFEXITED (ws) ? WEXITSTATUS (ws) : -1;
  if (code == SIM_EXIT_OK || code == SIM_EXIT_EXPECT)
    {
      if (!b->quiet)
        printf ("  [%u/%u] %s: %s (%.1f s)\n", b->done,
                sim_plan_n_runs (b->plan), run->reldir,
                code == SIM_EXIT_OK ? "ok" : "expectation failed", secs);
      show_log (c, run->reldir);
      if (code == SIM_EXIT_EXPECT)
        {
          b->status = SIM_EXIT_EXPECT;
          b->n_expect_failed++;
        }
    }
  else if (!interrupted () && b->abort_status == 0)
    {
      /* The first failure stops the batch; the runs it then stops are
       * not failures of their own. */
      show_log (c, run->reldir);
      if (WIFSIGNALED (ws))
        fprintf (stderr, "pastrysim: %s: killed by signal %d\n", run->reldir,
                 WTERMSIG (ws));
      else if (code != SIM_EXIT_BAD_INPUT)
        fprintf (stderr, "pastrysim: %s: exited with status %d\n", run->reldir,
                 code);
      b->abort_status = code == SIM_EXIT_BAD_INPUT     ? SIM_EXIT_BAD_INPUT
                        : code == SIM_EXIT_INTERRUPTED ? SIM_EXIT_INTERRUPTED
                                                       : SIM_EXIT_IO;
      if (b->running > 0)
        fprintf (stderr, "pastrysim: stopping the other runs\n");
    }
  g_unlink (c->log_path);
  g_clear_pointer (&c->log_path, g_free);
  c->pid = 0;
}

static void
kill_all (Batch *b, int sig)
{
  for (guint i = 0; i < b->jobs; i++)
    if (b->slots[i].pid > 0)
      kill (b->slots[i].pid, sig);
}

/* After SIGTERM, children get this long to stop by themselves before
 * SIGKILL: `run` polls its flag between events, and one event (say, an
 * instant build of 10^6 nodes) can take minutes.  Whatever they leave is
 * inside the batch's temporary directory, which is removed anyway. */
#define KILL_GRACE_US (1 * G_USEC_PER_SEC)

/* The main loop: start runs while slots are free, reap, sleep in
 * sigsuspend() until a child ends or a signal arrives. */
static void
run_all (Batch *b)
{
  guint n = sim_plan_n_runs (b->plan);
  gint64 killed_at = 0; /* when SIGTERM went out; 0 = not yet */
  gboolean hard = FALSE;
  for (;;)
    {
      while (!interrupted () && b->abort_status == 0 && b->next < n
             && b->running < b->jobs)
        if (!start_run (b, b->next++))
          break;
      int ws;
      pid_t pid;
      guint reaped = 0;
      while (b->running > 0 && (pid = waitpid (-1, &ws, WNOHANG)) > 0)
        for (guint i = 0; i < b->jobs; i++)
          if (b->slots[i].pid == pid)
            {
              finish_run (b, &b->slots[i], ws);
              reaped++;
              break;
            }
      if ((interrupted () || b->abort_status != 0) && killed_at == 0)
        {
          kill_all (b, SIGTERM);
          killed_at = g_get_monotonic_time ();
        }
      if (b->running == 0
          && (b->next >= n || interrupted () || b->abort_status != 0))
        return;
      if (killed_at != 0)
        {
          /* Stopping: poll, and escalate once the grace time is over. */
          if (!hard && g_get_monotonic_time () - killed_at > KILL_GRACE_US)
            {
              kill_all (b, SIGKILL);
              hard = TRUE;
            }
          g_usleep (20000);
        }
      /* Sleep only when nothing changed: a reaped child frees a slot. */
      else if (reaped == 0 && b->running > 0)
        sigsuspend (&b->orig_mask);
    }
}

/* The closing lines: where the results are, and for seeds the headline
 * metrics as mean ± half the 95 % interval. */
static void
print_results (const SimPlan *plan, const char *out_dir)
{
  static const char *const keys[] = {
    "mean_hops",      "ok_ratio",    "latency_p50_ms",
    "latency_p99_ms", "mean_rdp",    "maint_msgs_per_node_s",
  };
  printf ("%s: results in %s\n", sim_plan_name (plan), out_dir);
  if (sim_plan_has_sweep (plan))
    {
      printf ("  %s/sweep.csv: one row per run\n", out_dir);
      return;
    }
  g_autofree char *path = g_build_filename (out_dir, "summary.csv", NULL);
  g_autoptr (SimCsv) csv = sim_csv_read (path, NULL);
  if (csv == NULL || csv->n_cols < 6)
    return;
  printf ("  %-22s %12s %12s %4s\n", "metric", "mean", "+/- ci95", "n");
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    for (guint i = 0; i < csv->rows->len; i++)
      {
        char **f = csv->rows->pdata[i];
        if (!g_str_equal (f[0], keys[k]))
          continue;
        double lo = g_ascii_strtod (f[3], NULL);
        double hi = g_ascii_strtod (f[4], NULL);
        printf ("  %-22s %12g %12g %4s\n", f[0], g_ascii_strtod (f[1], NULL),
                (hi - lo) / 2, f[5]);
      }
}

int
sim_batch_run (const SimPlan *plan, const char *out_dir, guint jobs,
               gboolean quiet, const char *const *child_opts)
{
  g_return_val_if_fail (plan != NULL && out_dir != NULL && jobs > 0,
                        SIM_EXIT_IO);
  guint n = sim_plan_n_runs (plan);
  jobs = MIN (jobs, n);
  const char *inputs[] = { sim_plan_scenario (plan), NULL };
  GError *error = NULL;
  g_autoptr (SimPublish) pub = sim_publish_begin (out_dir, inputs, &error);
  if (pub == NULL)
    {
      int st = sim_cli_fail (error);
      g_error_free (error);
      return st;
    }
  const char *tmp = sim_publish_staging_dir (pub);
  g_autofree char *log_dir = g_build_filename (tmp, ".logs", NULL);
  if (g_mkdir (log_dir, 0755) != 0)
    {
      fprintf (stderr, "pastrysim: cannot create %s: %s\n", log_dir,
               g_strerror (errno));
      return SIM_EXIT_IO;
    }

  Batch b = { 0 };
  b.plan = plan;
  b.child_opts = child_opts;
  b.tmp = tmp;
  b.log_dir = log_dir;
  b.quiet = quiet;
  b.jobs = jobs;
  b.slots = g_new0 (Child, jobs);

  /* The interrupting signals and SIGCHLD are blocked except inside
   * sigsuspend(): the handlers main() installed set the flag. */
  sigset_t block;
  sim_cli_interrupt_signals (&block);
  sigaddset (&block, SIGCHLD);
  sigprocmask (SIG_BLOCK, &block, &b.orig_mask);
  struct sigaction sa, old_chld;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction (SIGCHLD, &sa, &old_chld);

  if (!quiet)
    {
      printf ("%s: %u runs, %s, %u at a time\n", sim_plan_name (plan), n,
              sim_plan_describe (plan), jobs);
      fflush (stdout);
    }
  run_all (&b);

  /* Signals stay blocked until the end: one arriving now is pending, and
   * is checked before the results are moved into place. */
  int status;
  sim_publish_remove_tree (log_dir);
  gboolean collected = FALSE;
  if (!interrupted () && b.abort_status == 0)
    {
      collected = sim_results_collect (tmp, &error);
      sigset_t pending, stop;
      sigpending (&pending);
      sim_cli_interrupt_signals (&stop);
      for (int sig = 1; sig < NSIG; sig++)
        if (sigismember (&stop, sig) && sigismember (&pending, sig))
          stop_pending = TRUE;
    }
  if (interrupted ())
    {
      fprintf (stderr, "pastrysim: interrupted; no results written\n");
      status = SIM_EXIT_INTERRUPTED;
    }
  else if (b.abort_status != 0)
    {
      fprintf (stderr, "pastrysim: batch stopped; no results written\n");
      status = b.abort_status;
    }
  else if (!collected || !sim_publish_commit (pub, &error))
    status = sim_cli_fail (error);
  else
    status = b.status;
  g_clear_error (&error);

  /* Unblock last: a signal still pending meets the flag-setting handler. */
  sigprocmask (SIG_SETMASK, &b.orig_mask, NULL);
  sigaction (SIGCHLD, &old_chld, NULL);
  g_free (b.slots);

  if (status == SIM_EXIT_OK || status == SIM_EXIT_EXPECT)
    {
      if (!quiet)
        print_results (plan, out_dir);
      if (b.n_expect_failed > 0)
        fprintf (stderr, "pastrysim: expectations failed in %u of %u runs\n",
                 b.n_expect_failed, n);
      /* Over seeds, the batch judges (its runs ran with --no-judge). */
      gboolean all_hold = TRUE;
      if (sim_plan_has_seeds (plan)
          && !sim_judge_plan (plan, out_dir, quiet, &all_hold, &error))
        {
          status = sim_cli_fail (error);
          g_clear_error (&error);
        }
      else if (!all_hold)
        status = SIM_EXIT_EXPECT;
    }
  return status;
}
