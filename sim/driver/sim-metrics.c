/* sim-metrics.c — counters, histograms and CSV output.
 *
 * Invariants: ok + wrong + failed == lookups; hops[] sums to the number of
 * delivered lookups (ok + wrong); summary rows keep the order in which they
 * were first set, so summary.csv is byte-identical for identical runs (the
 * wall-clock rows wall_s, events_per_s and peak_rss_mb are the only ones
 * that vary, and they are named so).  memory.csv, one row per timeline
 * row, is wall-clock class as a whole (the process's resident memory and
 * wall time at each row's simulated time): it varies between identical
 * runs, and nothing else reads it.
 *
 * Messages arrive counted in bytes; the size model is the protocol's
 * (core/pastry-msg.h for Pastry).
 *
 * Windows: the summary covers lookups issued and messages sent inside the
 * `measure` window; node-seconds (the integral of live nodes over time)
 * are integrated inside the window too, so per-node rates are per live
 * node.  The timeline covers the whole run.
 */
#include "sim-metrics.h"
#include "sim-metric-info.h"
#include "sim-format.h"
#include "sim-hist.h"
#include "sim-resources.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* Fixed-point numbers as every CSV writes them (sim-format.h). */
#define fmt sim_format_fixed


typedef struct
{
  char *name;
  double value;
} Row;

typedef struct
{
  guint64 lookups, ok, wrong, failed, hops, detours;
  double latency_sum;
} Phase;

struct _SimMetrics
{
  FILE *lookups_csv;
  guint64 lookups, ok, wrong, failed;
  guint64 hops[SIM_MAX_HOPS + 1];
  guint64 hops_sum;
  guint64 detours_sum; /* of delivered lookups */
  SimHist *latency;   /* µs, delivered lookups */
  SimHist *rdp;       /* stretch x 1000 */
  SimHist *ratio;     /* route distance ratio x 1000 */
  double rdp_sum;
  guint64 rdp_n;
  double route_sum;  /* latency and direct latency of the rdp lookups */
  double direct_sum;
  double ratio_sum;
  guint64 ratio_n;
  SimMsgTypeInfo *types; /* the protocol's message types */
  guint n_types;
  guint64 *msg_count;    /* per type, in the window */
  guint64 *msg_bytes;
  guint64 joins;
  SimHist *join_time; /* µs */
  GArray *rows;       /* Row */
  GString *notes;     /* extra '#' lines of summary.csv only */

  SimTime win_from, win_to;
  guint64 repair_msgs;
  guint64 repair_requests; /* repair messages of request types */
  guint64 failures_in_window;

  /* Node-seconds: live nodes integrated over time. */
  guint live;
  SimTime live_since;
  double node_s_window;   /* inside the window */
  double node_s_interval; /* since the last timeline tick */

  /* Timeline: counters of the current interval. */
  FILE *timeline;
  FILE *memory;     /* memory.csv (wall-clock class), or NULL */
  gint64 memory_t0; /* monotonic µs when it started */
  SimTime interval, interval_start;
  guint64 t_joins, t_leaves, t_fails, t_lookups, t_ok, t_wrong, t_failed;
  guint64 t_hops;
  guint64 t_maint_msgs, t_maint_bytes;
  SimHist *t_latency;

  Phase *phases;
  guint n_phases;
};

void
sim_metrics_set_message_types (SimMetrics *m, const SimMsgTypeInfo *types,
                               guint n)
{
  g_return_if_fail (m != NULL && (types != NULL || n == 0));
  g_return_if_fail (m->n_types == 0);
  m->types = g_memdup2 (types, n * sizeof *types);
  m->n_types = n;
  m->msg_count = g_new0 (guint64, n);
  m->msg_bytes = g_new0 (guint64, n);
}

void
sim_metrics_set_phases (SimMetrics *m, guint n)
{
  g_return_if_fail (m != NULL);
  g_free (m->phases);
  m->phases = g_new0 (Phase, n);
  m->n_phases = n;
}

void
sim_metrics_set_window (SimMetrics *m, SimTime from, SimTime to)
{
  g_return_if_fail (m != NULL && from <= to);
  m->win_from = from;
  m->win_to = to;
}

static inline gboolean
in_window (const SimMetrics *m, SimTime t)
{
  return t >= m->win_from && t < m->win_to;
}

