/* sim-scenario.c — parser for the scenario language (see sim-scenario.h and
 * scenarios/README.md).
 *
 * Invariant: parsing is one pass over the lines in file order.  At every
 * line, each parameter holds its final value if it has been set so far (by
 * a --set override, which wins, or by the file) and its default otherwise;
 * each `let` variable seen so far holds its final value.  A `$NAME`
 * reference resolves to what NAME holds at that line; a parameter whose
 * value has been used through `$` may not be set on a later line
 * (USE_BEFORE_SET).  Together these make every reference see the final
 * value, whatever the order of overrides.  Parameter overrides are
 * validated before the first line, variable overrides when their `let`
 * line is reached, expectation overrides and cross-parameter rules after
 * `end`.
 *
 * Cost: linear in the input size; parameter and variable names are found
 * through hash tables (the registry's for parameters, sim-param.c).
 *
 * The parameters themselves are registered by their owners (sim-param.h);
 * this file knows only the language's own by name (name, seed,
 * lookup_key in sim-scenario-action.c).  It holds values and references, the
 * statements other than `at` and `measure`, overrides, the entry points,
 * the getters and the writers; see sim-scenario-private.h for the others.
 */
#include "sim-scenario-private.h"
#include "sim-seed-list.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (sim-scenario-error-quark, sim_scenario_error)

/* ---------------------------------------------------------------------- */
/* Values                                                                 */

static Value
value_copy (const Value *v)
{
  Value c = *v;
  c.s = g_strdup (v->s);
  return c;
}

static const char *
kind_noun (ValKind k)
{
  switch (k)
    {
    case VAL_INT:
      return "a count";
    case VAL_DOUBLE:
      return "a number";
    case VAL_TIME:
      return "a time";
    case VAL_STRING:
      return "a word";
    default:
      g_assert_not_reached ();
    }
}


/* ---------------------------------------------------------------------- */
/* Parameters: the installed registry (sim-param.h)                       */

#define NAME_MAX_LEN 128

/* Returns the resolved-order index of parameter @name in @sc, or -1. */
static int
param_find (const SimScenario *sc, const char *name)
{
  return sim_param_registry_find (sc->reg, name);
}

static const SimParamSpec *
param_spec (const SimScenario *sc, gsize i)
{
  return sim_param_registry_spec (sc->reg, (guint) i);
}

static gsize
n_params (const SimScenario *sc)
{
  return sim_param_registry_n_params (sc->reg);
}

/* ---------------------------------------------------------------------- */
/* The scenario object                                                    */

typedef struct
{
  char *name;
  Value v;
  guint line, col;
} Var;

static void
var_free (gpointer p)
{
  Var *v = p;
  g_free (v->name);
  value_clear (&v->v);
  g_free (v);
}

static void
expect_clear (gpointer p)
{
  SimExpect *e = p;
  g_clear_pointer (&e->metric, g_free);
}

void
sim_scenario_free (SimScenario *sc)
{
  if (sc == NULL)
    return;
  for (gsize i = 0; i < n_params (sc); i++)
    value_clear (&sc->params[i].v);
  g_free (sc->params);
  g_hash_table_unref (sc->var_index);
  g_ptr_array_unref (sc->vars);
  g_array_unref (sc->actions);
  g_array_unref (sc->expects);
  g_array_unref (sc->seeds);
  g_free (sc->display_name);
  g_free (sc->base_dir);
  g_free (sc);
}

/* ---------------------------------------------------------------------- */
/* Parser state and value evaluation                                      */

typedef struct
{
  char *name;
  Token value;
  Pos name_pos;
  gboolean used;
} Override;

static void
override_free (gpointer p)
{
  Override *o = p;
  g_free (o->name);
  token_clear (&o->value);
  g_free (o);
}


static gboolean
is_ident (const char *s)
{
  if (!(g_ascii_isalpha (*s) || *s == '_'))
    return FALSE;
  for (s++; *s != '\0'; s++)
    if (!(g_ascii_isalnum (*s) || *s == '_'))
      return FALSE;
  return TRUE;
}

static gboolean
is_metric_name (const char *s)
{
  if (!(g_ascii_isalpha (*s) || *s == '_'))
    return FALSE;
  for (s++; *s != '\0'; s++)
    if (!(g_ascii_isalnum (*s) || *s == '_' || *s == '.'))
      return FALSE;
  return TRUE;
}

/* Returns the current value of parameter @pi as a Value kind: ints as
 * VAL_INT, doubles VAL_DOUBLE, times VAL_TIME, the rest VAL_STRING.
 * (Parameters are stored that way already.) */
static const Value *
param_value (const SimScenario *sc, gsize pi)
{
  return &sc->params[pi].v;
}

/* Collects parameter and variable names for suggestions. */
static GPtrArray *
known_names (const SimScenario *sc)
{
  GPtrArray *a = g_ptr_array_new ();
  for (gsize i = 0; i < n_params (sc); i++)
    g_ptr_array_add (a, (gpointer) param_spec (sc, i)->name);
  for (guint i = 0; i < sc->vars->len; i++)
    g_ptr_array_add (a, ((Var *) sc->vars->pdata[i])->name);
  g_ptr_array_add (a, NULL);
  return a;
}

/* Resolves `$NAME` in @tok into @out (a copy). */
static gboolean
resolve_ref (Parser *P, const Token *tok, Value *out, GError **error)
{
  const char *name = tok->text + 1;
  Var *var;
  int pi;

  if (!is_ident (name))
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, tok,
                     "malformed reference: '$' must be followed by a name "
                     "made of letters, digits and '_'");
  var = g_hash_table_lookup (P->sc->var_index, name);
  if (var != NULL)
    {
      *out = value_copy (&var->v);
      return TRUE;
    }
  pi = param_find (P->sc, name);
  if (pi >= 0)
    {
      ParamState *ps = &P->sc->params[pi];
      if (ps->file_line == 0 && ps->used_line == 0)
        ps->used_line = P->line;
      *out = value_copy (param_value (P->sc, (gsize) pi));
      return TRUE;
    }
  {
    g_autoptr (GPtrArray) names = known_names (P->sc);
    g_autofree char *hint = sim__scenario_did_you_mean (
        name, (const char *const *)names->pdata, G_MAXSIZE);
    return fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_VARIABLE, tok,
                     "unknown variable '$%s' (declare it first with "
                     "'let %s = ...')%s",
                     name, name, hint);
  }
}

/* Evaluates @tok in a context that accepts @want.  On success @out holds
 * a value of the accepted kind (VAL_DOUBLE for WANT_DOUBLE, VAL_STRING for
 * WANT_STRING, ...) and must be cleared by the caller. */
