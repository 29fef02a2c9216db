/* sim-net.h — network latency models for the engine.
 *
 * A SimNet places virtual nodes (indices 0..n-1, in the order they were
 * added) and answers the one-way latency between any two of them.  It knows
 * nothing about Pastry.
 *
 * Invariant: sim_net_latency() is a pure function of the model and the two
 * node indices.  It is symmetric, 0 when a == b (and otherwise only for
 * co-located nodes with a zero access delay), and never changes for a pair
 * once both nodes exist (adding nodes never moves old ones).  All
 * randomness (placement, jitter, loss) comes from a SimRng the caller passes
 * in; the model owns no RNG.
 *
 * Units and conventions (used everywhere below):
 *
 *  - Latencies are one-way delays in SimTime (µs).  Distances are converted
 *    with ceil(), so distinct positions are at least 1 µs apart and the
 *    triangle inequality of the geometric models survives the rounding.
 *  - Measured files hold RTTs; one-way = RTT / 2.  This includes the p2psim
 *    E2EGraph format: p2psim itself uses the King values as one-way delays,
 *    but King measured RTT, so the King-128 file (mean 78.8 ms as stored)
 *    gives a mean one-way delay of 39.4 ms here.  Coordinate files are
 *    already one-way (OverSim: 1 unit = 1 ms one-way), so the OverSim file's
 *    mean one-way delay is 78.8 ms — twice King's.  The two datasets are not
 *    on the same scale; compare results within one model only.
 *  - Every latency between two distinct nodes includes an access delay at
 *    both ends: latency = base(host_a, host_b) + 2 × access_delay.  Two nodes
 *    on the same host (or at the same position) are 2 × access_delay apart.
 *    The access delay defaults to 0 (measured values stay intact); set it
 *    when there are more nodes than hosts so co-located nodes are not 0 µs
 *    apart.
 *  - Base latencies are clamped to SIM_NET_MAX_LATENCY (one hour).
 *
 * Memory per node: Euclidean 8 bytes (two floats), sphere 12 bytes (a unit
 * vector as three floats), matrix and coordinate models 4 bytes (a host
 * index), constant 0 bytes — plus growth slack (up to 2×) unless
 * sim_net_reserve() was called.  Per host: a matrix model stores a dense
 * H × H guint32 table (4·H² bytes, 100 MB at H = 5000) and a 4-byte shuffle
 * deck; a coordinate model stores d floats and a deck entry (12 bytes at
 * d = 2).
 */
#pragma once

#include <glib.h>

#include "sim-rng.h"
#include "sim-time.h"

G_BEGIN_DECLS

#define SIM_NET_ERROR (sim_net_error_quark ())

/* Error codes of the file loaders.  Messages read "path:line:col: what";
 * line and column are 1-based and count bytes; they point at the offending
 * token, just past the last byte for errors found at end of file, or at 1:1
 * for whole-file errors (EMPTY).  IO errors, which have no position, read
 * "path:0:0: what". */
typedef enum
{
  SIM_NET_ERROR_IO,         /* the file cannot be opened or read */
  SIM_NET_ERROR_SYNTAX,     /* malformed token, line or element */
  SIM_NET_ERROR_RANGE,      /* NaN, inf, overflow, id out of range, ... */
  SIM_NET_ERROR_NOT_SQUARE, /* dense matrix rows and columns disagree */
  SIM_NET_ERROR_EMPTY,      /* no data, or every latency unknown */
  SIM_NET_ERROR_DUPLICATE,  /* a pair, node or header given twice */
  SIM_NET_ERROR_MISSING,    /* a required pair or element is absent */
} SimNetError;

