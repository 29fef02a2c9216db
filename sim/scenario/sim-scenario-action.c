/* sim-scenario-action.c — the timeline of a scenario: `at TIME VERB ...`
 * for every verb, with its options, distributions and node selections,
 * and the `measure` window (see sim-scenario-private.h for the split of
 * the parser, scenarios/README.md for the language).
 *
 * Invariants: every SimAction appended to sc->actions satisfies the field
 * rules of sim-scenario.h for its kind, and actions are appended in
 * non-decreasing `at` order.  write_action() emits, for every action the
 * parser can produce, a line that parses back as the same action: each
 * verb's syntax is read and written in this one file.
 *
 * Distributions and other calls (`exp(1h)`, `zipf(1.2, 10k)`) are read and
 * written by sim-scenario-dist.c.
 *
 * Cost: linear in the number of tokens, except `fail nodes LIST`, which
 * sorts a copy of the list to find duplicates (O(n log n)), and
 * `churn trace`, which loads the trace (see sim-trace.h).
 */
#include "sim-scenario-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Helpers shared by the verbs                                            */

/* The argument tokens of an action (after `at TIME VERB`). */
typedef struct
{
  Parser *P;
  const GArray *toks;
  guint i;           /* next token */
  const Token *verb;
  SimAction *a;
} ActionCtx;

static const Token *
ctx_tok (const ActionCtx *c, guint i)
{
  return &g_array_index (c->toks, Token, i);
}

/* Evaluates a count in [1, max] at token @t. */
static gboolean
eval_count (Parser *P, const Token *t, guint64 max, const char *what,
            guint64 *out, GError **error)
{
  Value v;
  if (!sim__scenario_eval_token (P, t, WANT_UINT, &v, error))
    return FALSE;
  if (v.u == 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "the number of %s must be at least 1", what);
  if (v.u > max)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "too many %s (at most %" G_GUINT64_FORMAT ")", what,
                     max);
  *out = v.u;
  return TRUE;
}

/* Evaluates a positive duration at token @t that, added to the action
 * time, stays representable. */
static gboolean
eval_duration (ActionCtx *c, const Token *t, SimTime *out, GError **error)
{
  Value v;
  if (!sim__scenario_eval_token (c->P, t, WANT_TIME, &v, error))
    return FALSE;
  if (v.t == 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "the duration must be greater than 0");
  if (c->a->at > SIM_TIME_MAX - v.t)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "the action would end after the largest representable "
                     "time");
  *out = v.t;
  return TRUE;
}

/* Option names accepted by a verb, NULL-terminated, for messages. */
typedef struct
{
  const char *const *names;
  const Token *seen[8];
} OptionSet;

/* Returns the index of option token @t in @set, failing on unknown or
 * repeated options; -1 on error. */
static int
take_option (ActionCtx *c, OptionSet *set, const Token *t, GError **error)
{
  for (int k = 0; set->names[k] != NULL; k++)
    if (tok_is (t, set->names[k]))
      {
        g_assert (k < (int) G_N_ELEMENTS (set->seen));
        if (set->seen[k] != NULL)
          {
            fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, t,
                      "'%s' already given at column %u", t->text,
                      set->seen[k]->pos.col);
            return -1;
          }
        set->seen[k] = t;
        return k;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **) set->names);
    g_autofree char *hint
        = sim__scenario_did_you_mean (t->text, set->names, G_MAXSIZE);
    fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD, t,
              "unknown option '%s' for '%s' (expected %s)%s", t->text,
              c->verb->text, list, hint);
  }
  return -1;
}

/* Returns the token after option @opt, failing if there is none. */
static const Token *
option_arg (ActionCtx *c, const Token *opt, const char *what,
            GError **error)
{
  if (c->i >= c->toks->len)
    {
      fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, opt,
                "missing %s after '%s'", what, opt->text);
      return NULL;
    }
  return ctx_tok (c, c->i++);
}

static gboolean
add_nodes (ActionCtx *c, const Token *t, GError **error)
{
  Parser *P = c->P;
  if (c->a->count > SIM_SCENARIO_MAX_NODES - P->total_nodes)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "this makes %" G_GUINT64_FORMAT
                     " nodes in total, more than the maximum %u",
                     P->total_nodes + c->a->count, SIM_SCENARIO_MAX_NODES);
  P->total_nodes += c->a->count;
  P->max_hosts = c->a->count > G_MAXUINT64 - P->max_hosts
                     ? G_MAXUINT64
                     : P->max_hosts + c->a->count;
  return TRUE;
}

/* Raises the bound on node indices by @n, saturating; G_MAXUINT64 means
 * "unknown".  A node index names a node for its whole life; a node that
 * comes back with a new id is a new node (a new index), so after a rejoin
 * or churn with `id new` the bound is unknown. */
static void
add_hosts (Parser *P, guint64 n)
{
  P->max_hosts = n > G_MAXUINT64 - P->max_hosts ? G_MAXUINT64
                                                : P->max_hosts + n;
}

static gboolean
add_lookups (ActionCtx *c, const Token *t, guint64 n, GError **error)
{
  Parser *P = c->P;
  if (n > SIM_SCENARIO_MAX_LOOKUPS - P->total_lookups)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "this makes about %" G_GUINT64_FORMAT
                     " lookups in total, more than the maximum %"
                     G_GUINT64_FORMAT,
                     P->total_lookups + MIN (n, SIM_SCENARIO_MAX_LOOKUPS),
                     SIM_SCENARIO_MAX_LOOKUPS);
  P->total_lookups += n;
  return TRUE;
}

