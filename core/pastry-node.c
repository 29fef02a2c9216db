/* pastry-node.c — routing table, leaf set and neighbourhood set of one node.
 *
 * Invariants (checked by pastry_node_check):
 *  - no structure holds self, and no structure holds a peer twice;
 *  - table slot (r, c) holds a peer p with shl(self, p) == r and
 *    digit(p, r) == c;
 *  - each leaf-set side is sorted by ring distance from self in its
 *    direction, nearest first, and holds the nearest min(L/2, K) of the K
 *    known peers in that direction;
 *  - the neighbourhood set is sorted by proximity, smallest first;
 *  - leaf-set slots past a side's length hold PASTRY_PEER_NONE, so that
 *    "is p in the leaf set" is one fixed-length, branch-free scan of L
 *    slots (see peers_have).
 *
 * Memory: the struct, one block for the leaf set and neighbourhood set
 * (L * 4 + M * 8 bytes) and one block for the table rows in use
 * (rows * 2^b * 8 bytes).  Rows are contiguous so a lookup is one index
 * computation; the rejected alternative, an array of per-row pointers,
 * costs 8 bytes per possible row (256 bytes at b = 4) on every node even
 * though a node of a 10^7-node overlay fills only about 6 rows.
 */
#include "pastry-node.h"
#include "pastry-directory-private.h"
#include "pastry-node-private.h"

#include <stdlib.h>
#include <string.h>

/* Layout: the fields routing reads (ids, range, table, sizes) come first
 * and fill 64 bytes.  (Allocating nodes 64-byte aligned so that they fill
 * exactly one cache line was measured: within noise in lookups per second,
 * and 17 % more memory at 10^5 nodes.  Rejected.) */
/* Proximity is stored as a 16-bit log-linear code: exact below 4096,
 * then 11 bits of mantissa (buckets 1/2048 wide, 0.05 %).  The code is
 * monotone, so comparing codes compares proximities; two candidates in
 * the same bucket tie, and ties keep the incumbent.  Saves a quarter of
 * the routing table's memory (issue 6: ten million nodes in 12 GB). */
typedef guint16 ProxCode;
#define CODE_UNKNOWN G_MAXUINT16
#define CODE_EXACT 4096u

static inline ProxCode
prox_encode (guint32 v)
{
  if (v == PASTRY_PROX_UNKNOWN)
    return CODE_UNKNOWN;
  if (v < CODE_EXACT)
    return (ProxCode) v;
  guint s = g_bit_storage (v) - 12; /* 1 .. 20 */
  guint m = v >> s;                 /* 2048 .. 4095 */
  return (ProxCode) (CODE_EXACT + (s - 1) * 2048u + (m - 2048u));
}

/* The middle of the code's bucket. */
static inline guint32
prox_decode (ProxCode c)
{
  if (c == CODE_UNKNOWN)
    return PASTRY_PROX_UNKNOWN;
  if (c < CODE_EXACT)
    return c;
  guint s = (c - CODE_EXACT) / 2048u + 1;
  guint32 m = (c - CODE_EXACT) % 2048u + 2048u;
  return (m << s) + (1u << (s - 1));
}

guint32
pastry_prox_stored (guint32 prox)
{
  return prox_decode (prox_encode (prox));
}

struct _PastryNode
{
  PastryId id;
  PastryId range_lo; /* farthest left member's id (cached; valid unless
                        full_ring) */
  PastryId range_hi; /* farthest right member's id (cached) */
  guint8 *table;     /* n_rows rows of row_bytes (layout: see slot_peer) */
  guint8 b;
  guint8 n_rows;     /* rows allocated */
  guint8 n_digits;   /* ceil(128 / b) */
  guint8 full_ring;  /* the leaf set covers the whole ring (cached) */
  PastryPeer self;
  /* -- second cache line -- */
  PastryDirectory *dir;
  guint8 half;      /* L / 2 */
  guint8 n_side[2]; /* entries used on each leaf-set side */
  guint16 m;        /* M */
  guint16 n_neigh;
  /* Then, in the same block: the leaf set, 2 half peers ([0, half): left
   * side; [half, 2 half): right side); the neighbourhood set's M peers,
   * closest first; their M proximity codes. */
};

#define LEAF(n) ((PastryPeer *) (guintptr) ((n) + 1))
#define NEIGH_PEER(n) (LEAF (n) + 2 * (n)->half)
#define NEIGH_CODE(n) ((ProxCode *) (guintptr) (NEIGH_PEER (n) + (n)->m))


G_DEFINE_QUARK (pastry-config-error-quark, pastry_config_error)

gboolean
pastry_config_validate (const PastryConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);

  if (cfg->b < PASTRY_B_MIN || cfg->b > PASTRY_B_MAX)
    {
      g_set_error (error, PASTRY_CONFIG_ERROR, PASTRY_CONFIG_ERROR_RANGE,
                   "b must be between 1 and 8 (got %u)", cfg->b);
      return FALSE;
    }
  if (cfg->leaf_size < 2 || cfg->leaf_size > 256 || cfg->leaf_size % 2 != 0)
    {
      g_set_error (error, PASTRY_CONFIG_ERROR, PASTRY_CONFIG_ERROR_RANGE,
                   "leaf set size must be even and between 2 and 256 "
                   "(got %u)", cfg->leaf_size);
      return FALSE;
    }
  if (cfg->neigh_size > 1024)
    {
      g_set_error (error, PASTRY_CONFIG_ERROR, PASTRY_CONFIG_ERROR_RANGE,
                   "neighbourhood set size must be at most 1024 (got %u)",
                   cfg->neigh_size);
      return FALSE;
    }
  return TRUE;
}

static inline const PastryId *
peer_id (const PastryNode *node, PastryPeer peer)
{
  return pastry__directory_id (node->dir, peer);
}

/* The position of p among the n peers of v, or -1.  Membership scans are
 * the bulk of an offer (pastry_node_where, then pastry_node_insert, for
 * each of the ~100 peers a join announcement carries): they compare eight
 * slots at a time without branching, which the compiler turns into a few
 * vector compares, and branch once per eight. */
#if defined(__GNUC__) || defined(__clang__)
typedef guint32 PeerVec __attribute__ ((vector_size (16)));
typedef guint64 PeerVec64 __attribute__ ((vector_size (16)));