/* Adds live * (now - live_since), split at the window's edges. */
static void
integrate_live (SimMetrics *m, SimTime now)
{
  if (now <= m->live_since)
    return;
  double dt = (double) (now - m->live_since) / (double) SIM_TIME_S;
  m->node_s_interval += m->live * dt;
  SimTime a = MAX (m->live_since, m->win_from);
  SimTime b = MIN (now, m->win_to);
  if (b > a)
    m->node_s_window += m->live * ((double) (b - a) / (double) SIM_TIME_S);
  m->live_since = now;
}

void
sim_metrics_live (SimMetrics *m, SimTime now, guint live)
{
  g_return_if_fail (m != NULL);
  integrate_live (m, now);
  m->live = live;
}

void
sim_metrics_node_event (SimMetrics *m, SimTime now, SimNodeEvent ev)
{
  g_return_if_fail (m != NULL);
  switch (ev)
    {
    case SIM_NODE_EVENT_JOIN:
      m->t_joins++;
      break;
    case SIM_NODE_EVENT_LEAVE:
      m->t_leaves++;
      if (in_window (m, now))
        m->failures_in_window++;
      break;
    case SIM_NODE_EVENT_FAIL:
      m->t_fails++;
      if (in_window (m, now))
        m->failures_in_window++;
      break;
    }
}

void
sim_metrics_stream_lookups (SimMetrics *m, FILE *f)
{
  g_return_if_fail (m != NULL && f != NULL);
  m->lookups_csv = f;
  fputs ("t_s,src,key,hops,latency_ms,direct_ms,rdp,outcome\n", f);
}

SimMetrics *
sim_metrics_new (void)
{
  SimMetrics *m = g_new0 (SimMetrics, 1);
  m->win_to = SIM_TIME_MAX;
  m->t_latency = sim_hist_new ();
  m->latency = sim_hist_new ();
  m->rdp = sim_hist_new ();
  m->ratio = sim_hist_new ();
  m->join_time = sim_hist_new ();
  m->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  return m;
}

void
sim_metrics_free (SimMetrics *m)
{
  if (m == NULL)
    return;
  sim_hist_free (m->latency);
  sim_hist_free (m->rdp);
  sim_hist_free (m->ratio);
  sim_hist_free (m->join_time);
  sim_hist_free (m->t_latency);
  g_free (m->phases);
  if (m->notes != NULL)
    g_string_free (m->notes, TRUE);
  g_free (m->types);
  g_free (m->msg_count);
  g_free (m->msg_bytes);
  for (guint i = 0; i < m->rows->len; i++)
    g_free (g_array_index (m->rows, Row, i).name);
  g_array_free (m->rows, TRUE);
  g_free (m);
}

static const char *const outcome_names[] = { "ok", "wrong", "failed" };

/* Formats v with up to `digits` decimals, locale-independent, into buf. */

void
sim_metrics_lookup (SimMetrics *m, SimTime issued, guint32 src,
                    const SimKey *key, guint hops, guint detours,
                    SimTime latency,
                    SimTime direct, double route_ratio, SimOutcome outcome,
                    guint phase)
{
  g_return_if_fail (m != NULL && key != NULL && outcome <= SIM_OUTCOME_FAILED);
  double rdp = direct > 0 && outcome != SIM_OUTCOME_FAILED
                 ? (double) latency / (double) direct : NAN;
  if (phase < m->n_phases)
    {
      Phase *ph = &m->phases[phase];
      ph->lookups++;
      if (outcome == SIM_OUTCOME_OK)
        ph->ok++;
      else if (outcome == SIM_OUTCOME_WRONG)
        ph->wrong++;
      else
        ph->failed++;
      if (outcome != SIM_OUTCOME_FAILED)
        {
          ph->hops += hops;
          ph->detours += detours;
          ph->latency_sum += (double) latency;
        }
    }
  m->t_lookups++;
  if (outcome == SIM_OUTCOME_OK)
    m->t_ok++;
  else if (outcome == SIM_OUTCOME_WRONG)
    m->t_wrong++;
  else
    m->t_failed++;
  if (outcome != SIM_OUTCOME_FAILED)
    {
      m->t_hops += hops;
      sim_hist_add (m->t_latency, latency);
    }
  if (m->lookups_csv != NULL)
    {
      char t[G_ASCII_DTOSTR_BUF_SIZE], l[G_ASCII_DTOSTR_BUF_SIZE];
      char d[G_ASCII_DTOSTR_BUF_SIZE], r[G_ASCII_DTOSTR_BUF_SIZE];
      char k[33];
      g_snprintf (k, sizeof k, "%016" G_GINT64_MODIFIER "x%016"
                  G_GINT64_MODIFIER "x", key->hi, key->lo);
      fprintf (m->lookups_csv, "%s,%u,%s,%u,%s,%s,%s,%s\n",
               fmt (t, sizeof t, sim_time_to_s (issued), 6), src, k, hops,
               outcome == SIM_OUTCOME_FAILED
                 ? "nan" : fmt (l, sizeof l, (double) latency / 1000.0, 3),
               fmt (d, sizeof d, (double) direct / 1000.0, 3),
               fmt (r, sizeof r, rdp, 4), outcome_names[outcome]);
    }
  if (!in_window (m, issued))
    return;
  m->lookups++;
  switch (outcome)
    {
    case SIM_OUTCOME_OK:
      m->ok++;
      break;
    case SIM_OUTCOME_WRONG:
      m->wrong++;
      break;
    case SIM_OUTCOME_FAILED:
      m->failed++;
      break;
    }
  if (outcome != SIM_OUTCOME_FAILED)
    {
      m->hops[MIN (hops, SIM_MAX_HOPS)]++;
      m->hops_sum += hops;
      m->detours_sum += detours;
      sim_hist_add (m->latency, latency);
      if (direct > 0)
        {
          m->rdp_sum += rdp;
          m->rdp_n++;
          m->route_sum += (double) latency;
          m->direct_sum += (double) direct;
          sim_hist_add (m->rdp, sim_u64_from_double (round (rdp * 1000.0)));
        }
      if (route_ratio >= 0)
        {
          m->ratio_sum += route_ratio;
          m->ratio_n++;
          sim_hist_add (m->ratio,
                       sim_u64_from_double (round (route_ratio * 1000.0)));
        }
    }
}