/* Requires the count argument of a verb. */
static const Token *
count_arg (ActionCtx *c, const char *usage, GError **error)
{
  if (c->i >= c->toks->len)
    {
      fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, c->verb,
                "missing count after '%s' (%s)", c->verb->text, usage);
      return NULL;
    }
  return ctx_tok (c, c->i++);
}

/* `id same|new` */
static gboolean
eval_id_mode (ActionCtx *c, const Token *t, GError **error)
{
  static const char *const modes[] = { "same", "new", NULL };
  Value v;
  if (!sim__scenario_eval_token (c->P, t, WANT_STRING, &v, error))
    return FALSE;
  if (g_str_equal (v.s, "same") || g_str_equal (v.s, "new"))
    {
      c->a->same_id = g_str_equal (v.s, "same");
      value_clear (&v);
      return TRUE;
    }
  {
    g_autofree char *hint
        = sim__scenario_did_you_mean (v.s, modes, G_MAXSIZE);
    value_clear (&v);
    return fail_tok (error, SIM_SCENARIO_ERROR_BAD_VALUE, t,
                     "id must be 'same' or 'new'%s", hint);
  }
}

/* ---------------------------------------------------------------------- */
/* join, build                                                            */

/* join N [over DURATION | sequential] */
static gboolean
parse_join (ActionCtx *c, GError **error)
{
  static const char *const names[] = { "over", "sequential", NULL };
  OptionSet opts = { names, { NULL } };
  const Token *n_tok = count_arg (c, "join N [over DURATION | sequential]",
                                  error);

  if (n_tok == NULL
      || !eval_count (c->P, n_tok, SIM_SCENARIO_MAX_NODES, "nodes",
                      &c->a->count, error))
    return FALSE;
  while (c->i < c->toks->len)
    {
      const Token *opt = ctx_tok (c, c->i++);
      const Token *arg;
      switch (take_option (c, &opts, opt, error))
        {
        case 0:
          if ((arg = option_arg (c, opt, "duration", error)) == NULL
              || !eval_duration (c, arg, &c->a->over, error))
            return FALSE;
          c->a->spread = SIM_SPREAD_UNIFORM;
          break;
        case 1:
          c->a->sequential = TRUE;
          c->a->spread = SIM_SPREAD_SEQUENTIAL;
          break;
        default:
          return FALSE;
        }
      if (opts.seen[0] != NULL && opts.seen[1] != NULL)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, opt,
                         "'over' and 'sequential' cannot be combined");
    }
  return add_nodes (c, n_tok, error);
}

/* build N */
static gboolean
parse_build (ActionCtx *c, GError **error)
{
  const Token *n_tok = count_arg (c, "build N", error);
  if (n_tok == NULL
      || !eval_count (c->P, n_tok, SIM_SCENARIO_MAX_NODES, "nodes",
                      &c->a->count, error))
    return FALSE;
  if (!sim__scenario_expect_no_more (c->toks, c->i, "'build N'", error))
    return FALSE;
  return add_nodes (c, n_tok, error);
}

/* ---------------------------------------------------------------------- */
/* lookup                                                                 */

/* The rate token "R/UNIT" of `lookup rate`. */
static gboolean
eval_rate (ActionCtx *c, const Token *t, double *out, GError **error)
{
  const char *slash = t->quoted ? NULL : strrchr (t->text, '/');
  guint64 unit_us;
  Token num;
  Value v;
  double per_s;

  if (slash == NULL)
    return fail_tok (error, SIM_SCENARIO_ERROR_BAD_UNIT, t,
                     "missing rate unit (write e.g. %s/s or %s/min)",
                     t->text, t->text);
  if (!sim__scenario_time_unit_us (slash + 1, &unit_us))
    {
      g_autofree char *hint = sim__scenario_did_you_mean (
          slash + 1, sim__scenario_time_unit_names, G_MAXSIZE);
      return fail_tok (error, SIM_SCENARIO_ERROR_BAD_UNIT, t,
                       "unknown rate unit '/%s' (use /s, /min, /h, /d, /ms "
                       "or /us)%s",
                       slash + 1, hint);
    }
  num.text = g_strndup (t->text, (gsize) (slash - t->text));
  num.quoted = FALSE;
  num.pos = t->pos;
  if (!sim__scenario_eval_token (c->P, &num, WANT_DOUBLE, &v, error))
    {
      token_clear (&num);
      return FALSE;
    }
  token_clear (&num);
  /* Events per second = R × 10^6 / (unit in µs); exactly R for /s, the
   * unit of the canonical form, so that it reads back bit for bit. */
  per_s = unit_us == SIM_TIME_S ? v.d : v.d * 1e6 / (double) unit_us;
  if (!(v.d > 0) || !isfinite (per_s) || per_s <= 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, t,
                     "the rate must be greater than 0");
  *out = per_s;
  return TRUE;
}

static const char *const key_choices[] = { "node", "random", "zipf", NULL };