/* TRUE when one of the 8 peers at v is p: two 4-lane compares. */
static inline gboolean
block_has (const PastryPeer *v, PastryPeer p)
{
  PeerVec a, b, pv = { p, p, p, p };
  memcpy (&a, v, sizeof a);
  memcpy (&b, v + 4, sizeof b);
  PeerVec64 m = (PeerVec64) ((a == pv) | (b == pv));
  return (m[0] | m[1]) != 0;
}
#else
static inline gboolean
block_has (const PastryPeer *v, PastryPeer p)
{
  guint hit = 0;
  for (guint k = 0; k < 8; k++)
    hit |= (guint) (v[k] == p);
  return hit != 0;
}
#endif

static inline gint
peers_find (const PastryPeer *v, guint n, PastryPeer p)
{
  guint i = 0;
  for (; i + 8 <= n; i += 8)
    if (block_has (v + i, p))
      break;
  for (; i < n; i++)
    if (v[i] == p)
      return (gint) i;
  return -1;
}

static inline gboolean
peers_have (const PastryPeer *v, guint n, PastryPeer p)
{
  return peers_find (v, n, p) >= 0;
}

PastryNode *
pastry_node_new (const PastryConfig *cfg, PastryDirectory *dir,
                 PastryPeer self)
{
  g_return_val_if_fail (cfg != NULL && dir != NULL, NULL);
  g_return_val_if_fail (pastry_config_validate (cfg, NULL), NULL);
  g_return_val_if_fail (self < pastry_directory_size (dir), NULL);

  /* One block: the node, its leaf set (4-byte slots, an even count), the
   * neighbourhood set's peers, then their 2-byte proximity codes. */
  gsize leaf_bytes = (gsize) cfg->leaf_size * sizeof (PastryPeer);
  gsize neigh_bytes = (gsize) cfg->neigh_size * sizeof (PastryPeer);
  PastryNode *node = g_malloc0 (sizeof (PastryNode) + leaf_bytes + neigh_bytes
                                + (gsize) cfg->neigh_size * sizeof (ProxCode));
  node->dir = dir;
  node->self = self;
  node->id = *peer_id (node, self);
  node->b = (guint8) cfg->b;
  node->half = (guint8) (cfg->leaf_size / 2);
  node->m = (guint16) cfg->neigh_size;
  node->n_digits = (guint8) pastry_id_n_digits (cfg->b);
  node->full_ring = TRUE; /* an empty leaf set: the node is alone */
  for (guint i = 0; i < cfg->leaf_size; i++)
    LEAF (node)[i] = PASTRY_PEER_NONE;
  return node;
}

void
pastry_node_free (PastryNode *node)
{
  if (node == NULL)
    return;
  g_free (node->table);
  g_free (node);
}

PastryPeer
pastry_node_self (const PastryNode *node)
{
  g_return_val_if_fail (node != NULL, PASTRY_PEER_NONE);
  return node->self;
}

const PastryId *
pastry_node_id (const PastryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return &node->id;
}

PastryDirectory *
pastry_node_directory (const PastryNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  return node->dir;
}

/* ---- Routing table ---- */

/* A row is 2^b peers (4 bytes each) followed by their 2^b proximity
 * codes: 6 bytes a slot, every field aligned, and a row's peers (all that
 * routing reads) contiguous. */
static inline gsize
row_bytes (const PastryNode *node)
{
  return ((gsize) 1 << node->b) * (sizeof (PastryPeer) + sizeof (ProxCode));
}

static inline PastryPeer *
slot_peer (const PastryNode *node, guint row, guint col)
{
  return (PastryPeer *) (gpointer) (node->table + row * row_bytes (node))
         + col;
}

static inline ProxCode *
slot_code (const PastryNode *node, guint row, guint col)
{
  return (ProxCode *) (gpointer) (node->table + row * row_bytes (node)
                                  + (sizeof (PastryPeer) << node->b))
         + col;
}

static inline PastryEntry
slot_entry (const PastryNode *node, guint row, guint col)
{
  PastryEntry e = { *slot_peer (node, row, col),
                    prox_decode (*slot_code (node, row, col)) };
  return e;
}

static void
ensure_rows (PastryNode *node, guint rows)
{
  if (rows <= node->n_rows)
    return;
  guint cols = 1u << node->b;
  node->table = g_realloc (node->table, rows * row_bytes (node));
  for (guint r = node->n_rows; r < rows; r++)
    for (guint c = 0; c < cols; c++)
      {
        *slot_peer (node, r, c) = PASTRY_PEER_NONE;
        *slot_code (node, r, c) = CODE_UNKNOWN;
      }
  node->n_rows = (guint8) rows;
}

/* Offers peer to its one possible slot.  Returns TRUE if it holds it;
 * *held tells whether it held it before. */
static gboolean
table_insert (PastryNode *node, PastryPeer peer, const PastryId *pid,
              guint32 prox, gboolean *held)
{
  guint row = pastry_id_shl (&node->id, pid, node->b);
  if (row >= node->n_digits)
    return FALSE; /* same id as self */
  guint col = pastry_id_digit (pid, row, node->b);
  ensure_rows (node, row + 1);
  PastryPeer *p = slot_peer (node, row, col);
  ProxCode *c = slot_code (node, row, col);
  ProxCode code = prox_encode (prox);
  if (*p == peer)
    {
      *held = TRUE;
      if (code != CODE_UNKNOWN)
        *c = code; /* a fresh measurement of the incumbent */
      return TRUE;
    }
  if (*p == PASTRY_PEER_NONE || code < *c)
    {
      *p = peer;
      *c = code;
      return TRUE;
    }
  return FALSE;
}

static gboolean
table_has (const PastryNode *node, PastryPeer peer, const PastryId *pid,
           guint *row_out, guint *col_out)
{
  guint row = pastry_id_shl (&node->id, pid, node->b);
  if (row >= node->n_rows)
    return FALSE;
  guint col = pastry_id_digit (pid, row, node->b);
  if (*slot_peer (node, row, col) != peer)
    return FALSE;
  if (row_out != NULL)
    *row_out = row;
  if (col_out != NULL)
    *col_out = col;
  return TRUE;
}