gboolean
sim__scenario_eval_token (Parser *P, const Token *tok, Want want, Value *out,
                          GError **error)
{
  gboolean is_ref = !tok->quoted && tok->text[0] == '$';

  memset (out, 0, sizeof *out);
  if (is_ref)
    {
      if (!resolve_ref (P, tok, out, error))
        return FALSE;
    }
  else if (want == WANT_STRING || (want == WANT_ANY && tok->quoted)
           || (want == WANT_ANY && !sim__scenario_looks_numeric (tok->text)))
    {
      out->kind = VAL_STRING;
      out->s = g_strdup (tok->text);
      return TRUE;
    }
  else if (tok->quoted || !sim__scenario_looks_numeric (tok->text))
    {
      const char *what = want == WANT_TIME ? "a time such as 10s"
                         : want == WANT_UINT ? "a whole number"
                                             : "a number";
      if (tok->quoted)
        return fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                         "expected %s, not a quoted string", what);
      return fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                       "expected %s, not '%s'", what, tok->text);
    }
  else if (!sim__scenario_parse_numeric (tok, out, error))
    return FALSE;

  switch (want)
    {
    case WANT_ANY:
      return TRUE;
    case WANT_STRING:
      if (out->kind == VAL_STRING)
        return TRUE;
      break;
    case WANT_UINT:
      if (out->kind == VAL_INT)
        return TRUE;
      if (!is_ref && out->kind == VAL_DOUBLE)
        {
          gboolean neg = out->d < 0;
          value_clear (out);
          if (neg)
            return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                             "a count cannot be negative");
          return fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                           "expected a whole number");
        }
      break;
    case WANT_DOUBLE:
      if (out->kind == VAL_INT)
        {
          out->kind = VAL_DOUBLE;
          out->d = (double) out->u;
          out->u = 0;
        }
      if (out->kind == VAL_DOUBLE)
        return TRUE;
      break;
    case WANT_TIME:
      if (out->kind == VAL_TIME)
        return TRUE;
      if (!is_ref && (out->kind == VAL_INT || out->kind == VAL_DOUBLE))
        {
          value_clear (out);
          return fail_tok (error, SIM_SCENARIO_ERROR_BAD_UNIT, tok,
                           "missing time unit (write e.g. %ss or %sms)",
                           tok->text, tok->text);
        }
      break;
    case WANT_NUMBER_OR_TIME:
      if (out->kind == VAL_INT)
        {
          out->kind = VAL_DOUBLE;
          out->d = (double) out->u;
          out->u = 0;
        }
      if (out->kind == VAL_DOUBLE || out->kind == VAL_TIME)
        return TRUE;
      break;
    default:
      g_assert_not_reached ();
    }

  {
    const char *wanted = want == WANT_UINT     ? "a count"
                         : want == WANT_DOUBLE ? "a number"
                         : want == WANT_TIME   ? "a time"
                         : want == WANT_STRING ? "a word"
                                               : "a number or a time";
    ValKind got = out->kind;
    value_clear (out);
    if (is_ref)
      return fail_tok (error, SIM_SCENARIO_ERROR_TYPE, tok,
                       "'%s' holds %s, but %s is needed here", tok->text,
                       kind_noun (got), wanted);
    return fail_tok (error, SIM_SCENARIO_ERROR_BAD_NUMBER, tok,
                     "expected %s, not %s", wanted, kind_noun (got));
  }
}

/* ---------------------------------------------------------------------- */
/* Parameter values                                                       */

static gboolean
is_valid_name (const char *s)
{
  gsize n = strlen (s);
  if (n == 0 || n > NAME_MAX_LEN)
    return FALSE;
  if (!(g_ascii_isalnum (*s) || *s == '_'))
    return FALSE;
  for (; *s != '\0'; s++)
    if (!(g_ascii_isalnum (*s) || *s == '_' || *s == '.' || *s == '-'))
      return FALSE;
  return TRUE;
}

/* Evaluates a SIM_PARAM_TIMEOUT value: the word `rtt`, or a time > 0 (a literal,
 * a quoted literal or a reference to a time).  The result is a VAL_STRING
 * holding "rtt" or the time in canonical syntax, with the time in t. */
static gboolean
timeout_eval (Parser *P, const SimParamSpec *spec, const Token *tok,
              Value *out, GError **error)
{
  if (!sim__scenario_eval_token (P, tok, WANT_ANY, out, error))
    return FALSE;
  if (out->kind == VAL_STRING && strcmp (out->s, "rtt") == 0)
    {
      out->t = 0;
      return TRUE;
    }
  if (out->kind == VAL_STRING && sim__scenario_looks_numeric (out->s))
    {
      /* A quoted time ("500ms"), as a --set value may be written. */
      Token inner = { out->s, FALSE, tok->pos };
      Value v;
      gboolean ok
          = sim__scenario_eval_token (P, &inner, WANT_TIME, &v, error);
      value_clear (out);
      if (!ok)
        return FALSE;
      *out = v;
    }
  if (out->kind == VAL_TIME)
    {
      GString *text;
      if (out->t == 0)
        return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                         "'%s' must be greater than 0 (or rtt)",
                         spec->name);
      text = g_string_new (NULL);
      sim__scenario_append_time (text, out->t);
      out->kind = VAL_STRING;
      out->s = g_string_free (text, FALSE);
      return TRUE;
    }
  {
    gboolean is_ref = !tok->quoted && tok->text[0] == '$';
    gboolean number = out->kind == VAL_INT || out->kind == VAL_DOUBLE;
    ValKind got = out->kind;
    value_clear (out);
    if (is_ref)
      return fail_tok (error, SIM_SCENARIO_ERROR_TYPE, tok,
                       "'%s' holds %s, but '%s' needs 'rtt' or a time",
                       tok->text, kind_noun (got), spec->name);
    if (number)
      return fail_tok (error, SIM_SCENARIO_ERROR_BAD_UNIT, tok,
                       "missing time unit (write e.g. %sms, or rtt)",
                       tok->text);
    return fail_tok (error, SIM_SCENARIO_ERROR_BAD_VALUE, tok,
                     "'%s' must be 'rtt' or a time such as 500ms",
                     spec->name);
  }
}

/* Evaluates and validates a value for parameter @spec.  @resolve_dir is
 * the directory relative paths resolve against (NULL: leave them). */
static gboolean
param_eval (Parser *P,
            const SimParamSpec *spec,
            const Token *tok,
            const char *resolve_dir,
            gboolean resolve_to_cwd,
            Value *out,
            GError **error)
{
  Want want;

  switch (spec->type)
    {
    case SIM_PARAM_UINT:
      want = WANT_UINT;
      break;
    case SIM_PARAM_DOUBLE:
      want = WANT_DOUBLE;
      break;
    case SIM_PARAM_TIME:
      want = WANT_TIME;
      break;
    case SIM_PARAM_TIMEOUT:
      return timeout_eval (P, spec, tok, out, error);
    default:
      want = WANT_STRING;
      break;
    }
  if (!sim__scenario_eval_token (P, tok, want, out, error))
    return FALSE;

  switch (spec->type)
    {
    case SIM_PARAM_UINT:
    case SIM_PARAM_TIME:
      {
        guint64 v = spec->type == SIM_PARAM_UINT ? out->u : out->t;
        const char *unit = spec->type == SIM_PARAM_TIME ? "us" : "";
        if (v < spec->umin || v > spec->umax)
          {
            if (spec->type == SIM_PARAM_TIME && spec->umin == 1 && v == 0)
              return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                               "'%s' must be greater than 0", spec->name);
            if (spec->umax == G_MAXUINT64)
              return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                               "'%s' must be at least %" G_GUINT64_FORMAT
                               "%s",
                               spec->name, spec->umin, unit);
            return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                             "'%s' must be between %" G_GUINT64_FORMAT
                             " and %" G_GUINT64_FORMAT "%s",
                             spec->name, spec->umin, spec->umax, unit);
          }
        if ((spec->flags & SIM_PARAM_EVEN) && v % 2 != 0)
          return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                           "'%s' must be even", spec->name);
        return TRUE;
      }
    case SIM_PARAM_DOUBLE:
      {
        double v = out->d;
        char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];
        g_ascii_formatd (lo, sizeof lo, "%g", spec->dmin);
        g_ascii_formatd (hi, sizeof hi, "%g", spec->dmax);
        if ((spec->flags & SIM_PARAM_MIN_EXCLUSIVE) && v <= spec->dmin)
          return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                           "'%s' must be greater than %s", spec->name, lo);
        if (v < spec->dmin || v > spec->dmax)
          return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, tok,
                           "'%s' must be between %s and %s", spec->name, lo,
                           hi);
        return TRUE;
      }
    case SIM_PARAM_ENUM:
      if (!g_strv_contains (spec->choices, out->s))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) spec->choices);
          g_autofree char *hint
              = sim__scenario_did_you_mean (out->s, spec->choices, G_MAXSIZE);
          value_clear (out);
          return fail_tok (error, SIM_SCENARIO_ERROR_BAD_VALUE, tok,
                           "'%s' must be one of %s%s", spec->name, list,
                           hint);
        }
      return TRUE;
    case SIM_PARAM_NAME:
      if (!is_valid_name (out->s))
        {
          value_clear (out);
          return fail_tok (error, SIM_SCENARIO_ERROR_BAD_VALUE, tok,
                           "'%s' must be 1 to %d letters, digits, '_', "
                           "'.' or '-', not starting with '.' or '-'",
                           spec->name, NAME_MAX_LEN);
        }
      return TRUE;
    case SIM_PARAM_PATH:
      if (out->s[0] != '\0' && (resolve_dir != NULL || resolve_to_cwd))
        {
          char *abs = g_canonicalize_filename (out->s, resolve_dir);
          g_free (out->s);
          out->s = abs;
        }
      return TRUE;
    case SIM_PARAM_STRING:
      return TRUE;
    case SIM_PARAM_TIMEOUT:
    default:
      g_assert_not_reached ();
    }
}