/* `keys node | random | zipf(S, K)`, starting at the next token. */
static gboolean
eval_keys (ActionCtx *c, const Token *opt, GError **error)
{
  const Token *t;
  Value v;

  if (c->i >= c->toks->len)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, opt,
                     "missing key mode after 'keys'");
  t = ctx_tok (c, c->i);
  if (!t->quoted && g_str_has_prefix (t->text, "zipf"))
    {
      if (!sim__scenario_eval_zipf (c->P, c->toks, &c->i, &c->a->zipf_s,
                                    &c->a->zipf_n, error))
        return FALSE;
      c->a->keys = SIM_KEYS_ZIPF;
      return TRUE;
    }
  c->i++;
  if (!sim__scenario_eval_token (c->P, t, WANT_STRING, &v, error))
    return FALSE;
  c->a->zipf_s = 0;
  c->a->zipf_n = 0;
  if (strcmp (v.s, "node") == 0)
    c->a->keys = SIM_KEYS_NODE;
  else if (strcmp (v.s, "random") == 0)
    c->a->keys = SIM_KEYS_RANDOM;
  else
    {
      g_autofree char *hint
          = sim__scenario_did_you_mean (v.s, key_choices, G_MAXSIZE);
      value_clear (&v);
      return fail_tok (error, SIM_SCENARIO_ERROR_BAD_VALUE, t,
                       "keys must be 'node', 'random' or 'zipf(S, K)'%s",
                       hint);
    }
  value_clear (&v);
  return TRUE;
}

/* lookup N [over DURATION] [keys K]
 * lookup rate R/UNIT [per node] for DURATION [keys K]
 * lookup every DIST per node for DURATION [keys K] */
static gboolean
parse_lookup (ActionCtx *c, GError **error)
{
  static const char *const count_names[] = { "over", "keys", NULL };
  static const char *const rate_names[] = { "for", "keys", "per", NULL };
  enum
  {
    O_FOR = 0,
    O_KEYS = 1,
    O_PER = 2
  };
  const Token *first;
  const Token *rate_tok = NULL;
  gboolean is_rate, is_every;
  OptionSet opts = { NULL, { NULL } };

  c->a->keys = g_str_equal (sim_scenario_get_string (c->P->sc, "lookup_key"),
                            "random")
                   ? SIM_KEYS_RANDOM
                   : SIM_KEYS_NODE;
  first = count_arg (c,
                     "lookup N [over DURATION], lookup rate R/s [per node] "
                     "for DURATION, or lookup every DIST per node for "
                     "DURATION",
                     error);
  if (first == NULL)
    return FALSE;
  is_rate = tok_is (first, "rate");
  is_every = tok_is (first, "every");
  opts.names = is_rate || is_every ? rate_names : count_names;
  if (is_rate)
    {
      if (c->i >= c->toks->len)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, first,
                         "missing rate after 'rate' (e.g. rate 100/s)");
      rate_tok = ctx_tok (c, c->i++);
      if (!eval_rate (c, rate_tok, &c->a->rate_per_s, error))
        return FALSE;
      c->a->spread = SIM_SPREAD_POISSON;
    }
  else if (is_every)
    {
      if (c->i >= c->toks->len)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, first,
                         "missing distribution after 'every' (e.g. every "
                         "exp(10min) per node)");
      rate_tok = ctx_tok (c, c->i);
      if (!sim__scenario_eval_dist (c->P, c->toks, &c->i, &c->a->every,
                                    error))
        return FALSE;
      c->a->has_every = TRUE;
      c->a->spread = SIM_SPREAD_PER_NODE;
    }
  else if (!eval_count (c->P, first, SIM_SCENARIO_MAX_LOOKUPS, "lookups",
                        &c->a->count, error))
    return FALSE;

  while (c->i < c->toks->len)
    {
      const Token *opt = ctx_tok (c, c->i++);
      const Token *arg;
      int k = take_option (c, &opts, opt, error);
      if (k < 0)
        return FALSE;
      if (k == O_KEYS)
        {
          if (!eval_keys (c, opt, error))
            return FALSE;
          continue;
        }
      if ((is_rate || is_every) && k == O_PER)
        {
          if ((arg = option_arg (c, opt, "'node'", error)) == NULL)
            return FALSE;
          if (!tok_is (arg, "node"))
            return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, arg,
                             "expected 'per node'");
          c->a->spread = SIM_SPREAD_PER_NODE;
          continue;
        }
      if ((arg = option_arg (c, opt, "duration", error)) == NULL)
        return FALSE;
      if (is_rate || is_every)
        {
          if (!eval_duration (c, arg, &c->a->duration, error))
            return FALSE;
        }
      else
        {
          if (!eval_duration (c, arg, &c->a->over, error))
            return FALSE;
          c->a->spread = SIM_SPREAD_UNIFORM;
        }
    }

  if (is_every && opts.seen[O_PER] == NULL)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, first,
                     "'every' needs 'per node' (lookup every DIST per node "
                     "for DURATION)");
  if ((is_rate || is_every) && opts.seen[O_FOR] == NULL)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, rate_tok,
                     "'lookup %s' needs 'for DURATION'", first->text);
  if (c->a->spread == SIM_SPREAD_PER_NODE)
    {
      /* The number depends on the live nodes: at most every node index
       * the actions so far may have created (the nodes joined or built
       * when that bound is unknown), each at rate_per_s or once per mean
       * of `every` (gaps are at least 1 µs), for the duration.  Counted
       * against the same limit as the other lookups. */
      double per_s = is_every
                         ? 1.0 / MAX (sim_dist_mean (&c->a->every), 1e-6)
                         : c->a->rate_per_s;
      double nodes = (double) (c->P->max_hosts == G_MAXUINT64
                                   ? c->P->total_nodes
                                   : c->P->max_hosts);
      double expected
          = ceil (per_s * sim_time_to_s (c->a->duration) * nodes);
      if (!(expected <= (double) SIM_SCENARIO_MAX_LOOKUPS))
        return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, rate_tok,
                         "rate x duration x %.0f nodes is more than %"
                         G_GUINT64_FORMAT " lookups",
                         nodes, SIM_SCENARIO_MAX_LOOKUPS);
      return add_lookups (c, rate_tok, sim_u64_from_double (expected),
                          error);
    }
  if (is_rate)
    {
      double expected
          = ceil (c->a->rate_per_s * sim_time_to_s (c->a->duration));
      if (expected > (double) SIM_SCENARIO_MAX_LOOKUPS)
        return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, rate_tok,
                         "rate x duration is more than %" G_GUINT64_FORMAT
                         " lookups",
                         SIM_SCENARIO_MAX_LOOKUPS);
      return add_lookups (c, rate_tok, sim_u64_from_double (expected),
                          error);
    }
  return add_lookups (c, first, c->a->count, error);
}