/* ---- Leaf set ---- */

static void update_range (PastryNode *node);

/* Ring distance from self to pid in the direction of side. */
static inline PastryId
side_distance (const PastryNode *node, PastrySide side, const PastryId *pid)
{
  return side == PASTRY_SIDE_RIGHT ? pastry_id_cw_distance (&node->id, pid)
                                   : pastry_id_cw_distance (pid, &node->id);
}

/* Slots past a side's length hold PASTRY_PEER_NONE, which is never a
 * member: scanning the whole side costs no more than its used part and
 * has a fixed length.  peer must not be PASTRY_PEER_NONE. */
static inline gboolean
side_has (const PastryNode *node, PastrySide side, PastryPeer peer)
{
  return peers_have (LEAF (node) + side * node->half, node->half, peer);
}

static inline gboolean
leaf_has (const PastryNode *node, PastryPeer peer)
{
  return peers_have (LEAF (node), 2u * node->half, peer);
}

/* Inserts peer into one side if it is among the half nearest.  O(L/2). */
static gboolean
side_insert (PastryNode *node, PastrySide side, PastryPeer peer,
             const PastryId *pid)
{
  PastryPeer *s = LEAF (node) + side * node->half;
  guint n = node->n_side[side];
  PastryId d = side_distance (node, side, pid);
  guint pos = n;

  /* Most offers come from far away: one comparison with the farthest
   * member rejects them without reading every member's id. */
  if (n == node->half && n > 0 && s[n - 1] != peer)
    {
      PastryId far = side_distance (node, side, peer_id (node, s[n - 1]));
      if (pastry_id_cmp (&d, &far) > 0)
        return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      if (s[i] == peer)
        return TRUE;
      PastryId di = side_distance (node, side, peer_id (node, s[i]));
      if (pastry_id_cmp (&d, &di) < 0)
        {
          pos = i;
          break;
        }
    }
  if (pos == n)
    {
      /* Not nearer than any member: it may still be a duplicate further on
       * (impossible: distances are unique per id) or fit at the end. */
      if (n == node->half)
        return FALSE;
      s[n] = peer;
      node->n_side[side]++;
      update_range (node);
      return TRUE;
    }
  /* Check the remaining members for a duplicate before shifting. */
  for (guint i = pos; i < n; i++)
    if (s[i] == peer)
      return TRUE;
  guint keep = n == node->half ? n - 1 : n;
  memmove (s + pos + 1, s + pos, (keep - pos) * sizeof (PastryPeer));
  s[pos] = peer;
  node->n_side[side] = (guint8) (keep + 1);
  update_range (node);
  return TRUE;
}

static gboolean
side_remove (PastryNode *node, PastrySide side, PastryPeer peer)
{
  PastryPeer *s = LEAF (node) + side * node->half;
  guint n = node->n_side[side];
  for (guint i = 0; i < n; i++)
    if (s[i] == peer)
      {
        memmove (s + i, s + i + 1, (n - i - 1) * sizeof (PastryPeer));
        s[n - 1] = PASTRY_PEER_NONE;
        node->n_side[side]--;
        update_range (node);
        return TRUE;
      }
  return FALSE;
}

/* Recomputes the cached range after any leaf-set change: the sides
 * overlap or are not full (the node knows the whole ring), or the arc from
 * the farthest left to the farthest right member.  Reading the cache keeps
 * routing from touching the directory for the range test. */
static void
update_range (PastryNode *node)
{
  guint nl = node->n_side[PASTRY_SIDE_LEFT];
  guint nr = node->n_side[PASTRY_SIDE_RIGHT];
  if (nl < node->half || nr < node->half)
    {
      node->full_ring = TRUE;
      return;
    }
  const PastryId *lf = peer_id (node, LEAF (node)[nl - 1]);
  const PastryId *rf = peer_id (node, LEAF (node)[node->half + nr - 1]);
  PastryId to_r = pastry_id_cw_distance (&node->id, rf);
  PastryId to_l = pastry_id_cw_distance (&node->id, lf);
  node->full_ring = pastry_id_cmp (&to_r, &to_l) >= 0;
  node->range_lo = *lf;
  node->range_hi = *rf;
}

/* FALSE when pid lies outside the arc the leaf set spans, so that no leaf
 * member has that id and neither side would admit it (it is farther than
 * each side's farthest member): the quick answer for most offers, from
 * the cached range, without reading a member's id.  TRUE means "maybe". */
static inline gboolean
leaf_may_hold (const PastryNode *node, const PastryId *pid)
{
  if (node->full_ring)
    return TRUE;
  PastryId span = pastry_id_cw_distance (&node->range_lo, &node->range_hi);
  PastryId off = pastry_id_cw_distance (&node->range_lo, pid);
  return pastry_id_cmp (&off, &span) <= 0;
}

gboolean
pastry_node_in_leaf_range (const PastryNode *node, const PastryId *key)
{
  g_return_val_if_fail (node != NULL && key != NULL, FALSE);

  if (node->full_ring)
    return TRUE;
  PastryId span = pastry_id_cw_distance (&node->range_lo, &node->range_hi);
  PastryId off = pastry_id_cw_distance (&node->range_lo, key);
  return pastry_id_cmp (&off, &span) <= 0;
}

/* ---- Neighbourhood set ---- */

/* Removes position i of the neighbourhood set. */
static void
neigh_drop (PastryNode *node, guint i)
{
  guint after = node->n_neigh - i - 1;
  memmove (NEIGH_PEER (node) + i, NEIGH_PEER (node) + i + 1,
           after * sizeof (PastryPeer));
  memmove (NEIGH_CODE (node) + i, NEIGH_CODE (node) + i + 1,
           after * sizeof (ProxCode));
  node->n_neigh--;
}

/* The first position whose code is greater than code (after every equal
 * one: ties keep the incumbents first).  Binary search: O(log M). */