/* ---------------------------------------------------------------------- */
/* Statements                                                             */

static const char *const statement_keywords[]
    = { "let", "at", "measure", "expect", "seeds", "end", NULL };

/* Fails on the first token after @n_used, if any. */
gboolean
sim__scenario_expect_no_more (const GArray *toks, guint n_used,
                              const char *after, GError **error)
{
  if (toks->len > n_used)
    {
      const Token *t = &g_array_index (toks, Token, n_used);
      gboolean value = strcmp (after, "the value") == 0;
      return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, t,
                       "unexpected '%s' after %s%s", t->text, after,
                       value ? " (quote values that contain spaces)" : "");
    }
  return TRUE;
}

/* Checks the shape "NAME = VALUE" starting at token @first. */
static gboolean
check_assignment (const GArray *toks, guint first, const char *what,
                  GError **error)
{
  const Token *name = &g_array_index (toks, Token, first);
  const Token *eq;

  if (toks->len < first + 2
      || !tok_is (&g_array_index (toks, Token, first + 1), "="))
    {
      const Token *at = toks->len > first + 1
                            ? &g_array_index (toks, Token, first + 1)
                            : name;
      return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, at,
                       "expected '=' after %s '%s'", what, name->text);
    }
  eq = &g_array_index (toks, Token, first + 1);
  if (toks->len < first + 3)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, eq,
                     "missing value after '='");
  return sim__scenario_expect_no_more (toks, first + 3, "the value", error);
}

static gboolean
parse_param_line (Parser *P, const GArray *toks, GError **error)
{
  const Token *name = &g_array_index (toks, Token, 0);
  int pi = param_find (P->sc, name->text);
  ParamState *ps;
  Value v;

  if (name->quoted)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, name,
                     "a parameter name cannot be quoted");
  if (pi < 0)
    {
      Var *var = g_hash_table_lookup (P->sc->var_index, name->text);
      g_autoptr (GPtrArray) names = NULL;
      g_autofree char *hint = NULL;
      if (var != NULL)
        return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, name,
                         "'%s' already defined at line %u (variables cannot "
                         "be reassigned)",
                         name->text, var->line);
      names = known_names (P->sc);
      hint = sim__scenario_did_you_mean (
          name->text, (const char *const *)names->pdata, G_MAXSIZE);
      return fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_PARAM, name,
                       "unknown parameter '%s'%s%s", name->text, hint,
                       *hint ? "" : " (declare variables with 'let')");
    }
  if (!check_assignment (toks, 0, "parameter", error))
    return FALSE;
  ps = &P->sc->params[pi];
  if (ps->file_line != 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, name,
                     "'%s' already set at line %u", name->text,
                     ps->file_line);
  if (strcmp (name->text, "seed") == 0 && P->sc->seeds_line != 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, name,
                     "'seed' cannot be set in a file that declares 'seeds' "
                     "(line %u): each run of the batch gets its seed from "
                     "that list",
                     P->sc->seeds_line);
  if (ps->used_line != 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_USE_BEFORE_SET, name,
                     "'%s' is set here, but line %u already used its value "
                     "through $%s; set it before that line",
                     name->text, ps->used_line, name->text);
  if (!param_eval (P, param_spec (P->sc, pi), &g_array_index (toks, Token, 2),
                   P->sc->base_dir, FALSE, &v, error))
    return FALSE;
  ps->file_line = P->line;
  if (ps->origin == ORIGIN_OVERRIDE)
    value_clear (&v); /* validated, but the override wins */
  else
    {
      value_clear (&ps->v);
      ps->v = v;
      ps->origin = ORIGIN_FILE;
      ps->where = g_array_index (toks, Token, 2).pos;
    }
  return TRUE;
}

static Want
want_for_kind (ValKind k)
{
  switch (k)
    {
    case VAL_INT:
      return WANT_UINT;
    case VAL_DOUBLE:
      return WANT_DOUBLE;
    case VAL_TIME:
      return WANT_TIME;
    case VAL_STRING:
      return WANT_STRING;
    default:
      g_assert_not_reached ();
    }
}

static Override *
find_override (GPtrArray *list, const char *name)
{
  for (guint i = 0; i < list->len; i++)
    {
      Override *o = list->pdata[i];
      if (strcmp (o->name, name) == 0)
        return o;
    }
  return NULL;
}

static gboolean
parse_let (Parser *P, const GArray *toks, GError **error)
{
  const Token *kw = &g_array_index (toks, Token, 0);
  const Token *name;
  Var *old;
  Override *o;
  Value v;

  if (toks->len < 2)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, kw,
                     "missing variable name after 'let'");
  name = &g_array_index (toks, Token, 1);
  if (name->quoted || !is_ident (name->text))
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, name,
                     "bad variable name '%s' (use letters, digits and '_', "
                     "not starting with a digit)",
                     name->text);
  if (param_find (P->sc, name->text) >= 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, name,
                     "'%s' is a parameter; set it with '%s = ...'",
                     name->text, name->text);
  if (strcmp (name->text, "seeds") == 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, name,
                     "'seeds' is a statement (seeds = LIST), not a variable "
                     "name");
  old = g_hash_table_lookup (P->sc->var_index, name->text);
  if (old != NULL)
    return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, name,
                     "'%s' already defined at line %u", name->text,
                     old->line);
  if (!check_assignment (toks, 1, "variable", error))
    return FALSE;
  if (!sim__scenario_eval_token (P, &g_array_index (toks, Token, 3), WANT_ANY,
                                 &v, error))
    return FALSE;

  o = find_override (P->let_overrides, name->text);
  if (o != NULL)
    {
      Value ov;
      if (!sim__scenario_eval_token (P, &o->value, want_for_kind (v.kind), &ov,
                                     error))
        {
          value_clear (&v);
          return FALSE;
        }
      value_clear (&v);
      v = ov;
      o->used = TRUE;
    }

  {
    Var *var = g_new0 (Var, 1);
    var->name = g_strdup (name->text);
    var->v = v;
    var->line = name->pos.line;
    var->col = name->pos.col;
    g_ptr_array_add (P->sc->vars, var);
    g_hash_table_insert (P->sc->var_index, var->name, var);
  }
  return TRUE;
}

