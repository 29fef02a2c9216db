/* sim-scenario-dist.c — calls in the scenario language: distributions
 * (`exp(1h)`, `pareto(1.5, median=1.4min)`, ...) and Zipf key populations
 * (`zipf(1.2, 10k)`), read and written (see sim-scenario-private.h for the
 * split of the parser, scenarios/README.md for the syntax).
 *
 * Invariant: sim__scenario_eval_dist() only returns distributions that
 * pass sim_dist_is_valid(), with values in seconds that are whole numbers
 * of microseconds (a Pareto scale computed from a median excepted), and
 * sim__scenario_append_dist() writes each of them so that it reads back
 * bit for bit.
 *
 * The tokenizer splits a call at blanks and at '=' (`pareto(1.5,`,
 * `median`, `=`, `1.4min)`); read_call() joins the tokens back while the
 * parentheses are open and keeps the position of every byte, so errors
 * point at the right column.  Cost: linear in the length of the call.
 */
#include "sim-scenario-private.h"

#include <math.h>
#include <string.h>

/* Seconds as a double, the unit of SimDist values; the writer inverts it
 * exactly for times below 2^53 µs (about 285 years). */
static double
time_to_seconds (SimTime t)
{
  return (double) t / (double) SIM_TIME_S;
}

static SimTime
seconds_to_time (double s)
{
  return sim_time_from_us (round (s * (double) SIM_TIME_S));
}

/* ---------------------------------------------------------------------- */
/* Calls: exp(1h), pareto(1.5, median=1.4min), zipf(1.2, 10k)             */

#define CALL_MAX_ARGS 4

/* A call, which the tokenizer may have split over several tokens (at
 * spaces and at '=').  Each argument is a Token of its own, positioned at
 * its first character, so that values are evaluated (references,
 * units, ranges) and reported like any other token. */
typedef struct
{
  Token name;
  guint n_args;
  Token keys[CALL_MAX_ARGS]; /* "median" in median=...; text NULL if none */
  Token args[CALL_MAX_ARGS];
} Call;

static void
call_clear (Call *k)
{
  token_clear (&k->name);
  for (guint i = 0; i < k->n_args; i++)
    {
      token_clear (&k->keys[i]);
      token_clear (&k->args[i]);
    }
  k->n_args = 0;
}

static gboolean
is_blank (char ch)
{
  return ch == ' ';
}

/* Makes a Token of bytes [from, to) of @buf, trimmed of blanks; *@out is
 * left empty (text NULL) when nothing remains.  Returns the offset in @buf
 * of the first byte kept. */
static gsize
sub_token (const GString *buf, const Pos *pos, gsize from, gsize to,
           Token *out)
{
  while (from < to && is_blank (buf->str[from]))
    from++;
  while (to > from && is_blank (buf->str[to - 1]))
    to--;
  out->quoted = FALSE;
  out->text = to > from ? g_strndup (buf->str + from, to - from) : NULL;
  out->pos = pos[MIN (from, buf->len - 1)];
  return from;
}

/* Reads the call that starts at the next token, consuming as many tokens
 * as it spans.  @what names the expected thing in messages
 * ("distribution"), @example shows one, @names lists the known function
 * names (for "missing '('" and "did you mean" messages). */