/* ---------------------------------------------------------------------- */
/* fail, leave, rejoin                                                    */

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

/* The node list of `nodes 3,17,42`, which may be written with blanks
 * after (or before) the commas and so span several tokens. */
static gboolean
eval_node_list (ActionCtx *c, const Token *kw, GError **error)
{
  Parser *P = c->P;
  g_autoptr (GArray) list = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) where = g_array_new (FALSE, FALSE, sizeof (Pos));
  gboolean want_item = TRUE; /* an item must come next */

  if (c->i >= c->toks->len)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, kw,
                     "missing node list after 'nodes' (e.g. nodes 3,17,42)");
  while (c->i < c->toks->len)
    {
      const Token *t = ctx_tok (c, c->i);
      const char *s = t->text;
      guint col = t->pos.col;

      if (!want_item && (t->quoted || s[0] != ','))
        break; /* the list is over; options may follow */
      c->i++;
      if (t->quoted)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, t,
                         "expected a node index, not a quoted string");
      while (*s != '\0')
        {
          const char *comma = strchr (s, ',');
          gsize n = comma != NULL ? (gsize) (comma - s) : strlen (s);
          if (n == 0)
            {
              Pos p = { t->pos.file, t->pos.line, col };
              if (want_item)
                return sim__scenario_fail (
                    error, SIM_SCENARIO_ERROR_SYNTAX, p, s, -1,
                    "empty item in the node list (write e.g. 3,17,42)");
              want_item = TRUE; /* the comma after an item */
              s++;
              col++;
              continue;
            }
          if (!want_item)
            {
              Pos p = { t->pos.file, t->pos.line, col };
              return sim__scenario_fail (error, SIM_SCENARIO_ERROR_SYNTAX, p,
                                         s, -1,
                                         "missing ',' between node indices");
            }
          {
            Token item = { g_strndup (s, n), FALSE,
                           { t->pos.file, t->pos.line, col } };
            Value v;
            gboolean ok
                = sim__scenario_eval_token (P, &item, WANT_UINT, &v, error);
            if (ok && v.u >= SIM_SCENARIO_MAX_NODES)
              ok = fail_tok (error, SIM_SCENARIO_ERROR_RANGE, &item,
                             "node index too large (at most %u)",
                             SIM_SCENARIO_MAX_NODES - 1);
            else if (ok && v.u >= P->max_hosts)
              ok = fail_tok (error, SIM_SCENARIO_ERROR_RANGE, &item,
                             "there is no node %" G_GUINT64_FORMAT
                             ": the actions before this line create "
                             "%" G_GUINT64_FORMAT " node%s (indices start "
                             "at 0)",
                             v.u, P->max_hosts,
                             P->max_hosts == 1 ? "" : "s");
            if (ok)
              {
                g_array_append_val (list, v.u);
                g_array_append_val (where, item.pos);
              }
            token_clear (&item);
            if (!ok)
              return FALSE;
          }
          col += (guint) g_utf8_strlen (s, (gssize) n);
          s += n;
          want_item = FALSE;
        }
    }
  if (want_item)
    {
      const Token *last = ctx_tok (c, c->i - 1);
      return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, last,
                       "the node list ends with ','");
    }

  /* Duplicates: sort a copy, then report the later one in file order. */
  {
    g_autofree guint64 *sorted = g_new (guint64, list->len);
    memcpy (sorted, list->data, list->len * sizeof (guint64));
    qsort (sorted, list->len, sizeof (guint64), cmp_u64);
    for (guint k = 1; k < list->len; k++)
      if (sorted[k] == sorted[k - 1])
        {
          guint seen = 0;
          for (guint j = 0; j < list->len; j++)
            if (g_array_index (list, guint64, j) == sorted[k] && seen++ == 1)
              {
                g_autofree char *txt
                    = g_strdup_printf ("%" G_GUINT64_FORMAT, sorted[k]);
                return sim__scenario_fail (
                    error, SIM_SCENARIO_ERROR_DUPLICATE,
                    g_array_index (where, Pos, j), txt, -1,
                    "node %" G_GUINT64_FORMAT " is listed twice", sorted[k]);
              }
        }
  }
  c->a->n_indices = list->len;
  c->a->count = list->len;
  c->a->indices = (const guint64 *) g_array_steal (list, NULL);
  return TRUE;
}

/* Finds the percentage P, shortest in decimal, such that P / 100 == f (the
 * parser's conversion of `P%`); FALSE if there is none. */
