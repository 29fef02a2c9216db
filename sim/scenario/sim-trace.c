/* sim-trace.c — loader of churn traces (see sim-trace.h; the format is
 * documented in scenarios/README.md, "Churn traces").
 *
 * Invariant: a SimTrace exists only after every row passed its checks and
 * the whole file passed the cross-row checks (at least one row, sessions
 * of one node disjoint); rows are then sorted by (join, line), which is
 * the stable order by join time.
 *
 * The file is read in chunks and parsed line by line, so memory is the
 * rows (56 bytes each) plus, while loading, one 64-byte sort record per
 * row for the overlap check: O(R log R) time, O(R) memory.  Rejected: a
 * hash table from node to its last session (would need the rows sorted by
 * join first anyway, and costs more memory per node than the sort).
 *
 * Times are converted to µs with exact decimal arithmetic, like scenario
 * times: `0.1` is exactly 100000 µs.
 */
#include "sim-trace.h"
#include "sim-decimal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (sim-trace-error-quark, sim_trace_error)

struct _SimTrace
{
  char *path;
  SimTraceRow *rows; /* n_rows, owned */
  guint n_rows;
  guint n_nodes;
};

/* A row while loading, with what error messages need. */
typedef struct
{
  SimTraceRow row;
  guint node_col, join_col;
} Loaded;

typedef struct
{
  const char *file;
  GArray *rows; /* Loaded */
  guint line;   /* lines fed so far */
} Loader;

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */

static gboolean G_GNUC_PRINTF (6, 7)
fail (GError **error, SimTraceError code, const char *file, guint line,
      guint col, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, SIM_TRACE_ERROR, (gint) code, "%s:%u:%u: %s", file,
               line, col, msg);
  return FALSE;
}

/* A field of a row: [start, start + len) of the line, at column col. */
typedef struct
{
  const char *start;
  gsize len;
  guint col;
} Field;

/* Fails at @f with "... (near 'field')"; the field is ASCII (checked). */
#define fail_field(error, code, L, f, fmt, ...)                              \
  fail ((error), (code), (L)->file, (L)->line, (f)->col,                     \
        fmt " (near '%.*s')", __VA_ARGS__, (int) MIN ((f)->len, 40),         \
        (f)->start)

/* ---------------------------------------------------------------------- */
/* Fields                                                                 */

static gboolean
field_is (const Field *f, const char *word)
{
  return f->len == strlen (word)
         && g_ascii_strncasecmp (f->start, word, f->len) == 0;
}

static gboolean
all_of (const Field *f, gboolean (*pred) (gchar))
{
  for (gsize i = 0; i < f->len; i++)
    if (!pred (f->start[i]))
      return FALSE;
  return f->len > 0;
}

static gboolean
is_digit (gchar c)
{
  return g_ascii_isdigit (c);
}

static gboolean
is_xdigit (gchar c)
{
  return g_ascii_isxdigit (c);
}

/* NODE: a decimal index, or exactly 32 hex digits (an id). */
static gboolean
parse_node (Loader *L, const Field *f, SimTraceRow *row, GError **error)
{
  if (f->len == 32 && all_of (f, is_xdigit))
    {
      row->has_id = TRUE;
      for (guint i = 0; i < 16; i++)
        row->id[i] = (guint8) (g_ascii_xdigit_value (f->start[2 * i]) << 4
                               | g_ascii_xdigit_value (f->start[2 * i + 1]));
      return TRUE;
    }
  if (all_of (f, is_digit))
    {
      guint64 v = 0;
      for (gsize i = 0; i < f->len; i++)
        {
          guint d = (guint) (f->start[i] - '0');
          if (v > (G_MAXUINT64 - d) / 10)
            return fail_field (error, SIM_TRACE_ERROR_RANGE, L, f,
                               "node index too large (at most %"
                               G_GUINT64_FORMAT ")",
                               G_MAXUINT64);
          v = v * 10 + d;
        }
      row->index = v;
      return TRUE;
    }
  if (f->len > 1 && f->start[0] == '-')
    {
      Field rest = { f->start + 1, f->len - 1, f->col + 1 };
      if (all_of (&rest, is_digit))
        return fail_field (error, SIM_TRACE_ERROR_RANGE, L, f,
                           "%s", "a node index cannot be negative");
    }
  if (all_of (f, is_xdigit))
    return fail_field (error, SIM_TRACE_ERROR_BAD_NODE, L, f,
                       "a node id has exactly 32 hex digits, not %u",
                       (guint) f->len);
  return fail_field (error, SIM_TRACE_ERROR_BAD_NODE, L, f, "%s",
                     "expected a node index or a 32-hex-digit node id");
}

