/* sim-net-matrix.c — loading measured RTT matrices (p2psim, dense,
 * triples) into a dense one-way latency table.
 *
 * Invariant: while parsing, cell (i, j) holds the RTT measured from host i
 * to host j as a float in the file's unit — NaN if not given yet, -1 if
 * given as unknown (negative), >= +0 otherwise.  finish() then symmetrises,
 * converts to one-way µs in place and fills unknown pairs, after which the
 * table is symmetric with 0 exactly on the diagonal.
 *
 * Cost: O(H²) time and 4·H² bytes for H hosts, whatever the format; the
 * file is mapped, not copied.  Triples are read twice (the host count is
 * only known at the end) rather than buffered, which would cost 12 bytes
 * per line.  The table is only allocated when the file can fill it, so
 * that a few bytes cannot claim a gigabyte (found by fuzzing): a p2psim or
 * dense file too short to hold every cell is checked without the table
 * (it fails either way, with the same error), and a triples file must
 * name every host in some line, so H <= 2 × lines.
 */
#include "sim-net-private.h"

#include <math.h>
#include <string.h>

/* Messages below spell these limits out. */
G_STATIC_ASSERT (SIM_NET_MATRIX_MAX_HOSTS == 16384);

#define CELL_UNKNOWN G_MAXUINT32
/* Bits of +inf: non-negative finite floats have smaller bit patterns, and
 * their bit patterns sort like their values. */
#define FLOAT_KNOWN_LIMIT 0x7F800000u

typedef struct
{
  SimNetText t;
  guint64 line; /* number of the line last returned by next_line() */
  SimNetMatrixFormat layout; /* P2PSIM, DENSE or TRIPLES */
  gboolean unit_declared;
  double unit_us; /* when declared: 1 or 1000 */
  guint32 n;
  SimNetCell *cells;
  GError *bad_text; /* set by next_line(): it then acts as end of file */
} Loader;

/* Longest line accepted: a dense row of SIM_NET_MATRIX_MAX_HOSTS tokens
 * of the longest length is 1 MiB; blanks get as much again.  Lines are
 * searched for their end only this far, so that garbage (4 GB of NUL
 * bytes) fails after a few MB instead of being scanned whole. */
#define MAX_LINE (2u << 20)

/* Returns the next line as [*b, *e) without its '\n', or FALSE at end of
 * file.  Moves the error anchor to the line's start.  A line over
 * MAX_LINE bytes or holding a NUL byte also returns FALSE, with
 * ld->bad_text set (load_matrix() reports it whatever the parser
 * concluded from the early end). */
static gboolean
next_line (Loader *ld, gsize *b, gsize *e)
{
  SimNetText *t = &ld->t;
  const char *nl, *nul;
  gsize window;

  if (t->pos >= t->len || ld->bad_text != NULL)
    return FALSE;
  *b = t->pos;
  window = MIN (t->len - t->pos, (gsize) MAX_LINE + 1);
  nl = memchr (t->buf + t->pos, '\n', window);
  *e = nl != NULL ? (gsize) (nl - t->buf) : t->pos + window;
  t->anchor = *b;
  t->anchor_line = ld->line + 1;
  nul = memchr (t->buf + *b, '\0', *e - *b);
  if (nul != NULL)
    {
      sim_net__text_error (t, (gsize) (nul - t->buf), &ld->bad_text,
                           SIM_NET_ERROR_SYNTAX,
                           "NUL byte (a binary file, not a latency matrix)");
      return FALSE;
    }
  if (*e - *b > MAX_LINE)
    {
      sim_net__text_error (t, *b, &ld->bad_text, SIM_NET_ERROR_SYNTAX,
                           "line longer than %u bytes", MAX_LINE);
      return FALSE;
    }
  t->pos = nl != NULL ? *e + 1 : t->len;
  ld->line++;
  t->anchor = *b;
  t->anchor_line = ld->line;
  return TRUE;
}

static void
rewind_text (Loader *ld)
{
  ld->t.pos = 0;
  ld->t.anchor = 0;
  ld->t.anchor_line = 1;
  ld->line = 0;
}