static gboolean
percent_of (double f, double *out)
{
  double p = f * 100.0, up = p, down = p;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int prec = 1; prec <= 17; prec++)
    {
      char fmt[8];
      double c;
      g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, p);
      c = g_ascii_strtod (buf, NULL);
      if (c / 100.0 == f)
        {
          *out = c;
          return TRUE;
        }
    }
  for (int k = 0; k < 8; k++)
    {
      up = nextafter (up, INFINITY);
      down = nextafter (down, 0);
      if (up / 100.0 == f)
        {
          *out = up;
          return TRUE;
        }
      if (down / 100.0 == f)
        {
          *out = down;
          return TRUE;
        }
    }
  return FALSE;
}

/* fail|leave N [over D], P% [over D], range N [over D], nodes I,J,... */
static gboolean
parse_depart (ActionCtx *c, GError **error)
{
  static const char *const names[] = { "over", NULL };
  OptionSet opts = { names, { NULL } };
  const Token *first = count_arg (
      c, "N, P%, range N or nodes I,J,... optionally followed by over D",
      error);
  SimAction *a = c->a;

  if (first == NULL)
    return FALSE;
  if (tok_is (first, "range"))
    {
      const Token *n_tok = option_arg (c, first, "count", error);
      a->select = SIM_SELECT_RANGE;
      if (n_tok == NULL
          || !eval_count (c->P, n_tok, SIM_SCENARIO_MAX_NODES, "nodes",
                          &a->count, error))
        return FALSE;
    }
  else if (tok_is (first, "nodes"))
    {
      a->select = SIM_SELECT_INDICES;
      if (!eval_node_list (c, first, error))
        return FALSE;
    }
  else if (!first->quoted && first->text[0] != '$'
           && g_str_has_suffix (first->text, "%"))
    {
      Value v;
      a->select = SIM_SELECT_PERCENT;
      if (!sim__scenario_eval_token (c->P, first, WANT_DOUBLE, &v, error))
        return FALSE;
      if (!(v.d > 0 && v.d <= 1))
        return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, first,
                         "the percentage must be greater than 0%% and at "
                         "most 100%%");
      a->fraction = v.d;
    }
  else if (!first->quoted && first->text[0] == '$')
    {
      /* A variable holds a count (`let n = 10`) or a fraction
       * (`let p = 10%`). */
      Value v;
      double pct;
      if (!sim__scenario_eval_token (c->P, first, WANT_ANY, &v, error))
        return FALSE;
      if (v.kind == VAL_INT)
        {
          if (!eval_count (c->P, first, SIM_SCENARIO_MAX_NODES, "nodes",
                           &a->count, error))
            return FALSE;
        }
      else if (v.kind == VAL_DOUBLE)
        {
          if (!(v.d > 0 && v.d <= 1))
            return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, first,
                             "'%s' is %g, but the fraction of nodes must be "
                             "greater than 0 and at most 1 (100%%)",
                             first->text, v.d);
          a->select = SIM_SELECT_PERCENT;
          /* Keep it P / 100 for some P, like a literal, so that the
           * canonical form can write it back as P%. */
          a->fraction = v.d;
          if (!percent_of (v.d, &pct))
            a->fraction = (v.d * 100.0) / 100.0;
        }
      else
        {
          ValKind kind = v.kind;
          value_clear (&v);
          return fail_tok (error, SIM_SCENARIO_ERROR_TYPE, first,
                           "'%s' holds %s, but a count or a percentage is "
                           "needed here",
                           first->text,
                           kind == VAL_TIME ? "a time" : "a word");
        }
    }
  else if (!eval_count (c->P, first, SIM_SCENARIO_MAX_NODES, "nodes",
                        &a->count, error))
    return FALSE;

  while (c->i < c->toks->len)
    {
      const Token *opt = ctx_tok (c, c->i++);
      const Token *arg;
      if (a->select == SIM_SELECT_INDICES && !opt->quoted
          && sim__scenario_looks_numeric (opt->text))
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, opt,
                         "missing ',' between node indices");
      if (take_option (c, &opts, opt, error) < 0)
        return FALSE;
      if (a->select == SIM_SELECT_INDICES)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, opt,
                         "'over' cannot be used with 'nodes' (listed nodes "
                         "depart at once)");
      if ((arg = option_arg (c, opt, "duration", error)) == NULL
          || !eval_duration (c, arg, &a->over, error))
        return FALSE;
      a->spread = SIM_SPREAD_UNIFORM;
    }
  return TRUE;
}