void
sim_metrics_message (SimMetrics *m, SimTime now, guint type, guint bytes,
                     gboolean repair)
{
  g_return_if_fail (m != NULL && type < m->n_types);
  if (m->types[type].traffic != SIM_TRAFFIC_LOOKUP)
    {
      m->t_maint_msgs++;
      m->t_maint_bytes += bytes;
    }
  if (!in_window (m, now))
    return;
  m->msg_count[type]++;
  m->msg_bytes[type] += bytes;
  if (repair)
    {
      m->repair_msgs++;
      if (m->types[type].request)
        m->repair_requests++;
    }
}

void
sim_metrics_stream_timeline (SimMetrics *m, FILE *f, SimTime interval)
{
  g_return_if_fail (m != NULL && f != NULL && interval > 0);
  m->timeline = f;
  m->interval = interval;
  fputs ("t_s,live,joins,leaves,failures,lookups,ok,wrong,failed,mean_hops,"
         "latency_p50_ms,latency_p99_ms,maint_msgs_per_node_s,"
         "maint_bytes_per_node_s\n", f);
}

void
sim_metrics_stream_memory (SimMetrics *m, FILE *f)
{
  g_return_if_fail (m != NULL && f != NULL);
  m->memory = f;
  m->memory_t0 = g_get_monotonic_time ();
  fputs ("t_s,wall_s,rss_mb,peak_rss_mb,heap_mb\n", f);
}

/* One memory.csv row: figures of the process, not of the simulation. */
static void
memory_row (SimMetrics *m, SimTime now)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  char c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];
  char e[G_ASCII_DTOSTR_BUF_SIZE];
  double wall = (double) (g_get_monotonic_time () - m->memory_t0) / 1e6;
  /* Whole free pages go back to the kernel first: the row then shows
   * what the run holds (and what fragmentation keeps below a page), and
   * a long run's resident memory follows its heap instead of keeping
   * every page it ever freed (churn at 10^4 nodes for 3 h: final RSS
   * 25.8 -> 22.5 MB, peak flat from 1.5 h on; about 5 k instructions a
   * row).  Addresses of later allocations do not matter to outputs. */
  sim_resources_trim ();
  double rss = sim_resources_rss_mb ();
  /* The kernel updates the peak lazily: it can trail the current figure
   * by a few pages. */
  double peak = MAX (rss, sim_resources_peak_rss_mb ());
  fprintf (m->memory, "%s,%s,%s,%s,%s\n",
           fmt (a, sizeof a, sim_time_to_s (now), 3), fmt (b, sizeof b, wall, 3),
           fmt (c, sizeof c, rss, 1), fmt (d, sizeof d, peak, 1),
           fmt (e, sizeof e, sim_resources_heap_mb (), 1));
}