/* Finds the next token in [*p, e): sets [*tb, *te) and moves *p past it.
 * Returns FALSE if only blanks remain. */
static gboolean
next_token (const char *buf, gsize *p, gsize e, gsize *tb, gsize *te)
{
  gsize i = *p;

  while (i < e && sim_net__is_blank (buf[i]))
    i++;
  if (i == e)
    {
      *p = e;
      return FALSE;
    }
  *tb = i;
  while (i < e && !sim_net__is_blank (buf[i]))
    i++;
  *te = i;
  *p = i;
  return TRUE;
}

/* Returns TRUE if the line [b, e) is blank or a '#' comment. */
static gboolean
is_insignificant (const char *buf, gsize b, gsize e)
{
  while (b < e && sim_net__is_blank (buf[b]))
    b++;
  return b == e || buf[b] == '#';
}

static gboolean
token_is (const char *buf, gsize tb, gsize te, const char *word)
{
  gsize n = strlen (word);

  return te - tb == n && memcmp (buf + tb, word, n) == 0;
}

/* Reports an error at token [tb, te) with the token quoted in the message:
 * fmt must contain exactly one %s, which receives the escaped token. */
static gboolean
token_error (Loader *ld, gsize tb, gsize te, GError **error, SimNetError code,
             const char *fmt)
{
  char *tok = sim_net__escape_token (ld->t.buf + tb, te - tb);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  sim_net__text_error (&ld->t, tb, error, code, fmt, tok);
#pragma GCC diagnostic pop
  g_free (tok);
  return FALSE;
}

/* Parses the RTT token [tb, te): negative becomes -1 (unknown), -0 becomes
 * +0. */
static gboolean
parse_rtt (Loader *ld, gsize tb, gsize te, float *out, GError **error)
{
  double v;

  if (te - tb > SIM_NET__NUMBER_MAX_LEN)
    return sim_net__text_error (&ld->t, tb, error, SIM_NET_ERROR_SYNTAX,
                                "latency token too long (%" G_GSIZE_FORMAT
                                " bytes, at most %d)",
                                te - tb, SIM_NET__NUMBER_MAX_LEN);
  if (!sim_net__parse_number (ld->t.buf + tb, te - tb, &v))
    return token_error (ld, tb, te, error, SIM_NET_ERROR_SYNTAX,
                        "non-numeric latency '%s'");
  if (!isfinite (v) || v > SIM_NET_MAX_RTT_VALUE)
    return token_error (ld, tb, te, error, SIM_NET_ERROR_RANGE,
                        "latency '%s' out of range (at most 3.6e9)");
  *out = v < 0.0 ? -1.0f : v == 0.0 ? 0.0f : (float) v;
  return TRUE;
}

/* Parses a host id token [tb, te) (or part of one) as an integer in
 * [lo, hi]. */
static gboolean
parse_id (Loader *ld, gsize tb, gsize te, guint64 lo, guint64 hi,
          guint64 *out, GError **error)
{
  if (!sim_net__parse_uint (ld->t.buf + tb, te - tb, out))
    return token_error (ld, tb, te, error, SIM_NET_ERROR_SYNTAX,
                        "host id '%s' is not a non-negative integer");
  if (*out < lo || *out > hi)
    {
      char *tok = sim_net__escape_token (ld->t.buf + tb, te - tb);

      sim_net__text_error (&ld->t, tb, error, SIM_NET_ERROR_RANGE,
                           "host id %s out of range %" G_GUINT64_FORMAT
                           "..%" G_GUINT64_FORMAT,
                           tok, lo, hi);
      g_free (tok);
      return FALSE;
    }
  return TRUE;
}

/* Fails if the line has a token after *p. */
static gboolean
expect_end (Loader *ld, gsize *p, gsize e, const char *after, GError **error)
{
  gsize tb, te;
  char *tok, *msg;

  if (!next_token (ld->t.buf, p, e, &tb, &te))
    return TRUE;
  tok = sim_net__escape_token (ld->t.buf + tb, te - tb);
  msg = g_strdup_printf ("unexpected '%s' after %s", tok, after);
  sim_net__text_error (&ld->t, tb, error, SIM_NET_ERROR_SYNTAX, "%s", msg);
  g_free (msg);
  g_free (tok);
  return FALSE;
}