/* Layouts and units of measured matrix files.  All hold RTTs.
 *
 * AUTO: a first significant line starting with "topology" means P2PSIM;
 * otherwise a file whose first data line has 3 fields is TRIPLES, except
 * that a 3 × 3 file whose three diagonal entries are 0 or negative is
 * DENSE; anything else is DENSE.  For DENSE and TRIPLES the unit is
 * guessed from the median of the known values: a median of 1000 or more
 * means µs, below 1000 means ms (a WAN median under 1 ms, or over 1 s, is
 * implausible).  Declare the format to override the guess. */
typedef enum
{
  SIM_NET_MATRIX_AUTO,
  /* p2psim E2EGraph: "topology E2EGraph N", optional "failure_model" and
   * "loss_rate" lines (ignored: set loss with sim_net_set_loss), optional
   * "node k" lines, then one "i,j rtt" line per unordered pair (1-based
   * ids, either order, N(N-1)/2 lines, all required).  ms. */
  SIM_NET_MATRIX_P2PSIM,
  /* N lines of N whitespace-separated RTTs; row i column j is the RTT
   * measured from i to j; the diagonal is 0 or negative.  µs (King style). */
  SIM_NET_MATRIX_DENSE,
  SIM_NET_MATRIX_DENSE_MS, /* as DENSE, values in ms */
  /* One "i j rtt" line per measured ordered pair.  Ids are 0-based if id 0
   * occurs anywhere, else 1-based; the host count is the largest id minus
   * the base plus one, and every id from the base to the largest must
   * occur in some line (MISSING otherwise: a host without a single line
   * has no measurement).  Pairs never given are unknown.  µs (Meridian). */
  SIM_NET_MATRIX_TRIPLES,
  SIM_NET_MATRIX_TRIPLES_MS, /* as TRIPLES, values in ms */
} SimNetMatrixFormat;

/* Largest host count of a matrix file (the table is 4·H² bytes: 1 GiB). */
#define SIM_NET_MATRIX_MAX_HOSTS 16384u
/* Largest host count of a coordinate file. */
#define SIM_NET_COORDS_MAX_HOSTS (1u << 24)
/* Largest dimension of a coordinate file. */
#define SIM_NET_COORDS_MAX_DIM 8u
/* Largest base one-way latency; longer ones are clamped to it. */
#define SIM_NET_MAX_LATENCY SIM_TIME_H
/* Largest number accepted as an RTT in a matrix file, in any unit. */
#define SIM_NET_MAX_RTT_VALUE 3.6e9

/* Default Euclidean plane: the Pastry paper's [0,1000]², with one unit =
 * 0.1 ms one-way.  Mean one-way latency is then 0.5214 × 1000 × 0.1 =
 * 52.1 ms (RTT 104 ms) and the longest (the diagonal) 141 ms: Internet-like,
 * between King-128 halved (39.4 ms) and OverSim (78.8 ms). */
#define SIM_NET_EUCLIDEAN_DEFAULT_SIDE 1000.0
#define SIM_NET_EUCLIDEAN_DEFAULT_MS_PER_UNIT 0.1

/* Default sphere radius (ms of one-way delay), the scenario default: the
 * mean one-way latency is (π/2) × 50 = 78.5 ms, close to the OverSim file's
 * 78.8 ms, and antipodes are 157 ms apart.  (An Earth-sized sphere in fibre
 * would be smaller: 20,000 km at 200 km/ms is 100 ms antipodal, radius
 * 31.8 ms — but real paths are longer than great circles.) */
#define SIM_NET_SPHERE_DEFAULT_RADIUS_MS 50.0

typedef struct _SimNet SimNet;

GQuark sim_net_error_quark (void);

/* Creates a model whose nodes are uniform in the square [0,side]²; the
 * one-way latency is the Euclidean distance times ms_per_unit.  side and
 * ms_per_unit must be positive and finite, and the diagonal's latency at most
 * SIM_NET_MAX_LATENCY.  Returns an owned model (free with sim_net_free()),
 * or NULL on a caller bug. */
SimNet *sim_net_new_euclidean (double side, double ms_per_unit);