static gboolean
read_call (Parser *P, const GArray *toks, guint *i, const char *what,
           const char *example, const char *const *names, Call *out,
           GError **error)
{
  g_autoptr (GString) buf = g_string_new (NULL);
  g_autoptr (GArray) pos = g_array_new (FALSE, FALSE, sizeof (Pos));
  const Token *first = &g_array_index (toks, Token, *i);
  const Token *next;
  int depth = 0;
  gboolean opened = FALSE;
  gsize p = 0, name_end;
  Pos *at;

  memset (out, 0, sizeof *out);
  for (;;)
    {
      const Token *t = &g_array_index (toks, Token, *i);
      guint col = t->pos.col;
      if (t->quoted)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, t,
                         "unexpected quoted text in a %s (e.g. %s)", what,
                         example);
      if (buf->len > 0)
        {
          g_string_append_c (buf, ' ');
          g_array_append_val (pos, t->pos);
        }
      for (const char *s = t->text; *s != '\0'; s = g_utf8_next_char (s))
        {
          Pos here = { t->pos.file, t->pos.line, col++ };
          const char *end = g_utf8_next_char (s);
          for (const char *b = s; b < end; b++)
            {
              g_string_append_c (buf, *b);
              g_array_append_val (pos, here);
            }
          if (*s == '(')
            {
              depth++;
              opened = TRUE;
            }
          else if (*s == ')')
            depth--;
        }
      (*i)++;
      if (opened && depth <= 0)
        break;
      if (*i >= toks->len)
        break;
      next = &g_array_index (toks, Token, *i);
      if (!opened && (next->quoted || next->text[0] != '('))
        break;
    }
  at = (Pos *) pos->data;

  if (!opened)
    {
      if (!first->quoted && g_strv_contains (names, first->text))
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, first,
                         "missing '(' after '%s' (e.g. %s)", first->text,
                         example);
      if (first->text[0] != '$' && !sim__scenario_looks_numeric (first->text)
          && first->text[0] != '\0')
        {
          g_autofree char *hint
              = sim__scenario_did_you_mean (first->text, names, G_MAXSIZE);
          if (*hint != '\0')
            return fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD, first,
                             "unknown %s '%s'%s", what, first->text,
                             hint);
        }
      return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, first,
                       "expected a %s such as %s", what, example);
    }
  if (depth > 0)
    {
      const char *open = strchr (buf->str, '(');
      return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX,
                                 at[open - buf->str], buf->str, -1,
                                 "missing ')' to close '('");
    }

  /* NAME '(' ARG {',' ARG} ')' */
  while (g_ascii_isalnum (buf->str[p]) || buf->str[p] == '_')
    p++;
  name_end = p;
  while (is_blank (buf->str[p]))
    p++;
  if (name_end == 0 || buf->str[p] != '(')
    return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX, at[0],
                               buf->str, -1, "expected a %s such as %s", what,
                               example);
  sub_token (buf, at, 0, name_end, &out->name);
  p++;
  for (;;)
    {
      gsize start = p, eq = 0;
      while (p < buf->len && buf->str[p] != ',' && buf->str[p] != ')')
        {
          if (buf->str[p] == '(')
            {
              call_clear (out);
              return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX,
                                         at[p], buf->str + p, -1,
                                         "unexpected '(' in the arguments "
                                         "of a %s",
                                         what);
            }
          if (buf->str[p] == '=' && eq == 0)
            eq = p;
          p++;
        }
      if (p >= buf->len)
        {
          call_clear (out);
          return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX,
                                     at[buf->len - 1], buf->str, -1,
                                     "missing ')' to close '('");
        }
      if (out->n_args == 0 && buf->str[p] == ')')
        {
          gsize q = start;
          while (is_blank (buf->str[q]))
            q++;
          if (q == p)
            break; /* no arguments at all */
        }
      if (out->n_args == CALL_MAX_ARGS)
        {
          call_clear (out);
          return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX,
                                     at[start], buf->str + start, -1,
                                     "too many arguments");
        }
      {
        Token *key = &out->keys[out->n_args];
        Token *arg = &out->args[out->n_args];
        gsize arg_at;
        out->n_args++;
        if (eq != 0)
          {
            sub_token (buf, at, start, eq, key);
            arg_at = sub_token (buf, at, eq + 1, p, arg);
            if (key->text == NULL)
              {
                call_clear (out);
                return sim__scenario_fail (
                    error, SIM_SCENARIO_ERROR_SYNTAX, at[eq], buf->str + eq,
                    -1, "missing argument name before '='");
              }
          }
        else
          arg_at = sub_token (buf, at, start, p, arg);
        if (arg->text == NULL)
          {
            call_clear (out);
            return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX,
                                       at[p], buf->str + p, -1,
                                       "missing argument before '%c'",
                                       buf->str[p]);
          }
        if (strchr (arg->text, ' ') != NULL)
          {
            /* Report at the second word, e.g. 'min' of '1 min'. */
            gsize off = arg_at + (gsize) (strchr (arg->text, ' ') - arg->text)
                        + 1;
            call_clear (out);
            return sim__scenario_fail (
                error, SIM_SCENARIO_ERROR_SYNTAX, at[off], buf->str + off, -1,
                "unexpected space inside an argument (write e.g. 1min, "
                "not 1 min)");
          }
      }
      if (buf->str[p] == ')')
        break;
      p++; /* ',' */
    }
  p++; /* ')' */
  while (is_blank (buf->str[p]))
    p++;
  if (p < buf->len)
    {
      /* Quote the whole character: the text is valid UTF-8, and one byte
       * of a multi-byte character would make the message invalid
       * (found by fuzzing). */
      int n = (int) (g_utf8_next_char (buf->str + p) - (buf->str + p));
      call_clear (out);
      return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX, at[p],
                                 buf->str + p, -1,
                                 "unexpected '%.*s' after ')'", n,
                                 buf->str + p);
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Distributions                                                          */

static const char *const dist_names[]
    = { "exp", "pareto", "weibull", "uniform", "fixed", NULL };