/* rejoin N|all [over D] [id same|new] */
static gboolean
parse_rejoin (ActionCtx *c, GError **error)
{
  static const char *const names[] = { "over", "id", NULL };
  OptionSet opts = { names, { NULL } };
  const Token *first
      = count_arg (c, "rejoin N|all [over D] [id same|new]", error);
  SimAction *a = c->a;

  a->same_id = TRUE;
  if (first == NULL)
    return FALSE;
  if (tok_is (first, "all"))
    a->select = SIM_SELECT_ALL;
  else if (!eval_count (c->P, first, SIM_SCENARIO_MAX_NODES, "nodes",
                        &a->count, error))
    return FALSE;
  while (c->i < c->toks->len)
    {
      const Token *opt = ctx_tok (c, c->i++);
      const Token *arg;
      int k = take_option (c, &opts, opt, error);
      if (k < 0)
        return FALSE;
      if ((arg = option_arg (c, opt, k == 0 ? "duration" : "'same' or 'new'",
                             error))
          == NULL)
        return FALSE;
      if (k == 1)
        {
          if (!eval_id_mode (c, arg, error))
            return FALSE;
        }
      else
        {
          if (!eval_duration (c, arg, &a->over, error))
            return FALSE;
          a->spread = SIM_SPREAD_UNIFORM;
        }
    }
  if (!a->same_id)
    add_hosts (c->P, G_MAXUINT64);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* churn                                                                  */

/* churn trace FILE [id same|new] */
static gboolean
parse_trace (ActionCtx *c, const Token *kw, GError **error)
{
  static const char *const names[] = { "id", NULL };
  OptionSet opts = { names, { NULL } };
  Parser *P = c->P;
  SimAction *a = c->a;
  const Token *file_tok = option_arg (c, kw, "trace file", error);
  g_autoptr (GError) terr = NULL;
  g_autofree char *path = NULL;
  SimTrace *trace;
  SimTime last = 0;
  Value v;

  a->kind = SIM_ACTION_TRACE;
  a->same_id = TRUE;
  if (file_tok == NULL
      || !sim__scenario_eval_token (P, file_tok, WANT_STRING, &v, error))
    return FALSE;
  if (v.s[0] == '\0')
    {
      value_clear (&v);
      return fail_tok (error, SIM_SCENARIO_ERROR_BAD_VALUE, file_tok,
                       "the trace file name is empty");
    }
  path = P->sc->base_dir != NULL
             ? g_canonicalize_filename (v.s, P->sc->base_dir)
             : g_strdup (v.s);
  value_clear (&v);

  while (c->i < c->toks->len)
    {
      const Token *opt = ctx_tok (c, c->i++);
      const Token *arg;
      if (take_option (c, &opts, opt, error) < 0
          || (arg = option_arg (c, opt, "'same' or 'new'", error)) == NULL
          || !eval_id_mode (c, arg, error))
        return FALSE;
    }

  /* Load last: options are checked first, and a bad trace is reported
   * with the scenario position of its name. */
  trace = sim_trace_load (path, &terr);
  if (trace == NULL)
    {
      gboolean io = g_error_matches (terr, SIM_TRACE_ERROR,
                                     SIM_TRACE_ERROR_IO);
      return sim__scenario_fail (
          error, io ? SIM_SCENARIO_ERROR_IO : SIM_SCENARIO_ERROR_TRACE,
          file_tok->pos, NULL, 0, "%s churn trace: %s",
          io ? "cannot read the" : "invalid", terr->message);
    }
  for (guint i = 0; i < sim_trace_n_rows (trace); i++)
    {
      const SimTraceRow *r = sim_trace_row (trace, i);
      last = MAX (last, r->leave != SIM_TIME_MAX ? r->leave : r->join);
    }
  a->trace = trace;
  a->trace_path = g_steal_pointer (&path);
  if (a->at > SIM_TIME_MAX - 1 - last)
    return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, file_tok,
                     "the trace would end after the largest representable "
                     "time");
  add_hosts (P, a->same_id ? sim_trace_n_nodes (trace) : G_MAXUINT64);
  return TRUE;
}

/* churn for D session DIST [down DIST] [population N] [id same|new]
 * churn trace FILE [id same|new] */
static gboolean
parse_churn (ActionCtx *c, GError **error)
{
  static const char *const names[]
      = { "for", "session", "down", "population", "id", NULL };
  enum
  {
    O_FOR,
    O_SESSION,
    O_DOWN,
    O_POPULATION,
    O_ID
  };
  OptionSet opts = { names, { NULL } };
  SimAction *a = c->a;
  const Token *first;

  if (c->i >= c->toks->len)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, c->verb,
                     "missing arguments after 'churn' (churn for DURATION "
                     "session DIST ..., or churn trace FILE)");
  first = ctx_tok (c, c->i);
  if (tok_is (first, "trace"))
    {
      c->i++;
      return parse_trace (c, first, error);
    }
  if (first->quoted || !g_strv_contains (names, first->text))
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, first,
                     "expected 'for DURATION' or 'trace FILE' after "
                     "'churn'");

  a->same_id = FALSE;
  while (c->i < c->toks->len)
    {
      const Token *opt = ctx_tok (c, c->i++);
      const Token *arg;
      int k = take_option (c, &opts, opt, error);
      if (k < 0)
        return FALSE;
      switch (k)
        {
        case O_FOR:
          if ((arg = option_arg (c, opt, "duration", error)) == NULL
              || !eval_duration (c, arg, &a->duration, error))
            return FALSE;
          break;
        case O_SESSION:
        case O_DOWN:
          if (c->i >= c->toks->len)
            return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, opt,
                             "missing distribution after '%s' (e.g. %s "
                             "exp(1h))",
                             opt->text, opt->text);
          if (!sim__scenario_eval_dist (c->P, c->toks, &c->i,
                                        k == O_SESSION ? &a->session
                                                       : &a->down,
                                        error))
            return FALSE;
          break;
        case O_POPULATION:
          if ((arg = option_arg (c, opt, "count", error)) == NULL
              || !eval_count (c->P, arg, SIM_SCENARIO_MAX_NODES, "nodes",
                              &a->population, error))
            return FALSE;
          break;
        case O_ID:
          if ((arg = option_arg (c, opt, "'same' or 'new'", error)) == NULL
              || !eval_id_mode (c, arg, error))
            return FALSE;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (opts.seen[O_FOR] == NULL)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, c->verb,
                     "'churn' needs 'for DURATION'");
  if (opts.seen[O_SESSION] == NULL)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, c->verb,
                     "'churn' needs 'session DIST' (e.g. session exp(1h))");
  if (opts.seen[O_DOWN] == NULL)
    a->down = a->session;
  add_hosts (c->P, a->same_id ? a->population : G_MAXUINT64);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* at                                                                     */