void
sim_metrics_timeline_tick (SimMetrics *m, SimTime now)
{
  g_return_if_fail (m != NULL);
  integrate_live (m, now);
  if (m->memory != NULL && now > m->interval_start)
    memory_row (m, now);
  if (m->timeline != NULL && now > m->interval_start)
    {
      char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
      char c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];
      char e[G_ASCII_DTOSTR_BUF_SIZE], f[G_ASCII_DTOSTR_BUF_SIZE];
      guint64 delivered = m->t_ok + m->t_wrong;
      double ns = m->node_s_interval;
      fprintf (m->timeline,
               "%s,%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
               ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
               ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
               ",%" G_GUINT64_FORMAT ",%s,%s,%s,%s,%s\n",
               fmt (a, sizeof a, sim_time_to_s (now), 3), m->live, m->t_joins,
               m->t_leaves, m->t_fails, m->t_lookups, m->t_ok, m->t_wrong,
               m->t_failed,
               fmt (b, sizeof b, delivered > 0 ? (double) m->t_hops / delivered
                                               : NAN, 4),
               fmt (c, sizeof c, sim_hist_quantile (m->t_latency, 0.5) / 1000,
                    3),
               fmt (d, sizeof d, sim_hist_quantile (m->t_latency, 0.99) / 1000,
                    3),
               fmt (e, sizeof e, ns > 0 ? m->t_maint_msgs / ns : NAN, 4),
               fmt (f, sizeof f, ns > 0 ? m->t_maint_bytes / ns : NAN, 2));
    }
  m->interval_start = now;
  m->node_s_interval = 0;
  m->t_joins = m->t_leaves = m->t_fails = 0;
  m->t_lookups = m->t_ok = m->t_wrong = m->t_failed = m->t_hops = 0;
  m->t_maint_msgs = m->t_maint_bytes = 0;
  if (sim_hist_count (m->t_latency) > 0)
    sim_hist_clear (m->t_latency);
}

void
sim_metrics_join (SimMetrics *m, SimTime duration)
{
  g_return_if_fail (m != NULL);
  m->joins++;
  sim_hist_add (m->join_time, duration);
}

void
sim_metrics_set (SimMetrics *m, const char *name, double value)
{
  g_return_if_fail (m != NULL && name != NULL);
  if (sim_metric_info_lookup (name) == NULL)
    {
      g_critical ("summary metric '%s' is not in the registry "
                  "(sim-metric-info.c)", name);
      return;
    }
  for (guint i = 0; i < m->rows->len; i++)
    {
      Row *r = &g_array_index (m->rows, Row, i);
      if (g_str_equal (r->name, name))
        {
          r->value = value;
          return;
        }
    }
  Row r = { g_strdup (name), value };
  g_array_append_val (m->rows, r);
}

void
sim_metrics_set_note (SimMetrics *m, const char *key, const char *value)
{
  g_return_if_fail (m != NULL && key != NULL && value != NULL);
  if (m->notes == NULL)
    m->notes = g_string_new (NULL);
  g_string_append_printf (m->notes, "# %s: %s\n", key, value);
}

gboolean
sim_metrics_get (const SimMetrics *m, const char *name, double *value)
{
  g_return_val_if_fail (m != NULL && name != NULL, FALSE);
  for (guint i = 0; i < m->rows->len; i++)
    {
      const Row *r = &g_array_index (m->rows, Row, i);
      if (g_str_equal (r->name, name))
        {
          if (value != NULL)
            *value = r->value;
          return TRUE;
        }
    }
  return FALSE;
}