static void
alloc_cells (Loader *ld, guint32 n)
{
  gsize total = (gsize) n * n;

  ld->n = n;
  ld->cells = g_new (SimNetCell, total);
  for (gsize k = 0; k < total; k++)
    ld->cells[k].f = NAN;
  for (guint32 i = 0; i < n; i++)
    ld->cells[(gsize) i * n + i].f = 0.0f;
}

/* ---- p2psim E2EGraph ---------------------------------------------------- */

static gboolean
parse_p2psim (Loader *ld, GError **error)
{
  const char *buf = ld->t.buf;
  gboolean have_topology = FALSE;
  g_autofree guint8 *node_seen = NULL;
  g_autoptr (GHashTable) given_set = NULL;
  guint64 given = 0, expected = 0;
  gsize b, e;

  while (next_line (ld, &b, &e))
    {
      gsize p = b, tb, te, xb, xe;

      if (is_insignificant (buf, b, e))
        continue;
      next_token (buf, &p, e, &tb, &te);

      if (!have_topology)
        {
          guint64 n;

          if (!token_is (buf, tb, te, "topology"))
            return token_error (ld, tb, te, error, SIM_NET_ERROR_SYNTAX,
                                "expected 'topology E2EGraph N', got '%s'");
          if (!next_token (buf, &p, e, &xb, &xe))
            return sim_net__text_error (&ld->t, e, error, SIM_NET_ERROR_SYNTAX,
                                        "missing topology name");
          if (!token_is (buf, xb, xe, "E2EGraph"))
            return token_error (ld, xb, xe, error, SIM_NET_ERROR_SYNTAX,
                                "unsupported topology '%s' (only E2EGraph)");
          if (!next_token (buf, &p, e, &xb, &xe))
            return sim_net__text_error (&ld->t, e, error, SIM_NET_ERROR_SYNTAX,
                                        "missing node count");
          if (!sim_net__parse_uint (buf + xb, xe - xb, &n))
            return token_error (ld, xb, xe, error, SIM_NET_ERROR_SYNTAX,
                                "node count '%s' is not an integer");
          if (n < 1 || n > SIM_NET_MATRIX_MAX_HOSTS)
            return token_error (ld, xb, xe, error, SIM_NET_ERROR_RANGE,
                                "node count %s out of range 1..16384");
          if (!expect_end (ld, &p, e, "the node count", error))
            return FALSE;
          /* Every one of the N(N-1)/2 pair lines takes at least 5 bytes
           * ("i,j r") and a newline.  If the rest of the file is shorter,
           * it cannot be complete and the parse will fail: then record
           * only which pairs were given, so that a short file claiming
           * many nodes costs memory in proportion to its size rather than
           * the 4·N² bytes of the table.  The errors are the same. */
          expected = n * (n - 1) / 2;
          if (ld->t.len - ld->t.pos + 1 >= 6 * expected)
            alloc_cells (ld, (guint32) n);
          else
            {
              ld->n = (guint32) n;
              given_set = g_hash_table_new (NULL, NULL);
            }
          node_seen = g_new0 (guint8, n);
          have_topology = TRUE;
          continue;
        }

      if (token_is (buf, tb, te, "topology"))
        return sim_net__text_error (&ld->t, tb, error,
                                    SIM_NET_ERROR_DUPLICATE,
                                    "second 'topology' line");
      if (token_is (buf, tb, te, "failure_model")
          || token_is (buf, tb, te, "loss_rate"))
        continue; /* p2psim settings, not latencies: ignored */

      if (token_is (buf, tb, te, "node"))
        {
          guint64 k;

          if (!next_token (buf, &p, e, &xb, &xe))
            return sim_net__text_error (&ld->t, e, error, SIM_NET_ERROR_SYNTAX,
                                        "missing node id");
          if (!parse_id (ld, xb, xe, 1, ld->n, &k, error))
            return FALSE;
          if (node_seen[k - 1])
            return sim_net__text_error (&ld->t, xb, error,
                                        SIM_NET_ERROR_DUPLICATE,
                                        "node %" G_GUINT64_FORMAT
                                        " declared twice",
                                        k);
          node_seen[k - 1] = 1;
          if (!expect_end (ld, &p, e, "the node id", error))
            return FALSE;
          continue;
        }

      {
        const char *comma = memchr (buf + tb, ',', te - tb);
        guint64 i, j;
        gsize cb, key;
        float v;
        SimNetCell *cell;

        if (comma == NULL)
          return token_error (ld, tb, te, error, SIM_NET_ERROR_SYNTAX,
                              "expected 'node k' or 'i,j rtt', got '%s'");
        cb = (gsize) (comma - buf);
        if (!parse_id (ld, tb, cb, 1, ld->n, &i, error)
            || !parse_id (ld, cb + 1, te, 1, ld->n, &j, error))
          return FALSE;
        if (i == j)
          return sim_net__text_error (&ld->t, tb, error, SIM_NET_ERROR_RANGE,
                                      "self pair %" G_GUINT64_FORMAT
                                      ",%" G_GUINT64_FORMAT,
                                      i, j);
        if (!next_token (buf, &p, e, &xb, &xe))
          return sim_net__text_error (&ld->t, e, error, SIM_NET_ERROR_SYNTAX,
                                      "missing latency after the pair");
        if (!parse_rtt (ld, xb, xe, &v, error)
            || !expect_end (ld, &p, e, "the latency", error))
          return FALSE;
        /* The format is undirected: store every pair in the upper
         * triangle so that "j,i" after "i,j" is caught as a duplicate.
         * (Upper-triangle keys are never 0, the hash table's NULL.) */
        key = (gsize) (MIN (i, j) - 1) * ld->n + MAX (i, j) - 1;
        cell = ld->cells != NULL ? &ld->cells[key] : NULL;
        if (cell != NULL ? !isnan (cell->f)
                         : !g_hash_table_add (given_set, GSIZE_TO_POINTER (key)))
          return sim_net__text_error (&ld->t, tb, error,
                                      SIM_NET_ERROR_DUPLICATE,
                                      "pair %" G_GUINT64_FORMAT
                                      ",%" G_GUINT64_FORMAT " given twice",
                                      i, j);
        if (cell != NULL)
          cell->f = v;
        given++;
      }
    }

  if (!have_topology)
    return sim_net__text_error (&ld->t, 0, error, SIM_NET_ERROR_EMPTY,
                                "no data (expected 'topology E2EGraph N')");
  /* The first missing pair in order is among the first given + 1. */
  if (given < expected)
    for (guint32 i = 0; i < ld->n; i++)
      for (guint32 j = i + 1; j < ld->n; j++)
        {
          gsize key = (gsize) i * ld->n + j;

          if (ld->cells != NULL
                  ? isnan (ld->cells[key].f)
                  : !g_hash_table_contains (given_set, GSIZE_TO_POINTER (key)))
            return sim_net__text_error (
                &ld->t, ld->t.len, error, SIM_NET_ERROR_MISSING,
                "missing latency for pair %u,%u (%" G_GUINT64_FORMAT
                " of %" G_GUINT64_FORMAT " pairs given)",
                i + 1, j + 1, given, expected);
        }
  g_assert (ld->cells != NULL); /* a file without the table is short */
  return TRUE;
}

