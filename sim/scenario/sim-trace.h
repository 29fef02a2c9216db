/* sim-trace.h — churn traces: a loader for session lists replayed by a
 * scenario's `at T churn trace "FILE"` action.
 *
 * A trace is a text file of rows `NODE JOIN LEAVE`, one session per row:
 * the node NODE is up from JOIN to LEAVE.  The format is documented for
 * users in scenarios/README.md ("Churn traces").
 *
 * Invariants of a SimTrace returned by sim_trace_load() (it is immutable
 * afterwards):
 *   - it holds at least one row;
 *   - rows are sorted by join time; rows with equal join times keep file
 *     order (stable);
 *   - every row has join < leave, join < SIM_TIME_MAX, and leave ==
 *     SIM_TIME_MAX exactly when the file said `-` or `inf` (never leaves);
 *   - the sessions of one node (same index, or same id) are disjoint and
 *     separated by a positive down time: for two sessions of one node in
 *     join order, the later join is > the earlier leave.
 *
 * Times are SimTime (µs, see sim-time.h), relative to the time of the
 * action that replays the trace.  This module is part of the engine: it
 * knows nothing of Pastry; ids are 16 opaque bytes.
 */
#pragma once

#include <glib.h>

#include "sim-time.h"

G_BEGIN_DECLS

#define SIM_TRACE_ERROR (sim_trace_error_quark ())
GQuark sim_trace_error_quark (void);

/* Error codes in the SIM_TRACE_ERROR domain.  Messages read
 * "FILE:LINE:COL: what is wrong (near 'field')" with 1-based LINE and COL
 * (COL counts characters; fields are ASCII, comments may be any UTF-8), or
 * "FILE: ..." for IO errors.  An empty trace (no rows, only comments or
 * nothing) is an error: it is almost always the wrong file. */
typedef enum
{
  SIM_TRACE_ERROR_IO,         /* file could not be read */
  SIM_TRACE_ERROR_ENCODING,   /* NUL byte, non-ASCII byte, control char */
  SIM_TRACE_ERROR_TOO_LONG,   /* line or file over the limits */
  SIM_TRACE_ERROR_SYNTAX,     /* missing or extra field */
  SIM_TRACE_ERROR_BAD_NODE,   /* NODE neither an index nor a 32-hex id */
  SIM_TRACE_ERROR_BAD_NUMBER, /* JOIN/LEAVE not a number, NaN, infinite
                                 join */
  SIM_TRACE_ERROR_BAD_UNIT,   /* unknown time unit */
  SIM_TRACE_ERROR_RANGE,      /* negative time, overflow, leave <= join */
  SIM_TRACE_ERROR_OVERLAP,    /* two sessions of one node overlap or touch */
  SIM_TRACE_ERROR_EMPTY,      /* no rows at all */
} SimTraceError;

/* Limits of the format. */
#define SIM_TRACE_MAX_LINE 4096           /* bytes per line */
#define SIM_TRACE_MAX_FILE (1024u << 20)  /* bytes per file */

/* One session.  Exactly one of index (has_id FALSE) and id (has_id TRUE)
 * names the node; the other is zero.  An index is a trace-local name: rows
 * with the same index are the same node.  An id is the node's 128-bit
 * identifier, most significant byte first (as written in the file). */
typedef struct
{
  gboolean has_id;
  guint64 index;
  guint8 id[16];
  SimTime join;  /* µs after the replaying action's time */
  SimTime leave; /* µs after the action's time; SIM_TIME_MAX = never */
  guint line;    /* 1-based line of the row in the file, for messages */
} SimTraceRow;

typedef struct _SimTrace SimTrace;

/* Reads and validates the trace at @path.
 * @path: the file; also the FILE of error messages.  Borrowed.
 * @error: return location for a SIM_TRACE_ERROR, or NULL.
 * Returns: (transfer full) (nullable): the trace, or NULL with @error set.
 * Cost: O(R log R) time and 56 bytes per row for R rows (plus 64 per row
 * while loading); the file is read in chunks, never whole. */
SimTrace *sim_trace_load (const char *path, GError **error);

/* Parses trace text held in memory (need not be NUL-terminated).
 * @display_name: the FILE of error messages.  Borrowed, like @text.
 * Returns: (transfer full) (nullable): as sim_trace_load(). */
SimTrace *sim_trace_parse (const char *display_name,
                           const char *text,
                           gsize len,
                           GError **error);

/* Frees @t.  NULL is allowed. */
void sim_trace_free (SimTrace *t);

/* Returns: the number of rows (>= 1). */
guint sim_trace_n_rows (const SimTrace *t);

/* Returns: (transfer none): row @i (< n_rows), in join order; valid as
 * long as @t. */
const SimTraceRow *sim_trace_row (const SimTrace *t, guint i);

/* Returns: (transfer none): the path or display name given at load time. */
const char *sim_trace_path (const SimTrace *t);

/* Returns: the number of distinct nodes (indices plus ids) in @t. */
guint sim_trace_n_nodes (const SimTrace *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimTrace, sim_trace_free)

G_END_DECLS
