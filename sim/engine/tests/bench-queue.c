/* bench-queue.c — hold-model throughput of each SimQueue structure.
 *
 * The hold model (Jones 1986) keeps the pending set at a constant size n:
 * each operation pops the earliest event and pushes it back at its time
 * plus a random increment.  We fill the queue, run a warm-up of
 * min(n, 2·10^6) operations, then time --ops operations and report
 * millions of hold operations per second, the median of --reps runs.
 *
 * The fill draws each event's time from the stationary distribution of
 * the hold model (the residual life of the increment: U·X with X drawn
 * with probability proportional to its length), so the pending set starts
 * in its steady state.  Filling with plain increments instead would, for
 * the bimodal mix, start with 90% of the events inside the first 50 ms
 * and take ~10 generations of resubmission to relax: the measurement
 * would be of that transient.
 *
 * Increments come from a precomputed table of 2^16 values (512 KiB) so
 * that the generator and libm stay out of the measurement.  Prints
 * figures; never fails on time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim-queue.h"
#include "sim-rng.h"

#define TABLE_SIZE (1u << 16)

typedef enum
{
  INC_EXP,     /* exponential, mean 1 s */
  INC_BIMODAL, /* 90%: 5 ms + exponential(45 ms); 10%: uniform 25–35 s */
} Increment;

static const char *const increment_names[] = { "exp", "bimodal" };

static void
fill_table (SimTime *table, Increment inc, guint64 seed)
{
  SimRng r;
  sim_rng_init (&r, seed, SIM_RNG_PURPOSE_TEST, 100 + inc);
  SimDist exp_1s = sim_dist_exponential (1);
  SimDist net = sim_dist_exponential (0.045);
  SimDist timer = sim_dist_uniform (25, 35);
  for (guint i = 0; i < TABLE_SIZE; i++)
    {
      if (inc == INC_EXP)
        table[i] = sim_dist_sample_time (&exp_1s, &r, SIM_TIME_S);
      else if (sim_rng_uniform_u64 (&r, 10) != 0)
        table[i] = 5 * SIM_TIME_MS + sim_dist_sample_time (&net, &r, SIM_TIME_S);
      else
        table[i] = sim_dist_sample_time (&timer, &r, SIM_TIME_S);
    }
}

/* A time from the stationary residual distribution of the table: pick an
 * entry with probability proportional to its value (binary search in the
 * cumulative sums), then a uniform point inside it. */
static SimTime
residual (const SimTime *table, const double *cumul, SimRng *r)
{
  double target = sim_rng_double (r) * cumul[TABLE_SIZE - 1];
  guint lo = 0, hi = TABLE_SIZE - 1;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (cumul[mid] > target)
        hi = mid;
      else
        lo = mid + 1;
    }
  return (SimTime) (sim_rng_double (r) * (double) table[lo]);
}

/* One run: returns M hold operations per second. */
static double
run_once (SimQueueKind kind, guint64 size, guint64 ops, const SimTime *table,
          const double *cumul, guint64 seed)
{
  g_autoptr (SimQueue) q = sim_queue_new (kind);
  SimRng r;
  sim_rng_init (&r, seed, SIM_RNG_PURPOSE_TEST, 200);
  for (guint64 i = 0; i < size; i++)
    sim_queue_push (q, residual (table, cumul, &r), 0, (guint32) i, 0);
  guint32 j = (guint32) (seed * 7919);
  SimEvent ev;
  guint64 warm = MIN (size, (guint64) 2000000);
  for (guint64 i = 0; i < warm; i++)
    {
      sim_queue_pop (q, &ev);
      sim_queue_push (q, ev.at + table[j++ & (TABLE_SIZE - 1)], 0, ev.a, 0);
    }
  gint64 t0 = g_get_monotonic_time ();
  for (guint64 i = 0; i < ops; i++)
    {
      sim_queue_pop (q, &ev);
      sim_queue_push (q, ev.at + table[j++ & (TABLE_SIZE - 1)], 0, ev.a, 0);
    }
  gint64 t1 = g_get_monotonic_time ();
  g_assert_cmpuint (sim_queue_len (q), ==, size);
  return (double) ops / (double) MAX (t1 - t0, 1); /* ops per µs = M/s */
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  g_autofree char *sizes_arg = NULL;
  g_autofree char *only = NULL;
  gint64 ops = 2000000;
  gint reps = 3;
  GOptionEntry entries[] = {
    { "sizes", 's', 0, G_OPTION_ARG_STRING, &sizes_arg,
      "Comma-separated pending sizes (default 1000,100000,1000000,10000000)",
      "LIST" },
    { "ops", 'o', 0, G_OPTION_ARG_INT64, &ops, "Timed operations per run",
      "N" },
    { "reps", 'r', 0, G_OPTION_ARG_INT, &reps, "Runs per cell (median)",
      "N" },
    { "structure", 0, 0, G_OPTION_ARG_STRING, &only,
      "Only this structure (heap or ladder)", "NAME" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx
      = g_option_context_new ("— SimQueue hold-model benchmark");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  g_auto (GStrv) sizes = g_strsplit (
      sizes_arg ? sizes_arg : "1000,100000,1000000,10000000", ",", -1);
  if (reps < 1 || ops < 1)
    {
      fprintf (stderr, "--reps and --ops must be positive\n");
      return 2;
    }

  static const SimQueueKind kinds[] = { SIM_QUEUE_HEAP, SIM_QUEUE_LADDER };
  SimTime *table = g_new (SimTime, TABLE_SIZE);
  double *cumul = g_new (double, TABLE_SIZE);
  double *rates = g_new (double, reps);
  printf ("# SimQueue hold model: %" G_GINT64_FORMAT
          " timed ops per run, median of %d runs\n",
          ops, reps);
  printf ("%-8s %-10s %10s %14s\n", "dist", "structure", "pending",
          "M hold ops/s");
  for (guint d = 0; d < G_N_ELEMENTS (increment_names); d++)
    {
      fill_table (table, d, 1);
      for (guint i = 0; i < TABLE_SIZE; i++)
        cumul[i] = (i ? cumul[i - 1] : 0) + (double) table[i];
      for (guint s = 0; sizes[s] != NULL; s++)
        {
          guint64 size = g_ascii_strtoull (sizes[s], NULL, 10);
          if (size == 0)
            continue;
          for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
            {
              const char *name
                  = kinds[k] == SIM_QUEUE_HEAP ? "heap" : "ladder";
              if (only != NULL && g_strcmp0 (only, name) != 0)
                continue;
              for (gint rep = 0; rep < reps; rep++)
                rates[rep] = run_once (kinds[k], size, (guint64) ops, table,
                                       cumul, (guint64) rep + 1);
              qsort (rates, (gsize) reps, sizeof (double), cmp_double);
              printf ("%-8s %-10s %10" G_GUINT64_FORMAT " %14.2f\n",
                      increment_names[d], name, size, rates[reps / 2]);
              fflush (stdout);
            }
        }
    }
  g_free (rates);
  g_free (cumul);
  g_free (table);
  return 0;
}
