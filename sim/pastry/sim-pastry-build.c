/* sim-pastry-build.c — state from global knowledge: the `build` action's
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
 *
 * Threads (w->threads): the ideal build is split into blocks of nodes in
 * id order, taken by threads in any order.  A node's state depends only
 * on the sorted ids and on the random draws of its sampled slots, and its
 * builder writes only its own slot of nodes[]; the shared stream is dealt
 * out first (see sim__world_build_ideal), so the result, and the stream's
 * final state, are byte-identical to a one-thread build whatever the
 * count.  Nothing else is written: no queue, no metrics, no world array
 * but nodes[].  The table-quality measurement stays single-threaded (it
 * grades quality_sample nodes, a few hundred).
 */
#include "sim-pastry-private.h"

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
  s->n = sim_oracle_size (w->live);
  s->ids = g_new (guint32, s->n + 1);
  for (guint i = 0; i < s->n; i++)
    s->ids[i] = sim_oracle_nth (w->live, i);
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
  /* Most offers lose to the worst kept: reject them before the duplicate
   * scan (the outcome is the same either way). */
  if (t->n == t->cap && prox >= t->e[t->worst].prox)
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
  else
    {
      t->e[t->worst].peer = peer;
      t->e[t->worst].prox = prox;
    }
  if (t->n == t->cap)
    {
      t->worst = 0;
      for (guint i = 1; i < t->n; i++)
        if (t->e[i].prox > t->e[t->worst].prox)
          t->worst = i;
    }
}

/* Candidates examined per batch in closest_in: their loads are issued
 * together (prefetches) before any is used. */
#define CLOSEST_BATCH 16

/* The closest node of positions [a, z) to x, scanning all of them or
 * `sample` random ones; every node examined is offered to top.  Draws
 * from rng exactly when a sample is taken (sample > 0 and z - a > sample):
 * deal_node mirrors this rule. */
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
  guint off = all ? 0 : (guint) sim_rng_uniform_u64 (rng, count);
  guint stride = all ? 1 : count / sample;
  /* Sampled candidates are far apart in memory (in rows 0 and 1 of a large
   * build, each is a cache and TLB miss for its handle and another for its
   * position): fetch a batch's handles, then their positions, then use
   * them, so the misses overlap instead of following one another. */
  guint32 cand[CLOSEST_BATCH];
  for (guint k0 = 0; k0 < k_max; k0 += CLOSEST_BATCH)
    {
      guint nb = MIN (CLOSEST_BATCH, k_max - k0);
      guint pos[CLOSEST_BATCH];
      for (guint i = 0; i < nb; i++)
        {
          /* off = (start + k * stride) mod count, without the division. */
          pos[i] = a + off;
          __builtin_prefetch (&s->ids[pos[i]]);
          off += stride;
          if (off >= count)
            off -= count;
        }
      for (guint i = 0; i < nb; i++)
        {
          cand[i] = s->ids[pos[i]];
          sim_net_prefetch (s->w->net, cand[i]);
        }
      for (guint i = 0; i < nb; i++)
        {
          guint32 c = cand[i];
          if (c == x)
            continue;
          guint32 p = sim__world_prox (s->w, x, c);
          if (top != NULL)
            topm_offer (top, c, p);
          /* Ties keep the smaller index: deterministic. */
          if (p < best_prox || (p == best_prox && c < best))
            best = c, best_prox = p;
        }
    }
  if (prox_out != NULL)
    *prox_out = best_prox;
  return best;
}

/* The slot ranges of one node, kept while a cursor moves through the
 * sorted ids.  Row r's ranges depend only on the node's first r digits,
 * and nodes adjacent in id order share their first log_2^b N digits or
 * so: moving to the next node recomputes only the rows from the first
 * digit that differs (about two of six at 10^6 nodes, b = 4), saving most
 * of the binary searches.  Each thread has its own cursor. */
typedef struct
{
  guint b, stride, n_digits;
  guint pos;      /* the node the ranges are for; G_MAXUINT: none yet */
  guint n_rows;   /* rows 0..n_rows-1 hold ranges */
  guint *lo, *hi; /* [r]: positions of the nodes sharing the first r digits
                     (n_digits + 1 entries) */
  guint *a, *z;   /* [r * stride + col]: those with digit col at row r */
} Cursor;