static inline guint
neigh_position (const PastryNode *node, ProxCode code)
{
  const ProxCode *c = NEIGH_CODE (node);
  guint lo = 0, hi = node->n_neigh;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (c[mid] <= code)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static gboolean
neigh_insert (PastryNode *node, PastryPeer peer, guint32 prox,
              gboolean *held)
{
  ProxCode code = prox_encode (prox);
  gint at = peers_find (NEIGH_PEER (node), node->n_neigh, peer);
  if (at >= 0)
    {
      *held = TRUE;
      if (code == CODE_UNKNOWN || code == NEIGH_CODE (node)[at])
        return TRUE;
      /* A new measurement: re-sort by removing and inserting again. */
      neigh_drop (node, (guint) at);
    }
  if (node->m == 0)
    return FALSE;
  guint n = node->n_neigh;
  guint pos = neigh_position (node, code);
  if (pos == node->m)
    return FALSE;
  guint keep = n == node->m ? n - 1 : n;
  memmove (NEIGH_PEER (node) + pos + 1, NEIGH_PEER (node) + pos,
           (keep - pos) * sizeof (PastryPeer));
  memmove (NEIGH_CODE (node) + pos + 1, NEIGH_CODE (node) + pos,
           (keep - pos) * sizeof (ProxCode));
  NEIGH_PEER (node)[pos] = peer;
  NEIGH_CODE (node)[pos] = code;
  node->n_neigh = (guint16) (keep + 1);
  return TRUE;
}

static gboolean
neigh_remove (PastryNode *node, PastryPeer peer)
{
  gint at = peers_find (NEIGH_PEER (node), node->n_neigh, peer);
  if (at < 0)
    return FALSE;
  neigh_drop (node, (guint) at);
  return TRUE;
}

/* TRUE when peer, not yet on side, would enter it. */
static gboolean
side_admits (const PastryNode *node, PastrySide side, PastryPeer peer,
             const PastryId *pid)
{
  if (side_has (node, side, peer))
    return FALSE;
  guint n = node->n_side[side];
  if (n < node->half)
    return TRUE;
  const PastryPeer *s = LEAF (node) + side * node->half;
  PastryId d = side_distance (node, side, pid);
  PastryId far = side_distance (node, side, peer_id (node, s[n - 1]));
  return pastry_id_cmp (&d, &far) < 0;
}

gboolean
pastry_node_leafset_admits (const PastryNode *node, PastryPeer peer)
{
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (peer < pastry_directory_size (node->dir), FALSE);
  if (peer == node->self)
    return FALSE;
  const PastryId *pid = peer_id (node, peer);
  if (pastry_id_equal (pid, &node->id) || !leaf_may_hold (node, pid))
    return FALSE;
  return side_admits (node, PASTRY_SIDE_LEFT, peer, pid)
         || side_admits (node, PASTRY_SIDE_RIGHT, peer, pid);
}

/* ---- Mutation ---- */

/* pastry_node_insert; when before is not NULL, it receives the mask
 * before the call. */
static inline guint
node_insert (PastryNode *node, PastryPeer peer, guint32 prox, guint *before)
{
  if (peer == node->self)
    return 0;
  const PastryId *pid = peer_id (node, peer);
  if (pastry_id_equal (pid, &node->id))
    return 0; /* another handle with our own id: never a routing target */
  guint where = 0, was = 0;
  gboolean held = FALSE;
  if (table_insert (node, peer, pid, prox, &held))
    where |= PASTRY_IN_TABLE;
  if (held)
    was |= PASTRY_IN_TABLE;
  if (leaf_may_hold (node, pid))
    {
      /* A side that holds peer keeps it unchanged (side_insert would find
       * it before any nearer-than test could stop its scan), so a side's
       * membership, one 8-slot compare, answers for it without
       * side_insert's walk over its members' ids.  Most offers that
       * reach here are of members already held (80 % in churn). */
      gboolean in_l = side_has (node, PASTRY_SIDE_LEFT, peer);
      gboolean in_r = side_has (node, PASTRY_SIDE_RIGHT, peer);
      if (in_l || in_r)
        was |= PASTRY_IN_LEAFSET;
      gboolean l = in_l || side_insert (node, PASTRY_SIDE_LEFT, peer, pid);
      gboolean r = in_r || side_insert (node, PASTRY_SIDE_RIGHT, peer, pid);
      if (l || r)
        where |= PASTRY_IN_LEAFSET;
    }
  held = FALSE;
  if (neigh_insert (node, peer, prox, &held))
    where |= PASTRY_IN_NEIGHBOURS;
  if (held)
    was |= PASTRY_IN_NEIGHBOURS;
  if (before != NULL)
    *before = was;
  return where;
}

guint
pastry_node_insert (PastryNode *node, PastryPeer peer, guint32 prox)
{
  g_return_val_if_fail (node != NULL, 0);
  g_return_val_if_fail (peer < pastry_directory_size (node->dir), 0);

  return node_insert (node, peer, prox, NULL);
}

guint
pastry_node_offer (PastryNode *node, PastryPeer peer, guint32 prox,
                   guint *before)
{
  g_return_val_if_fail (node != NULL, 0);
  g_return_val_if_fail (peer < pastry_directory_size (node->dir), 0);

  guint b = 0;
  guint where = node_insert (node, peer, prox, &b);
  if (before != NULL)
    *before = b;
  return where;
}

/* Calls fn for every distinct known peer other than self, in the order of
 * pastry_node_export_known.  Distinctness: a peer in the leaf set is
 * reported there only; a table peer also in the neighbourhood set is
 * reported with the table. */
typedef void (*KnownFunc) (const PastryNode *node, PastryPeer peer,
                           gpointer data);

static void
foreach_known (const PastryNode *node, KnownFunc fn, gpointer data)
{
  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < node->n_side[s]; i++)
      {
        PastryPeer p = LEAF (node)[s * node->half + i];
        if (s == PASTRY_SIDE_RIGHT && side_has (node, PASTRY_SIDE_LEFT, p))
          continue;
        fn (node, p, data);
      }
  for (guint r = 0; r < node->n_rows; r++)
    for (guint c = 0; c < (1u << node->b); c++)
      {
        PastryPeer p = *slot_peer (node, r, c);
        if (p == PASTRY_PEER_NONE || leaf_has (node, p))
          continue;
        fn (node, p, data);
      }
  for (guint i = 0; i < node->n_neigh; i++)
    {
      PastryPeer p = NEIGH_PEER (node)[i];
      if (leaf_has (node, p) || table_has (node, p, peer_id (node, p), NULL, NULL))
        continue;
      fn (node, p, data);
    }
}

