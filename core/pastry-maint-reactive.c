/* pastry-maint-reactive.c — the REACTIVE maintenance strategy
 * (pastry-maint.h, PastryMaintStrategy): Rowstron & Druschel's 2001
 * protocol, repair only when a failure is detected.
 *
 * Invariant: nothing is sent periodically but what detects failures of
 * the leaf set (the heartbeats, which this strategy shares with MSPastry,
 * and one probe per leaf-set member each probe_period: the paper's
 * keep-alives between leaf-set neighbours).  Routing-table entries are
 * never probed and never refreshed: a dead entry is found on use (a
 * lookup's missing acknowledgement raises a suspicion, probes confirm it)
 * and only then repaired, by the same verdict handling as MSPastry
 * (pastry-repair.c: LEAFSET_REQUEST to the farthest member, broadcast,
 * ENTRY_REQUEST for the table slot).
 *
 * Cost: a probe round is O(L) probes, against MSPastry's O(table + L)
 * probes, two leaf-set requests and a row request per row.
 *
 * Alternative rejected: no probe round at all (heartbeats alone).  A
 * heartbeat watches only the right neighbour; the other members of the
 * leaf set would then be checked by nothing until a lookup used them, and
 * the 2001 paper has every leaf-set pair exchange keep-alives.
 */
#include "pastry-maint-private.h"

void
pastry__maint_reactive_probe_round (PastryMaint *mt, PastryNode *node,
                                    const PastryEnv *env)
{
  PastryPeer leaf[256];
  guint n = pastry_node_export_leafset (node, leaf);
  for (guint i = 0; i < n; i++)
    if (!pastry__maint_is_suspect (mt, env, leaf[i]))
      pastry__maint_send_probe (env, leaf[i], 0, FALSE);
  pastry_outbox_timer (env->out, PASTRY_TIMER_PROBE_ROUND,
                       env->cfg->probe_period, 0);
}