/* Aliases are accepted on input; the canonical form uses dist_names. */
static const struct
{
  const char *name;
  SimDistKind kind;
  guint n_args;
  const char *usage;
} dist_table[] = {
  { "exp", SIM_DIST_EXPONENTIAL, 1, "exp(MEAN)" },
  { "exponential", SIM_DIST_EXPONENTIAL, 1, "exp(MEAN)" },
  { "pareto", SIM_DIST_PARETO, 2,
    "pareto(SHAPE, SCALE) or pareto(SHAPE, median=M)" },
  { "weibull", SIM_DIST_WEIBULL, 2, "weibull(SHAPE, SCALE)" },
  { "uniform", SIM_DIST_UNIFORM, 2, "uniform(LO, HI)" },
  { "fixed", SIM_DIST_CONSTANT, 1, "fixed(V)" },
  { "constant", SIM_DIST_CONSTANT, 1, "fixed(V)" },
};

/* A shape parameter: a number > 0. */
static gboolean
eval_shape (Parser *P, const Token *t, double *out, GError **error)
{
  Value v;
  if (!sim__scenario_eval_token (P, t, WANT_DOUBLE, &v, error))
    return FALSE;
  if (!(v.d > 0))
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "the shape must be greater than 0");
  *out = v.d;
  return TRUE;
}

/* A time parameter, in seconds: > 0, or >= 0 when @zero_ok. */
static gboolean
eval_dist_time (Parser *P, const Token *t, gboolean zero_ok, double *out,
                GError **error)
{
  Value v;
  if (!sim__scenario_eval_token (P, t, WANT_TIME, &v, error))
    return FALSE;
  if (v.t == 0 && !zero_ok)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "this time must be greater than 0");
  *out = time_to_seconds (v.t);
  return TRUE;
}

/* Reads a distribution (values in seconds) starting at the next token. */
gboolean
sim__scenario_eval_dist (Parser *P, const GArray *toks, guint *i,
                         SimDist *out, GError **error)
{
  Call k;
  gsize d;
  gboolean ok = FALSE;
  double a = 0, b = 0;

  if (!read_call (P, toks, i, "distribution", "exp(1h)", dist_names, &k,
                  error))
    return FALSE;
  for (d = 0; d < G_N_ELEMENTS (dist_table); d++)
    if (strcmp (dist_table[d].name, k.name.text) == 0)
      break;
  if (d == G_N_ELEMENTS (dist_table))
    {
      g_autofree char *hint
          = sim__scenario_did_you_mean (k.name.text, dist_names, G_MAXSIZE);
      fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD, &k.name,
                "unknown distribution '%s' (expected exp, pareto, weibull, "
                "uniform or fixed)%s",
                k.name.text, hint);
      goto out;
    }
  if (k.n_args != dist_table[d].n_args)
    {
      fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, &k.name,
                "'%s' takes %u argument%s: %s", k.name.text,
                dist_table[d].n_args, dist_table[d].n_args == 1 ? "" : "s",
                dist_table[d].usage);
      goto out;
    }
  for (guint j = 0; j < k.n_args; j++)
    if (k.keys[j].text != NULL
        && !(dist_table[d].kind == SIM_DIST_PARETO && j == 1))
      {
        fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, &k.keys[j],
                  "unexpected '%s=' (write %s)", k.keys[j].text,
                  dist_table[d].usage);
        goto out;
      }

  switch (dist_table[d].kind)
    {
    case SIM_DIST_EXPONENTIAL:
      if (!eval_dist_time (P, &k.args[0], FALSE, &a, error))
        goto out;
      *out = sim_dist_exponential (a);
      break;
    case SIM_DIST_CONSTANT:
      if (!eval_dist_time (P, &k.args[0], FALSE, &a, error))
        goto out;
      *out = sim_dist_constant (a);
      break;
    case SIM_DIST_UNIFORM:
      if (!eval_dist_time (P, &k.args[0], TRUE, &a, error)
          || !eval_dist_time (P, &k.args[1], TRUE, &b, error))
        goto out;
      if (!(a < b))
        {
          fail_tok (error, SIM_SCENARIO_ERROR_RANGE, &k.args[1],
                    "uniform(LO, HI) needs LO < HI");
          goto out;
        }
      *out = sim_dist_uniform (a, b);
      break;
    case SIM_DIST_WEIBULL:
      if (!eval_shape (P, &k.args[0], &a, error)
          || !eval_dist_time (P, &k.args[1], FALSE, &b, error))
        goto out;
      *out = sim_dist_weibull (a, b);
      break;
    case SIM_DIST_PARETO:
      {
        const char *key = k.keys[1].text;
        if (key != NULL && strcmp (key, "median") != 0
            && strcmp (key, "scale") != 0)
          {
            static const char *const keys[] = { "median", "scale", NULL };
            g_autofree char *hint
                = sim__scenario_did_you_mean (key, keys, G_MAXSIZE);
            fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD, &k.keys[1],
                      "unknown argument '%s' of pareto (expected median= "
                      "or scale=)%s",
                      key, hint);
            goto out;
          }
        if (!eval_shape (P, &k.args[0], &a, error)
            || !eval_dist_time (P, &k.args[1], FALSE, &b, error))
          goto out;
        *out = key != NULL && strcmp (key, "median") == 0
                   ? sim_dist_pareto_median (a, b)
                   : sim_dist_pareto (a, b);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  if (!sim_dist_is_valid (out))
    {
      /* E.g. pareto(1e-300, median=1s): the scale underflows to 0. */
      fail_tok (error, SIM_SCENARIO_ERROR_RANGE, &k.name,
                "the parameters of '%s' are out of range", k.name.text);
      goto out;
    }
  ok = TRUE;

out:
  call_clear (&k);
  return ok;
}

