/* sim-pastry-params.h — Pastry's scenario parameters (b, leaf_size, ...,
 * repair, msg_*_bytes) and the one call that installs every parameter
 * group of pastrysim.
 */
#pragma once

#include "sim-param.h"

G_BEGIN_DECLS

/* The group "pastry"; its check: replicas <= leaf_size / 2 + 1. */
extern const SimParamGroup sim_pastry_param_group;

/* Installs (sim_scenario_install_params()) a registry with the groups of
 * pastrysim, in this order: the language's, the network models'
 * (sim-net-params.h) and Pastry's.  Every program that parses scenarios —
 * the CLI, the tests, the fuzz harness — calls it first; later calls do
 * nothing.  Thread-safe. */
void sim_pastry_params_install (void);

/* The scenario's maintenance_strategy as core's PastryMaintStrategy
 * (core/pastry-maint.h; a guint here, so that this header needs no core
 * include): the one reading shared by the simulator and live runs. */
guint sim_pastry_params_strategy (const SimScenario *sc);

G_END_DECLS
