/* sim-net-params.h — the scenario parameters of the network models
 * (network, plane_size, ..., loss, jitter): their group for the parameter
 * registry (sim-param.h).
 *
 * They live in the driver because it is the lowest layer that sees both
 * the network models (sim/net) and the scenario language (sim/scenario),
 * which do not see each other.
 */
#pragma once

#include "sim-link.h"
#include "sim-net.h"
#include "sim-param.h"
#include "sim-scenario.h"

G_BEGIN_DECLS

/* The group "network"; its check requires the file of a file-based model
 * (network = matrix needs matrix_file, network = coords coords_file). */
extern const SimParamGroup sim_net_param_group;

/* The scenario's latency model, as its network parameters describe it
 * (with access delay, loss and jitter), for the simulator and the live
 * driver alike.  Returns NULL with error set when a model file cannot be
 * loaded (the loader's "path:line:col: what" message).  (transfer full) */
SimNet *sim_net_params_build (const SimScenario *sc, GError **error);

/* The access-link rates access_up and access_down in bits per second (0:
 * `off`, unlimited), parsed by sim_link_parse_rate().  Returns FALSE with
 * error "FILE:LINE:COL: 'access_up' must be greater than 0 ..." (the
 * position where the parameter was set) for a zero, negative or malformed
 * rate; the group's check calls it, so a scenario that parsed has valid
 * rates. */
gboolean sim_net_params_rates (const SimScenario *sc, guint64 *up_bps,
                               guint64 *down_bps, GError **error);

/* The access-link buffer access_buffer in bytes (0: `off`, unbounded),
 * parsed by sim_link_parse_buffer().  Returns FALSE with error
 * "FILE:LINE:COL: 'access_buffer' ..." for a zero, negative, too large or
 * malformed size, or for a buffer set while access_up and access_down are
 * both off (it would bound nothing); the group's check calls it. */
gboolean sim_net_params_buffer (const SimScenario *sc, guint64 *bytes,
                                GError **error);

G_END_DECLS