static const struct
{
  const char *text;
  SimCompareOp op;
} compare_ops[] = {
  { "<", SIM_COMPARE_LT },  { "<=", SIM_COMPARE_LE },
  { ">", SIM_COMPARE_GT },  { ">=", SIM_COMPARE_GE },
  { "==", SIM_COMPARE_EQ }, { "!=", SIM_COMPARE_NE },
};

const char *
sim_compare_op_to_string (SimCompareOp op)
{
  for (gsize i = 0; i < G_N_ELEMENTS (compare_ops); i++)
    if (compare_ops[i].op == op)
      return compare_ops[i].text;
  g_return_val_if_reached ("?");
}

/* Stores @v (VAL_DOUBLE or VAL_TIME) as the threshold of @e. */
static void
expect_set_value (SimExpect *e, const Value *v)
{
  e->is_time = v->kind == VAL_TIME;
  e->time = e->is_time ? v->t : 0;
  e->value = e->is_time ? sim_time_to_s (v->t) : v->d;
}

static gboolean
parse_expect (Parser *P, const GArray *toks, GError **error)
{
  const Token *kw = &g_array_index (toks, Token, 0);
  const Token *metric, *op_tok;
  SimExpect e = { 0 };
  gboolean found = FALSE;
  Value v;

  if (toks->len < 2)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, kw,
                     "missing metric after 'expect' (expect METRIC OP "
                     "VALUE)");
  metric = &g_array_index (toks, Token, 1);
  if (metric->quoted || !is_metric_name (metric->text))
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, metric,
                     "bad metric name '%s' (use letters, digits, '_' and "
                     "'.')",
                     metric->text);
  if (toks->len < 3)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, metric,
                     "missing comparison after the metric (one of < <= > >= "
                     "== !=)");
  op_tok = &g_array_index (toks, Token, 2);
  for (gsize i = 0; i < G_N_ELEMENTS (compare_ops); i++)
    if (tok_is (op_tok, compare_ops[i].text))
      {
        e.op = compare_ops[i].op;
        found = TRUE;
      }
  if (!found)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, op_tok,
                     "expected a comparison (one of < <= > >= == !=)%s",
                     tok_is (op_tok, "=") ? "; write '==' for equality" : "");
  if (toks->len < 4)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, op_tok,
                     "missing value after '%s'", op_tok->text);
  if (toks->len > 4 && !tok_is (&g_array_index (toks, Token, 4), "confidence"))
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX,
                     &g_array_index (toks, Token, 4),
                     "unexpected '%s' after the value (expected the end of "
                     "the line or 'confidence P%%')",
                     g_array_index (toks, Token, 4).text);
  if (toks->len > 4)
    {
      const Token *ck = &g_array_index (toks, Token, 4);
      const Token *cv;
      Value c;
      if (toks->len < 6)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, ck,
                         "missing level after 'confidence' (e.g. "
                         "confidence 95%%)");
      if (!sim__scenario_expect_no_more (toks, 6, "the confidence level",
                                         error))
        return FALSE;
      cv = &g_array_index (toks, Token, 5);
      if (!sim__scenario_eval_token (P, cv, WANT_DOUBLE, &c, error))
        return FALSE;
      if (!(c.d > 0 && c.d < 1))
        return fail_tok (error, SIM_SCENARIO_ERROR_RANGE, cv,
                         "the confidence level must be above 0%% and below "
                         "100%% (e.g. 95%%)");
      e.confidence = c.d;
      if (!P->has_confidence)
        {
          P->has_confidence = TRUE;
          P->first_confidence = ck->pos;
        }
    }

  for (guint i = 0; i < P->sc->expects->len; i++)
    {
      const SimExpect *old = &g_array_index (P->sc->expects, SimExpect, i);
      if (old->op == e.op && strcmp (old->metric, metric->text) == 0)
        return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, metric,
                         "'expect %s %s' already given at line %u",
                         metric->text, op_tok->text, old->line);
    }
  if (!sim__scenario_eval_token (P, &g_array_index (toks, Token, 3),
                                 WANT_NUMBER_OR_TIME, &v, error))
    return FALSE;
  expect_set_value (&e, &v);
  value_clear (&v);
  e.metric = g_strdup (metric->text);
  e.line = kw->pos.line;
  e.col = kw->pos.col;
  g_array_append_val (P->sc->expects, e);
  return TRUE;
}

/* `seeds = LIST`: the list may be written with blanks after (or before)
 * the commas and so span several tokens, which are joined; errors point
 * at the item to blame. */
static gboolean
parse_seeds_line (Parser *P, const GArray *toks, GError **error)
{
  const Token *kw = &g_array_index (toks, Token, 0);
  g_autoptr (GString) joined = g_string_new (NULL);
  g_autoptr (GArray) from = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autofree char *msg = NULL;
  gsize off = 0, len = 0;
  SimSeedListError code;

  if (P->sc->seeds_line != 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, kw,
                     "'seeds' already set at line %u", P->sc->seeds_line);
  if (toks->len < 2 || !tok_is (&g_array_index (toks, Token, 1), "="))
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX,
                     toks->len < 2 ? kw : &g_array_index (toks, Token, 1),
                     "expected '=' after 'seeds' (seeds = 1..8)");
  if (toks->len < 3)
    return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX,
                     &g_array_index (toks, Token, 1),
                     "missing seed list after '=' (write A..B or A,B,C)");
  if (P->sc->params[param_find (P->sc, "seed")].file_line != 0)
    return fail_tok (error, SIM_SCENARIO_ERROR_DUPLICATE, kw,
                     "'seeds' cannot be declared in a file that sets 'seed' "
                     "(line %u): remove that line; each run of the batch "
                     "gets its seed from this list",
                     P->sc->params[param_find (P->sc, "seed")].file_line);
  for (guint i = 2; i < toks->len; i++)
    {
      const Token *t = &g_array_index (toks, Token, i);
      if (t->quoted)
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, t,
                         "expected a seed, not a quoted string");
      if (i > 2 && joined->str[joined->len - 1] != ',' && t->text[0] != ',')
        return fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, t,
                         "missing ',' between seeds (write A..B or A,B,C)");
      for (gsize k = 0; t->text[k] != '\0'; k++)
        g_array_append_val (from, i);
      g_string_append (joined, t->text);
    }
  code = sim_seed_list_parse (joined->str, SIM_SEED_LIST_MAX, seeds, &msg,
                              &off, &len);
  if (code != SIM_SEED_LIST_OK)
    {
      /* The position of the first byte to blame, in its token. */
      guint ti = g_array_index (from, guint, MIN (off, from->len - 1));
      const Token *t = &g_array_index (toks, Token, ti);
      gsize start = 0;
      for (gsize k = 0; k < off && k < from->len; k++)
        if (g_array_index (from, guint, k) < ti)
          start = k + 1;
      Pos p = t->pos;
      p.col += (guint) g_utf8_strlen (t->text,
                                      (gssize) (MIN (off, from->len) - start));
      return sim__scenario_fail (
          error,
          code == SIM_SEED_LIST_DUPLICATE ? SIM_SCENARIO_ERROR_DUPLICATE
          : code == SIM_SEED_LIST_RANGE   ? SIM_SCENARIO_ERROR_RANGE
                                          : SIM_SCENARIO_ERROR_SYNTAX,
          p, len > 0 ? joined->str + off : joined->str,
          len > 0 ? (gssize) len : -1, "seeds: %s", msg);
    }
  g_array_append_vals (P->sc->seeds, seeds->data, seeds->len);
  P->sc->seeds_line = P->line;
  return TRUE;
}