/* Time units: m × 10^e µs (m <= 864 keeps the rounding below overflow). */
static const struct
{
  const char *name;
  guint64 m;
  guint e;
} units[] = {
  { "us", 1, 0 }, { "ms", 1, 3 },  { "s", 1, 6 },
  { "min", 6, 7 }, { "h", 36, 8 }, { "d", 864, 8 },
};


/* JOIN or LEAVE: [+]digits[.digits][e[+-]digits][unit], seconds without a
 * unit; LEAVE may also be `-` or `inf` (never). */
static gboolean
parse_time (Loader *L, const Field *f, gboolean is_leave, SimTime *out,
            GError **error)
{
  const char *what = is_leave ? "leave time" : "join time";
  const char *p = f->start, *end = f->start + f->len;
  g_autoptr (GString) int_digits = g_string_new (NULL);
  g_autoptr (GString) frac_digits = g_string_new (NULL);
  g_autoptr (GString) all = g_string_new (NULL);
  g_autofree char *unit = NULL;
  long exp10 = 0;
  gsize u;
  long point;

  if (is_leave && (field_is (f, "-") || field_is (f, "inf")
                   || field_is (f, "infinity")))
    {
      *out = SIM_TIME_MAX;
      return TRUE;
    }
  if (field_is (f, "nan") || field_is (f, "+nan") || field_is (f, "-nan"))
    return fail_field (error, SIM_TRACE_ERROR_BAD_NUMBER, L, f,
                       "the %s is not a number", what);
  if (field_is (f, "inf") || field_is (f, "+inf")
      || field_is (f, "infinity") || field_is (f, "-inf")
      || field_is (f, "-infinity"))
    return fail_field (error, SIM_TRACE_ERROR_BAD_NUMBER, L, f,
                       "the %s must be finite%s", what,
                       is_leave ? "" : " (only a leave time may be inf)");
  if (*p == '-')
    {
      if (f->len > 1 && (g_ascii_isdigit (p[1]) || p[1] == '.'))
        return fail_field (error, SIM_TRACE_ERROR_RANGE, L, f,
                           "the %s cannot be negative", what);
      return fail_field (error, SIM_TRACE_ERROR_BAD_NUMBER, L, f,
                         "expected a %s%s", what,
                         is_leave ? ", '-' or 'inf'" : "");
    }
  if (*p == '+')
    p++;
  while (p < end && g_ascii_isdigit (*p))
    g_string_append_c (int_digits, *p++);
  if (p < end && *p == '.')
    {
      p++;
      while (p < end && g_ascii_isdigit (*p))
        g_string_append_c (frac_digits, *p++);
    }
  if (int_digits->len == 0 && frac_digits->len == 0)
    return fail_field (error, SIM_TRACE_ERROR_BAD_NUMBER, L, f,
                       "expected a %s in seconds (e.g. 12.5 or 90s)%s", what,
                       is_leave ? ", '-' or 'inf'" : "");
  if (p < end && (*p == 'e' || *p == 'E')
      && ((p + 1 < end && g_ascii_isdigit (p[1]))
          || (p + 2 < end && (p[1] == '+' || p[1] == '-')
              && g_ascii_isdigit (p[2]))))
    {
      gboolean neg = FALSE;
      p++;
      if (*p == '+' || *p == '-')
        neg = *p++ == '-';
      while (p < end && g_ascii_isdigit (*p))
        {
          if (exp10 < 100000)
            exp10 = exp10 * 10 + (*p - '0');
          p++;
        }
      if (neg)
        exp10 = -exp10;
    }
  unit = g_strndup (p, (gsize) (end - p));
  for (u = 0; u < G_N_ELEMENTS (units); u++)
    if (strcmp (units[u].name, *unit == '\0' ? "s" : unit) == 0)
      break;
  if (u == G_N_ELEMENTS (units))
    {
      if (g_ascii_isdigit (*p) || *p == '.' || *p == '+' || *p == '-')
        return fail_field (error, SIM_TRACE_ERROR_BAD_NUMBER, L, f,
                           "malformed %s", what);
      return fail_field (error, SIM_TRACE_ERROR_BAD_UNIT, L, f,
                         "unknown time unit '%s' (use us, ms, s, min, h or "
                         "d; no unit means seconds)",
                         unit);
    }

  /* Move the decimal point by the exponent: digits `all`, point after
   * `point` of them. */
  g_string_append (all, int_digits->str);
  g_string_append (all, frac_digits->str);
  point = (long) int_digits->len + exp10;
  {
    gsize lead = 0;
    while (lead < all->len && all->str[lead] == '0')
      lead++;
    if (lead == all->len)
      {
        *out = 0;
        goto check;
      }
    /* Any digit more than 40 places left of the point is beyond 2^64. */
    if (point - (long) lead > 40)
      goto too_large;
    if (point < -40)
      {
        *out = 0; /* far below a microsecond */
        goto check;
      }
  }
  g_string_truncate (int_digits, 0);
  g_string_truncate (frac_digits, 0);
  if (point <= 0)
    {
      for (long k = 0; k < -point; k++)
        g_string_append_c (frac_digits, '0');
      g_string_append (frac_digits, all->str);
    }
  else if ((gsize) point >= all->len)
    {
      g_string_append (int_digits, all->str);
      for (gsize k = all->len; k < (gsize) point; k++)
        g_string_append_c (int_digits, '0');
    }
  else
    {
      g_string_append_len (int_digits, all->str, point);
      g_string_append (frac_digits, all->str + point);
    }
  if (!sim_decimal_scale (int_digits->str, frac_digits->str, units[u].m,
                          units[u].e, out, NULL))
    goto too_large;

check:
  if (*out == SIM_TIME_MAX)
    goto too_large;
  return TRUE;

too_large:
  return fail_field (error, SIM_TRACE_ERROR_RANGE, L, f,
                     "the %s is too large (at most %" G_GUINT64_FORMAT "us)",
                     what, SIM_TIME_MAX - 1);
}

