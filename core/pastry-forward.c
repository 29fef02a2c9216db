/* pastry-forward.c — the forwarding decision with peers to avoid
 * (pastry-forward.h).
 *
 * Invariant: with nothing avoided the answer is exactly
 * pastry_node_next_hop()'s, so the paper's routing is the special case.
 * Rejected alternative: a version of route() taking the avoid set; it
 * would rank every known peer (O(K log K)) on every hop, where this asks
 * the predicate only when the paper's choice itself is avoided.
 */
#include "pastry-forward.h"

/* Up to this many route() candidates are tried outside leaf-set range. */
#define CANDIDATES 16

PastryPeer
pastry_forward_next_hop (const PastryNode *node, const PastryId *key,
                         PastryAvoidFunc avoid, gpointer data,
                         gboolean *final_hop)
{
  g_return_val_if_fail (node != NULL && key != NULL && final_hop != NULL,
                        PASTRY_PEER_NONE);
  PastryPeer self = pastry_node_self (node);
  PastryHopKind kind;
  PastryPeer next = pastry_node_next_hop (node, key, &kind);
  *final_hop = kind == PASTRY_HOP_LEAFSET;
  if (next == self || avoid == NULL || !avoid (next, *final_hop, data))
    return next;
  if (kind == PASTRY_HOP_LEAFSET)
    {
      /* "Numerically closest of the leaf set and self", without the
       * avoided members. */
      const PastryDirectory *dir = pastry_node_directory (node);
      PastryPeer best = self;
      const PastryId *best_id = pastry_node_id (node);
      for (guint side = 0; side < 2; side++)
        {
          const PastryPeer *members;
          guint n = pastry_node_leafset_side (node, side, &members);
          for (guint i = 0; i < n; i++)
            {
              const PastryId *id = pastry_directory_id (dir, members[i]);
              if (!avoid (members[i], TRUE, data)
                  && pastry_id_closer (key, id, best_id) < 0)
                {
                  best = members[i];
                  best_id = id;
                }
            }
        }
      return best;
    }
  PastryPeer cand[CANDIDATES];
  guint n = pastry_node_route (node, key, cand, G_N_ELEMENTS (cand));
  for (guint i = 1; i < n; i++)
    if (!avoid (cand[i], FALSE, data))
      return cand[i];
  /* Every candidate is in doubt.  Delivering here is wrong unless the
   * paper's choice is really gone: try it again as a final hop, unless it
   * is avoided even as such. */
  if (!avoid (next, TRUE, data))
    {
      *final_hop = TRUE;
      return next;
    }
  return self;
}

/* The k closest to key of self and the leaf-set members not avoided as
 * final hops (insertion into a small sorted array: k <= L/2 + 1). */
static guint
closest_k (const PastryNode *node, const PastryId *key, guint k,
           PastryAvoidFunc avoid, gpointer data, PastryPeer *out)
{
  const PastryDirectory *dir = pastry_node_directory (node);
  guint n = 0;
  PastryPeer self = pastry_node_self (node);
  for (gint side = -1; side < 2; side++)
    {
      const PastryPeer *members = &self;
      guint m = 1;
      if (side >= 0)
        m = pastry_node_leafset_side (node, side, &members);
      for (guint i = 0; i < m; i++)
        {
          PastryPeer p = members[i];
          if (side >= 0 && avoid != NULL && avoid (p, TRUE, data))
            continue;
          gboolean dup = FALSE;
          for (guint j = 0; j < n && !dup; j++)
            dup = out[j] == p;
          if (dup)
            continue;
          const PastryId *id = pastry_directory_id (dir, p);
          guint pos = n;
          while (pos > 0
                 && pastry_id_closer (key, id,
                                      pastry_directory_id (dir, out[pos - 1]))
                        < 0)
            pos--;
          if (pos >= k)
            continue;
          guint last = MIN (n, k - 1);
          for (guint j = last; j > pos; j--)
            out[j] = out[j - 1];
          out[pos] = p;
          if (n < k)
            n++;
        }
    }
  return n;
}