static void
refill_one (const PastryNode *node, PastryPeer peer, gpointer data)
{
  PastryNode *mut = data;
  const PastryId *pid = peer_id (node, peer);
  side_insert (mut, PASTRY_SIDE_LEFT, peer, pid);
  side_insert (mut, PASTRY_SIDE_RIGHT, peer, pid);
}

/* The reference refill: offers every known peer to both sides.  O(K * L)
 * with K known peers; kept for the cases refill_fast declines. */
static void
refill_slow (PastryNode *node)
{
  foreach_known (node, refill_one, node);
}

/* One side's state during refill_fast. */
typedef struct
{
  guint n;          /* members after the removal */
  gboolean capped;  /* known non-members must lie beyond the farthest */
  gboolean fill;    /* lost a member while full: one slot to refill */
  PastryId far;     /* distance of the farthest member (when n > 0) */
  PastryPeer best;  /* nearest non-member seen (when fill) */
  PastryId best_d;
} RefillSide;

/* Visits one known peer (peers held by several structures are visited
 * several times, which cannot change a minimum).  Returns FALSE when the
 * peer contradicts leaf-set maximality as refill_fast assumes it. */
static inline gboolean
refill_visit (const PastryNode *node, RefillSide *rs, PastryPeer p)
{
  const PastryId *pid = peer_id (node, p);
  for (guint s = 0; s < 2; s++)
    {
      RefillSide *r = &rs[s];
      PastryId d = side_distance (node, s, pid);
      if (r->n > 0 && pastry_id_cmp (&d, &r->far) <= 0)
        {
          /* Not beyond the farthest member: a member, unless two handles
           * share an id. */
          if (!side_has (node, s, p))
            return FALSE;
          continue;
        }
      /* Beyond every member: not one. */
      if (!r->capped)
        return FALSE; /* the side should hold every known peer */
      if (r->fill
          && (r->best == PASTRY_PEER_NONE
              || pastry_id_cmp (&d, &r->best_d) < 0))
        {
          r->best = p;
          r->best_d = d;
        }
    }
  return TRUE;
}

/* Refills the leaf set after peer left it, from lost[s] (did side s hold
 * it) and the sides as they are now.  Leaf-set maximality before the
 * removal means every known peer beyond a full side's farthest member is
 * a non-member and every other is a member; so a side that was full and
 * lost one member takes back exactly the nearest known peer beyond its
 * farthest, and a side that was not full already holds every known peer.
 * One pass over the known peers (O(K), two distances each, no inserts),
 * where refill_slow offers each of them to both sides, O(K * L).  Ties
 * (only possible between handles sharing an id) go to the first visited,
 * in refill_slow's order, and any peer that contradicts the assumption
 * (again: shared ids) hands over to refill_slow, so the result is always
 * the reference's. */
static void
refill_fast (PastryNode *node, const gboolean lost[2])
{
  RefillSide rs[2];
  gboolean any = FALSE;
  for (guint s = 0; s < 2; s++)
    {
      RefillSide *r = &rs[s];
      r->n = node->n_side[s];
      r->fill = lost[s] && r->n + 1 == node->half;
      r->capped = r->fill || r->n == node->half;
      r->best = PASTRY_PEER_NONE;
      if (r->n > 0)
        r->far = side_distance (node, s,
                                peer_id (node, LEAF (node)[s * node->half
                                                          + r->n - 1]));
      any |= r->fill;
    }
  if (!any)
    return; /* no side was full: each holds every known peer already */
  for (guint i = 0; i < 2u * node->half; i++)
    {
      PastryPeer p = LEAF (node)[i];
      if (p != PASTRY_PEER_NONE && !refill_visit (node, rs, p))
        goto slow;
    }
  for (guint r = 0; r < node->n_rows; r++)
    for (guint c = 0; c < (1u << node->b); c++)
      {
        PastryPeer p = *slot_peer (node, r, c);
        if (p != PASTRY_PEER_NONE && !refill_visit (node, rs, p))
          goto slow;
      }
  for (guint i = 0; i < node->n_neigh; i++)
    if (!refill_visit (node, rs, NEIGH_PEER (node)[i]))
      goto slow;
  for (guint s = 0; s < 2; s++)
    if (rs[s].fill && rs[s].best != PASTRY_PEER_NONE)
      {
        LEAF (node)[s * node->half + rs[s].n] = rs[s].best;
        node->n_side[s]++;
      }
  update_range (node);
  return;
slow:
  refill_slow (node);
}

guint
pastry_node_remove_peer (PastryNode *node, PastryPeer peer)
{
  g_return_val_if_fail (node != NULL, 0);
  g_return_val_if_fail (peer < pastry_directory_size (node->dir), 0);

  guint where = 0;
  guint row, col;
  if (table_has (node, peer, peer_id (node, peer), &row, &col))
    {
      *slot_peer (node, row, col) = PASTRY_PEER_NONE;
      *slot_code (node, row, col) = CODE_UNKNOWN;
      where |= PASTRY_IN_TABLE;
    }
  gboolean lost[2];
  lost[PASTRY_SIDE_LEFT] = side_remove (node, PASTRY_SIDE_LEFT, peer);
  lost[PASTRY_SIDE_RIGHT] = side_remove (node, PASTRY_SIDE_RIGHT, peer);
  if (neigh_remove (node, peer))
    where |= PASTRY_IN_NEIGHBOURS;
  if (lost[PASTRY_SIDE_LEFT] || lost[PASTRY_SIDE_RIGHT])
    {
      where |= PASTRY_IN_LEAFSET;
      /* The sides only ever drop peers that are nearer-than-full; any known
       * peer may now qualify. */
      refill_fast (node, lost);
    }
  return where;
}