/* ---------------------------------------------------------------------- */
/* Lines                                                                  */

/* Parses one line (without '\n'). */
static gboolean
feed_line (Loader *L, const char *s, gsize len, GError **error)
{
  const char *bad = NULL;
  Field fields[4];
  guint n = 0;
  guint col = 1;
  Loaded r = { 0 };

  L->line++;
  if (len > SIM_TRACE_MAX_LINE)
    return fail (error, SIM_TRACE_ERROR_TOO_LONG, L->file, L->line, 1,
                 "line longer than %d bytes", SIM_TRACE_MAX_LINE);
  if (len > 0 && s[len - 1] == '\r')
    len--;
  if (!g_utf8_validate_len (s, len, &bad))
    return fail (error, SIM_TRACE_ERROR_ENCODING, L->file, L->line,
                 (guint) g_utf8_strlen (s, bad - s) + 1,
                 *bad == '\0' ? "NUL byte in text"
                              : "invalid UTF-8 (traces are text files)");
  for (gsize i = 0; i < len; i++)
    if (((guchar) s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
      return fail (error, SIM_TRACE_ERROR_ENCODING, L->file, L->line,
                   (guint) g_utf8_strlen (s, (gssize) i) + 1,
                   "control character U+%04X in text", (guint) s[i]);

  /* Fields, up to a '#' comment.  Columns count characters; only ASCII
   * can come before a field that is kept, so byte offsets are columns
   * until the first non-ASCII character, which ends parsing with an
   * error anyway. */
  for (gsize i = 0; i < len && s[i] != '#';)
    {
      if (s[i] == ' ' || s[i] == '\t')
        {
          i++;
          col++;
          continue;
        }
      {
        gsize start = i;
        while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '#')
          i++;
        if (n == 4)
          break;
        fields[n].start = s + start;
        fields[n].len = i - start;
        fields[n].col = col;
        n++;
        col += (guint) g_utf8_strlen (s + start, (gssize) (i - start));
      }
    }
  if (n == 0)
    return TRUE;
  for (guint k = 0; k < n; k++)
    for (gsize b = 0; b < fields[k].len; b++)
      if ((guchar) fields[k].start[b] >= 0x80)
        {
          Field at = fields[k];
          at.col += (guint) g_utf8_strlen (at.start, (gssize) b);
          at.start += b;
          at.len = (gsize) (g_utf8_next_char (at.start) - at.start);
          return fail_field (error,
                             k == 0 ? SIM_TRACE_ERROR_BAD_NODE
                                    : SIM_TRACE_ERROR_BAD_NUMBER,
                             L, &at, "%s",
                             "unexpected non-ASCII character");
        }
  if (n < 3)
    {
      static const char *const missing[] = { "", "JOIN and LEAVE", "LEAVE" };
      const Field *last = &fields[n - 1];
      return fail (error, SIM_TRACE_ERROR_SYNTAX, L->file, L->line,
                   last->col + (guint) last->len,
                   "missing %s (rows are NODE JOIN LEAVE)", missing[n]);
    }
  if (n > 3)
    return fail_field (error, SIM_TRACE_ERROR_SYNTAX, L, &fields[3], "%s",
                       "unexpected field after LEAVE (rows are NODE JOIN "
                       "LEAVE; comments start with '#')");

  if (!parse_node (L, &fields[0], &r.row, error)
      || !parse_time (L, &fields[1], FALSE, &r.row.join, error)
      || !parse_time (L, &fields[2], TRUE, &r.row.leave, error))
    return FALSE;
  if (r.row.leave <= r.row.join)
    return fail_field (error, SIM_TRACE_ERROR_RANGE, L, &fields[2], "%s",
                       "the leave time must be after the join time");
  r.row.line = L->line;
  r.node_col = fields[0].col;
  r.join_col = fields[1].col;
  g_array_append_val (L->rows, r);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Whole traces                                                           */

static int
cmp_node_join (const void *pa, const void *pb)
{
  const Loaded *a = pa, *b = pb;
  int c;
  if (a->row.has_id != b->row.has_id)
    return a->row.has_id ? 1 : -1;
  if (a->row.has_id)
    c = memcmp (a->row.id, b->row.id, 16);
  else
    c = a->row.index < b->row.index ? -1 : a->row.index > b->row.index;
  if (c != 0)
    return c;
  if (a->row.join != b->row.join)
    return a->row.join < b->row.join ? -1 : 1;
  return a->row.line < b->row.line ? -1 : a->row.line > b->row.line;
}

static int
cmp_join (const void *pa, const void *pb)
{
  const SimTraceRow *a = pa, *b = pb;
  if (a->join != b->join)
    return a->join < b->join ? -1 : 1;
  return a->line < b->line ? -1 : a->line > b->line;
}

static gboolean
same_node (const SimTraceRow *a, const SimTraceRow *b)
{
  return a->has_id == b->has_id
         && (a->has_id ? memcmp (a->id, b->id, 16) == 0
                       : a->index == b->index);
}

static void
append_node (GString *s, const SimTraceRow *r)
{
  if (r->has_id)
    for (guint i = 0; i < 16; i++)
      g_string_append_printf (s, "%02x", r->id[i]);
  else
    g_string_append_printf (s, "%" G_GUINT64_FORMAT, r->index);
}

/* Checks the rows together and builds the trace.  @eof_line is the line
 * an error about the whole file points at. */
static SimTrace *
finish (Loader *L, guint eof_line, GError **error)
{
  Loaded *rows = (Loaded *) (void *) L->rows->data;
  guint n = L->rows->len;
  const Loaded *worst = NULL, *worst_prev = NULL;
  guint n_nodes = 0;
  SimTrace *t;

  if (n == 0)
    {
      fail (error, SIM_TRACE_ERROR_EMPTY, L->file, MAX (eof_line, 1), 1,
            "no sessions in the trace (rows are NODE JOIN LEAVE)");
      return NULL;
    }

  /* Overlaps: sort by (node, join, line); report the offending row that
   * comes first in the file. */
  qsort (rows, n, sizeof *rows, cmp_node_join);
  for (guint i = 0; i < n; i++)
    {
      if (i == 0 || !same_node (&rows[i].row, &rows[i - 1].row))
        {
          n_nodes++;
          continue;
        }
      if (rows[i].row.join <= rows[i - 1].row.leave
          && (worst == NULL || rows[i].row.line < worst->row.line))
        {
          worst = &rows[i];
          worst_prev = &rows[i - 1];
        }
    }
  if (worst != NULL)
    {
      g_autoptr (GString) node = g_string_new (NULL);
      append_node (node, &worst->row);
      fail (error, SIM_TRACE_ERROR_OVERLAP, L->file, worst->row.line,
            worst->join_col,
            "node %s joins again before its session of line %u has ended "
            "(a node's sessions must not overlap or touch)",
            node->str, worst_prev->row.line);
      return NULL;
    }

  t = g_new0 (SimTrace, 1);
  t->n_rows = n;
  t->n_nodes = n_nodes;
  t->rows = g_new (SimTraceRow, n);
  for (guint i = 0; i < n; i++)
    t->rows[i] = rows[i].row;
  qsort (t->rows, n, sizeof *t->rows, cmp_join);
  return t;
}

SimTrace *
sim_trace_parse (const char *display_name, const char *text, gsize len,
                 GError **error)
{
  Loader L = { display_name, NULL, 0 };
  gsize pos = 0;
  SimTrace *t = NULL;

  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  L.rows = g_array_new (FALSE, FALSE, sizeof (Loaded));
  while (pos < len)
    {
      const char *start = text + pos;
      const char *nl = memchr (start, '\n', len - pos);
      gsize n = nl != NULL ? (gsize) (nl - start) : len - pos;
      pos += n + (nl != NULL ? 1 : 0);
      if (!feed_line (&L, start, n, error))
        goto out;
    }
  t = finish (&L, len > 0 && text[len - 1] == '\n' ? L.line + 1 : L.line,
              error);
  if (t != NULL)
    t->path = g_strdup (display_name);

out:
  g_array_unref (L.rows);
  return t;
}

SimTrace *
sim_trace_load (const char *path, GError **error)
{
  Loader L = { path, NULL, 0 };
  g_autoptr (GString) line = g_string_new (NULL);
  char chunk[1 << 16];
  gsize total = 0, n;
  char last = '\n';
  SimTrace *t = NULL;
  FILE *f;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  f = fopen (path, "rb");
  if (f == NULL)
    {
      int e = errno;
      g_set_error (error, SIM_TRACE_ERROR, SIM_TRACE_ERROR_IO,
                   "%s: cannot open: %s", path, g_strerror (e));
      return NULL;
    }
  L.rows = g_array_new (FALSE, FALSE, sizeof (Loaded));
  while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
    {
      const char *p = chunk, *end = chunk + n;
      total += n;
      last = end[-1];
      if (total > SIM_TRACE_MAX_FILE)
        {
          fail (error, SIM_TRACE_ERROR_TOO_LONG, path, L.line + 1, 1,
                "file larger than %u bytes", SIM_TRACE_MAX_FILE);
          goto out;
        }
      while (p < end)
        {
          const char *nl = memchr (p, '\n', (gsize) (end - p));
          gsize seg = nl != NULL ? (gsize) (nl - p) : (gsize) (end - p);
          /* Keep at most one byte over the limit: enough to report it. */
          gsize room = SIM_TRACE_MAX_LINE + 1 - MIN (line->len,
                                                     SIM_TRACE_MAX_LINE + 1);
          g_string_append_len (line, p, (gssize) MIN (seg, room));
          if (nl == NULL)
            {
              if (line->len > SIM_TRACE_MAX_LINE)
                {
                  fail (error, SIM_TRACE_ERROR_TOO_LONG, path, L.line + 1, 1,
                        "line longer than %d bytes", SIM_TRACE_MAX_LINE);
                  goto out;
                }
              break;
            }
          if (!feed_line (&L, line->str, line->len, error))
            goto out;
          g_string_truncate (line, 0);
          p = nl + 1;
        }
    }
  if (ferror (f))
    {
      int e = errno;
      g_set_error (error, SIM_TRACE_ERROR, SIM_TRACE_ERROR_IO,
                   "%s: cannot read: %s", path, g_strerror (e));
      goto out;
    }
  if (line->len > 0 && !feed_line (&L, line->str, line->len, error))
    goto out;
  t = finish (&L, last == '\n' ? L.line + 1 : L.line, error);
  if (t != NULL)
    t->path = g_strdup (path);

out:
  fclose (f);
  g_array_unref (L.rows);
  return t;
}

void
sim_trace_free (SimTrace *t)
{
  if (t == NULL)
    return;
  g_free (t->rows);
  g_free (t->path);
  g_free (t);
}

guint
sim_trace_n_rows (const SimTrace *t)
{
  g_return_val_if_fail (t != NULL, 0);
  return t->n_rows;
}

const SimTraceRow *
sim_trace_row (const SimTrace *t, guint i)
{
  g_return_val_if_fail (t != NULL, NULL);
  g_return_val_if_fail (i < t->n_rows, NULL);
  return &t->rows[i];
}

const char *
sim_trace_path (const SimTrace *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  return t->path;
}

guint
sim_trace_n_nodes (const SimTrace *t)
{
  g_return_val_if_fail (t != NULL, 0);
  return t->n_nodes;
}
