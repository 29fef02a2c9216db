/* sim-world-build.c — state from global knowledge: the `build` action's
 * ideal overlay, the shadow overlay used to measure the route distance
 * ratio, and the routing-table quality measurement (the paper's Fig. 7).
 *
 * All three sort the live ids once and find "the nodes that fit slot
 * (row, col) of node x" as a contiguous range by binary search
 * (pastry_id_prefix_range).  A slot gets the closest node of its range by
 * proximity, scanning the whole range or, when a sample size is given and
 * the range is larger, that many evenly spaced members from a random
 * start.  Scanning is
 * O(N) per row-0 slot, so exact builds cost O(N^2 / 2^b) proximity
 * evaluations: fine to about 10^5 nodes; sampling keeps larger builds
 * linear.  The neighbourhood set is the M closest of every node examined.
 *
 * Invariant: afterwards every live node's leaf set is exactly its L/2
 * ring neighbours on each side, and every non-empty slot range yields a
 * non-empty slot.
 */
#include "sim-world-private.h"

#include <stdlib.h>
#include <string.h>

typedef struct
{
  const SimWorld *w;
  guint32 *ids;   /* live nodes sorted by id */
  PastryId *sid;  /* their ids, contiguous, for cache-friendly searches */
  guint n;
} Sorted;

static const PastryDirectory *sort_dir;

static int
cmp_by_id (const void *a, const void *b)
{
  return pastry_id_cmp (pastry_directory_id (sort_dir, *(const guint32 *) a),
                        pastry_directory_id (sort_dir, *(const guint32 *) b));
}

static void
sorted_init (Sorted *s, const SimWorld *w)
{
  s->w = w;
  s->n = sim_ring_size (w->live);
  s->ids = g_new (guint32, s->n + 1);
  for (guint i = 0; i < s->n; i++)
    s->ids[i] = sim_ring_nth (w->live, i);
  sort_dir = w->dir;
  qsort (s->ids, s->n, sizeof (guint32), cmp_by_id);
  sort_dir = NULL;
  s->sid = g_new (PastryId, s->n + 1);
  for (guint i = 0; i < s->n; i++)
    s->sid[i] = *pastry_directory_id (w->dir, s->ids[i]);
}

static void
sorted_clear (Sorted *s)
{
  g_free (s->ids);
  g_free (s->sid);
}

