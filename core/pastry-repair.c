/* pastry-repair.c — what a node does when it loses a peer: removal,
 * leaf-set repair (LEAFSET_REQUEST, LEAFSET_UPDATE broadcast) and
 * routing-table repair (ENTRY_REQUEST), for pastry-maint.c.
 *
 * Invariant: a peer is forgotten from every structure at once
 * (pastry_node_remove_peer) and the repair aims at the state the node had
 * just before: the farthest *trusted* member of each side that lost it,
 * the slot it held.  Every effect is an outbox item, in protocol order.
 *
 * Cost: a removal exports the leaf set twice (O(L)) and may probe a side
 * (O(L) sends); a broadcast is L + 2 messages of L entries; a table
 * repair asks one source at a time (at most PASTRY_MAINT_REPAIR_TRIES).
 *
 * Alternative rejected: asking every candidate of a table slot at once.
 * It finds a replacement one round trip sooner but multiplies repair
 * traffic by the row width on every failure, and the first answer is
 * usually enough.
 */
#include "pastry-maint-private.h"

void
pastry__maint_broadcast (PastryNode *node, const PastryEnv *env,
                         PastryPeer dead)
{
  PastryPeer leaf[258];
  guint n = pastry_node_export_leafset (node, leaf);
  /* The verdict goes to the dead node too, twice (it is what gets lost
   * most often where verdicts are wrong): a crashed node never reads it,
   * but a live one wrongly declared (its probe replies were lost) refutes
   * it at once instead of staying out of the leaf sets until its next
   * probe round. */
  leaf[n++] = dead;
  leaf[n++] = dead;
  guint32 epoch = pastry__maint_epoch_of (env, dead);
  for (guint i = 0; i < n; i++)
    {
      PastryMessage *msg = pastry_outbox_send (env->out, leaf[i],
                                               PASTRY_MSG_LEAFSET_UPDATE, dead);
      msg->flags |= PASTRY_MSG_FLAG_REPAIR;
      msg->epoch = epoch;
      pastry_msg_add_leafset (msg, node);
    }
}

/* The node forgets p.  With broadcast, it tells its leaf set afterwards. */
void
pastry__maint_forget (PastryMaint *mt, PastryNode *node, const PastryEnv *env,
                      PastryPeer p, gboolean broadcast)
{
  const PastryMaintConfig *cfg = env->cfg;
  guint where = pastry_node_where (node, p);
  if (where == 0)
    return;
  if (cfg->strategy == PASTRY_MAINT_PERIODIC)
    {
      pastry__maint_periodic_forget (node, p); /* repair waits */
      return;
    }
  const PastryId *pid = pastry_directory_id (pastry_node_directory (node), p);
  guint row = pastry_id_shl (pastry_node_id (node), pid, cfg->b);
  guint col = row < pastry_id_n_digits (cfg->b)
                  ? pastry_id_digit (pid, row, cfg->b)
                  : 0;
  /* Remember each side as it was: the repair target is its farthest
   * member still trusted, not whatever far peer the refill brings in. */
  gboolean sides[2] = { FALSE, FALSE };
  PastryPeer target[2] = { PASTRY_PEER_NONE, PASTRY_PEER_NONE };
  for (guint s = 0; s < 2; s++)
    {
      const PastryPeer *side;
      guint n = pastry_node_leafset_side (node, s, &side);
      for (guint i = 0; i < n; i++)
        {
          if (side[i] == p)
            sides[s] = TRUE;
          else if (!pastry__maint_is_suspect (mt, env, side[i]))
            target[s] = side[i];
        }
    }
  PastryPeer before[257];
  guint n_before = (where & PASTRY_IN_LEAFSET)
                       ? pastry_node_export_leafset (node, before)
                       : 0;
  pastry_node_remove_peer (node, p);

  if ((where & PASTRY_IN_LEAFSET) && !broadcast && cfg->maintain)
    {
      /* The leaf set refills from every known peer, including
       * neighbourhood-set members nobody has checked for a while: probe
       * whoever came in.  (With broadcast, the whole side is probed
       * below.) */
      PastryPeer after[257];
      guint n_after = pastry_node_export_leafset (node, after);
      for (guint i = 0; i < n_after; i++)
        {
          gboolean old = FALSE;
          for (guint k = 0; k < n_before && !old; k++)
            old = before[k] == after[i];
          if (!old && !pastry__maint_is_suspect (mt, env, after[i]))
            pastry__maint_send_probe (env, after[i], 0, TRUE);
        }
    }
  if ((where & PASTRY_IN_LEAFSET) && broadcast && cfg->maintain)
    {
      /* Failures are often correlated (a rack, a region, adjacent ids):
       * check the rest of that side now rather than one heartbeat timeout
       * after another. */
      for (guint s = 0; s < 2; s++)
        {
          const PastryPeer *side;
          guint n = sides[s] ? pastry_node_leafset_side (node, s, &side) : 0;
          for (guint i = 0; i < n; i++)
            if (!pastry__maint_is_suspect (mt, env, side[i]))
              pastry__maint_send_probe (env, side[i], 0, TRUE);
        }
    }
  if ((where & PASTRY_IN_LEAFSET) && cfg->repair_leaf)
    {
      gboolean asked = FALSE;
      for (guint s = 0; s < 2; s++)
        {
          if (!sides[s])
            continue;
          PastryPeer far = target[s];
          if (far == PASTRY_PEER_NONE)
            far = pastry_node_leafset_farthest (node, s);
          if (far == PASTRY_PEER_NONE)
            continue;
          PastryMessage *msg = pastry_outbox_send (
              env->out, far, PASTRY_MSG_LEAFSET_REQUEST, p);
          msg->flags |= PASTRY_MSG_FLAG_REPAIR;
          if (broadcast && !asked)
            msg->flags |= PASTRY_MSG_FLAG_BROADCAST;
          asked = TRUE;
        }
      if (broadcast && !asked)
        pastry__maint_broadcast (node, env, p);
    }
  if ((where & PASTRY_IN_TABLE) && cfg->repair_table)
    pastry__maint_table_repair (mt, node, env, row, col, 0);
}