static gboolean
parse_statement (Parser *P, const GArray *toks, gboolean *ended,
                 GError **error)
{
  const Token *first = &g_array_index (toks, Token, 0);

  if (tok_is (first, "end"))
    {
      *ended = TRUE;
      return sim__scenario_expect_no_more (toks, 1, "'end'", error);
    }
  if (tok_is (first, "let"))
    return parse_let (P, toks, error);
  if (tok_is (first, "at"))
    return sim__scenario_parse_at (P, toks, error);
  if (tok_is (first, "measure"))
    return sim__scenario_parse_measure (P, toks, error);
  if (tok_is (first, "expect"))
    return parse_expect (P, toks, error);
  if (tok_is (first, "seeds"))
    return parse_seeds_line (P, toks, error);
  if ((toks->len >= 2 && tok_is (&g_array_index (toks, Token, 1), "="))
      || (!first->quoted && param_find (P->sc, first->text) >= 0))
    return parse_param_line (P, toks, error);
  {
    g_autofree char *hint = NULL;
    const char *s
        = sim__scenario_suggest (first->text, statement_keywords, G_MAXSIZE);
    hint = s != NULL ? g_strdup_printf ("; did you mean '%s'?", s)
                     : g_strdup (" (expected let, at, measure, expect, "
                                 "seeds, end or NAME = VALUE)");
    return fail_tok (error, SIM_SCENARIO_ERROR_UNKNOWN_KEYWORD, first,
                     "unknown keyword '%s'%s", first->text, hint);
  }
}

/* ---------------------------------------------------------------------- */
/* Overrides                                                              */

/* Parses every --set argument.  Parameter values are validated and stored
 * now; variable and expectation overrides are kept for later. */
static gboolean
parse_overrides (Parser *P, const char *const *overrides, GError **error)
{
  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
    {
      const char *arg = overrides[i];
      gsize len = strlen (arg);
      Pos pos = { "--set", i + 1, 1 };
      const char *eq, *name_start, *name_end, *val_start, *val_end;
      g_autofree char *name = NULL;
      Token value = { NULL, FALSE, { "--set", i + 1, 1 } };
      Pos name_pos = pos;
      int pi;

      if (!sim__scenario_check_line ("--set", i + 1, arg, len, error))
        return FALSE;
      eq = strchr (arg, '=');
      if (eq == NULL)
        return sim__scenario_fail (error, SIM_SCENARIO_ERROR_BAD_OVERRIDE, pos,
                                   arg, -1, "expected NAME=VALUE");
      name_start = arg;
      while (name_start < eq && (*name_start == ' ' || *name_start == '\t'))
        name_start++;
      name_end = eq;
      while (name_end > name_start
             && (name_end[-1] == ' ' || name_end[-1] == '\t'))
        name_end--;
      name_pos.col = (guint) g_utf8_strlen (arg, name_start - arg) + 1;
      if (name_end == name_start)
        return sim__scenario_fail (error, SIM_SCENARIO_ERROR_BAD_OVERRIDE,
                                   name_pos, arg, -1,
                                   "missing name before '='");
      name = g_strndup (name_start, (gsize) (name_end - name_start));

      val_start = eq + 1;
      while (*val_start == ' ' || *val_start == '\t')
        val_start++;
      val_end = arg + len;
      while (val_end > val_start && (val_end[-1] == ' ' || val_end[-1] == '\t'
                                     || val_end[-1] == '\r'))
        val_end--;
      value.pos.col = (guint) g_utf8_strlen (arg, val_start - arg) + 1;
      if (val_end == val_start)
        return sim__scenario_fail (error, SIM_SCENARIO_ERROR_BAD_OVERRIDE,
                                   value.pos, arg, -1,
                                   "missing value after '='");
      if (*val_start == '"' && val_end - val_start >= 2 && val_end[-1] == '"')
        {
          GString *s = g_string_new (NULL);
          for (const char *p = val_start + 1; p < val_end - 1; p++)
            {
              if (*p == '\\' && p + 1 < val_end - 1
                  && (p[1] == '"' || p[1] == '\\'))
                p++;
              g_string_append_c (s, *p);
            }
          value.text = g_string_free (s, FALSE);
          value.quoted = TRUE;
        }
      else
        value.text = g_strndup (val_start, (gsize) (val_end - val_start));

      if (strcmp (name, "seeds") == 0)
        {
          token_clear (&value);
          return sim__scenario_fail (error, SIM_SCENARIO_ERROR_BAD_OVERRIDE,
                                     name_pos, name, -1,
                                     "the seeds of a batch are chosen with "
                                     "--seeds, not --set seeds=...");
        }
      pi = param_find (P->sc, name);
      if (pi >= 0)
        {
          ParamState *ps = &P->sc->params[pi];
          Value v;
          /* Parameter overrides are evaluated before the file is read, so
           * a reference could only see defaults: refuse it. */
          if (!value.quoted && value.text[0] == '$')
            {
              fail_tok (error, SIM_SCENARIO_ERROR_BAD_OVERRIDE, &value,
                        "a --set value for a parameter cannot use a "
                        "$reference");
              token_clear (&value);
              return FALSE;
            }
          if (!param_eval (P, param_spec (P->sc, pi), &value, NULL,
                           P->sc->base_dir != NULL, &v, error))
            {
              token_clear (&value);
              return FALSE;
            }
          token_clear (&value);
          value_clear (&ps->v);
          ps->v = v;
          ps->origin = ORIGIN_OVERRIDE;
          ps->where = name_pos;
          continue;
        }

      {
        gboolean is_expect = g_str_has_prefix (name, "expect.");
        const char *key = is_expect ? name + strlen ("expect.") : name;
        GPtrArray *list = is_expect ? P->expect_overrides : P->let_overrides;
        Override *o;

        if (!(is_expect ? is_metric_name (key) : is_ident (key)))
          {
            token_clear (&value);
            return sim__scenario_fail (error, SIM_SCENARIO_ERROR_UNKNOWN_PARAM,
                                       name_pos, name, -1,
                                       "unknown parameter '%s'", name);
          }
        o = find_override (list, key);
        if (o == NULL)
          {
            o = g_new0 (Override, 1);
            o->name = g_strdup (key);
            g_ptr_array_add (list, o);
          }
        else
          token_clear (&o->value); /* a later --set wins */
        o->value = value;
        o->name_pos = name_pos;
      }
    }
  return TRUE;
}

/* Applies expect.METRIC overrides and reports unused variable overrides;
 * runs after the last line. */
