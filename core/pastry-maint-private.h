/* pastry-maint-private.h — shared by pastry-maint.c, pastry-repair.c and
 * the strategy modules pastry-maint-reactive.c and pastry-maint-periodic.c
 * (not for callers: use pastry-maint.h).
 */
#pragma once

#include "pastry-maint.h"

static inline PastryTime
pastry__time_add (PastryTime a, PastryTime b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

/* TRUE when mt (may be NULL) suspects or believes dead p. */
static inline gboolean
pastry__maint_is_suspect (const PastryMaint *mt, const PastryEnv *env,
                          PastryPeer p)
{
  return mt != NULL && pastry_fd_is_suspect (&mt->fd, p, env->now);
}

/* The epoch a death notice about p carries (env->epoch, or 0). */
static inline guint32
pastry__maint_epoch_of (const PastryEnv *env, PastryPeer p)
{
  return env->epoch != NULL ? env->epoch (p, env->hint_data) : 0;
}

/* Appends a PROBE of p (attempt, REPAIR flag with repair). */
static inline void
pastry__maint_send_probe (const PastryEnv *env, PastryPeer p, guint attempt,
                          gboolean repair)
{
  PastryMessage *msg = pastry_outbox_send (env->out, p, PASTRY_MSG_PROBE, p);
  msg->attempt = (guint8) attempt;
  if (repair)
    msg->flags |= PASTRY_MSG_FLAG_REPAIR;
}

/* ---- pastry-repair.c ---- */

/* Sends the node's leaf set naming dead to every member and, twice, to
 * dead (a live node wrongly declared refutes it). */
void pastry__maint_broadcast (PastryNode *node, const PastryEnv *env,
                              PastryPeer dead);
/* The node forgets p and repairs what p leaves empty; with broadcast (the
 * node itself declared p dead) it checks the rest of p's side and tells
 * its leaf set once the far member's leaf set is in. */
void pastry__maint_forget (PastryMaint *mt, PastryNode *node,
                           const PastryEnv *env, PastryPeer p,
                           gboolean broadcast);
/* The node believes p dead for pastry_maint_dead_memory(). */
void pastry__maint_mark_dead (PastryMaint *mt, const PastryEnv *env,
                              PastryPeer p);
/* Probes exhausted: DECLARED_DEAD upcall, dead mark, forget, broadcast. */
void pastry__maint_declare_dead (PastryMaint *mt, PastryNode *node,
                                 const PastryEnv *env, PastryPeer p);
/* Asks source number attempt of slot (row, col) for its entry, unless the
 * slot is filled again or the tries are exhausted. */
void pastry__maint_table_repair (PastryMaint *mt, PastryNode *node,
                                 const PastryEnv *env, guint row, guint col,
                                 guint attempt);

/* ---- The strategies (PastryMaintConfig.strategy) ---- */

/* pastry-maint-reactive.c: the probe round of REACTIVE (probes of the
 * leaf set only, re-arm). */
void pastry__maint_reactive_probe_round (PastryMaint *mt, PastryNode *node,
                                         const PastryEnv *env);

/* pastry-maint-periodic.c: PERIODIC's leaf-set recovery, run after each
 * heartbeat (one draw: the member asked). */
void pastry__maint_periodic_recover_leafset (PastryMaint *mt, PastryNode *node,
                                             const PastryEnv *env);
/* PERIODIC's reaction to losing p (a verdict, a LEAVE, a death notice):
 * p is removed from every structure, and nothing is sent. */
void pastry__maint_periodic_forget (PastryNode *node, PastryPeer p);