/* ---- dense N × N -------------------------------------------------------- */

static gboolean
parse_dense (Loader *ld, GError **error)
{
  const char *buf = ld->t.buf;
  guint32 rows = 0;
  gsize b, e;

  while (next_line (ld, &b, &e))
    {
      gsize p = b, tb, te;
      guint32 col = 0;

      if (is_insignificant (buf, b, e))
        continue;

      if (rows == 0)
        {
          guint32 n = 0;

          while (next_token (buf, &p, e, &tb, &te))
            if (++n > SIM_NET_MATRIX_MAX_HOSTS)
              return sim_net__text_error (&ld->t, tb, error,
                                          SIM_NET_ERROR_RANGE,
                                          "more than %u columns",
                                          SIM_NET_MATRIX_MAX_HOSTS);
          /* N rows of N values need at least 2N² - 1 bytes from here.
           * A shorter file cannot be complete and will fail: check it
           * without storing, rather than allocate 4·N² bytes for it. */
          if (ld->t.len - b + 1 >= 2 * (guint64) n * n)
            alloc_cells (ld, n);
          else
            ld->n = n;
          p = b;
        }

      if (rows == ld->n)
        {
          next_token (buf, &p, e, &tb, &te);
          return sim_net__text_error (&ld->t, tb, error,
                                      SIM_NET_ERROR_NOT_SQUARE,
                                      "row %u is beyond the %u x %u matrix",
                                      rows + 1, ld->n, ld->n);
        }

      while (next_token (buf, &p, e, &tb, &te))
        {
          float v;

          if (col == ld->n)
            return sim_net__text_error (&ld->t, tb, error,
                                        SIM_NET_ERROR_NOT_SQUARE,
                                        "row %u has more than %u values",
                                        rows + 1, ld->n);
          if (!parse_rtt (ld, tb, te, &v, error))
            return FALSE;
          if (col == rows)
            {
              if (v > 0.0f)
                return token_error (ld, tb, te, error, SIM_NET_ERROR_RANGE,
                                    "nonzero latency '%s' on the diagonal");
              v = 0.0f;
            }
          if (ld->cells != NULL)
            ld->cells[(gsize) rows * ld->n + col].f = v;
          col++;
        }
      if (col < ld->n)
        return sim_net__text_error (&ld->t, e, error,
                                    SIM_NET_ERROR_NOT_SQUARE,
                                    "row %u has %u values, expected %u",
                                    rows + 1, col, ld->n);
      rows++;
    }

  if (rows == 0)
    return sim_net__text_error (&ld->t, 0, error, SIM_NET_ERROR_EMPTY,
                                "no data");
  if (rows < ld->n)
    return sim_net__text_error (&ld->t, ld->t.len, error,
                                SIM_NET_ERROR_NOT_SQUARE,
                                "matrix has %u rows but %u columns", rows,
                                ld->n);
  g_assert (ld->cells != NULL); /* a file without the table is short */
  return TRUE;
}

