/* seed-json.h — a small JSON reader for one line of JSON Lines, keeping the
 * column of every value so that callers can report `FILE:LINE:COL`.
 *
 * Why not json-glib: its nodes carry no positions, so "missing field",
 * "wrong type" and "bad hex digit" errors could not name the column, and
 * it would be one more package for every build machine.  The vectors use a
 * handful of JSON features; this reader implements all of RFC 8259 (with
 * a nesting limit) in about 350 lines.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deeper nesting is an error (the vectors nest 4 deep). */
#define SEED_JSON_MAX_DEPTH 64

typedef enum
{
  SEED_JSON_NULL,
  SEED_JSON_BOOL,
  SEED_JSON_NUMBER,
  SEED_JSON_STRING,
  SEED_JSON_ARRAY,
  SEED_JSON_OBJECT,
} SeedJsonKind;

typedef struct _SeedJson SeedJson;

struct _SeedJson
{
  SeedJsonKind kind;
  guint col;         /* 1-based byte column of the value's first byte */
  gboolean boolean;  /* BOOL */
  gboolean is_int;   /* NUMBER: integer syntax that fits a gint64 */
  gint64 integer;    /* NUMBER when is_int */
  char *str;         /* STRING: decoded text; NUMBER: its source text */
  gsize str_len;     /* STRING: bytes in str (it may hold NUL) */
  gboolean escaped;  /* STRING: had escapes, so str[i] is not at col+1+i */
  GPtrArray *items;  /* ARRAY: SeedJson*; OBJECT: the member values */
  GPtrArray *keys;   /* OBJECT: SeedJson* (STRING) member names */
};

/* Parses one JSON value filling text[0..len) (blanks around it allowed).
 * Returns: (transfer full) (nullable): the value, free with
 * seed_json_free(); NULL on a syntax error, with *err_col set to the
 * 1-based column at fault and error (SEED_JSON_ERROR_SYNTAX) saying what is
 * wrong, without a position (the caller prefixes FILE:LINE:COL). */
SeedJson *seed_json_parse (const char *text, gsize len, guint *err_col,
                           GError **error);

void seed_json_free (SeedJson *value);

/* The value of object member name, or NULL when absent (or obj is not an
 * object).  Borrowed. */
const SeedJson *seed_json_member (const SeedJson *obj, const char *name);

/* "null", "boolean", "number", "string", "array" or "object". */
const char *seed_json_kind_name (SeedJsonKind kind);

#define SEED_JSON_ERROR (seed_json_error_quark ())

typedef enum
{
  SEED_JSON_ERROR_SYNTAX,
} SeedJsonError;

GQuark seed_json_error_quark (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeedJson, seed_json_free)

G_END_DECLS