/* First position in [lo, hi) whose id is >= key. */
static guint
lower_bound (const Sorted *s, guint lo, guint hi, const PastryId *key)
{
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (pastry_id_cmp (&s->sid[mid], key) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Positions [*a, *z) of the nodes within [lo_id, hi_id], searched inside
 * [from, to). */
static void
range_of (const Sorted *s, guint from, guint to, const PastryId *lo_id,
          const PastryId *hi_id, guint *a, guint *z)
{
  *a = lower_bound (s, from, to, lo_id);
  *z = lower_bound (s, *a, to, hi_id);
  if (*z < to && pastry_id_equal (&s->sid[*z], hi_id))
    (*z)++;
}

/* The M best (smallest proximity) of the nodes offered, unsorted. */
typedef struct
{
  PastryEntry *e;
  guint n, cap;
  guint worst; /* index of the largest proximity when full */
} TopM;

static void
topm_offer (TopM *t, guint32 peer, guint32 prox)
{
  if (t->cap == 0)
    return;
  for (guint i = 0; i < t->n; i++)
    if (t->e[i].peer == peer)
      return;
  if (t->n < t->cap)
    {
      t->e[t->n].peer = peer;
      t->e[t->n].prox = prox;
      t->n++;
    }
  else if (prox < t->e[t->worst].prox)
    {
      t->e[t->worst].peer = peer;
      t->e[t->worst].prox = prox;
    }
  else
    return;
  if (t->n == t->cap)
    {
      t->worst = 0;
      for (guint i = 1; i < t->n; i++)
        if (t->e[i].prox > t->e[t->worst].prox)
          t->worst = i;
    }
}

/* The closest node of positions [a, z) to x, scanning all of them or
 * `sample` random ones; every node examined is offered to top. */
static guint32
closest_in (const Sorted *s, guint32 x, guint a, guint z, guint sample,
            SimRng *rng, TopM *top, guint32 *prox_out)
{
  guint count = z - a;
  guint32 best = PASTRY_PEER_NONE, best_prox = G_MAXUINT32;
  gboolean all = sample == 0 || count <= sample;
  guint k_max = all ? count : sample;
  /* A sample is `sample` evenly spaced members from a random start: one
   * random draw per slot, and memory walked in order. */
  guint start = all ? 0 : (guint) sim_rng_uniform_u64 (rng, count);
  guint stride = all ? 1 : count / sample;
  for (guint k = 0; k < k_max; k++)
    {
      guint pos = a + (start + k * stride) % count;
      guint32 c = s->ids[pos];
      if (c == x)
        continue;
      guint32 p = sim__world_prox (s->w, x, c);
      if (top != NULL)
        topm_offer (top, c, p);
      /* Ties keep the smaller index: deterministic. */
      if (p < best_prox || (p == best_prox && c < best))
        best = c, best_prox = p;
    }
  if (prox_out != NULL)
    *prox_out = best_prox;
  return best;
}

void
sim__world_build_ideal (SimWorld *w, PastryNode **nodes, guint sample,
                        SimRng *rng)
{
  Sorted s;
  sorted_init (&s, w);
  guint b = w->cfg.b, half = w->cfg.leaf_size / 2;
  guint n_digits = pastry_id_n_digits (b);
  TopM top = { g_new (PastryEntry, w->cfg.neigh_size + 1), 0,
               w->cfg.neigh_size, 0 };

  for (guint pos = 0; pos < s.n; pos++)
    {
      /* A large build takes minutes: let Ctrl-C through.  The run stops
       * right after (sim_world_run returns FALSE). */
      if ((pos & 4095) == 0 && w->cancel != NULL && *w->cancel)
        break;
      guint32 x = s.ids[pos];
      pastry_node_free (nodes[x]);
      PastryNode *node = pastry_node_new (&w->cfg, w->dir, x);
      nodes[x] = node;
      const PastryId *id = pastry_directory_id (w->dir, x);
      top.n = 0;
      top.worst = 0;

      for (guint k = 1; k <= half && k < s.n; k++)
        {
          guint32 r = s.ids[(pos + k) % s.n];
          guint32 l = s.ids[(pos + s.n - k) % s.n];
          pastry_node_insert (node, r, sim__world_prox (w, x, r));
          pastry_node_insert (node, l, sim__world_prox (w, x, l));
        }
      guint lo = 0, hi = s.n;
      for (guint row = 0; row < n_digits && hi - lo > 1; row++)
        {
          guint base = pastry_id_digit_base (row, b);
          guint own = pastry_id_digit (id, row, b);
          guint next_lo = lo, next_hi = hi;
          for (guint col = 0; col < base; col++)
            {
              PastryId c_lo, c_hi;
              pastry_id_prefix_range (id, row, (gint) col, b, &c_lo, &c_hi);
              guint a, z;
              range_of (&s, lo, hi, &c_lo, &c_hi, &a, &z);
              if (col == own)
                {
                  next_lo = a, next_hi = z;
                  continue;
                }
              if (a == z)
                continue;
              guint32 prox;
              guint32 best = closest_in (&s, x, a, z, sample, rng, &top,
                                         &prox);
              if (best != PASTRY_PEER_NONE)
                pastry_node_insert (node, best, prox);
            }
          lo = next_lo, hi = next_hi;
        }
      for (guint i = 0; i < top.n; i++)
        pastry_node_insert (node, top.e[i].peer, top.e[i].prox);
    }
  g_free (top.e);
  sorted_clear (&s);
}

SimTime
sim__world_ideal_route (SimWorld *w, guint32 src, const PastryId *key)
{
  if (src >= w->n_ideal || w->ideal[src] == NULL)
    return 0;
  SimTime total = 0;
  guint32 cur = src;
  for (guint hops = 0; hops < SIM_MAX_HOPS; hops++)
    {
      PastryPeer next = pastry_node_next_hop (w->ideal[cur], key, NULL);
      if (next == cur)
        return total;
      if (next >= w->n_ideal || w->ideal[next] == NULL)
        return 0;
      total += sim__world_latency (w, cur, next);
      cur = next;
    }
  return 0;
}

#define QUALITY_ROWS 8

void
sim__world_measure_tables (SimWorld *w)
{
  if (w->quality_sample == 0)
    return;
  Sorted s;
  sorted_init (&s, w);
  if (s.n < 2)
    {
      sorted_clear (&s);
      return;
    }
  guint b = w->cfg.b;
  double filled[QUALITY_ROWS] = { 0 }, optimal[QUALITY_ROWS] = { 0 };
  double possible[QUALITY_ROWS] = { 0 };
  /* A deterministic sample: every step-th node in id order. */
  guint step = s.n <= w->quality_sample ? 1 : s.n / w->quality_sample;
  guint measured = 0;
  for (guint pos = 0; pos < s.n; pos += step)
    {
      guint32 x = s.ids[pos];
      PastryNode *node = g_ptr_array_index (w->nodes, x);
      const PastryId *id = pastry_directory_id (w->dir, x);
      guint lo = 0, hi = s.n;
      for (guint row = 0; row < QUALITY_ROWS && row < pastry_id_n_digits (b)
                          && hi - lo > 1; row++)
        {
          guint own = pastry_id_digit (id, row, b);
          guint next_lo = lo, next_hi = hi;
          for (guint col = 0; col < pastry_id_digit_base (row, b); col++)
            {
              PastryId c_lo, c_hi;
              pastry_id_prefix_range (id, row, (gint) col, b, &c_lo, &c_hi);
              guint a, z;
              range_of (&s, lo, hi, &c_lo, &c_hi, &a, &z);
              if (col == own)
                {
                  next_lo = a, next_hi = z;
                  continue;
                }
              if (a == z)
                continue;
              possible[row]++;
              PastryEntry e = pastry_node_entry (node, row, col);
              if (e.peer == PASTRY_PEER_NONE)
                continue;
              filled[row]++;
              guint32 best_prox;
              closest_in (&s, x, a, z, 0, NULL, NULL, &best_prox);
              /* Optimal up to the precision the node stores. */
              if (pastry_prox_stored (sim__world_prox (w, x, e.peer))
                  <= pastry_prox_stored (best_prox))
                optimal[row]++;
            }
          lo = next_lo, hi = next_hi;
        }
      measured++;
    }
  for (guint row = 0; row < QUALITY_ROWS; row++)
    {
      char name[64];
      g_snprintf (name, sizeof name, "table_row%u_filled", row);
      sim_metrics_set (w->metrics, name, filled[row] / measured);
      g_snprintf (name, sizeof name, "table_row%u_optimal", row);
      sim_metrics_set (w->metrics, name, optimal[row] / measured);
      g_snprintf (name, sizeof name, "table_row%u_possible", row);
      sim_metrics_set (w->metrics, name, possible[row] / measured);
    }
  sim_metrics_set (w->metrics, "table_nodes_measured", measured);
  sorted_clear (&s);
}