/* ---- "i j rtt" triples -------------------------------------------------- */

typedef struct
{
  guint64 i, j;
  float v;
  gsize i_off; /* offset of the first id */
  gsize max_off; /* offset of the larger id */
} Triple;

/* Parses one line.  Returns 1 for a triple, 0 for a blank or comment line,
 * -1 on error. */
static int
parse_triple_line (Loader *ld, gsize b, gsize e, Triple *tr, GError **error)
{
  const char *buf = ld->t.buf;
  gsize p = b, tb[3], te[3];
  int k;

  if (is_insignificant (buf, b, e))
    return 0;
  for (k = 0; k < 3; k++)
    if (!next_token (buf, &p, e, &tb[k], &te[k]))
      {
        sim_net__text_error (&ld->t, e, error, SIM_NET_ERROR_SYNTAX,
                             "expected 'i j rtt', got %d field%s", k,
                             k == 1 ? "" : "s");
        return -1;
      }
  if (!parse_id (ld, tb[0], te[0], 0, SIM_NET_MATRIX_MAX_HOSTS, &tr->i, error)
      || !parse_id (ld, tb[1], te[1], 0, SIM_NET_MATRIX_MAX_HOSTS, &tr->j,
                    error)
      || !parse_rtt (ld, tb[2], te[2], &tr->v, error)
      || !expect_end (ld, &p, e, "the latency", error))
    return -1;
  if (tr->i == tr->j && tr->v > 0.0f)
    {
      token_error (ld, tb[2], te[2], error, SIM_NET_ERROR_RANGE,
                   "nonzero latency '%s' for a self pair");
      return -1;
    }
  tr->i_off = tb[0];
  tr->max_off = tr->i >= tr->j ? tb[0] : tb[1];
  return 1;
}

