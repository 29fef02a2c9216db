/* sim-live-schedule.h — a scenario's actions at the live loop's times,
 * drawn by the driver's generators (sim/driver/sim-workload.h, as
 * sim/driver/sim-driver.c draws them), acting on the nodes of a
 * SimLiveHost.
 *
 * Every action of the scenario language works, as `run` carries it out,
 * but for `build` (ideal state from global knowledge, which live nodes
 * do not have: sim_live_schedule_check() refuses it at its line):
 * joins (at once, over a span, sequential), lookups (count, over a span,
 * Poisson rate, per node with a rate or an `every` distribution; keys
 * node, random or Zipf), fail and leave (count, percentage, id range,
 * indices; at once or over a span), rejoin (count or all; same or new
 * id), churn (sessions and down times from their distributions; a
 * population) and trace replay.  The draws follow the driver's streams
 * (per action: times, sources, keys, victims, sessions; ids; positions;
 * per-node lookups keyed by (node, incarnation, action, instant)), so a
 * live run of a scenario sees the ids, positions and workload of `run`
 * wherever they do not depend on which joins completed when.
 *
 * Differences from `run`, by name: the victims of `range` are a run of
 * the hosted live nodes in id order (the process knows no others); a
 * node's session starts when its join starts, as in `run`, and a per-node
 * lookup due while it joins is issued when it becomes live (or fails if
 * it goes down first), as in `run`.
 *
 * Invariant: the schedule has work left (sim_live_schedule_done() FALSE)
 * while an action has events still to come: a sequential join waits for
 * the previous one, churn and per-node workloads last their interval, a
 * trace until its last row.
 */
#pragma once

#include "sim-live-host.h"
#include "sim-scenario.h"

G_BEGIN_DECLS

typedef struct _SimLiveSchedule SimLiveSchedule;

/* FALSE, with a SIM_SCENARIO_ERROR "FILE:LINE:COL: live: ..." message,
 * when sc has an action live runs cannot carry out (`build`). */
gboolean sim_live_schedule_check (const SimScenario *sc, GError **error);

/* Nodes the scenario creates that are known before the run (joins, churn
 * populations, trace nodes); rejoins and churn with `id new` add more as
 * they happen. */
guint64 sim_live_schedule_nodes_hint (const SimScenario *sc);

/* Arms every action of sc (borrowed, checked) on loop for host h (both
 * borrowed; the schedule sets h's hooks), with the scenario's seed.
 * (transfer full) */
SimLiveSchedule *sim_live_schedule_new (const SimScenario *sc, SimLiveHost *h,
                                        SimLiveLoop *loop);
void sim_live_schedule_free (SimLiveSchedule *s);

/* TRUE once every action has done all it will do. */
gboolean sim_live_schedule_done (const SimLiveSchedule *s);
/* The latest time an action is known to act (a sequential join may act
 * later). */
SimTime sim_live_schedule_end_hint (const SimLiveSchedule *s);
/* A node's socket could not be opened: the loop was stopped and *error
 * (when not NULL) set.  NULL: no failure. (transfer none) */
const GError *sim_live_schedule_error (const SimLiveSchedule *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimLiveSchedule, sim_live_schedule_free)

G_END_DECLS