static void
cursor_init (Cursor *c, const Sorted *s, guint b)
{
  c->b = b;
  c->stride = 1u << b;
  c->n_digits = pastry_id_n_digits (b);
  c->pos = G_MAXUINT;
  c->n_rows = 0;
  c->lo = g_new (guint, 2 * (c->n_digits + 1));
  c->hi = c->lo + c->n_digits + 1;
  c->a = g_new (guint, 2 * (gsize) c->n_digits * c->stride);
  c->z = c->a + (gsize) c->n_digits * c->stride;
  c->lo[0] = 0;
  c->hi[0] = s->n;
}

static void
cursor_clear (Cursor *c)
{
  g_free (c->lo);
  g_free (c->a);
}

/* Moves c to the node at position pos.  The rows computed are those of
 * the original loop: while more than one node shares the prefix. */
static void
cursor_seek (Cursor *c, const Sorted *s, guint pos)
{
  const PastryId *id = &s->sid[pos];
  guint row = 0;
  if (c->pos != G_MAXUINT)
    row = MIN (pastry_id_shl (&s->sid[c->pos], id, c->b), c->n_rows);
  c->pos = pos;
  guint lo = c->lo[row], hi = c->hi[row];
  for (; row < c->n_digits && hi - lo > 1; row++)
    {
      guint base = pastry_id_digit_base (row, c->b);
      guint own = pastry_id_digit (id, row, c->b);
      guint *ra = c->a + (gsize) row * c->stride;
      guint *rz = c->z + (gsize) row * c->stride;
      for (guint col = 0; col < base; col++)
        {
          PastryId c_lo, c_hi;
          pastry_id_prefix_range (id, row, (gint) col, c->b, &c_lo, &c_hi);
          range_of (s, lo, hi, &c_lo, &c_hi, &ra[col], &rz[col]);
        }
      lo = ra[own], hi = rz[own];
      c->lo[row + 1] = lo;
      c->hi[row + 1] = hi;
    }
  c->n_rows = row;
}

/* Advances rng exactly as building the node at c's position would
 * (closest_in's rule: one bounded draw per slot larger than the sample),
 * without evaluating a single proximity. */
static void
deal_node (const Cursor *c, const Sorted *s, guint sample, SimRng *rng)
{
  const PastryId *id = &s->sid[c->pos];
  for (guint row = 0; row < c->n_rows; row++)
    {
      guint base = pastry_id_digit_base (row, c->b);
      guint own = pastry_id_digit (id, row, c->b);
      const guint *ra = c->a + (gsize) row * c->stride;
      const guint *rz = c->z + (gsize) row * c->stride;
      for (guint col = 0; col < base; col++)
        if (sample > 0 && col != own && rz[col] - ra[col] > sample)
          sim_rng_uniform_u64 (rng, rz[col] - ra[col]);
    }
}

/* Builds the state of the node at c's position into nodes[]: writes only
 * that node's slot. */
static void
build_node (const Cursor *c, const Sorted *s, PastryNode **nodes,
            guint sample, SimRng *rng, TopM *top)
{
  const SimWorld *w = s->w;
  guint pos = c->pos, half = w->cfg.leaf_size / 2;
  guint32 x = s->ids[pos];
  pastry_node_free (nodes[x]);
  PastryNode *node = pastry_node_new (&w->cfg, w->dir, x);
  nodes[x] = node;
  const PastryId *id = &s->sid[pos];
  top->n = 0;
  top->worst = 0;

  for (guint k = 1; k <= half && k < s->n; k++)
    {
      guint32 r = s->ids[(pos + k) % s->n];
      guint32 l = s->ids[(pos + s->n - k) % s->n];
      pastry_node_insert (node, r, sim__world_prox (w, x, r));
      pastry_node_insert (node, l, sim__world_prox (w, x, l));
    }
  for (guint row = 0; row < c->n_rows; row++)
    {
      guint base = pastry_id_digit_base (row, c->b);
      guint own = pastry_id_digit (id, row, c->b);
      const guint *ra = c->a + (gsize) row * c->stride;
      const guint *rz = c->z + (gsize) row * c->stride;
      for (guint col = 0; col < base; col++)
        {
          if (col == own || ra[col] == rz[col])
            continue;
          guint32 prox;
          guint32 best = closest_in (s, x, ra[col], rz[col], sample, rng,
                                     top, &prox);
          if (best != PASTRY_PEER_NONE)
            pastry_node_insert (node, best, prox);
        }
    }
  for (guint i = 0; i < top->n; i++)
    pastry_node_insert (node, top->e[i].peer, top->e[i].prox);
}

/* Nodes per block: the unit of work a thread takes, and of the dealt
 * stream (one saved RNG state per block).  Small enough for balance and
 * a prompt stop on cancel, large enough that a cursor's fresh start (a
 * full set of binary searches) is amortised. */
