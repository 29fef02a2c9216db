/* fuzz-targets.h — the fuzz targets of the engine's input parsers and of
 * core's datagram decoder.
 *
 * Each target takes arbitrary bytes, feeds them to one parsing entry point
 * and checks what comes back: on success, the invariants the module's
 * header promises (and a round trip where there is a writer); on failure,
 * a well-formed error ("FILE:LINE:COL: ..." inside the input).  A broken
 * invariant calls fuzz_fail(), which aborts, so libFuzzer and the replay
 * program both see a crash.  Everything allocated is freed before a target
 * returns (LeakSanitizer is on while fuzzing).
 *
 * The same functions back the libFuzzer executables (fuzz-libfuzzer.c,
 * -Dfuzzing=true) and the corpus replay test of every build
 * (fuzz-replay.c), so a crasher added to sim/fuzz/corpus/TARGET/ stays
 * fixed.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One target: its name is also its corpus directory. */
typedef struct
{
  const char *name;
  void (*run) (const guint8 *data, gsize size);
} FuzzTarget;

/* sim_scenario_parse() on the bytes, no overrides. */
void fuzz_scenario_one (const guint8 *data, gsize size);
/* As fuzz_scenario_one(), but the bytes up to the first NUL are the text
 * and each further NUL-separated piece (at most FUZZ_MAX_OVERRIDES, the
 * last one taking the rest) is one --set override. */
void fuzz_scenario_set_one (const guint8 *data, gsize size);
/* sim_trace_parse() on the bytes. */
void fuzz_trace_one (const guint8 *data, gsize size);
/* sim_net_new_matrix_data() on the bytes: AUTO, then one declared format
 * chosen by the input length. */
void fuzz_net_matrix_one (const guint8 *data, gsize size);
/* sim_net_new_coords_data() on the bytes. */
void fuzz_net_coords_one (const guint8 *data, gsize size);
/* pastry_wire_decode() on the bytes as one datagram, for b = 4, 1 and 8:
 * a decoded frame keeps the header's promises and re-encodes to the same
 * bytes; an error reads "byte N: ..." with N inside the datagram, and no
 * peer was interned. */
void fuzz_wire_one (const guint8 *data, gsize size);

/* Writes one valid datagram per message type and address family into the
 * existing directory dir (seed-TYPE-ipv4, seed-TYPE-ipv6), each checked
 * to decode and run through fuzz_wire_one().  Returns how many. */
guint fuzz_wire_write_seeds (const char *dir);

#define FUZZ_MAX_OVERRIDES 4

/* The targets, NULL-terminated. */
extern const FuzzTarget fuzz_targets[];

/* Returns: the target called @name, or NULL. */
const FuzzTarget *fuzz_target_find (const char *name);

/* Sets up what the targets share, once per process: makes GLib warnings
 * and criticals fatal (they mean a caller bug inside the engine), and
 * creates the base directory for scenario paths, holding a valid churn
 * trace "trace.txt" and an invalid one "bad.txt" (removed at exit). */
void fuzz_init (void);

/* Returns: TRUE when the environment variable FUZZ_VERBOSE is set: the
 * targets then print each outcome ("ok" or the error message) to stderr,
 * which helps when reading a corpus or a crasher. */
gboolean fuzz_verbose (void);

/* Prints "ok" or @error's message when fuzz_verbose(). */
void fuzz_report (const char *target, const GError *error);

/* Returns: (transfer none): the absolute base directory of fuzz_init(). */
const char *fuzz_base_dir (void);

/* Reports a broken invariant and aborts. */
void fuzz_fail (const char *where, const char *fmt, ...) G_GNUC_NORETURN
    G_GNUC_PRINTF (2, 3);

#define FUZZ_CHECK(cond)                                                     \
  do                                                                         \
    {                                                                        \
      if (G_UNLIKELY (!(cond)))                                              \
        fuzz_fail (G_STRLOC, "%s", #cond);                                   \
    }                                                                        \
  while (0)

/* Checks an error message of the form "PREFIX:LINE:COL: text" against the
 * input it is about: LINE and COL are >= 1, LINE is at most the number of
 * lines of @text (newlines + 1) and COL at most the length of that line in
 * bytes + 1.  @prefix is the display name; @text may be NULL to check only
 * the shape.  Aborts through fuzz_fail() if the message is malformed. */
void fuzz_check_position (const char *message,
                          const char *prefix,
                          const char *text,
                          gsize len);

G_END_DECLS