PastryPeer
pastry_forward_next_hop_replicas (const PastryNode *node, const PastryId *key,
                                  const PastryReplicas *rep,
                                  PastryAvoidFunc avoid, gpointer data,
                                  gboolean *final_hop)
{
  g_return_val_if_fail (node != NULL && key != NULL && final_hop != NULL,
                        PASTRY_PEER_NONE);
  if (rep == NULL || rep->k <= 1)
    return pastry_forward_next_hop (node, key, avoid, data, final_hop);
  g_return_val_if_fail (rep->prox != NULL, PASTRY_PEER_NONE);
  PastryPeer self = pastry_node_self (node);
  PastryHopKind kind;
  pastry_node_next_hop (node, key, &kind);
  if (kind != PASTRY_HOP_LEAFSET && kind != PASTRY_HOP_LOCAL)
    return pastry_forward_next_hop (node, key, avoid, data, final_hop);
  PastryPeer set[257];
  guint k = MIN (rep->k, G_N_ELEMENTS (set));
  guint n = closest_k (node, key, k, avoid, data, set);
  *final_hop = TRUE;
  PastryPeer best = self;
  guint32 best_prox = G_MAXUINT32;
  for (guint i = 0; i < n; i++)
    {
      if (set[i] == self)
        return self; /* a replica: deliver here */
      guint32 px = rep->prox (self, set[i], rep->prox_data);
      if (px < best_prox)
        {
          best = set[i];
          best_prox = px;
        }
    }
  return best;
}

/* TRUE when a peer sits on both sides: the node knows the whole ring. */
static gboolean
sides_overlap (const PastryNode *node)
{
  const PastryPeer *left, *right;
  guint nl = pastry_node_leafset_side (node, PASTRY_SIDE_LEFT, &left);
  guint nr = pastry_node_leafset_side (node, PASTRY_SIDE_RIGHT, &right);
  if (nl == 0 && nr == 0)
    return TRUE; /* alone: nothing to wait for */
  for (guint i = 0; i < nl; i++)
    for (guint j = 0; j < nr; j++)
      if (left[i] == right[j])
        return TRUE;
  return FALSE;
}

gboolean
pastry_forward_may_deliver (const PastryNode *node, const PastryId *key,
                            PastryAvoidFunc avoid, gpointer data)
{
  g_return_val_if_fail (node != NULL && key != NULL, TRUE);
  const PastryId *self_id = pastry_node_id (node);
  if (pastry_id_equal (key, self_id))
    return TRUE;
  /* The key's side: clockwise (right) when it is nearer that way. */
  PastryId cw = pastry_id_cw_distance (self_id, key);
  PastryId ccw = pastry_id_cw_distance (key, self_id);
  PastrySide side
      = pastry_id_cmp (&cw, &ccw) <= 0 ? PASTRY_SIDE_RIGHT : PASTRY_SIDE_LEFT;
  const PastryId *reach = side == PASTRY_SIDE_RIGHT ? &cw : &ccw;
  const PastryDirectory *dir = pastry_node_directory (node);
  const PastryPeer *members;
  guint n = pastry_node_leafset_side (node, side, &members);
  /* Farthest first: the first member not avoided decides. */
  for (guint i = n; i-- > 0;)
    {
      if (avoid != NULL && avoid (members[i], TRUE, data))
        continue;
      const PastryId *id = pastry_directory_id (dir, members[i]);
      PastryId d = side == PASTRY_SIDE_RIGHT
                       ? pastry_id_cw_distance (self_id, id)
                       : pastry_id_cw_distance (id, self_id);
      if (pastry_id_cmp (&d, reach) >= 0)
        return TRUE;
      break;
    }
  return sides_overlap (node);
}