static gboolean
parse_triples (Loader *ld, GError **error)
{
  guint64 count = 0, min_id = G_MAXUINT64, max_id = 0, base, n;
  gsize max_off = 0, b, e;
  g_autofree guint8 *named = g_new0 (guint8, SIM_NET_MATRIX_MAX_HOSTS + 1);
  Triple tr;
  int r;

  /* Pass 1: validate everything, find the id range and which ids occur
   * (parse_id() keeps them <= SIM_NET_MATRIX_MAX_HOSTS). */
  while (next_line (ld, &b, &e))
    {
      if ((r = parse_triple_line (ld, b, e, &tr, error)) < 0)
        return FALSE;
      if (r == 0)
        continue;
      count++;
      named[tr.i] = named[tr.j] = 1;
      min_id = MIN (min_id, MIN (tr.i, tr.j));
      if (MAX (tr.i, tr.j) > max_id || count == 1)
        {
          max_id = MAX (tr.i, tr.j);
          max_off = tr.max_off;
        }
    }
  if (count == 0)
    return sim_net__text_error (&ld->t, 0, error, SIM_NET_ERROR_EMPTY,
                                "no data");
  base = min_id == 0 ? 0 : 1;
  n = max_id - base + 1;
  if (n > SIM_NET_MATRIX_MAX_HOSTS)
    {
      rewind_text (ld);
      return sim_net__text_error (&ld->t, max_off, error, SIM_NET_ERROR_RANGE,
                                  "host id %" G_GUINT64_FORMAT
                                  " gives more than %u hosts",
                                  max_id, SIM_NET_MATRIX_MAX_HOSTS);
    }
  /* A host named by no line would have no measurement at all, only the
   * fill value; and allowing it would let a one-line file ("0 16383 5")
   * cost the whole 1 GiB table.  With every id named, H <= 2 × lines. */
  for (guint64 h = base; h <= max_id; h++)
    if (!named[h])
      return sim_net__text_error (&ld->t, ld->t.len, error,
                                  SIM_NET_ERROR_MISSING,
                                  "no line names host %" G_GUINT64_FORMAT
                                  " (ids run from %" G_GUINT64_FORMAT
                                  " to %" G_GUINT64_FORMAT
                                  " and must all occur)",
                                  h, base, max_id);
  alloc_cells (ld, (guint32) n);

  /* Pass 2: fill.  Only duplicates can fail now. */
  rewind_text (ld);
  while (next_line (ld, &b, &e))
    {
      SimNetCell *cell;

      if (parse_triple_line (ld, b, e, &tr, NULL) <= 0 || tr.i == tr.j)
        continue;
      cell = &ld->cells[(gsize) (tr.i - base) * n + (tr.j - base)];
      if (!isnan (cell->f))
        return sim_net__text_error (&ld->t, tr.i_off, error,
                                    SIM_NET_ERROR_DUPLICATE,
                                    "pair %" G_GUINT64_FORMAT
                                    " %" G_GUINT64_FORMAT " given twice",
                                    tr.i, tr.j);
      cell->f = tr.v;
    }
  return TRUE;
}

/* ---- format detection --------------------------------------------------- */

/* Returns the layout AUTO resolves to (see SimNetMatrixFormat).  Never
 * fails: a file that fits nothing is parsed as DENSE, whose errors then
 * say what is wrong. */
static SimNetMatrixFormat
detect_layout (Loader *ld)
{
  const char *buf = ld->t.buf;
  guint64 rows = 0, fields = 0;
  gboolean diag_zero = TRUE;
  gsize b, e;

  while (next_line (ld, &b, &e))
    {
      gsize p = b, tb, te;
      guint64 k = 0;

      if (is_insignificant (buf, b, e))
        continue;
      if (rows == 3)
        {
          rows++; /* more than 3 rows is all that matters now */
          break;
        }
      while (next_token (buf, &p, e, &tb, &te))
        {
          if (rows == 0 && k == 0 && token_is (buf, tb, te, "topology"))
            {
              rewind_text (ld);
              return SIM_NET_MATRIX_P2PSIM;
            }
          if (k == rows && rows < 3)
            {
              double v;

              if (!sim_net__parse_number (buf + tb, te - tb, &v) || v > 0.0)
                diag_zero = FALSE;
            }
          k++;
        }
      if (rows == 0)
        fields = k;
      rows++;
    }
  rewind_text (ld);
  if (fields != 3)
    return SIM_NET_MATRIX_DENSE;
  if (rows != 3)
    return SIM_NET_MATRIX_TRIPLES;
  return diag_zero ? SIM_NET_MATRIX_DENSE : SIM_NET_MATRIX_TRIPLES;
}

