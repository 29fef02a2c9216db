/* sim-scenario-lex.c — the scenario language's literals, lines, tokens and
 * error messages (see sim-scenario-private.h for the split of the parser).
 *
 * Invariant: every literal this file writes (sim__scenario_append_*) reads
 * back through sim__scenario_parse_numeric / the tokenizer as the same
 * value, so canonical scenarios round-trip exactly.
 *
 * Numbers never go through a double when they are counts or times: those
 * are converted with exact integer arithmetic, so `0.1s` is 100000 µs and
 * not 100000.00000000001.
 */
#include "sim-scenario-private.h"
#include "sim-decimal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */

/* Appends @s (up to @len bytes, -1 for NUL-terminated) for a "(near '…')"
 * excerpt: printable ASCII and valid UTF-8 as is, everything else as \xNN,
 * at most 40 characters. */
void
sim__scenario_append_excerpt (GString *out, const char *s, gssize len)
{
  gsize n = len < 0 ? strlen (s) : (gsize)len;
  guint chars = 0;

  for (gsize i = 0; i < n;)
    {
      guchar c = (guchar)s[i];
      if (chars++ == 40)
        {
          g_string_append (out, "...");
          return;
        }
      if (c == '\'' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
          i++;
        }
      else if (c >= 0x20 && c < 0x7f)
        {
          g_string_append_c (out, (char)c);
          i++;
        }
      else if (c >= 0x80
               && g_utf8_get_char_validated (s + i, (gssize)(n - i))
                      < (gunichar)-2)
        {
          const char *next = g_utf8_next_char (s + i);
          g_string_append_len (out, s + i, next - (s + i));
          i = (gsize)(next - s);
        }
      else
        {
          g_string_append_printf (out, "\\x%02x", c);
          i++;
        }
    }
}

/* Sets @error to "FILE:LINE:COL: message (near 'excerpt')" and returns
 * FALSE, so that callers can write `return sim__scenario_fail (...)`. */
gboolean
sim__scenario_fail (GError **error, SimScenarioError code, Pos pos,
                    const char *near, gssize near_len, const char *fmt, ...)
{
  va_list ap;
  GString *msg = g_string_new (NULL);

  g_string_append_printf (msg, "%s:%u:%u: ", pos.file, pos.line, pos.col);
  va_start (ap, fmt);
  g_string_append_vprintf (msg, fmt, ap);
  va_end (ap);
  if (near != NULL)
    {
      g_string_append (msg, " (near '");
      sim__scenario_append_excerpt (msg, near, near_len);
      g_string_append (msg, "')");
    }
  g_set_error_literal (error, SIM_SCENARIO_ERROR, code, msg->str);
  g_string_free (msg, TRUE);
  return FALSE;
}

/* Levenshtein distance of two short words, capped at 99. */
static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint row[65];

  if (la > 64 || lb > 64)
    return 99;
  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint)j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];
      row[0] = (guint)i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
          best = MIN (best, up + 1);
          best = MIN (best, row[j - 1] + 1);
          row[j] = best;
          diag = up;
        }
    }
  return row[lb];
}

/* Returns the candidate closest to @word when it is a plausible typo
 * (distance <= 2 and less than the word's length), else NULL. */
const char *
sim__scenario_suggest (const char *word, const char *const *candidates, gsize n)
{
  const char *best = NULL;
  guint best_d = 3;
  guint len = (guint)strlen (word);

  for (gsize i = 0; i < n && candidates[i] != NULL; i++)
    {
      guint d = edit_distance (word, candidates[i]);
      if (d < best_d && d < len)
        {
          best = candidates[i];
          best_d = d;
        }
    }
  return best;
}

/* Returns (transfer full) "; did you mean 'x'?" or "". */
char *
sim__scenario_did_you_mean (const char *word, const char *const *candidates,
                            gsize n)
{
  const char *s = sim__scenario_suggest (word, candidates, n);
  return s != NULL ? g_strdup_printf ("; did you mean '%s'?", s)
                   : g_strdup ("");
}

/* ---------------------------------------------------------------------- */
/* Number literals                                                        */