/* The node now believes p dead (for the dead memory); probing stops. */
void
pastry__maint_mark_dead (PastryMaint *mt, const PastryEnv *env, PastryPeer p)
{
  pastry_fd_mark_dead (
      &mt->fd, p,
      pastry__time_add (env->now, pastry_maint_dead_memory (env->cfg)));
}

void
pastry__maint_declare_dead (PastryMaint *mt, PastryNode *node,
                            const PastryEnv *env, PastryPeer p)
{
  pastry_outbox_upcall (env->out, PASTRY_UPCALL_DECLARED_DEAD, p);
  /* A failure among the peers the node watches (not a verification of
   * hearsay): it feeds the self-tuning probe period. */
  if (pastry_node_where (node, p) != 0)
    mt->seen_failures += 1;
  pastry__maint_mark_dead (mt, env, p);
  pastry__maint_forget (mt, node, env, p, TRUE);
}

void
pastry__maint_table_repair (PastryMaint *mt, PastryNode *node,
                            const PastryEnv *env, guint row, guint col,
                            guint attempt)
{
  if (attempt >= PASTRY_MAINT_REPAIR_TRIES)
    return;
  if (pastry_node_entry (node, row, col).peer != PASTRY_PEER_NONE)
    return; /* already refilled */
  PastryPeer cand[PASTRY_MAINT_REPAIR_TRIES * 4];
  guint n = pastry_node_repair_candidates (node, row, col, cand,
                                           G_N_ELEMENTS (cand));
  guint k = 0;
  for (guint i = 0; i < n; i++)
    {
      if (pastry__maint_is_suspect (mt, env, cand[i]))
        continue;
      if (k++ < attempt)
        continue;
      PastryMessage *msg = pastry_outbox_send (
          env->out, cand[i], PASTRY_MSG_ENTRY_REQUEST, pastry_node_self (node));
      msg->row = (guint8) row;
      msg->col = (guint8) col;
      msg->attempt = (guint8) attempt;
      msg->flags |= PASTRY_MSG_FLAG_REPAIR;
      return;
    }
}