/* ---- finishing ---------------------------------------------------------- */

/* Returns the k-th smallest (0-based) .u value below limit among the upper
 * triangle's cells.  Radix selection on the two 16-bit halves: two passes
 * over the table and 512 KiB of counters, no copy of the values (a copy to
 * sort would be 2·H² bytes). */
static guint32
select_kth (const SimNetCell *cells, guint32 n, guint32 limit, guint64 k)
{
  g_autofree guint64 *count = g_new0 (guint64, 65536);
  guint32 hi = 0, lo = 0;

  for (guint32 i = 0; i < n; i++)
    for (guint32 j = i + 1; j < n; j++)
      {
        guint32 u = cells[(gsize) i * n + j].u;

        if (u < limit)
          count[u >> 16]++;
      }
  while (k >= count[hi])
    k -= count[hi++];

  memset (count, 0, 65536 * sizeof *count);
  for (guint32 i = 0; i < n; i++)
    for (guint32 j = i + 1; j < n; j++)
      {
        guint32 u = cells[(gsize) i * n + j].u;

        if (u < limit && u >> 16 == hi)
          count[u & 0xffff]++;
      }
  while (k >= count[lo])
    k -= count[lo++];
  return hi << 16 | lo;
}

static const char *
layout_name (SimNetMatrixFormat layout)
{
  switch (layout)
    {
    case SIM_NET_MATRIX_P2PSIM:
      return "p2psim";
    case SIM_NET_MATRIX_DENSE:
      return "dense";
    case SIM_NET_MATRIX_TRIPLES:
      return "triples";
    default:
      return "unknown";
    }
}

/* Symmetrises, picks the unit, converts to one-way µs and fills unknown
 * pairs.  Fails only if no pair is known. */
static gboolean
finish (Loader *ld, SimNet *net, GError **error)
{
  guint32 n = ld->n;
  SimNetCell *c = ld->cells;
  guint64 known = 0, pairs = (guint64) n * (n - 1) / 2;
  double unit_us;
  guint32 median;

  /* Symmetrise in the file's unit. */
  for (guint32 i = 0; i < n; i++)
    for (guint32 j = i + 1; j < n; j++)
      {
        float a = c[(gsize) i * n + j].f, b = c[(gsize) j * n + i].f;
        gboolean ka = a >= 0.0f, kb = b >= 0.0f; /* FALSE for NaN */
        float v = ka && kb ? (a + b) / 2.0f : ka ? a : kb ? b : -1.0f;

        c[(gsize) i * n + j].f = v;
        c[(gsize) j * n + i].f = v;
        known += v >= 0.0f;
      }
  if (pairs == 0)
    return sim_net__text_error (&ld->t, 0, error, SIM_NET_ERROR_EMPTY,
                                "a single host has no latencies");
  if (known == 0)
    return sim_net__text_error (&ld->t, 0, error, SIM_NET_ERROR_EMPTY,
                                "no known latency (every pair is unknown)");

  if (ld->unit_declared)
    unit_us = ld->unit_us;
  else
    {
      float med;
      guint32 bits = select_kth (c, n, FLOAT_KNOWN_LIMIT, known / 2);

      memcpy (&med, &bits, sizeof med);
      unit_us = med >= 1000.0f ? 1.0 : 1000.0;
    }
  net->unit_name = unit_us == 1.0 ? (ld->unit_declared ? "us" : "us_guessed")
                                  : (ld->unit_declared ? "ms" : "ms_guessed");

  /* Convert to one-way µs in place. */
  for (guint32 i = 0; i < n; i++)
    {
      c[(gsize) i * n + i].u = 0;
      for (guint32 j = i + 1; j < n; j++)
        {
          float v = c[(gsize) i * n + j].f;
          guint32 u = CELL_UNKNOWN;

          if (v >= 0.0f)
            {
              double rtt = v == 0.0f ? 1.0 : (double) v;

              u = (guint32) sim_net__us_to_latency (rtt * unit_us / 2.0);
              if (u == 0)
                u = 1; /* a denormal RTT */
            }
          c[(gsize) i * n + j].u = u;
          c[(gsize) j * n + i].u = u;
        }
    }

  /* Fill unknown pairs with the median (upper middle) known latency. */
  median = select_kth (c, n, CELL_UNKNOWN, known / 2);
  for (gsize k = 0; k < (gsize) n * n; k++)
    if (c[k].u == CELL_UNKNOWN)
      c[k].u = median;

  net->n_hosts = n;
  net->cells = g_steal_pointer (&ld->cells);
  net->n_pairs = pairs;
  net->n_unknown = pairs - known;
  net->fill = median;
  net->format_name = layout_name (ld->layout);
  return TRUE;
}