static gboolean
finish_overrides (Parser *P, GError **error)
{
  for (guint i = 0; i < P->expect_overrides->len; i++)
    {
      Override *o = P->expect_overrides->pdata[i];
      SimExpect *target = NULL;
      guint n = 0, first_line = 0;
      Value v;

      for (guint k = 0; k < P->sc->expects->len; k++)
        {
          SimExpect *e = &g_array_index (P->sc->expects, SimExpect, k);
          if (strcmp (e->metric, o->name) == 0)
            {
              if (n++ == 0)
                first_line = e->line;
              target = e;
            }
        }
      if (n == 0 || n > 1)
        {
          g_autofree char *full = g_strconcat ("expect.", o->name, NULL);
          if (n == 0)
            return sim__scenario_fail (error, SIM_SCENARIO_ERROR_UNKNOWN_PARAM,
                         o->name_pos, full, -1,
                         "unknown parameter '%s' (no 'expect %s' line)",
                         full, o->name);
          return sim__scenario_fail (
              error, SIM_SCENARIO_ERROR_BAD_OVERRIDE, o->name_pos, full, -1,
              "'%s' is ambiguous: %u expect lines use that "
              "metric (first at line %u)",
              full, n, first_line);
        }
      if (!sim__scenario_eval_token (P, &o->value,
                                     target->is_time ? WANT_TIME : WANT_DOUBLE,
                                     &v, error))
        return FALSE;
      expect_set_value (target, &v);
      value_clear (&v);
    }
  for (guint i = 0; i < P->let_overrides->len; i++)
    {
      Override *o = P->let_overrides->pdata[i];
      if (!o->used)
        {
          g_autoptr (GPtrArray) names = known_names (P->sc);
          g_autofree char *hint = sim__scenario_did_you_mean (
              o->name, (const char *const *) names->pdata, G_MAXSIZE);
          return sim__scenario_fail (error, SIM_SCENARIO_ERROR_UNKNOWN_PARAM,
                                     o->name_pos, o->name, -1,
                                     "unknown parameter '%s'%s", o->name, hint);
        }
    }
  return TRUE;
}

/* Rules that involve several parameters: each group's check, in
 * registration order. */