typedef struct
{
  const char *name;
  guint64 m; /* the unit is m × 10^e microseconds (or items) */
  guint e;
} Unit;

static const Unit time_units[] = {
  { "us", 1, 0 },  { "ms", 1, 3 }, { "s", 1, 6 },
  { "min", 6, 7 }, { "h", 36, 8 }, { "d", 864, 8 },
};
const char *const sim__scenario_time_unit_names[]
    = { "us", "ms", "s", "min", "h", "d", NULL };

gboolean
sim__scenario_time_unit_us (const char *name, guint64 *us)
{
  for (gsize i = 0; i < G_N_ELEMENTS (time_units); i++)
    if (strcmp (time_units[i].name, name) == 0)
      {
        guint64 p = 1;
        for (guint e = 0; e < time_units[i].e; e++)
          p *= 10;
        *us = time_units[i].m * p;
        return TRUE;
      }
  return FALSE;
}

static const Unit count_suffixes[] = {
  { "k", 1, 3 },
  { "M", 1, 6 },
  { "G", 1, 9 },
};

static const Unit *
unit_find (const Unit *units, gsize n, const char *name)
{
  for (gsize i = 0; i < n; i++)
    if (strcmp (units[i].name, name) == 0)
      return &units[i];
  return NULL;
}

/* The parts of a decimal literal: [sign] digits [. digits] [e [sign]
 * digits] suffix, with '_' allowed between digits. */
typedef struct
{
  gboolean neg, has_sign, has_frac, has_exp;
  GString *int_digits;
  GString *frac_digits;
  GString *clean; /* the number without '_' and suffix, for strtod */
  const char *suffix;
} NumParts;

static void
num_parts_clear (NumParts *n)
{
  g_string_free (n->int_digits, TRUE);
  g_string_free (n->frac_digits, TRUE);
  g_string_free (n->clean, TRUE);
}

/* Returns TRUE if @s starts like a number: a digit, or '.', '+' or '-'
 * followed by a digit (or ".digit"). */
gboolean
sim__scenario_looks_numeric (const char *s)
{
  if (*s == '+' || *s == '-')
    s++;
  if (*s == '.')
    s++;
  return g_ascii_isdigit (*s);
}

/* Scans digits with '_' separators into @digits (and @clean).  Returns
 * FALSE on a misplaced '_'. */
static gboolean
scan_digits (const char **pp, GString *digits, GString *clean)
{
  const char *p = *pp;
  while (g_ascii_isdigit (*p) || *p == '_')
    {
      if (*p == '_')
        {
          if (p == *pp || !g_ascii_isdigit (p[-1]) || !g_ascii_isdigit (p[1]))
            return FALSE;
        }
      else
        {
          g_string_append_c (digits, *p);
          g_string_append_c (clean, *p);
        }
      p++;
    }
  *pp = p;
  return TRUE;
}

/* Returns NULL on success, else what is wrong. */
static const char *
split_number (const char *s, NumParts *n)
{
  const char *p = s;

  memset (n, 0, sizeof *n);
  n->int_digits = g_string_new (NULL);
  n->frac_digits = g_string_new (NULL);
  n->clean = g_string_new (NULL);
  if (*p == '+' || *p == '-')
    {
      n->neg = *p == '-';
      n->has_sign = TRUE;
      g_string_append_c (n->clean, *p);
      p++;
    }
  if (!scan_digits (&p, n->int_digits, n->clean))
    return "malformed number ('_' may only separate digits)";
  if (*p == '.')
    {
      n->has_frac = TRUE;
      g_string_append_c (n->clean, '.');
      p++;
      if (!scan_digits (&p, n->frac_digits, n->clean))
        return "malformed number ('_' may only separate digits)";
    }
  if (n->int_digits->len == 0 && n->frac_digits->len == 0)
    return "malformed number";
  if ((*p == 'e' || *p == 'E')
      && (g_ascii_isdigit (p[1])
          || ((p[1] == '+' || p[1] == '-') && g_ascii_isdigit (p[2]))))
    {
      n->has_exp = TRUE;
      g_string_append_c (n->clean, 'e');
      p++;
      if (*p == '+' || *p == '-')
        g_string_append_c (n->clean, *p++);
      while (g_ascii_isdigit (*p))
        g_string_append_c (n->clean, *p++);
    }
  n->suffix = p;
  /* Another digit, point or '_' right after the number is malformed
   * ("1.2.3"; "1e5e5" is caught as an unknown unit). */
  if (g_ascii_isdigit (*p) || *p == '.' || *p == '_')
    return "malformed number";
  return NULL;
}