void
sim_metrics_finish (SimMetrics *m, SimTime end)
{
  g_return_if_fail (m != NULL);
  integrate_live (m, end);
  guint64 delivered = m->ok + m->wrong;
  guint max_hops = 0;
  for (guint h = 0; h <= SIM_MAX_HOPS; h++)
    if (m->hops[h] > 0)
      max_hops = h;
  double n = (double) m->lookups;
  sim_metrics_set (m, "lookups", n);
  sim_metrics_set (m, "ok_ratio", n > 0 ? (double) m->ok / n : NAN);
  sim_metrics_set (m, "wrong_ratio", n > 0 ? (double) m->wrong / n : NAN);
  sim_metrics_set (m, "failed_ratio", n > 0 ? (double) m->failed / n : NAN);
  sim_metrics_set (m, "mean_hops", delivered > 0
                                     ? (double) m->hops_sum / delivered
                                     : NAN);
  sim_metrics_set (m, "mean_hops_tried",
                   delivered > 0 ? (double) (m->hops_sum + m->detours_sum)
                                       / delivered
                                 : NAN);
  sim_metrics_set (m, "max_hops", max_hops);
  sim_metrics_set (m, "latency_mean_ms", sim_hist_mean (m->latency) / 1000);
  sim_metrics_set (m, "latency_p50_ms",
                   sim_hist_quantile (m->latency, 0.5) / 1000);
  sim_metrics_set (m, "latency_p90_ms",
                   sim_hist_quantile (m->latency, 0.9) / 1000);
  sim_metrics_set (m, "latency_p99_ms",
                   sim_hist_quantile (m->latency, 0.99) / 1000);
  sim_metrics_set (m, "mean_rdp", m->rdp_n > 0 ? m->rdp_sum / m->rdp_n
                                               : NAN);
  /* Fig. 6 of the paper plots distances relative to the direct
   * distance: the ratio of the totals, which short routes do not dominate
   * the way they dominate mean_rdp. */
  sim_metrics_set (m, "distance_ratio", m->direct_sum > 0
                                          ? m->route_sum / m->direct_sum
                                          : NAN);
  sim_metrics_set (m, "rdp_p50", sim_hist_quantile (m->rdp, 0.5) / 1000);
  sim_metrics_set (m, "rdp_p90", sim_hist_quantile (m->rdp, 0.9) / 1000);
  sim_metrics_set (m, "route_distance_ratio",
                   m->ratio_n > 0 ? m->ratio_sum / m->ratio_n : NAN);
  guint64 join_msgs = 0, all_msgs = 0, all_bytes = 0;
  guint64 maint_msgs = 0, maint_bytes = 0;
  for (guint t = 0; t < m->n_types; t++)
    {
      all_msgs += m->msg_count[t];
      all_bytes += m->msg_bytes[t];
      if (m->types[t].traffic == SIM_TRAFFIC_JOIN)
        join_msgs += m->msg_count[t];
      if (m->types[t].traffic != SIM_TRAFFIC_LOOKUP)
        {
          maint_msgs += m->msg_count[t];
          maint_bytes += m->msg_bytes[t];
        }
    }
  double ns = m->node_s_window;
  sim_metrics_set (m, "joins", (double) m->joins);
  sim_metrics_set (m, "join_msgs_per_node",
                   m->joins > 0 ? (double) join_msgs / m->joins : NAN);
  sim_metrics_set (m, "join_time_mean_s",
                   sim_hist_mean (m->join_time) / 1e6);
  sim_metrics_set (m, "messages", (double) all_msgs);
  sim_metrics_set (m, "message_bytes", (double) all_bytes);
  sim_metrics_set (m, "node_seconds", ns);
  sim_metrics_set (m, "maint_msgs_per_node_s", ns > 0 ? maint_msgs / ns : NAN);
  sim_metrics_set (m, "maint_bytes_per_node_s",
                   ns > 0 ? maint_bytes / ns : NAN);
  sim_metrics_set (m, "failures", (double) m->failures_in_window);
  sim_metrics_set (m, "repair_msgs_per_failure",
                   m->failures_in_window > 0
                     ? (double) m->repair_msgs / m->failures_in_window : NAN);
  sim_metrics_set (m, "repair_requests_per_failure",
                   m->failures_in_window > 0
                     ? (double) m->repair_requests / m->failures_in_window
                     : NAN);
  for (guint k = 0; m->n_phases >= 2 && k < m->n_phases; k++)
    {
      const Phase *ph = &m->phases[k];
      double n_ph = (double) ph->lookups;
      guint64 dl = ph->ok + ph->wrong;
      char name[64];
#define PHASE_ROW(suffix, value)                                             \
  g_snprintf (name, sizeof name, "phase%u_" suffix, k + 1);                  \
  sim_metrics_set (m, name, value)
      PHASE_ROW ("lookups", n_ph);
      PHASE_ROW ("ok_ratio", n_ph > 0 ? ph->ok / n_ph : NAN);
      PHASE_ROW ("wrong_ratio", n_ph > 0 ? ph->wrong / n_ph : NAN);
      PHASE_ROW ("failed_ratio", n_ph > 0 ? ph->failed / n_ph : NAN);
      PHASE_ROW ("mean_hops", dl > 0 ? (double) ph->hops / dl : NAN);
      PHASE_ROW ("mean_hops_tried",
                 dl > 0 ? (double) (ph->hops + ph->detours) / dl : NAN);
      PHASE_ROW ("latency_mean_ms",
                 dl > 0 ? ph->latency_sum / dl / 1000.0 : NAN);
#undef PHASE_ROW
    }
}