/* Appends seconds @s as a time literal. */
static void
append_seconds (GString *out, double s)
{
  sim__scenario_append_time (out, seconds_to_time (s));
}

void
sim__scenario_append_dist (GString *out, const SimDist *d)
{
  switch (d->kind)
    {
    case SIM_DIST_EXPONENTIAL:
      g_string_append (out, "exp(");
      append_seconds (out, d->p1);
      break;
    case SIM_DIST_CONSTANT:
      g_string_append (out, "fixed(");
      append_seconds (out, d->p1);
      break;
    case SIM_DIST_UNIFORM:
      g_string_append (out, "uniform(");
      append_seconds (out, d->p1);
      g_string_append (out, ", ");
      append_seconds (out, d->p2);
      break;
    case SIM_DIST_WEIBULL:
      g_string_append (out, "weibull(");
      sim__scenario_append_double (out, d->p1);
      g_string_append (out, ", ");
      append_seconds (out, d->p2);
      break;
    case SIM_DIST_PARETO:
      {
        /* A scale given as a time is a whole number of µs; one computed
         * from median=M is not.  Write the median form when it gives back
         * exactly this scale. */
        SimTime m = seconds_to_time (d->p2 * exp2 (1.0 / d->p1));
        g_string_append (out, "pareto(");
        sim__scenario_append_double (out, d->p1);
        g_string_append (out, ", ");
        for (int delta = -1; delta <= 1; delta++)
          {
            SimTime mm = m + (SimTime) delta;
            if (mm == 0 || (delta > 0 && mm < m) || (delta < 0 && mm > m))
              continue;
            if (sim_dist_pareto_median (d->p1, time_to_seconds (mm)).p2
                == d->p2)
              {
                g_string_append (out, "median=");
                sim__scenario_append_time (out, mm);
                g_string_append_c (out, ')');
                return;
              }
          }
        append_seconds (out, d->p2);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  g_string_append_c (out, ')');
}

/* ---------------------------------------------------------------------- */
/* Zipf key populations                                                   */

/* `zipf(S, K)`, starting at token *@i. */
gboolean
sim__scenario_eval_zipf (Parser *P, const GArray *toks, guint *i,
                         double *s_out, guint64 *n_out, GError **error)
{
  static const char *const names[] = { "zipf", NULL };
  Call k;
  Value s, n;
  gboolean ok = FALSE;

  if (!read_call (P, toks, i, "key mode", "zipf(1.2, 10k)", names, &k,
                  error))
    return FALSE;
  if (strcmp (k.name.text, "zipf") != 0)
    {
      fail_tok (error, SIM_SCENARIO_ERROR_BAD_VALUE, &k.name,
                "keys must be 'node', 'random' or 'zipf(S, K)'");
      goto out;
    }
  if (k.n_args != 2 || k.keys[0].text != NULL || k.keys[1].text != NULL)
    {
      fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, &k.name,
                "'zipf' takes 2 arguments: zipf(S, K), the exponent and "
                "the number of keys");
      goto out;
    }
  if (!sim__scenario_eval_token (P, &k.args[0], WANT_DOUBLE, &s, error))
    goto out;
  if (!(s.d > 0))
    {
      fail_tok (error, SIM_SCENARIO_ERROR_RANGE, &k.args[0],
                "the exponent must be greater than 0");
      goto out;
    }
  if (!sim__scenario_eval_token (P, &k.args[1], WANT_UINT, &n, error))
    goto out;
  if (n.u < 1 || n.u > (G_GUINT64_CONSTANT (1) << 32))
    {
      fail_tok (error, SIM_SCENARIO_ERROR_RANGE, &k.args[1],
                "the number of keys must be between 1 and 2^32");
      goto out;
    }
  *s_out = s.d;
  *n_out = n.u;
  ok = TRUE;

out:
  call_clear (&k);
  return ok;
}

/* Appends `zipf(S, K)`. */
void
sim__scenario_append_zipf (GString *out, double s, guint64 n)
{
  g_string_append (out, "zipf(");
  sim__scenario_append_double (out, s);
  g_string_append_printf (out, ", %" G_GUINT64_FORMAT ")", n);
}