static const struct
{
  const char *name;
  gboolean (*parse) (ActionCtx *c, GError **error);
  SimActionKind kind;
} verbs[] = {
  { "join", parse_join, SIM_ACTION_JOIN },
  { "build", parse_build, SIM_ACTION_BUILD },
  { "lookup", parse_lookup, SIM_ACTION_LOOKUP },
  { "fail", parse_depart, SIM_ACTION_FAIL },
  { "leave", parse_depart, SIM_ACTION_LEAVE },
  { "rejoin", parse_rejoin, SIM_ACTION_REJOIN },
  { "churn", parse_churn, SIM_ACTION_CHURN },
};

static const char *const verb_names[]
    = { "join", "build", "lookup", "fail", "leave", "rejoin", "churn", NULL };

void
sim__scenario_action_clear (gpointer p)
{
  SimAction *a = p;
  g_free ((gpointer) a->indices);
  sim_trace_free ((SimTrace *) a->trace);
  g_free ((gpointer) a->trace_path);
  a->indices = NULL;
  a->trace = NULL;
  a->trace_path = NULL;
}

gboolean
sim__scenario_parse_at (Parser *P, const GArray *toks, GError **error)
{
  const Token *kw = &g_array_index (toks, Token, 0);
  const Token *time_tok, *verb;
  SimAction a = { 0 };
  ActionCtx c = { P, toks, 3, NULL, &a };
  Value v;

  if (toks->len < 2)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, kw,
                     "missing time after 'at' (at TIME ACTION ...)");
  time_tok = &g_array_index (toks, Token, 1);
  if (!sim__scenario_eval_token (P, time_tok, WANT_TIME, &v, error))
    return FALSE;
  a.at = v.t;
  if (a.at < P->last_at)
    {
      g_autoptr (GString) prev = g_string_new (NULL);
      sim__scenario_append_time (prev, P->last_at);
      return fail_tok (error, SIM_SCENARIO_ERROR_TIME_ORDER, time_tok,
                       "time goes backwards: the action at line %u is at "
                       "%s; actions must be in time order",
                       P->last_at_line, prev->str);
    }
  if (toks->len < 3)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, time_tok,
                     "missing action after the time (join, build, lookup, "
                     "fail, leave, rejoin or churn)");
  verb = &g_array_index (toks, Token, 2);
  c.verb = verb;
  a.line = kw->pos.line;
  a.col = kw->pos.col;
  a.spread = SIM_SPREAD_AT_ONCE;
  a.keys = SIM_KEYS_NODE;
  a.select = SIM_SELECT_COUNT;
  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (tok_is (verb, verbs[i].name))
      {
        a.kind = verbs[i].kind;
        if (!verbs[i].parse (&c, error))
          {
            sim__scenario_action_clear (&a);
            return FALSE;
          }
        g_array_append_val (P->sc->actions, a);
        P->last_at = a.at;
        P->last_at_line = a.line;
        return TRUE;
      }

  if (tok_is (verb, "measure"))
    return fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD, verb,
                     "'measure' is a statement of its own, not an action: "
                     "write 'measure from %s'",
                     time_tok->text);
  {
    g_autofree char *hint
        = sim__scenario_did_you_mean (verb->text, verb_names, G_MAXSIZE);
    return fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD, verb,
                     "unknown action '%s' (expected join, build, lookup, "
                     "fail, leave, rejoin or churn)%s",
                     verb->text, hint);
  }
}

/* ---------------------------------------------------------------------- */
/* measure                                                                */

/* measure from T1 [to T2] */
gboolean
sim__scenario_parse_measure (Parser *P, const GArray *toks, GError **error)
{
  const Token *kw = &g_array_index (toks, Token, 0);
  const Token *from_kw, *to_tok = NULL;
  SimTime from, to = SIM_TIME_MAX;
  Value v;

  if (P->sc->measure_line != 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, kw,
                     "'measure' already given at line %u",
                     P->sc->measure_line);
  if (toks->len < 2)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, kw,
                     "missing 'from' after 'measure' (measure from T1 "
                     "[to T2])");
  from_kw = &g_array_index (toks, Token, 1);
  if (!tok_is (from_kw, "from"))
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, from_kw,
                     "expected 'from' after 'measure' (measure from T1 "
                     "[to T2])");
  if (toks->len < 3)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, from_kw,
                     "missing time after 'from'");
  if (!sim__scenario_eval_token (P, &g_array_index (toks, Token, 2),
                                 WANT_TIME, &v, error))
    return FALSE;
  from = v.t;
  if (toks->len > 3)
    {
      const Token *to_kw = &g_array_index (toks, Token, 3);
      if (!tok_is (to_kw, "to"))
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, to_kw,
                         "unexpected '%s' (measure from T1 [to T2])",
                         to_kw->text);
      if (toks->len < 5)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, to_kw,
                         "missing time after 'to'");
      to_tok = &g_array_index (toks, Token, 4);
      if (!sim__scenario_eval_token (P, to_tok, WANT_TIME, &v, error))
        return FALSE;
      if (!sim__scenario_expect_no_more (toks, 5, "'measure from T1 to T2'",
                                         error))
        return FALSE;
      to = v.t;
      if (to <= from)
        return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, to_tok,
                         "the measurement window must end after it starts "
                         "(write 'to' a time later than 'from')");
    }
  P->sc->measure_line = kw->pos.line;
  P->sc->measure_from = from;
  P->sc->measure_to = to;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                */