guint
pastry__node_remove_peer_reference (PastryNode *node, PastryPeer peer)
{
  g_return_val_if_fail (node != NULL, 0);
  g_return_val_if_fail (peer < pastry_directory_size (node->dir), 0);

  guint where = 0;
  guint row, col;
  if (table_has (node, peer, peer_id (node, peer), &row, &col))
    {
      *slot_peer (node, row, col) = PASTRY_PEER_NONE;
      *slot_code (node, row, col) = CODE_UNKNOWN;
      where |= PASTRY_IN_TABLE;
    }
  gboolean l = side_remove (node, PASTRY_SIDE_LEFT, peer);
  gboolean r = side_remove (node, PASTRY_SIDE_RIGHT, peer);
  if (neigh_remove (node, peer))
    where |= PASTRY_IN_NEIGHBOURS;
  if (l || r)
    {
      where |= PASTRY_IN_LEAFSET;
      refill_slow (node);
    }
  return where;
}

guint
pastry_node_where (const PastryNode *node, PastryPeer peer)
{
  g_return_val_if_fail (node != NULL, 0);
  if (peer >= pastry_directory_size (node->dir))
    return 0;
  guint where = 0;
  const PastryId *pid = peer_id (node, peer);
  if (table_has (node, peer, pid, NULL, NULL))
    where |= PASTRY_IN_TABLE;
  if (leaf_may_hold (node, pid) && leaf_has (node, peer))
    where |= PASTRY_IN_LEAFSET;
  if (peers_have (NEIGH_PEER (node), node->n_neigh, peer))
    where |= PASTRY_IN_NEIGHBOURS;
  return where;
}

/* ---- Routing ---- */

/* Ranking key of a candidate for route(). */
typedef struct
{
  PastryPeer peer;
  guint shl;
  PastryId dist;
  const PastryId *id;
} Candidate;

static int
candidate_cmp (const void *pa, const void *pb)
{
  const Candidate *a = pa, *b = pb;
  if (a->shl != b->shl)
    return a->shl > b->shl ? -1 : 1;
  int c = pastry_id_cmp (&a->dist, &b->dist);
  if (c != 0)
    return c;
  return pastry_id_cmp (a->id, b->id);
}

typedef struct
{
  const PastryId *key;
  guint self_shl;
  PastryId self_dist;
  gboolean strict; /* the paper's rare case: must also be closer */
  Candidate best;
  gboolean have_best;
  GArray *all; /* when non-NULL, collect every progressing candidate */
} ProgressScan;

static void
progress_one (const PastryNode *node, PastryPeer peer, gpointer data)
{
  ProgressScan *scan = data;
  Candidate c;
  c.peer = peer;
  c.id = peer_id (node, peer);
  c.shl = pastry_id_shl (c.id, scan->key, node->b);
  c.dist = pastry_id_distance (c.id, scan->key);
  if (c.shl < scan->self_shl)
    return;
  if (c.shl == scan->self_shl || scan->strict)
    {
      int cmp = pastry_id_cmp (&c.dist, &scan->self_dist);
      if (cmp > 0 || (cmp == 0 && pastry_id_cmp (c.id, &node->id) > 0))
        return;
    }
  if (scan->all != NULL)
    g_array_append_val (scan->all, c);
  if (!scan->have_best || candidate_cmp (&c, &scan->best) < 0)
    {
      scan->best = c;
      scan->have_best = TRUE;
    }
}

/* Offers the members of side [lo, hi) around position `at` to the
 * running best. */
static void
closest_around (const PastryNode *node, PastrySide side, guint at,
                const PastryId *key, PastryPeer *best,
                const PastryId **best_id)
{
  const PastryPeer *members = LEAF (node) + side * node->half;
  guint n = node->n_side[side];
  guint from = at > 0 ? at - 1 : 0;
  for (guint i = from; i < n && i <= at + 1; i++)
    {
      const PastryId *pid = peer_id (node, members[i]);
      if (pastry_id_closer (key, pid, *best_id) < 0)
        {
          *best = members[i];
          *best_id = pid;
        }
    }
}

/* The numerically closest of the leaf set and self.  Each side is sorted
 * by distance from self in its direction, so on each side the members
 * nearest the key are around the first member at least as far as the key:
 * a binary search and two neighbours instead of reading every member's id
 * (each a likely cache miss).  When the leaf set covers the whole ring the
 * sides overlap and this still finds the global closest, because every
 * peer is on both sides. */