/* Creates a model whose nodes are uniform on the surface of a sphere of
 * radius radius_ms; the one-way latency is the great-circle distance,
 * radius_ms × angle (in radians).  Antipodes are π × radius_ms apart, the
 * maximum; the mean over uniform pairs is (π/2) × radius_ms.  radius_ms must
 * be positive and finite, with π × radius_ms at most SIM_NET_MAX_LATENCY.
 * Returns an owned model, or NULL on a caller bug. */
SimNet *sim_net_new_sphere (double radius_ms);

/* Creates a model where any two distinct nodes are one_way apart (plus the
 * access delays).  one_way is clamped to SIM_NET_MAX_LATENCY.  Returns an
 * owned model. */
SimNet *sim_net_new_constant (SimTime one_way);

/* Loads a measured RTT matrix from path (see SimNetMatrixFormat).
 *
 * Symmetrisation: when both directions of a pair are known their mean is
 * used; when one is, that one.  A negative value means unknown.  A known RTT
 * of exactly 0 between distinct hosts becomes 1 unit of the file (as p2psim
 * does), so every base latency between distinct hosts is at least 1 µs.
 * One-way = ceil(RTT / 2) in µs.
 *
 * Unknown pairs are filled with the median of the known one-way latencies
 * (the upper middle element, p2psim's rule).  Filling with the shortest
 * two-hop path was rejected: it costs O(H) per missing pair (O(H³) worst
 * case), can itself be unknown, and hides the gap as a triangle-inequality
 * artefact.
 *
 * access_delay is the per-end access delay (see sim_net_set_access_delay).
 * Nodes are mapped onto hosts by sim_net_add_node().
 *
 * Returns an owned model, or NULL with error set in SIM_NET_ERROR (EMPTY if
 * the file has no data or every pair is unknown). */
SimNet *sim_net_new_matrix_file (const char *path, SimNetMatrixFormat fmt,
                                 SimTime access_delay, GError **error);

/* As sim_net_new_matrix_file(), but parses len bytes held in memory (any
 * bytes; need not be NUL-terminated).  display_name is the "path" of error
 * messages and of sim_net_describe()'s source.  Both are borrowed; data is
 * not kept after the call.  Used by tests and the fuzzing harnesses. */
SimNet *sim_net_new_matrix_data (const char *display_name, const char *data,
                                 gsize len, SimNetMatrixFormat fmt,
                                 SimTime access_delay, GError **error);

/* Loads an OverSim coordinate file (<nodelist dimensions="d"
 * rootnodes="r"> of <node isroot=".." ip=".."> elements, each holding d
 * <coord> elements).  Every node, landmark ("root") or not, becomes a host,
 * as in OverSim's SimpleUnderlay; the one-way latency between hosts is their
 * Euclidean distance in ms (1 unit = 1 ms one-way).  The access delay
 * starts at 0.  Returns an owned model, or NULL with error set in
 * SIM_NET_ERROR. */
SimNet *sim_net_new_coords_file (const char *path, GError **error);

/* As sim_net_new_coords_file(), for len bytes held in memory (see
 * sim_net_new_matrix_data()). */
SimNet *sim_net_new_coords_data (const char *display_name, const char *data,
                                 gsize len, GError **error);

/* Frees net and everything it owns.  NULL is allowed. */
void sim_net_free (SimNet *net);

/* Sets the per-end access delay added (twice) to every latency between
 * distinct nodes.  Affects all later queries. */
void sim_net_set_access_delay (SimNet *net, SimTime access_delay);

/* Returns the per-end access delay. */
SimTime sim_net_get_access_delay (const SimNet *net);

/* Sets the probability p in [0,1] that sim_net_delay_sample() reports a
 * message as lost.  0 (the default) disables loss and its RNG draw. */
void sim_net_set_loss (SimNet *net, double p);