/* Appends fraction @f as P%; parsing it gives @f back (the parser only
 * makes fractions for which percent_of() succeeds). */
static void
append_percent (GString *out, double f)
{
  double p;
  if (!percent_of (f, &p))
    p = f * 100.0;
  sim__scenario_append_double (out, p);
  g_string_append_c (out, '%');
}

static void
append_keys (GString *out, const SimAction *a)
{
  switch (a->keys)
    {
    case SIM_KEYS_NODE:
      g_string_append (out, " keys node");
      break;
    case SIM_KEYS_RANDOM:
      g_string_append (out, " keys random");
      break;
    case SIM_KEYS_ZIPF:
      g_string_append (out, " keys ");
      sim__scenario_append_zipf (out, a->zipf_s, a->zipf_n);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
append_over (GString *out, const SimAction *a)
{
  if (a->spread == SIM_SPREAD_UNIFORM)
    {
      g_string_append (out, " over ");
      sim__scenario_append_time (out, a->over);
    }
}

static void
write_action (GString *out, const SimAction *a)
{
  static const char *const kind_names[]
      = { "join", "build", "lookup", "fail", "leave", "rejoin", "churn",
          "churn" };
  g_string_append (out, "at ");
  sim__scenario_append_time (out, a->at);
  g_string_append_printf (out, " %s ", kind_names[a->kind]);
  switch (a->kind)
    {
    case SIM_ACTION_JOIN:
    case SIM_ACTION_BUILD:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, a->count);
      append_over (out, a);
      if (a->spread == SIM_SPREAD_SEQUENTIAL)
        g_string_append (out, " sequential");
      break;
    case SIM_ACTION_LOOKUP:
      if (a->spread == SIM_SPREAD_POISSON
          || (a->spread == SIM_SPREAD_PER_NODE && !a->has_every))
        {
          g_string_append (out, "rate ");
          sim__scenario_append_double (out, a->rate_per_s);
          g_string_append (out, "/s");
        }
      else if (a->spread == SIM_SPREAD_PER_NODE)
        {
          g_string_append (out, "every ");
          sim__scenario_append_dist (out, &a->every);
        }
      else
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, a->count);
      if (a->spread == SIM_SPREAD_PER_NODE)
        g_string_append (out, " per node");
      if (a->spread == SIM_SPREAD_POISSON
          || a->spread == SIM_SPREAD_PER_NODE)
        {
          g_string_append (out, " for ");
          sim__scenario_append_time (out, a->duration);
        }
      append_over (out, a);
      append_keys (out, a);
      break;
    case SIM_ACTION_FAIL:
    case SIM_ACTION_LEAVE:
      switch (a->select)
        {
        case SIM_SELECT_COUNT:
          g_string_append_printf (out, "%" G_GUINT64_FORMAT, a->count);
          break;
        case SIM_SELECT_PERCENT:
          append_percent (out, a->fraction);
          break;
        case SIM_SELECT_RANGE:
          g_string_append_printf (out, "range %" G_GUINT64_FORMAT,
                                  a->count);
          break;
        case SIM_SELECT_INDICES:
          g_string_append (out, "nodes ");
          for (guint i = 0; i < a->n_indices; i++)
            g_string_append_printf (out, "%s%" G_GUINT64_FORMAT,
                                    i > 0 ? "," : "", a->indices[i]);
          break;
        default:
          g_assert_not_reached ();
        }
      append_over (out, a);
      break;
    case SIM_ACTION_REJOIN:
      if (a->select == SIM_SELECT_ALL)
        g_string_append (out, "all");
      else
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, a->count);
      append_over (out, a);
      g_string_append (out, a->same_id ? " id same" : " id new");
      break;
    case SIM_ACTION_CHURN:
      g_string_append (out, "for ");
      sim__scenario_append_time (out, a->duration);
      g_string_append (out, " session ");
      sim__scenario_append_dist (out, &a->session);
      g_string_append (out, " down ");
      sim__scenario_append_dist (out, &a->down);
      if (a->population != 0)
        g_string_append_printf (out, " population %" G_GUINT64_FORMAT,
                                a->population);
      g_string_append (out, a->same_id ? " id same" : " id new");
      break;
    case SIM_ACTION_TRACE:
      g_string_append (out, "trace ");
      sim__scenario_append_string (out, a->trace_path);
      g_string_append (out, a->same_id ? " id same" : " id new");
      break;
    default:
      g_assert_not_reached ();
    }
  g_string_append_c (out, '\n');
}

void
sim__scenario_write_timeline (const SimScenario *sc, GString *out)
{
  if (sc->measure_line != 0)
    {
      g_string_append (out, "measure from ");
      sim__scenario_append_time (out, sc->measure_from);
      if (sc->measure_to != SIM_TIME_MAX)
        {
          g_string_append (out, " to ");
          sim__scenario_append_time (out, sc->measure_to);
        }
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < sc->actions->len; i++)
    write_action (out, &g_array_index (sc->actions, SimAction, i));
}

void
sim_scenario_measure_window (const SimScenario *sc, SimTime *from,
                             SimTime *to)
{
  g_return_if_fail (sc != NULL);
  if (from != NULL)
    *from = sc->measure_from;
  if (to != NULL)
    *to = sc->measure_to;
}