static PastryPeer
leafset_closest (const PastryNode *node, const PastryId *key)
{
  PastryPeer best = node->self;
  const PastryId *best_id = &node->id;
  for (guint s = 0; s < 2; s++)
    {
      guint n = node->n_side[s];
      if (n == 0)
        continue;
      const PastryPeer *members = LEAF (node) + s * node->half;
      PastryId dk = side_distance (node, s, key);
      guint lo = 0, hi = n;
      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;
          PastryId dm = side_distance (node, s, peer_id (node, members[mid]));
          if (pastry_id_cmp (&dm, &dk) < 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      closest_around (node, s, lo, key, &best, &best_id);
    }
  return best;
}

PastryPeer
pastry_node_next_hop (const PastryNode *node, const PastryId *key,
                      PastryHopKind *kind)
{
  PastryHopKind k;
  PastryPeer hop;

  g_return_val_if_fail (node != NULL && key != NULL, PASTRY_PEER_NONE);

  if (pastry_node_in_leaf_range (node, key))
    {
      /* (1) The numerically closest of leaf set and self. */
      hop = leafset_closest (node, key);
      k = hop == node->self ? PASTRY_HOP_LOCAL : PASTRY_HOP_LEAFSET;
    }
  else
    {
      guint l = pastry_id_shl (key, &node->id, node->b);
      hop = PASTRY_PEER_NONE;
      if (l < node->n_rows)
        hop = *slot_peer (node, l, pastry_id_digit (key, l, node->b));
      if (hop != PASTRY_PEER_NONE)
        k = PASTRY_HOP_TABLE;
      else
        {
          /* (3) The rare case: the best-ranked node making progress with
           * a prefix at least as long and a smaller distance. */
          ProgressScan scan = { 0 };
          scan.key = key;
          scan.self_shl = l;
          scan.self_dist = pastry_id_distance (&node->id, key);
          scan.strict = TRUE;
          /* Every known peer, without foreach_known's de-duplication (a
           * peer offered twice cannot change the minimum).  Table rows
           * above l cannot make progress: an entry of row r < l differs
           * from self, hence from the key, at digit r. */
          for (guint sd = 0; sd < 2; sd++)
            for (guint i = 0; i < node->n_side[sd]; i++)
              progress_one (node, LEAF (node)[sd * node->half + i], &scan);
          for (guint r = l; r < node->n_rows; r++)
            for (guint c = 0; c < (1u << node->b); c++)
              {
                PastryPeer p = *slot_peer (node, r, c);
                if (p != PASTRY_PEER_NONE)
                  progress_one (node, p, &scan);
              }
          for (guint i = 0; i < node->n_neigh; i++)
            progress_one (node, NEIGH_PEER (node)[i], &scan);
          if (scan.have_best)
            {
              hop = scan.best.peer;
              k = PASTRY_HOP_RARE;
            }
          else
            {
              hop = node->self;
              k = PASTRY_HOP_LOCAL;
            }
        }
    }
  if (kind != NULL)
    *kind = k;
  return hop;
}

guint
pastry_node_route (const PastryNode *node, const PastryId *key,
                   PastryPeer *out, guint n)
{
  g_return_val_if_fail (node != NULL && key != NULL, 0);
  g_return_val_if_fail (out != NULL || n == 0, 0);

  if (n == 0)
    return 0;
  PastryPeer first = pastry_node_next_hop (node, key, NULL);
  out[0] = first;
  if (first == node->self || n == 1)
    return 1;

  ProgressScan scan = { 0 };
  scan.key = key;
  scan.self_shl = pastry_id_shl (key, &node->id, node->b);
  scan.self_dist = pastry_id_distance (&node->id, key);
  scan.all = g_array_sized_new (FALSE, FALSE, sizeof (Candidate), 64);
  foreach_known (node, progress_one, &scan);
  g_array_sort (scan.all, candidate_cmp);

  guint count = 1;
  for (guint i = 0; i < scan.all->len && count < n; i++)
    {
      PastryPeer p = g_array_index (scan.all, Candidate, i).peer;
      if (p != first)
        out[count++] = p;
    }
  g_array_free (scan.all, TRUE);
  return count;
}

/* ---- Reading the state ---- */

guint
pastry_node_n_rows (const PastryNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return node->n_rows;
}

PastryEntry
pastry_node_entry (const PastryNode *node, guint row, guint col)
{
  PastryEntry none = { PASTRY_PEER_NONE, PASTRY_PROX_UNKNOWN };
  g_return_val_if_fail (node != NULL, none);
  g_return_val_if_fail (col < (1u << node->b), none);
  if (row >= node->n_rows)
    return none;
  return slot_entry (node, row, col);
}

guint
pastry_node_export_row (const PastryNode *node, guint row, PastryEntry *out)
{
  g_return_val_if_fail (node != NULL && out != NULL, 0);
  if (row >= node->n_rows)
    return 0;
  guint count = 0;
  for (guint c = 0; c < (1u << node->b); c++)
    if (*slot_peer (node, row, c) != PASTRY_PEER_NONE)
      out[count++] = slot_entry (node, row, c);
  return count;
}

guint
pastry_node_leafset_side (const PastryNode *node, PastrySide side,
                          const PastryPeer **out)
{
  g_return_val_if_fail (node != NULL && side <= PASTRY_SIDE_RIGHT, 0);
  if (out != NULL)
    *out = LEAF (node) + side * node->half;
  return node->n_side[side];
}

guint
pastry_node_export_leafset (const PastryNode *node, PastryPeer *out)
{
  g_return_val_if_fail (node != NULL && out != NULL, 0);
  guint count = 0;
  for (guint i = 0; i < node->n_side[PASTRY_SIDE_LEFT]; i++)
    out[count++] = LEAF (node)[i];
  for (guint i = 0; i < node->n_side[PASTRY_SIDE_RIGHT]; i++)
    {
      PastryPeer p = LEAF (node)[node->half + i];
      if (!side_has (node, PASTRY_SIDE_LEFT, p))
        out[count++] = p;
    }
  return count;
}

guint
pastry_node_export_neighbours (const PastryNode *node, PastryEntry *out)
{
  g_return_val_if_fail (node != NULL && out != NULL, 0);
  for (guint i = 0; i < node->n_neigh; i++)
    {
      out[i].peer = NEIGH_PEER (node)[i];
      out[i].prox = prox_decode (NEIGH_CODE (node)[i]);
    }
  return node->n_neigh;
}

typedef struct
{
  PastryPeer *out;
  guint max;
  guint count;
} ExportScan;

static void
export_one (const PastryNode *node, PastryPeer peer, gpointer data)
{
  ExportScan *scan = data;
  if (scan->count < scan->max)
    scan->out[scan->count] = peer;
  scan->count++;
}

guint
pastry_node_export_known (const PastryNode *node, PastryPeer *out, guint max)
{
  g_return_val_if_fail (node != NULL && (out != NULL || max == 0), 0);
  ExportScan scan = { out, max, 0 };
  foreach_known (node, export_one, &scan);
  return scan.count;
}

void
pastry_node_foreach_entry (const PastryNode *node, PastryEntryFunc func,
                           gpointer data)
{
  g_return_if_fail (node != NULL && func != NULL);
  for (guint r = 0; r < node->n_rows; r++)
    for (guint c = 0; c < (1u << node->b); c++)
      if (*slot_peer (node, r, c) != PASTRY_PEER_NONE)
        {
          PastryEntry e = slot_entry (node, r, c);
          func (r, c, &e, data);
        }
}

/* ---- Repair support ---- */

PastryPeer
pastry_node_leafset_farthest (const PastryNode *node, PastrySide side)
{
  g_return_val_if_fail (node != NULL && side <= PASTRY_SIDE_RIGHT,
                        PASTRY_PEER_NONE);
  guint n = node->n_side[side];
  return n == 0 ? PASTRY_PEER_NONE : LEAF (node)[side * node->half + n - 1];
}

guint
pastry_node_repair_candidates (const PastryNode *node, guint row, guint col,
                               PastryPeer *out, guint max)
{
  g_return_val_if_fail (node != NULL && (out != NULL || max == 0), 0);
  guint count = 0;
  for (guint r = row; r < node->n_rows && count < max; r++)
    for (guint c = 0; c < (1u << node->b) && count < max; c++)
      {
        PastryPeer p = *slot_peer (node, r, c);
        if (p != PASTRY_PEER_NONE && !(r == row && c == col))
          out[count++] = p;
      }
  return count;
}

/* ---- Dictionary interface ---- */

gboolean
pastry_node_get (const PastryNode *node, const PastryId *id, gpointer *value)
{
  g_return_val_if_fail (node != NULL && id != NULL, FALSE);
  PastryPeer peer = pastry_directory_find (node->dir, id);
  if (peer == PASTRY_PEER_NONE || pastry_node_where (node, peer) == 0)
    return FALSE;
  if (value != NULL)
    *value = pastry_directory_value (node->dir, peer);
  return TRUE;
}

void
pastry_node_update (PastryNode *node, const PastryId *ids, gpointer *values,
                    guint n)
{
  g_return_if_fail (node != NULL && (ids != NULL || n == 0));
  for (guint i = 0; i < n; i++)
    {
      PastryPeer p = pastry_directory_intern (node->dir, &ids[i],
                                              values != NULL ? values[i]
                                                             : NULL);
      pastry_node_insert (node, p, PASTRY_PROX_UNKNOWN);
    }
}

gboolean
pastry_node_remove (PastryNode *node, const PastryId *id)
{
  g_return_val_if_fail (node != NULL && id != NULL, FALSE);
  PastryPeer peer = pastry_directory_find (node->dir, id);
  if (peer == PASTRY_PEER_NONE)
    return FALSE;
  return pastry_node_remove_peer (node, peer) != 0;
}

/* ---- Testing ---- */

typedef struct
{
  GError **error;
  gboolean ok;
} CheckScan;

static void
check_leaf_maximal (const PastryNode *node, PastryPeer peer, gpointer data)
{
  CheckScan *scan = data;
  if (!scan->ok)
    return;
  for (guint s = 0; s < 2; s++)
    {
      if (side_has (node, s, peer))
        continue;
      guint n = node->n_side[s];
      if (n < node->half)
        {
          g_set_error (scan->error, PASTRY_CONFIG_ERROR, 0,
                       "leaf side %u has room but lacks known peer %u", s,
                       peer);
          scan->ok = FALSE;
          return;
        }
      PastryId d = side_distance (node, s, peer_id (node, peer));
      PastryId far = side_distance (node, s,
                                    peer_id (node, LEAF (node)[s * node->half
                                                              + n - 1]));
      if (pastry_id_cmp (&d, &far) < 0)
        {
          g_set_error (scan->error, PASTRY_CONFIG_ERROR, 0,
                       "known peer %u is nearer than leaf side %u's "
                       "farthest but not in it", peer, s);
          scan->ok = FALSE;
          return;
        }
    }
}

#define CHECK(cond, ...)                                                     \
  G_STMT_START                                                               \
  {                                                                          \
    if (!(cond))                                                             \
      {                                                                      \
        g_set_error (error, PASTRY_CONFIG_ERROR, 0, __VA_ARGS__);            \
        return FALSE;                                                        \
      }                                                                      \
  }                                                                          \
  G_STMT_END

gboolean
pastry_node_check (const PastryNode *node, GError **error)
{
  g_return_val_if_fail (node != NULL, FALSE);

  guint size = pastry_directory_size (node->dir);
  for (guint r = 0; r < node->n_rows; r++)
    for (guint c = 0; c < (1u << node->b); c++)
      {
        PastryPeer p = *slot_peer (node, r, c);
        if (p == PASTRY_PEER_NONE)
          continue;
        CHECK (p < size && p != node->self, "table (%u,%u): bad peer %u", r,
               c, p);
        const PastryId *pid = peer_id (node, p);
        CHECK (pastry_id_shl (&node->id, pid, node->b) == r
                   && pastry_id_digit (pid, r, node->b) == c,
               "table (%u,%u): peer %u belongs elsewhere", r, c, p);
        CHECK (c < pastry_id_digit_base (r, node->b),
               "table (%u,%u): column beyond a short digit", r, c);
      }
  for (guint s = 0; s < 2; s++)
    {
      const PastryPeer *side = LEAF (node) + s * node->half;
      CHECK (node->n_side[s] <= node->half, "leaf side %u overfull", s);
      for (guint i = node->n_side[s]; i < node->half; i++)
        CHECK (side[i] == PASTRY_PEER_NONE,
               "leaf side %u: slot %u past the end not empty", s, i);
      for (guint i = 0; i < node->n_side[s]; i++)
        {
          CHECK (side[i] < size && side[i] != node->self,
                 "leaf side %u: bad peer %u", s, side[i]);
          CHECK (!pastry_id_equal (peer_id (node, side[i]), &node->id),
                 "leaf side %u: peer with own id", s);
          if (i > 0)
            {
              PastryId a = side_distance (node, s, peer_id (node, side[i - 1]));
              PastryId b = side_distance (node, s, peer_id (node, side[i]));
              CHECK (pastry_id_cmp (&a, &b) < 0,
                     "leaf side %u not strictly sorted at %u", s, i);
            }
        }
    }
  for (guint i = 0; i < node->n_neigh; i++)
    {
      CHECK (NEIGH_PEER (node)[i] < size && NEIGH_PEER (node)[i] != node->self,
             "neighbour %u: bad peer", i);
      for (guint j = 0; j < i; j++)
        CHECK (NEIGH_PEER (node)[j] != NEIGH_PEER (node)[i],
               "neighbour %u duplicated", NEIGH_PEER (node)[i]);
      if (i > 0)
        CHECK (NEIGH_CODE (node)[i - 1] <= NEIGH_CODE (node)[i],
               "neighbourhood set not sorted at %u", i);
    }
  CHECK (node->n_neigh <= node->m, "neighbourhood set overfull");
  CheckScan scan = { error, TRUE };
  foreach_known (node, check_leaf_maximal, &scan);
  return scan.ok;
}

gsize
pastry_node_memory (const PastryNode *node)
{
  g_return_val_if_fail (node != NULL, 0);
  return sizeof (PastryNode) + (gsize) node->half * 2 * sizeof (PastryPeer)
         + (gsize) node->m * (sizeof (PastryPeer) + sizeof (ProxCode))
         + node->n_rows * row_bytes (node);
}