/* Parses ld->t (opened by the caller, closed by the caller) into a new
 * model.  Returns the model, or NULL with error set. */
static SimNet *
load_matrix (Loader *ld, SimNetMatrixFormat fmt, SimTime access_delay,
             GError **error)
{
  g_autoptr (SimNet) net = NULL;
  gboolean ok = FALSE;

  switch (fmt)
    {
    case SIM_NET_MATRIX_AUTO:
      ld->layout = detect_layout (ld);
      break;
    case SIM_NET_MATRIX_DENSE_MS:
      ld->layout = SIM_NET_MATRIX_DENSE;
      break;
    case SIM_NET_MATRIX_TRIPLES_MS:
      ld->layout = SIM_NET_MATRIX_TRIPLES;
      break;
    default:
      ld->layout = fmt;
      break;
    }
  ld->unit_declared = fmt != SIM_NET_MATRIX_AUTO
                      || ld->layout == SIM_NET_MATRIX_P2PSIM;
  ld->unit_us = fmt == SIM_NET_MATRIX_DENSE || fmt == SIM_NET_MATRIX_TRIPLES
                    ? 1.0
                    : 1000.0;

  net = sim_net__new (SIM_NET_KIND_MATRIX);
  switch (ld->layout)
    {
    case SIM_NET_MATRIX_P2PSIM:
      ok = parse_p2psim (ld, error);
      break;
    case SIM_NET_MATRIX_DENSE:
      ok = parse_dense (ld, error);
      break;
    case SIM_NET_MATRIX_TRIPLES:
      ok = parse_triples (ld, error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ld->bad_text != NULL)
    {
      /* The parser saw an early end of file; the real cause wins. */
      g_clear_error (error);
      g_propagate_error (error, g_steal_pointer (&ld->bad_text));
      ok = FALSE;
    }
  ok = ok && finish (ld, net, error);
  g_clear_pointer (&ld->cells, g_free);
  if (!ok)
    return NULL;

  net->source = g_path_get_basename (ld->t.path);
  g_strdelimit (net->source, " \t\r\n,=\"", '_');
  net->deck = g_new (guint32, net->n_hosts);
  for (guint32 i = 0; i < net->n_hosts; i++)
    net->deck[i] = i;
  sim_net_set_access_delay (net, access_delay);
  return g_steal_pointer (&net);
}

SimNet *
sim_net_new_matrix_file (const char *path, SimNetMatrixFormat fmt,
                         SimTime access_delay, GError **error)
{
  Loader ld = { 0 };
  SimNet *net;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (fmt >= SIM_NET_MATRIX_AUTO
                            && fmt <= SIM_NET_MATRIX_TRIPLES_MS,
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!sim_net__text_open (&ld.t, path, error))
    return NULL;
  net = load_matrix (&ld, fmt, access_delay, error);
  sim_net__text_close (&ld.t);
  return net;
}

SimNet *
sim_net_new_matrix_data (const char *display_name, const char *data,
                         gsize len, SimNetMatrixFormat fmt,
                         SimTime access_delay, GError **error)
{
  Loader ld = { 0 };

  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (fmt >= SIM_NET_MATRIX_AUTO
                            && fmt <= SIM_NET_MATRIX_TRIPLES_MS,
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sim_net__text_init_data (&ld.t, display_name, data, len);
  return load_matrix (&ld, fmt, access_delay, error);
}
