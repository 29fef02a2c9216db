/* sim-seed-route.c — `pastrysim seed-route FILE`: replays route vectors
 * recorded from the original Python library (the format of
 * ../shared/data/seed-route/README.md) against core's PastryLibrary and
 * counts the queries answered exactly.
 *
 * The reading and the replay are core/seed-route/'s (the same code as
 * core/tests/test-library.c), so the command and the test cannot disagree;
 * this file only parses options and prints.  The file is streamed line by
 * line, so a large recorded set needs memory for one line at a time.
 *
 * Output: the first --show mismatches (default 5) on stderr as
 * `FILE:LINE:COL: what differs`, then `seed-route: Q queries, M matched`
 * on stdout.  Exit status: 0 when every query and every leaf set matched,
 * 1 when something mismatched, 2 on bad options or a file that cannot be
 * read or is malformed (`FILE:LINE:COL: message` on stderr; the count is
 * then not printed, as a partial count would mislead).
 *
 * Unlike the other subcommands this one sees core/ (PastryLibrary), through
 * core/seed-route/; it never touches the simulator's world.
 */
#include "sim-cli.h"

#include "seed-replay.h"

#include <stdio.h>

typedef struct
{
  guint show;
  guint total;
} Shown;

static void
print_mismatch (const char *message, gpointer data)
{
  Shown *s = data;
  if (s->total++ < s->show)
    fprintf (stderr, "%s\n", message);
}

int
sim_cli_seed_route (int argc, char **argv)
{
  gint show = 5;
  GOptionEntry entries[] = {
    { "show", 's', 0, G_OPTION_ARG_INT, &show,
      "List at most N mismatches (default 5)", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
      "FILE - replay the original library's route vectors");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (
      ctx,
      "FILE holds JSON Lines as ../shared/data/seed-route/README.md\n"
      "describes: a node (self, peers, update batches), its leaf set and\n"
      "queries with what the Python library's route(key, n) answered.  Each\n"
      "line is rebuilt with core's PastryLibrary and every query is compared\n"
      "(ids and values, in order).\n\n"
      "Exit status: 0 all matched, 1 some mismatch, 2 bad options or a\n"
      "malformed file (FILE:LINE:COL: message).");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "pastrysim: seed-route: %s\n", error->message);
      return SIM_EXIT_BAD_INPUT;
    }
  if (argc != 2)
    {
      fprintf (stderr,
               "pastrysim: seed-route: %s\nTry 'pastrysim seed-route "
               "--help'.\n",
               argc < 2 ? "needs FILE" : "too many arguments");
      return SIM_EXIT_BAD_INPUT;
    }
  if (show < 0)
    {
      fprintf (stderr, "pastrysim: seed-route: --show: %d is negative\n",
               show);
      return SIM_EXIT_BAD_INPUT;
    }

  g_autoptr (SeedReader) reader = seed_reader_open (argv[1], &error);
  if (reader == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return SIM_EXIT_BAD_INPUT;
    }
  Shown shown = { (guint) show, 0 };
  guint queries = 0, matched = 0, bad_lines = 0;
  for (;;)
    {
      g_autoptr (SeedRecord) rec = NULL;
      if (!seed_reader_next (reader, &rec, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return SIM_EXIT_BAD_INPUT;
        }
      if (rec == NULL)
        break;
      SeedReplay res;
      if (!seed_record_replay (rec, argv[1], &res, print_mismatch, &shown))
        bad_lines++;
      queries += res.queries;
      matched += res.matched;
    }
  if (shown.total > shown.show)
    fprintf (stderr, "(%u more mismatches not shown)\n",
             shown.total - shown.show);
  printf ("seed-route: %u queries, %u matched\n", queries, matched);
  return bad_lines == 0 ? SIM_EXIT_OK : 1;
}
