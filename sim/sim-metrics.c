/* sim-metrics.c — counters, histograms and CSV output.
 *
 * Invariants: ok + wrong + failed == lookups; hops[] sums to the number of
 * delivered lookups (ok + wrong); summary rows keep the order in which they
 * were first set, so summary.csv is byte-identical for identical runs (the
 * wall-clock rows wall_s, events_per_s and peak_rss_mb are the only ones
 * that vary, and they are named so).
 *
 * Byte-size model (per message): a 40-byte header (addresses, type,
 * length) plus 20 bytes per node carried (a 16-byte id and a 4-byte
 * address handle); a lookup carries its 16-byte key.  The sender is the
 * first id of every message.
 */
#include "sim-metrics.h"
#include "sim-hist.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define MSG_HEADER_BYTES 40
#define MSG_ID_BYTES 20

typedef struct
{
  char *name;
  double value;
} Row;

struct _SimMetrics
{
  FILE *lookups_csv;
  guint64 lookups, ok, wrong, failed;
  guint64 hops[SIM_MAX_HOPS + 1];
  guint64 hops_sum;
  SimHist *latency;   /* µs, delivered lookups */
  SimHist *rdp;       /* stretch x 1000 */
  SimHist *ratio;     /* route distance ratio x 1000 */
  double rdp_sum;
  guint64 rdp_n;
  double ratio_sum;
  guint64 ratio_n;
  guint64 msg_count[SIM_MSG_N_TYPES];
  guint64 msg_bytes[SIM_MSG_N_TYPES];
  guint64 joins;
  SimHist *join_time; /* µs */
  GArray *rows;       /* Row */
};

static const char *const type_names[SIM_MSG_N_TYPES] = {
  "lookup", "join_request", "join", "join_reply", "row_request",
  "row_reply", "announce", "leafset_push",
};

const char *
sim_msg_type_name (SimMsgType type)
{
  g_return_val_if_fail (type < SIM_MSG_N_TYPES, "?");
  return type_names[type];
}

guint
sim_msg_bytes (SimMsgType type, guint n_ids)
{
  return MSG_HEADER_BYTES + n_ids * MSG_ID_BYTES
         + (type == SIM_MSG_LOOKUP ? PASTRY_ID_BYTES : 0);
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
  for (guint i = 0; i < m->rows->len; i++)
    g_free (g_array_index (m->rows, Row, i).name);
  g_array_free (m->rows, TRUE);
  g_free (m);
}

static const char *const outcome_names[] = { "ok", "wrong", "failed" };

/* Formats v with up to `digits` decimals, locale-independent, into buf. */
static const char *
fmt (char *buf, gsize len, double v, int digits)
{
  if (isnan (v))
    return "nan";
  char f[8];
  g_snprintf (f, sizeof f, "%%.%df", digits);
  return g_ascii_formatd (buf, (gint) len, f, v);
}

void
sim_metrics_lookup (SimMetrics *m, SimTime issued, guint32 src,
                    const PastryId *key, guint hops, SimTime latency,
                    SimTime direct, double route_ratio, SimOutcome outcome)
{
  g_return_if_fail (m != NULL && key != NULL && outcome <= SIM_OUTCOME_FAILED);
  m->lookups++;
  double rdp = NAN;
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
      sim_hist_add (m->latency, latency);
      if (direct > 0)
        {
          rdp = (double) latency / (double) direct;
          m->rdp_sum += rdp;
          m->rdp_n++;
          sim_hist_add (m->rdp, (guint64) llround (rdp * 1000.0));
        }
      if (route_ratio >= 0)
        {
          m->ratio_sum += route_ratio;
          m->ratio_n++;
          sim_hist_add (m->ratio, (guint64) llround (route_ratio * 1000.0));
        }
    }
  if (m->lookups_csv != NULL)
    {
      char t[G_ASCII_DTOSTR_BUF_SIZE], l[G_ASCII_DTOSTR_BUF_SIZE];
      char d[G_ASCII_DTOSTR_BUF_SIZE], r[G_ASCII_DTOSTR_BUF_SIZE];
      char k[PASTRY_ID_HEX_LEN + 1];
      pastry_id_format (key, k);
      fprintf (m->lookups_csv, "%s,%u,%s,%u,%s,%s,%s,%s\n",
               fmt (t, sizeof t, sim_time_to_s (issued), 6), src, k, hops,
               fmt (l, sizeof l, (double) latency / 1000.0, 3),
               fmt (d, sizeof d, (double) direct / 1000.0, 3),
               fmt (r, sizeof r, rdp, 4), outcome_names[outcome]);
    }
}

void
sim_metrics_message (SimMetrics *m, SimMsgType type, guint n_ids)
{
  g_return_if_fail (m != NULL && type < SIM_MSG_N_TYPES);
  m->msg_count[type]++;
  m->msg_bytes[type] += sim_msg_bytes (type, n_ids);
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
sim_metrics_finish (SimMetrics *m)
{
  g_return_if_fail (m != NULL);
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
  sim_metrics_set (m, "rdp_p50", sim_hist_quantile (m->rdp, 0.5) / 1000);
  sim_metrics_set (m, "rdp_p90", sim_hist_quantile (m->rdp, 0.9) / 1000);
  sim_metrics_set (m, "route_distance_ratio",
                   m->ratio_n > 0 ? m->ratio_sum / m->ratio_n : NAN);
  guint64 join_msgs = 0, all_msgs = 0, all_bytes = 0;
  for (guint t = 0; t < SIM_MSG_N_TYPES; t++)
    {
      all_msgs += m->msg_count[t];
      all_bytes += m->msg_bytes[t];
      if (t != SIM_MSG_LOOKUP)
        join_msgs += m->msg_count[t];
    }
  sim_metrics_set (m, "joins", (double) m->joins);
  sim_metrics_set (m, "join_msgs_per_node",
                   m->joins > 0 ? (double) join_msgs / m->joins : NAN);
  sim_metrics_set (m, "join_time_mean_s",
                   sim_hist_mean (m->join_time) / 1e6);
  sim_metrics_set (m, "messages", (double) all_msgs);
  sim_metrics_set (m, "message_bytes", (double) all_bytes);
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
  return g_str_equal (name, "wall_s") || g_str_equal (name, "events_per_s")
         || g_str_equal (name, "peak_rss_mb");
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
  for (guint t = 0; t < SIM_MSG_N_TYPES; t++)
    g_string_append_printf (msgs, "%s,%" G_GUINT64_FORMAT ",%"
                            G_GUINT64_FORMAT "\n", type_names[t],
                            m->msg_count[t], m->msg_bytes[t]);
  if (!write_file (dir, "messages.csv", msgs, error))
    return FALSE;

  if (!write_cdf (dir, "latency_cdf.csv", "latency_ms", m->latency, 1000.0,
                  meta, error)
      || !write_cdf (dir, "rdp_cdf.csv", "rdp", m->rdp, 1000.0, meta, error))
    return FALSE;

  g_autoptr (GString) sum = g_string_new (meta);
  g_string_append (sum, "metric,value\n");
  for (guint i = 0; i < m->rows->len; i++)
    {
      const Row *r = &g_array_index (m->rows, Row, i);
      if (is_wall_clock (r->name))
        continue;
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