static gboolean
check_cross_rules (Parser *P, GError **error)
{
  const SimParamRegistry *reg = P->sc->reg;

  for (guint g = 0; g < sim_param_registry_n_groups (reg); g++)
    {
      const SimParamGroup *group = sim_param_registry_group (reg, g);
      if (group->check != NULL && !group->check (P->sc, error))
        {
          g_return_val_if_fail (error == NULL || *error != NULL, FALSE);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
sim_scenario_param_fail (const SimScenario *sc,
                         GError **error,
                         SimScenarioError code,
                         const char *param,
                         const char *near,
                         const char *format,
                         ...)
{
  g_autofree char *msg = NULL;
  va_list ap;
  int pi;

  g_return_val_if_fail (sc != NULL, FALSE);
  g_return_val_if_fail (param != NULL && format != NULL, FALSE);
  pi = param_find (sc, param);
  if (pi < 0)
    {
      g_critical ("sim_scenario: unknown parameter '%s'", param);
      return FALSE;
    }
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  return sim__scenario_fail (error, code, sc->params[pi].where, near, -1,
                             "%s", msg);
}

/* ---------------------------------------------------------------------- */
/* Entry points                                                           */

static char *
default_name (const char *display_name)
{
  g_autofree char *base = g_path_get_basename (display_name);
  GString *s = g_string_new (NULL);

  if (g_str_has_suffix (base, ".scn"))
    base[strlen (base) - 4] = '\0';
  for (const char *p = base; *p != '\0' && s->len < NAME_MAX_LEN; p++)
    {
      gboolean ok = g_ascii_isalnum (*p) || *p == '_'
                    || (s->len > 0 && (*p == '.' || *p == '-'));
      g_string_append_c (s, ok ? *p : '_');
    }
  if (s->len == 0 || strcmp (s->str, "_") == 0)
    g_string_assign (s, "scenario");
  return g_string_free (s, FALSE);
}

static SimScenario *
scenario_new (const char *display_name, const char *base_dir)
{
  const SimParamRegistry *reg = sim_scenario_installed_params ();
  SimScenario *sc;
  Parser P = { 0 };

  if (reg == NULL)
    g_error ("sim_scenario: no parameters installed: the program must "
             "call sim_scenario_install_params() before parsing");
  sc = g_new0 (SimScenario, 1);
  sc->reg = reg;

  sc->display_name = g_strdup (display_name);
  sc->base_dir = g_strdup (base_dir);
  sc->vars = g_ptr_array_new_with_free_func (var_free);
  sc->var_index = g_hash_table_new (g_str_hash, g_str_equal);
  sc->params = g_new0 (ParamState, n_params (sc));
  sc->measure_to = SIM_TIME_MAX;
  sc->seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  sc->actions = g_array_new (FALSE, TRUE, sizeof (SimAction));
  g_array_set_clear_func (sc->actions, sim__scenario_action_clear);
  sc->expects = g_array_new (FALSE, TRUE, sizeof (SimExpect));
  g_array_set_clear_func (sc->expects, expect_clear);

  P.sc = sc;
  for (gsize i = 0; i < n_params (sc); i++)
    {
      const SimParamSpec *spec = param_spec (sc, i);
      ParamState *ps = &sc->params[i];
      ps->where = (Pos){ "<default>", 0, 0 };
      if (spec->def == NULL)
        {
          ps->v.kind = VAL_STRING;
          ps->v.s = default_name (display_name);
        }
      else
        {
          g_autoptr (GError) err = NULL;
          Token t = { (char *) spec->def, spec->def[0] == '"',
                      { "<default>", 0, 0 } };
          if (spec->def[0] == '"')
            t.text = (char *) "";
          if (!param_eval (&P, spec, &t, NULL, FALSE, &ps->v, &err))
            g_error ("bad default of parameter '%s': %s", spec->name,
                     err->message);
        }
    }
  return sc;
}

SimScenario *
sim_scenario_parse (const char *display_name,
                    const char *text,
                    gsize len,
                    const char *base_dir,
                    const char *const *overrides,
                    GError **error)
{
  g_autoptr (SimScenario) sc = NULL;
  Parser P = { 0 };
  gsize pos = 0;
  guint line_no = 0;
  guint end_line = 0;
  Pos eof = { display_name, 1, 1 };
  gboolean ok = FALSE;

  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sc = scenario_new (display_name, base_dir);
  P.sc = sc;
  P.file = sc->display_name;
  eof.file = sc->display_name;
  P.let_overrides = g_ptr_array_new_with_free_func (override_free);
  P.expect_overrides = g_ptr_array_new_with_free_func (override_free);

  if (!parse_overrides (&P, overrides, error))
    goto out;

  while (pos < len)
    {
      const char *start = text + pos;
      const char *nl = memchr (start, '\n', len - pos);
      gsize line_len = nl != NULL ? (gsize) (nl - start) : len - pos;
      guint first_col = 1;
      g_autofree char *copy = NULL;
      g_autoptr (GArray) toks = NULL;

      pos += line_len + (nl != NULL ? 1 : 0);
      line_no++;
      P.line = line_no;
      /* A UTF-8 byte order mark at the very start is skipped. */
      if (line_no == 1 && line_len >= 3
          && memcmp (start, "\xEF\xBB\xBF", 3) == 0)
        {
          start += 3;
          line_len -= 3;
        }
      if (!sim__scenario_check_line (P.file, line_no, start, line_len, error))
        goto out;
      if (nl == NULL)
        {
          eof.line = line_no;
          eof.col = (guint) g_utf8_strlen (start, (gssize) line_len) + 1;
        }
      else
        {
          eof.line = line_no + 1;
          eof.col = 1;
        }

      copy = g_strndup (start, line_len);
      toks = g_array_new (FALSE, TRUE, sizeof (Token));
      g_array_set_clear_func (toks, token_clear);
      if (!sim__scenario_tokenize (P.file, line_no, first_col, copy, toks,
                                   error))
        goto out;
      if (toks->len == 0)
        continue;
      if (end_line != 0)
        {
          const Token *t = &g_array_index (toks, Token, 0);
          fail_tok (error, SIM_SCENARIO_ERROR_SYNTAX, t,
                    "text after 'end' (line %u); only comments may follow",
                    end_line);
          goto out;
        }
      {
        gboolean ended = FALSE;
        if (!parse_statement (&P, toks, &ended, error))
          goto out;
        if (ended)
          end_line = line_no;
      }
    }

  if (end_line == 0)
    {
      sim__scenario_fail (error, SIM_SCENARIO_ERROR_MISSING_END, eof, NULL, 0,
            "missing 'end' line at the end of the scenario");
      goto out;
    }
  if (!finish_overrides (&P, error) || !check_cross_rules (&P, error))
    goto out;
  if (P.has_confidence && sc->seeds_line == 0)
    {
      sim__scenario_fail (error, SIM_SCENARIO_ERROR_MISSING_PARAM,
                          P.first_confidence, "confidence", -1,
                          "'confidence' judges the mean over seeds: declare "
                          "them with 'seeds = LIST' (e.g. seeds = 1..8)");
      goto out;
    }
  ok = TRUE;

out:
  g_ptr_array_unref (P.let_overrides);
  g_ptr_array_unref (P.expect_overrides);
  return ok ? g_steal_pointer (&sc) : NULL;
}

SimScenario *
sim_scenario_load (const char *path,
                   const char *const *overrides,
                   GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *abs_dir = NULL;
  FILE *f;
  gsize cap = 1 << 16, len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Read with a size cap instead of g_file_get_contents(), so that a
   * mistaken path such as /dev/zero fails instead of eating memory. */
  f = fopen (path, "rb");
  if (f == NULL)
    {
      int e = errno;
      g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO,
                   "%s: cannot open: %s", path, g_strerror (e));
      return NULL;
    }
  contents = g_malloc (cap);
  for (;;)
    {
      gsize n = fread (contents + len, 1, cap - len, f);
      const char *nul = memchr (contents + len, '\0', n);
      len += n;
      if (nul != NULL)
        {
          /* A binary file fails by its first chunk, not after 64 MB: the
           * line holding the NUL byte gets the parser's own check. */
          guint line_no = 1;
          const char *line = contents;
          for (const char *p = contents; p < nul; p++)
            if (*p == '\n')
              {
                line_no++;
                line = p + 1;
              }
          fclose (f);
          sim__scenario_check_line (path, line_no, line,
                                    (gsize) (nul - line) + 1, error);
          return NULL;
        }
      if (n == 0)
        break;
      if (len > SIM_SCENARIO_MAX_FILE)
        {
          Pos pos = { path, 1, 1 };
          fclose (f);
          sim__scenario_fail (error, SIM_SCENARIO_ERROR_TOO_LONG, pos, NULL, 0,
                "file larger than %u bytes", SIM_SCENARIO_MAX_FILE);
          return NULL;
        }
      if (len == cap)
        {
          cap *= 2;
          contents = g_realloc (contents, cap);
        }
    }
  if (ferror (f))
    {
      int e = errno;
      fclose (f);
      g_set_error (error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO,
                   "%s: cannot read: %s", path, g_strerror (e));
      return NULL;
    }
  fclose (f);

  dir = g_path_get_dirname (path);
  abs_dir = g_canonicalize_filename (dir, NULL);
  return sim_scenario_parse (path, contents, len, abs_dir, overrides, error);
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                */

const char *
sim_scenario_name (const SimScenario *sc)
{
  return sim_scenario_get_string (sc, "name");
}

const char *
sim_scenario_display_name (const SimScenario *sc)
{
  g_return_val_if_fail (sc != NULL, NULL);
  return sc->display_name;
}

guint
sim_scenario_n_actions (const SimScenario *sc)
{
  g_return_val_if_fail (sc != NULL, 0);
  return sc->actions->len;
}

const SimAction *
sim_scenario_action (const SimScenario *sc, guint i)
{
  g_return_val_if_fail (sc != NULL, NULL);
  g_return_val_if_fail (i < sc->actions->len, NULL);
  return &g_array_index (sc->actions, SimAction, i);
}

const guint64 *
sim_scenario_seeds (const SimScenario *sc, guint *n)
{
  g_return_val_if_fail (sc != NULL && n != NULL, NULL);
  *n = sc->seeds->len;
  return sc->seeds->len > 0 ? (const guint64 *) (void *) sc->seeds->data
                            : NULL;
}

guint
sim_scenario_n_expects (const SimScenario *sc)
{
  g_return_val_if_fail (sc != NULL, 0);
  return sc->expects->len;
}

const SimExpect *
sim_scenario_expect (const SimScenario *sc, guint i)
{
  g_return_val_if_fail (sc != NULL, NULL);
  g_return_val_if_fail (i < sc->expects->len, NULL);
  return &g_array_index (sc->expects, SimExpect, i);
}

/* Returns the state of @param if it exists and its type is one of the
 * two given; otherwise a critical and NULL. */
static const ParamState *
param_get (const SimScenario *sc, const char *param, SimParamType t1,
           SimParamType t2, SimParamType t3)
{
  int pi;
  g_return_val_if_fail (sc != NULL, NULL);
  g_return_val_if_fail (param != NULL, NULL);
  pi = param_find (sc, param);
  if (pi < 0)
    {
      g_critical ("sim_scenario: unknown parameter '%s'", param);
      return NULL;
    }
  if (param_spec (sc, pi)->type != t1 && param_spec (sc, pi)->type != t2
      && param_spec (sc, pi)->type != t3)
    {
      g_critical ("sim_scenario: parameter '%s' is of type %s", param,
                  sim_param_type_name (param_spec (sc, pi)));
      return NULL;
    }
  return &sc->params[pi];
}

guint64
sim_scenario_get_uint (const SimScenario *sc, const char *param)
{
  const ParamState *ps = param_get (sc, param, SIM_PARAM_UINT, SIM_PARAM_UINT, SIM_PARAM_UINT);
  return ps != NULL ? ps->v.u : 0;
}

double
sim_scenario_get_double (const SimScenario *sc, const char *param)
{
  const ParamState *ps
      = param_get (sc, param, SIM_PARAM_DOUBLE, SIM_PARAM_DOUBLE, SIM_PARAM_DOUBLE);
  return ps != NULL ? ps->v.d : 0.0;
}

SimTime
sim_scenario_get_time (const SimScenario *sc, const char *param)
{
  const ParamState *ps = param_get (sc, param, SIM_PARAM_TIME, SIM_PARAM_TIME, SIM_PARAM_TIME);
  return ps != NULL ? ps->v.t : 0;
}

const char *
sim_scenario_get_string (const SimScenario *sc, const char *param)
{
  int pi;
  g_return_val_if_fail (sc != NULL, NULL);
  g_return_val_if_fail (param != NULL, NULL);
  pi = param_find (sc, param);
  if (pi >= 0
      && (param_spec (sc, pi)->type == SIM_PARAM_NAME
          || param_spec (sc, pi)->type == SIM_PARAM_TIMEOUT))
    return sc->params[pi].v.s;
  {
    const ParamState *ps = param_get (sc, param, SIM_PARAM_STRING, SIM_PARAM_ENUM, SIM_PARAM_PATH);
    return ps != NULL ? ps->v.s : NULL;
  }
}

void
sim_scenario_add_input_files (const SimScenario *sc, GPtrArray *paths)
{
  g_return_if_fail (sc != NULL && paths != NULL);
  for (gsize i = 0; i < n_params (sc); i++)
    if (param_spec (sc, i)->type == SIM_PARAM_PATH && sc->params[i].v.s != NULL
        && sc->params[i].v.s[0] != '\0')
      g_ptr_array_add (paths, g_strdup (sc->params[i].v.s));
  for (guint i = 0; i < sc->actions->len; i++)
    {
      const SimAction *a = &g_array_index (sc->actions, SimAction, i);
      if (a->kind == SIM_ACTION_TRACE && a->trace_path != NULL)
        g_ptr_array_add (paths, g_strdup (a->trace_path));
    }
}

gboolean
sim_scenario_get_timeout (const SimScenario *sc, const char *param,
                          SimTime *fixed)
{
  const ParamState *ps = param_get (sc, param, SIM_PARAM_TIMEOUT,
                                    SIM_PARAM_TIMEOUT, SIM_PARAM_TIMEOUT);
  if (ps == NULL)
    return TRUE;
  if (fixed != NULL)
    *fixed = ps->v.t;
  return strcmp (ps->v.s, "rtt") == 0;
}

gboolean
sim_scenario_get_hop_timeout (const SimScenario *sc, SimTime *fixed)
{
  return sim_scenario_get_timeout (sc, "hop_timeout", fixed);
}

gboolean
sim_scenario_param_is_set (const SimScenario *sc, const char *param)
{
  int pi;
  g_return_val_if_fail (sc != NULL, FALSE);
  g_return_val_if_fail (param != NULL, FALSE);
  pi = param_find (sc, param);
  if (pi < 0)
    {
      g_critical ("sim_scenario: unknown parameter '%s'", param);
      return FALSE;
    }
  return sc->params[pi].origin != ORIGIN_DEFAULT;
}

gboolean
sim_scenario_param_position (const SimScenario *sc, const char *param,
                             const char **file, guint *line, guint *col)
{
  int pi;
  g_return_val_if_fail (sc != NULL, FALSE);
  g_return_val_if_fail (param != NULL, FALSE);
  pi = param_find (sc, param);
  if (pi < 0)
    {
      g_critical ("sim_scenario: unknown parameter '%s'", param);
      return FALSE;
    }
  const ParamState *ps = &sc->params[pi];
  if (ps->origin == ORIGIN_DEFAULT)
    return FALSE;
  if (file != NULL)
    *file = ps->origin == ORIGIN_FILE ? sc->display_name : "--set";
  if (line != NULL)
    *line = ps->where.line;
  if (col != NULL)
    *col = ps->where.col;
  return TRUE;
}

double
sim_scenario_expect_threshold (const SimExpect *e)
{
  g_return_val_if_fail (e != NULL, 0.0);
  if (!e->is_time)
    return e->value;
  if (g_str_has_suffix (e->metric, "_us"))
    return (double) e->time;
  if (g_str_has_suffix (e->metric, "_ms"))
    return (double) e->time / (double) SIM_TIME_MS;
  return sim_time_to_s (e->time);
}

gboolean
sim_scenario_expect_holds (const SimExpect *e, double measured)
{
  double t;
  g_return_val_if_fail (e != NULL, FALSE);
  t = sim_scenario_expect_threshold (e);
  switch (e->op)
    {
    case SIM_COMPARE_LT:
      return measured < t;
    case SIM_COMPARE_LE:
      return measured <= t;
    case SIM_COMPARE_GT:
      return measured > t;
    case SIM_COMPARE_GE:
      return measured >= t;
    case SIM_COMPARE_EQ:
      return measured == t;
    case SIM_COMPARE_NE:
      return measured != t;
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                */

static void
append_value (GString *out, const Value *v)
{
  switch (v->kind)
    {
    case VAL_INT:
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, v->u);
      break;
    case VAL_DOUBLE:
      sim__scenario_append_double (out, v->d);
      break;
    case VAL_TIME:
      sim__scenario_append_time (out, v->t);
      break;
    case VAL_STRING:
      sim__scenario_append_string (out, v->s);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* With @canonical and declared seeds, the `seeds` line stands where the
 * `seed` line would (a file with `seeds` cannot set `seed`). */
static void
write_assignments (const SimScenario *sc, const char *prefix,
                   gboolean canonical, GString *out)
{
  for (gsize i = 0; i < n_params (sc); i++)
    {
      if (canonical && sc->seeds->len > 0
          && strcmp (param_spec (sc, i)->name, "seed") == 0)
        {
          g_autofree char *list = sim_seed_list_format (
              (const guint64 *) (void *) sc->seeds->data, sc->seeds->len);
          if (sc->params[i].origin == ORIGIN_OVERRIDE)
            g_string_append_printf (out,
                                    "# seed = %" G_GUINT64_FORMAT ": the "
                                    "seed of this run (repeat it alone with "
                                    "--seed %" G_GUINT64_FORMAT ")\n",
                                    sc->params[i].v.u, sc->params[i].v.u);
          g_string_append_printf (out, "seeds = %s\n", list);
          continue;
        }
      if ((param_spec (sc, i)->flags & SIM_PARAM_LISTED_WHEN_SET)
          && sc->params[i].origin == ORIGIN_DEFAULT)
        continue;
      g_string_append_printf (out, "%s%s = ", prefix, param_spec (sc, i)->name);
      if (param_spec (sc, i)->type == SIM_PARAM_TIMEOUT)
        g_string_append (out, sc->params[i].v.s); /* "rtt" or a time */
      else
        append_value (out, &sc->params[i].v);
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < sc->vars->len; i++)
    {
      const Var *var = sc->vars->pdata[i];
      g_string_append_printf (out, "%slet %s = ", prefix, var->name);
      append_value (out, &var->v);
      g_string_append_c (out, '\n');
    }
}

void
sim_scenario_write_resolved (const SimScenario *sc, GString *out)
{
  g_return_if_fail (sc != NULL);
  g_return_if_fail (out != NULL);
  write_assignments (sc, "# ", FALSE, out);
}

void
sim_scenario_write_canonical (const SimScenario *sc, GString *out)
{
  g_return_if_fail (sc != NULL);
  g_return_if_fail (out != NULL);

  g_string_append (out, "# Canonical form of ");
  sim__scenario_append_excerpt (out, sc->display_name, -1);
  g_string_append (out, ": every parameter explicit, references "
                        "resolved.\n");
  write_assignments (sc, "", TRUE, out);
  for (guint i = 0; i < sc->expects->len; i++)
    {
      const SimExpect *e = &g_array_index (sc->expects, SimExpect, i);
      g_string_append_printf (out, "expect %s %s ", e->metric,
                              sim_compare_op_to_string (e->op));
      if (e->is_time)
        sim__scenario_append_time (out, e->time);
      else
        sim__scenario_append_double (out, e->value);
      if (e->confidence > 0)
        {
          char pct[40];
          /* Ten digits: 0.95 * 100 is 95.00000000000001 in binary. */
          g_string_append_printf (out, " confidence %s%%",
                                  g_ascii_formatd (pct, sizeof pct, "%.10g",
                                                   e->confidence * 100));
        }
      g_string_append_c (out, '\n');
    }
  sim__scenario_write_timeline (sc, out);
  g_string_append (out, "end\n");
}

void
sim_scenario_describe_params (GString *out)
{
  const SimParamRegistry *reg = sim_scenario_installed_params ();

  g_return_if_fail (out != NULL);
  if (reg == NULL)
    g_error ("sim_scenario_describe_params: no parameters installed "
             "(sim_scenario_install_params)");
  sim_param_registry_describe (reg, out);
}