#define BUILD_BLOCK 1024

typedef struct
{
  const Sorted *s;
  PastryNode **nodes;
  guint sample;
  const SimRng *starts; /* the stream's state at each block's first node */
  guint n_blocks;
  gint next_block;      /* atomic: the next block to take */
  volatile int *cancel;
} BuildJob;

static gboolean
cancelled (volatile int *cancel)
{
  return cancel != NULL && g_atomic_int_get (cancel) != 0;
}

/* One thread's share: blocks taken in turn from the shared counter.
 * Which thread builds a block does not matter: a block's nodes depend
 * only on the sorted ids and the block's starting RNG state, and each
 * node's state is written to its own slot of nodes[]. */
static gpointer
build_worker (gpointer data)
{
  BuildJob *job = data;
  const SimWorld *w = job->s->w;
  Cursor c;
  cursor_init (&c, job->s, w->cfg.b);
  TopM top = { g_new (PastryEntry, w->cfg.neigh_size + 1), 0,
               w->cfg.neigh_size, 0 };
  for (;;)
    {
      guint blk = (guint) g_atomic_int_add (&job->next_block, 1);
      if (blk >= job->n_blocks || cancelled (job->cancel))
        break;
      SimRng rng = job->starts[blk];
      guint end = MIN (job->s->n, (blk + 1) * BUILD_BLOCK);
      for (guint pos = blk * BUILD_BLOCK; pos < end; pos++)
        {
          cursor_seek (&c, job->s, pos);
          build_node (&c, job->s, job->nodes, job->sample, &rng, &top);
        }
    }
  g_free (top.e);
  cursor_clear (&c);
  return NULL;
}

void
sim__world_build_ideal (SimWorld *w, PastryNode **nodes, guint sample,
                        SimRng *rng)
{
  Sorted s;
  sorted_init (&s, w);
  guint n_blocks = (s.n + BUILD_BLOCK - 1) / BUILD_BLOCK;
  guint threads = MIN (MAX (w->threads, 1u), n_blocks);

  /* Deal the stream: the state rng has at each block's first node when
   * the nodes are built one after the other, found without building them
   * (only the slot sizes decide the draws).  This keeps every output
   * byte-identical to a sequential build whatever the thread count, and
   * leaves rng where a sequential build would (the protocol stream goes on
   * after the build).  Cost: the binary searches and the draws, under 1 %
   * of the build.  Rejected: a stream per node, which would be as fast
   * without this pass but change every result of every existing scenario.
   * One thread needs no dealing: it builds in order from rng itself. */
  SimRng *starts = g_new (SimRng, n_blocks + 1);
  gboolean stop = FALSE;
  if (threads > 1)
    {
      Cursor c;
      cursor_init (&c, &s, w->cfg.b);
      for (guint pos = 0; pos < s.n && !stop; pos++)
        {
          if (pos % BUILD_BLOCK == 0)
            {
              starts[pos / BUILD_BLOCK] = *rng;
              stop = cancelled (w->cancel);
            }
          if (sample == 0)
            continue; /* no draws: only the starts are needed */
          cursor_seek (&c, &s, pos);
          deal_node (&c, &s, sample, rng);
        }
      cursor_clear (&c);
    }
  else
    starts[0] = *rng;

  if (!stop)
    {
      BuildJob job = { &s, nodes, sample, starts, n_blocks, 0, w->cancel };
      if (threads > 1)
        {
          /* The calling thread works too.  A large build takes minutes:
           * every thread polls the cancel flag between blocks, and the
           * run stops right after (sim_world_run returns FALSE). */
          GThread **t = g_new (GThread *, threads - 1);
          for (guint i = 0; i < threads - 1; i++)
            t[i] = g_thread_new ("pastrysim-build", build_worker, &job);
          build_worker (&job);
          for (guint i = 0; i < threads - 1; i++)
            g_thread_join (t[i]);
          g_free (t);
        }
      else
        {
          /* One stream, consumed in node order, as every block starts
           * where the previous one ended. */
          Cursor c;
          cursor_init (&c, &s, w->cfg.b);
          TopM top = { g_new (PastryEntry, w->cfg.neigh_size + 1), 0,
                       w->cfg.neigh_size, 0 };
          for (guint pos = 0; pos < s.n; pos++)
            {
              if (pos % BUILD_BLOCK == 0 && cancelled (w->cancel))
                break;
              cursor_seek (&c, &s, pos);
              build_node (&c, &s, nodes, sample, rng, &top);
            }
          g_free (top.e);
          cursor_clear (&c);
        }
    }
  g_free (starts);
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