/* Parses a decimal digit string into @out.  Returns FALSE on overflow. */
static gboolean
digits_to_u64 (const char *digits, guint64 *out)
{
  guint64 v = 0;
  for (const char *p = digits; *p != '\0'; p++)
    {
      guint d = (guint)(*p - '0');
      if (v > (G_MAXUINT64 - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *out = v;
  return TRUE;
}

static guint64
pow10_u64 (guint e)
{
  guint64 p = 1;
  while (e-- > 0)
    p *= 10;
  return p;
}

/* round(I.F x m x 10^e): sim-decimal.c, shared with churn traces. */
static gboolean
scale_decimal (const char *int_digits, const char *frac_digits, guint64 m,
               guint e, guint64 *out, gboolean *exact)
{
  return sim_decimal_scale (int_digits, frac_digits, m, e, out, exact);
}

/* Returns the time unit that @s starts with, followed by the end of @s or
 * by the next part of a compound time ("h" in "h30min"), and sets *@rest
 * past it; NULL if there is none. */
static const Unit *
time_unit_prefix (const char *s, const char **rest)
{
  const Unit *best = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (time_units); i++)
    {
      gsize len = strlen (time_units[i].name);
      const char *after = s + len;
      if (strncmp (s, time_units[i].name, len) == 0
          && (*after == '\0' || g_ascii_isdigit (*after) || *after == '.')
          && (best == NULL || len > strlen (best->name)))
        {
          best = &time_units[i];
          *rest = after;
        }
    }
  return best;
}

/* Parses a numeric-looking literal into a count (VAL_INT: plain whole
 * number or k/M/G suffix), a time (VAL_TIME: unit suffix), or a real
 * (VAL_DOUBLE: sign, fraction, exponent or '%').  Errors point at @tok. */
gboolean
sim__scenario_parse_numeric (const Token *tok, Value *out, GError **error)
{
  NumParts n;
  const Unit *u;
  const char *rest = NULL;
  const char *problem;
  gboolean ok = FALSE;

  memset (out, 0, sizeof *out);
  problem = split_number (tok->text, &n);
  if (problem != NULL)
    {
      fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok, "%s", problem);
      goto out;
    }

  if (*n.suffix == '\0' || strcmp (n.suffix, "%") == 0)
    {
      if (*n.suffix == '\0' && !n.neg && !n.has_frac && !n.has_exp)
        {
          if (!digits_to_u64 (n.int_digits->str, &out->u))
            {
              fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                        "number too large (the largest is %" G_GUINT64_FORMAT
                        ")",
                        G_MAXUINT64);
              goto out;
            }
          out->kind = VAL_INT;
        }
      else
        {
          char *end = NULL;
          double d;
          errno = 0;
          d = g_ascii_strtod (n.clean->str, &end);
          if (end == NULL || *end != '\0')
            {
              fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                        "malformed number");
              goto out;
            }
          if (errno == ERANGE || !isfinite (d))
            {
              fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                        "number out of range");
              goto out;
            }
          if (*n.suffix == '%')
            d /= 100.0;
          out->kind = VAL_DOUBLE;
          out->d = d == 0.0 ? 0.0 : d; /* no negative zero */
        }
      ok = TRUE;
    }
  else if ((u = time_unit_prefix (n.suffix, &rest)) != NULL)
    {
      /* One part, or a compound time such as 1h30min: parts with
       * decreasing units, added exactly. */
      const NumParts *cur = &n;
      NumParts more;
      gboolean have_more = FALSE;
      gsize prev_rank = G_N_ELEMENTS (time_units);
      SimTime total = 0;

      for (;;)
        {
          gsize rank = (gsize) (u - time_units);
          gboolean exact;
          SimTime t;
          if (cur->neg)
            fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                      "times cannot be negative");
          else if (cur->has_exp)
            fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                      "times are written without exponent (e.g. 1500ms)");
          else if (cur->has_sign)
            fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                      "malformed compound time (write e.g. 1h30min)");
          else if (rank >= prev_rank)
            fail_tok (error, SIM_SCENARIO_ERROR_BAD_UNIT, tok,
                      "the units of a compound time must decrease (write "
                      "e.g. 1h30min)");
          else if (!scale_decimal (cur->int_digits->str,
                                   cur->frac_digits->str, u->m, u->e, &t,
                                   &exact)
                   || t > G_MAXUINT64 - total)
            fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                      "time too large (the largest is %" G_GUINT64_FORMAT
                      "us)",
                      G_MAXUINT64);
          else if (*rest == '\0')
            {
              out->kind = VAL_TIME;
              out->t = total + t;
              ok = TRUE;
            }
          else
            {
              const char *next_problem;
              total += t;
              prev_rank = rank;
              if (have_more)
                num_parts_clear (&more);
              next_problem = split_number (rest, &more);
              have_more = TRUE;
              cur = &more;
              if (next_problem != NULL)
                fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok, "%s",
                          next_problem);
              else if ((u = time_unit_prefix (more.suffix, &rest)) == NULL)
                fail_tok (error, SIM_SCENARIO_ERROR_BAD_UNIT, tok,
                          "missing or unknown unit after '%.*s' in a "
                          "compound time (write e.g. 1h30min)",
                          (int) (more.suffix - rest), rest);
              else
                continue;
            }
          break;
        }
      if (have_more)
        num_parts_clear (&more);
    }
  else if ((u = unit_find (count_suffixes, G_N_ELEMENTS (count_suffixes),
                           n.suffix))
           != NULL)
    {
      gboolean exact;
      if (n.neg)
        fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                  "counts cannot be negative");
      else if (n.has_exp)
        fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                  "a count suffix cannot follow an exponent");
      else if (!scale_decimal (n.int_digits->str, n.frac_digits->str, u->m,
                               u->e, &out->u, &exact))
        fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                  "number too large (the largest is %" G_GUINT64_FORMAT ")",
                  G_MAXUINT64);
      else if (!exact)
        fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                  "not a whole number");
      else
        {
          out->kind = VAL_INT;
          ok = TRUE;
        }
    }
  else
    {
      g_autofree char *hint = NULL;
      if (strcmp (n.suffix, "m") == 0)
        hint = g_strdup ("; write 'min' for minutes, 'ms' for milliseconds");
      else
        hint = sim__scenario_did_you_mean (
            n.suffix, sim__scenario_time_unit_names, G_MAXSIZE);
      fail_tok (error, SIM_SCENARIO_ERROR_BAD_UNIT, tok,
                "unknown unit '%s' (times take us, ms, s, min, h or d; "
                "counts k, M or G)%s",
                n.suffix, hint);
    }

