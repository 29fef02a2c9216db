/* sim-workload.h — the draws of the scenario's action generators: when
 * the next unit happens, which nodes fail, leave or rejoin, which source
 * and key a lookup has, a per-node lookup chain's stream and gaps, churn
 * session times and trace-node numbering.
 *
 * One implementation for the two loops that run a scenario: the
 * driver's simulated event loop (sim-driver.c) and the live host's
 * wall-clock loop (sim/livehost/sim-live-schedule.c), so a live run sees
 * the schedule `run` sees (common random numbers: the same streams, the
 * same draws in the same order).  Each function is a pure function of
 * the action, its generator's streams and a view of the node life cycle
 * that the caller supplies (SimNodeView); scheduling, node creation and
 * the protocol stay with the caller.
 *
 * Driver layer: knows no protocol.
 */
#pragma once

#include "sim-driver.h"

G_BEGIN_DECLS

/* A scenario action's generator.  Each action owns its random streams,
 * keyed by its index (sim-driver.c, "Random streams"), so what one action
 * draws never shifts another's numbers.  Embedded by value in the
 * caller's array; sim_action_gen_init() / sim_action_gen_clear(). */
typedef struct
{
  const SimAction *action;
  guint64 done;  /* units issued */
  SimTime last;  /* time of the previous unit (uniform, Poisson spread) */
  SimZipf zipf;  /* keys == SIM_KEYS_ZIPF */
  guint phase;   /* LOOKUP: its index among the lookup actions */
  GArray *slots; /* guint32 (owned): FAIL/LEAVE/REJOIN: the chosen nodes;
                    CHURN: node per churn slot; TRACE: trace-node number
                    per row, then node per trace node */
  SimRng rng;    /* its times, lookup sources and keys, victims, sessions */
  SimRng rng_ids, rng_topology; /* ids and positions of the nodes it
                                   creates */
} SimActionGen;

/* Initialises gen for action a (borrowed), the index-th action of a
 * scenario with master seed: its streams, and for a lookup action its
 * phase, the next of *phases (incremented). */
void sim_action_gen_init (SimActionGen *gen, const SimAction *a, guint64 seed,
                          guint index, guint *phases);
/* Frees gen's slots. */
void sim_action_gen_clear (SimActionGen *gen);

/* The time of the next of `units` units of an AT_ONCE, UNIFORM or
 * POISSON generator, gen->done of them issued: into *t (at least now).
 * Draws from gen->rng (UNIFORM: the next order statistic of `units`
 * uniform times over [at, at + over); POISSON: an exponential gap).
 * Returns FALSE when the generator is exhausted (or for other spreads;
 * a SEQUENTIAL join's next unit starts when the previous one completes). */
gboolean sim_action_gen_next_time (SimActionGen *gen, guint64 units,
                                   SimTime now, SimTime *t);

/* The caller's node life cycle, read-only: the nodes are indices
 * 0 .. n_nodes - 1, each SIM_NODE_JOINING, _LIVE or _DOWN. */
typedef struct
{
  gpointer data;
  guint32 n_nodes;
  SimNodeState (*state) (gpointer data, guint32 x);
  /* Fills out[0 .. k) with the live nodes following first (live)
   * clockwise on the ring of live ids, at most k, never first itself;
   * returns how many. */
  guint (*ring_after) (gpointer data, guint32 first, guint k, guint32 *out);
} SimNodeView;

/* The nodes in a session (live or joining), in index order: a new array
 * of *n entries (at least one allocated).  O(n_nodes). */
guint32 *sim_node_view_in_session (const SimNodeView *v, guint *n);

/* Chooses the nodes of a FAIL or LEAVE action (gen->action) and appends
 * them to out, drawing from gen->rng: a count or a percentage of the
 * nodes in a session, drawn without replacement; a range of the live
 * ring from a random live node; named live nodes. */
void sim_action_gen_select_victims (SimActionGen *gen, const SimNodeView *v,
                                    GArray *out);

/* Chooses the nodes of a REJOIN action among down (the n nodes down, in
 * the order they went down; borrowed): all or a count, drawn without
 * replacement from gen->rng; appends them to out. */
void sim_action_gen_select_rejoiners (SimActionGen *gen, const guint32 *down,
                                      guint n, GArray *out);

/* A lookup's draws, from rng in this order: the source (when
 * draw_source: a rank among the n_live live nodes, *src_rank), then the
 * key by the action's key mode: a random live node's id (*key_rank, a
 * rank among the live nodes; the caller reads its id), a random id or a
 * rank of the action's Zipf population (*key; *key_rank = G_MAXUINT).
 * Draws nothing and returns FALSE when n_live is 0. */
gboolean sim_action_gen_draw_lookup (const SimActionGen *gen, guint64 seed,
                                     SimRng *rng, guint n_live,
                                     gboolean draw_source, guint *src_rank,
                                     guint *key_rank, SimKey *key);

/* Runs node x's (incarnation incarn) chain of per-node lookups of
 * generator gen, the g-th action (sim-driver.c, "Per-node lookups"), from
 * instant t (a lookup instant when is_lookup, else the chain's start):
 * calls issue(data, instant, stream) for every lookup instant due by now,
 * with the counter-based stream keyed by (x, incarn, g, instant) that the
 * lookup's draws come from.  Returns the chain's next instant, after now,
 * or SIM_TIME_MAX when the chain ends first (at the action's end).  Gaps
 * are at least 1 µs, so instants strictly increase. */
SimTime sim_node_lookups_chain (
    const SimActionGen *gen, guint g, guint64 seed, guint32 x, guint32 incarn,
    SimTime t, gboolean is_lookup, SimTime now,
    void (*issue) (gpointer data, SimTime t, SimRng *r), gpointer data);
/* The instant node x's chain of action g restarts from when x reaches a
 * point where its lookups can go (its join completed, or it goes down
 * still joining) at now, its session having started at session: into *c.
 * FALSE when g is no per-node lookup action, has not started (started:
 * its generator issued its start), or x's chain is over. */
gboolean sim_node_lookups_resume (const SimActionGen *gen, gboolean started,
                                  SimTime session, SimTime now, SimTime *c);

/* The time of churn slot's next change (from now: the end of a session
 * when up, else of a down time), drawn from gen->rng; FALSE when it falls
 * at or after the end of the churn interval. */
gboolean sim_action_gen_churn_next (SimActionGen *gen, SimTime now, gboolean up,
                                    SimTime *t);

/* Starts a CHURN action: its slots (gen->slots, created) are the nodes
 * in a session in index order, then absent nodes (G_MAXUINT32) up to the
 * action's population; calls at(data, time, slot) with the time of
 * every slot's first change (the end of the session of a node in one,
 * else of its down time) that falls in the churn interval, in slot
 * order. */
void sim_action_gen_churn_start (
    SimActionGen *gen, const SimNodeView *v, SimTime now,
    void (*at) (gpointer data, SimTime t, guint32 slot), gpointer data);

/* Starts a TRACE action: numbers its trace nodes densely in row order (by
 * index or id) into gen->slots (created), then calls at(data, time, row,
 * leave) for every row's join and, when it has one, leave, in row order.
 * Returns the time of the last row's action. */
SimTime sim_action_gen_trace_start (SimActionGen *gen,
                                    void (*at) (gpointer data, SimTime t,
                                                guint32 row, gboolean leave),
                                    gpointer data);
/* The node slot (in gen->slots) of a TRACE action's row. */
guint32 *sim_action_gen_trace_node (SimActionGen *gen, guint32 row);

G_END_DECLS