/* Sets per-message jitter: sim_net_delay_sample() adds
 * floor(U × (frac × latency + max_extra)) with U uniform in [0,1), so a
 * message is never faster than the latency and on average
 * (frac × latency + max_extra) / 2 slower.  Jitter can reorder messages
 * between a pair, as on UDP.  frac must be finite and non-negative; frac = 0
 * and max_extra = 0 (the default) disable jitter and its RNG draw. */
void sim_net_set_jitter (SimNet *net, double frac, SimTime max_extra);

/* Grows the per-node arrays to hold n_nodes nodes, so that adding up to
 * that many costs no reallocation and no slack. */
void sim_net_reserve (SimNet *net, guint32 n_nodes);

/* Places a new node and returns its index (the previous node count).
 *
 * Euclidean: x then y, each side × sim_rng_double().  Sphere: z =
 * 2u − 1, longitude 2πv (two draws, uniform on the surface).  Matrix and
 * coordinates: hosts are dealt from a shuffled deck — node k takes the next
 * card of an incremental Fisher–Yates shuffle (one sim_rng_uniform_u64()
 * draw), and after H nodes the deck is reshuffled.  So the first H nodes get
 * distinct hosts, and with more nodes every host carries floor(n/H) or
 * ceil(n/H) of them.  Constant: no draw; rng may be NULL.
 *
 * rng is borrowed. */
guint32 sim_net_add_node (SimNet *net, SimRng *rng);

/* Places a new node on host (matrix and coordinate models only; host <
 * sim_net_host_count()) without touching the deck.  For tests and for
 * callers with their own placement.  Returns the node's index. */
guint32 sim_net_add_node_on_host (SimNet *net, guint32 host);

/* Returns the number of nodes added so far. */
guint32 sim_net_node_count (const SimNet *net);

/* Returns the number of hosts of a matrix or coordinate model, else 0. */
guint32 sim_net_host_count (const SimNet *net);

/* Returns the number of landmark (isroot="1") hosts of a coordinate model,
 * else 0. */
guint32 sim_net_root_count (const SimNet *net);

/* Returns the host of node (matrix and coordinate models only). */
guint32 sim_net_node_host (const SimNet *net, guint32 node);

/* Returns the base one-way latency between two hosts, without access
 * delays: 0 when ha == hb.  Matrix and coordinate models only.  O(1). */
SimTime sim_net_host_latency (const SimNet *net, guint32 ha, guint32 hb);

/* Returns the one-way latency between nodes a and b (both < node count):
 * 0 if a == b, else base + 2 × access delay.  Symmetric, deterministic,
 * O(1) (one table load, or a sqrt or atan2), no allocation. */
SimTime sim_net_latency (const SimNet *net, guint32 a, guint32 b);

/* A hint: node's position (or host) will be read soon. */
void sim_net_prefetch (const SimNet *net, guint32 node);

/* Returns the proximity metric Pastry should use between a and b.  It is
 * the latency: proximity measurements in Pastry are RTT probes, whose
 * ordering is the latency's. */
SimTime sim_net_proximity (const SimNet *net, guint32 a, guint32 b);

/* Returns the delay of one message from a to b: the latency plus jitter,
 * and sets *lost (which must not be NULL) to whether the message is lost.
 * A node's message to itself is never lost, has no jitter and draws
 * nothing.  Otherwise it draws one sim_rng_double() for loss if loss is
 * enabled, then one for jitter if jitter is enabled — the number of draws
 * depends on the settings only, never on the outcome.  rng is borrowed. */
SimTime sim_net_delay_sample (const SimNet *net, guint32 a, guint32 b,
                              SimRng *rng, gboolean *lost);

/* Returns a newly allocated one-line description of the model and its
 * parameters as space-separated key=value pairs (no commas, numbers
 * locale-independent), for CSV metadata.  Free with g_free(). */
char *sim_net_describe (const SimNet *net);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimNet, sim_net_free)

G_END_DECLS