out:
  num_parts_clear (&n);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Lines and tokens                                                       */

/* Checks one line (without its '\n') for size and encoding.  A '\r' is
 * allowed as the last byte only (CRLF files). */
gboolean
sim__scenario_check_line (const char *file, guint line_no, const char *s,
                          gsize len, GError **error)
{
  const char *end = NULL;
  Pos pos = { file, line_no, 1 };

  if (len > SIM_SCENARIO_MAX_LINE)
    return sim__scenario_fail (error, SIM_SCENARIO_ERROR_TOO_LONG, pos, s, 16,
                               "line longer than %d bytes",
                               SIM_SCENARIO_MAX_LINE);
  if (!g_utf8_validate_len (s, len, &end))
    {
      pos.col = (guint)g_utf8_strlen (s, end - s) + 1;
      if (*end == '\0')
        return sim__scenario_fail (error, SIM_SCENARIO_ERROR_ENCODING, pos, end,
                                   1, "NUL byte in text");
      return sim__scenario_fail (
          error, SIM_SCENARIO_ERROR_ENCODING, pos, end,
          MIN (4, (gssize)(s + len - end)),
          "invalid UTF-8 (scenario files must be UTF-8 text)");
    }
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar)s[i];
      if ((c < 0x20 && c != '\t' && !(c == '\r' && i + 1 == len)) || c == 0x7f)
        {
          pos.col = (guint)g_utf8_strlen (s, (gssize)i) + 1;
          return sim__scenario_fail (error, SIM_SCENARIO_ERROR_ENCODING, pos,
                                     s + i, 1,
                                     "control character U+%04X in text", c);
        }
    }
  return TRUE;
}