static gboolean
write_file (const char *dir, const char *name, const GString *body,
            GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_set_contents (path, body->str, (gssize) body->len, error);
}

/* Rows whose values depend on the machine, not the simulation. */
static gboolean
is_wall_clock (const char *name)
{
  return sim_metric_info_lookup (name)->wall_clock;
}

typedef struct
{
  GString *out;
  guint64 total, seen;
  double scale;
} CdfCtx;

static void
cdf_point (double value, guint64 count, gpointer data)
{
  CdfCtx *c = data;
  char v[G_ASCII_DTOSTR_BUF_SIZE], f[G_ASCII_DTOSTR_BUF_SIZE];
  c->seen += count;
  g_string_append_printf (c->out, "%s,%s\n",
                          fmt (v, sizeof v, value / c->scale, 4),
                          fmt (f, sizeof f,
                               (double) c->seen / (double) c->total, 6));
}

/* Writes one CDF file: a row per non-empty histogram bucket (values
 * divided by scale), so a plot needs no raw samples. */
static gboolean
write_cdf (const char *dir, const char *name, const char *column,
           const SimHist *h, double scale, const char *meta, GError **error)
{
  g_autoptr (GString) out = g_string_new (meta);
  g_string_append_printf (out, "%s,cdf\n", column);
  CdfCtx c = { out, sim_hist_count (h), 0, scale };
  if (c.total > 0)
    sim_hist_foreach (h, cdf_point, &c);
  return write_file (dir, name, out, error);
}

gboolean
sim_metrics_write (const SimMetrics *m, const char *dir, const char *meta,
                   GError **error)
{
  g_return_val_if_fail (m != NULL && dir != NULL && meta != NULL, FALSE);
  char a[G_ASCII_DTOSTR_BUF_SIZE];

  g_autoptr (GString) hops = g_string_new (meta);
  g_string_append (hops, "hops,count,fraction\n");
  guint64 delivered = m->ok + m->wrong;
  guint max_hops = 0;
  for (guint h = 0; h <= SIM_MAX_HOPS; h++)
    if (m->hops[h] > 0)
      max_hops = h;
  for (guint h = 0; delivered > 0 && h <= max_hops; h++)
    g_string_append_printf (hops, "%u,%" G_GUINT64_FORMAT ",%s\n", h,
                            m->hops[h],
                            fmt (a, sizeof a,
                                 (double) m->hops[h] / delivered, 6));
  if (!write_file (dir, "hops.csv", hops, error))
    return FALSE;

  g_autoptr (GString) msgs = g_string_new (meta);
  g_string_append (msgs, "type,count,bytes\n");
  for (guint t = 0; t < m->n_types; t++)
    g_string_append_printf (msgs, "%s,%" G_GUINT64_FORMAT ",%"
                            G_GUINT64_FORMAT "\n", m->types[t].name,
                            m->msg_count[t], m->msg_bytes[t]);
  if (!write_file (dir, "messages.csv", msgs, error))
    return FALSE;

  if (!write_cdf (dir, "latency_cdf.csv", "latency_ms", m->latency, 1000.0,
                  meta, error)
      || !write_cdf (dir, "rdp_cdf.csv", "rdp", m->rdp, 1000.0, meta, error))
    return FALSE;

  g_autoptr (GString) sum = g_string_new (meta);
  if (m->notes != NULL)
    g_string_append (sum, m->notes->str);
  g_string_append (sum, "metric,value\n");
  for (guint i = 0; i < m->rows->len; i++)
    {
      const Row *r = &g_array_index (m->rows, Row, i);
      if (is_wall_clock (r->name))
        continue;
      if (r->value == floor (r->value) && fabs (r->value) < 1e15)
        g_string_append_printf (sum, "%s,%.0f\n", r->name, r->value);
      else
        g_string_append_printf (sum, "%s,%s\n", r->name,
                                fmt (a, sizeof a, r->value, 6));
    }
  g_string_append (sum, "# wall-clock rows (vary between identical runs):\n");
  for (guint i = 0; i < m->rows->len; i++)
    {
      const Row *r = &g_array_index (m->rows, Row, i);
      if (is_wall_clock (r->name))
        g_string_append_printf (sum, "%s,%s\n", r->name,
                                fmt (a, sizeof a, r->value, 3));
    }
  return write_file (dir, "summary.csv", sum, error);
}
