/* sim-net-params.h — the scenario parameters of the network models
 * (network, plane_size, ..., loss, jitter): their group for the parameter
 * registry (sim-param.h).
 *
 * They live in the driver because it is the lowest layer that sees both
 * the network models (sim/net) and the scenario language (sim/scenario),
 * which do not see each other.
 */
#pragma once

#include "sim-param.h"

G_BEGIN_DECLS

/* The group "network"; its check requires the file of a file-based model
 * (network = matrix needs matrix_file, network = coords coords_file). */
extern const SimParamGroup sim_net_param_group;

G_END_DECLS