static gboolean
is_op_char (char c)
{
  return c == '=' || c == '<' || c == '>' || c == '!';
}

/* Splits a validated, NUL-terminated line into tokens: words, "quoted
 * strings" (escapes \" and \\; other backslashes are literal) and runs of
 * the operator characters = < > !.  '#' outside quotes starts a comment.
 * Columns count UTF-8 characters from @first_col. */
gboolean
sim__scenario_tokenize (const char *file, guint line_no, guint first_col,
                        const char *s, GArray *tokens, GError **error)
{
  guint col = first_col;
  const char *p = s;

  while (*p != '\0')
    {
      Token t = { NULL, FALSE, { file, line_no, col } };
      const char *start = p;

      if (*p == ' ' || *p == '\t' || *p == '\r')
        {
          p++;
          col++;
          continue;
        }
      if (*p == '#')
        break;
      if (*p == '"')
        {
          GString *text = g_string_new (NULL);
          p++;
          while (*p != '\0' && *p != '"')
            {
              if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
              g_string_append_c (text, *p);
              p++;
            }
          if (*p != '"')
            {
              g_string_free (text, TRUE);
              return sim__scenario_fail (
                  error, SIM_SCENARIO_ERROR_SYNTAX, t.pos, start, -1,
                  "unterminated string (missing closing '\"')");
            }
          p++;
          t.text = g_string_free (text, FALSE);
          t.quoted = TRUE;
        }
      else if (is_op_char (*p))
        {
          while (is_op_char (*p))
            p++;
          t.text = g_strndup (start, (gsize)(p - start));
        }
      else
        {
          while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r'
                 && *p != '#' && *p != '"' && !is_op_char (*p))
            p++;
          t.text = g_strndup (start, (gsize)(p - start));
        }
      col += (guint)g_utf8_strlen (start, p - start);
      g_array_append_val (tokens, t);
    }
  return TRUE;
}

/* Writing                                                                */

/* Appends the shortest decimal form of @d that reads back as the same
 * double, always with a '.' or exponent so that it reads back as a real
 * number and not a count. */
void
sim__scenario_append_double (GString *out, double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int prec = 15; prec <= 17; prec++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, d);
      if (g_ascii_strtod (buf, NULL) == d)
        break;
    }
  g_string_append (out, buf);
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (out, ".0");
}

/* Appends @t in the largest unit that represents it exactly. */
void
sim__scenario_append_time (GString *out, SimTime t)
{
  for (gsize i = G_N_ELEMENTS (time_units); i-- > 0;)
    {
      guint64 unit = time_units[i].m * pow10_u64 (time_units[i].e);
      if (t % unit == 0 && (t != 0 || i == 2))
        {
          g_string_append_printf (out, "%" G_GUINT64_FORMAT "%s", t / unit,
                                  time_units[i].name);
          return;
        }
    }
  g_assert_not_reached ();
}

/* Appends @s bare when it reads back as the same word, else quoted. */
void
sim__scenario_append_string (GString *out, const char *s)
{
  gboolean bare = *s != '\0' && *s != '$' && !sim__scenario_looks_numeric (s)
                  && *s != '+' && *s != '-' && *s != '.';
  for (const char *p = s; bare && *p != '\0'; p++)
    if (*p == ' ' || *p == '\t' || *p == '#' || *p == '"' || is_op_char (*p))
      bare = FALSE;
  if (bare)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}
