/* sim-scenario-private.h — internals shared by the files of the scenario
 * parser.  Not installed, not for the world layer.
 *
 * The parser is split by job:
 *   sim-scenario-lex.c     literals in both directions (numbers, times,
 *                          words), line checks, the tokenizer, error
 *                          formatting and "did you mean" suggestions;
 *   sim-param.c            the parameter registry and the language's own
 *                          parameters;
 *   sim-scenario.c         parameter values and references,
 *                          `NAME = VALUE`, `let`, `expect`, overrides, the
 *                          entry points, getters and writers;
 *   sim-scenario-action.c  the timeline: `at TIME VERB ...` for every verb,
 *                          node selections, `measure`;
 *   sim-scenario-dist.c    calls: distributions such as exp(1h) and Zipf
 *                          key populations, read and written.
 * Cross-file functions are named sim__scenario_*; everything else is static
 * to its file.
 */
#pragma once

#include <string.h>

#include "sim-scenario.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------------------- */
/* Values, tokens, positions                                              */

typedef enum
{
  VAL_INT,    /* non-negative whole number (a count) */
  VAL_DOUBLE, /* finite real number */
  VAL_TIME,   /* SimTime */
  VAL_STRING, /* text (bare word or quoted) */
} ValKind;

typedef struct
{
  ValKind kind;
  guint64 u;
  double d;
  SimTime t;
  char *s; /* owned, VAL_STRING only */
} Value;

typedef struct
{
  const char *file; /* borrowed: the display name, "--set" or "<default>" */
  guint line, col;
} Pos;

typedef struct
{
  char *text;       /* owned; unescaped when quoted */
  gboolean quoted;
  Pos pos;
} Token;

static inline void
value_clear (Value *v)
{
  g_clear_pointer (&v->s, g_free);
}

static inline void
token_clear (gpointer p)
{
  Token *t = p;
  g_clear_pointer (&t->text, g_free);
}

static inline gboolean
tok_is (const Token *t, const char *word)
{
  return !t->quoted && strcmp (t->text, word) == 0;
}

/* ---------------------------------------------------------------------- */
/* sim-scenario-lex.c                                                     */

/* Sets @error to "FILE:LINE:COL: message (near 'excerpt')" in the
 * SIM_SCENARIO_ERROR domain and returns FALSE, so that callers can write
 * `return sim__scenario_fail (...)`.  @near may be NULL (no excerpt);
 * @near_len is its length or -1. */
gboolean sim__scenario_fail (GError **error,
                             SimScenarioError code,
                             Pos pos,
                             const char *near,
                             gssize near_len,
                             const char *fmt,
                             ...) G_GNUC_PRINTF (6, 7);

#define fail_tok(error, code, tok, ...)                                      \
  sim__scenario_fail ((error), (code), (tok)->pos, (tok)->text, -1,          \
                      __VA_ARGS__)

/* Returns the candidate closest to @word when it is a plausible typo
 * (distance <= 2 and less than the word's length), else NULL.  At most @n
 * candidates are looked at, or up to a NULL entry. */
const char *sim__scenario_suggest (const char *word,
                                   const char *const *candidates,
                                   gsize n);

/* Returns (transfer full) "; did you mean 'x'?" or "". */
char *sim__scenario_did_you_mean (const char *word,
                                  const char *const *candidates,
                                  gsize n);

/* Appends @s (up to @len bytes, -1 for NUL-terminated) for a "(near '…')"
 * excerpt: printable ASCII and valid UTF-8 as is, everything else as \xNN,
 * at most 40 characters. */
void sim__scenario_append_excerpt (GString *out, const char *s, gssize len);

/* TRUE if @s starts like a number: a digit, or '.', '+' or '-' followed by
 * a digit (or ".digit"). */
gboolean sim__scenario_looks_numeric (const char *s);

/* Parses a numeric-looking literal into a count (VAL_INT), a time
 * (VAL_TIME) or a real (VAL_DOUBLE).  Errors point at @tok. */
gboolean sim__scenario_parse_numeric (const Token *tok,
                                      Value *out,
                                      GError **error);

/* "us", "ms", "s", "min", "h", "d", NULL. */
extern const char *const sim__scenario_time_unit_names[];

/* Sets *@us to the length of the time unit @name in µs; FALSE if @name is
 * not a time unit. */
gboolean sim__scenario_time_unit_us (const char *name, guint64 *us);

/* Checks one line (without its '\n') for size and encoding. */
gboolean sim__scenario_check_line (const char *file,
                                   guint line_no,
                                   const char *s,
                                   gsize len,
                                   GError **error);

/* Splits a checked, NUL-terminated line into Tokens appended to @tokens. */
gboolean sim__scenario_tokenize (const char *file,
                                 guint line_no,
                                 guint first_col,
                                 const char *s,
                                 GArray *tokens,
                                 GError **error);

/* Writers of literals that read back as the same value. */
void sim__scenario_append_double (GString *out, double d);
void sim__scenario_append_time (GString *out, SimTime t);
void sim__scenario_append_string (GString *out, const char *s);

/* ---------------------------------------------------------------------- */
/* The scenario object (sim-scenario.c)                                   */

typedef enum
{
  ORIGIN_DEFAULT,
  ORIGIN_FILE,
  ORIGIN_OVERRIDE,
} Origin;

typedef struct
{
  Value v;
  Origin origin;
  Pos where;         /* where the value came from (file or --set) */
  guint file_line;   /* line of `NAME = ...` in the file, 0 if none */
  guint used_line;   /* first line that read it through $NAME, 0 if none */
} ParamState;

struct _SimScenario
{
  char *display_name;
  char *base_dir;        /* NULL: relative paths stay relative */
  const SimParamRegistry *reg; /* the installed registry (sim-param.h) */
  ParamState *params;    /* one per registered parameter, in the
                            registry's resolved order */
  GPtrArray *vars;       /* Var *, owned (var_free) */
  GHashTable *var_index; /* name (borrowed from Var) -> Var * */
  GArray *actions;       /* SimAction; owned parts freed by
                            sim__scenario_action_clear */
  GArray *expects;       /* SimExpect; metric freed by expect_clear */
  guint measure_line;    /* line of `measure`, 0 if none */
  SimTime measure_from;  /* 0 without `measure` */
  SimTime measure_to;    /* SIM_TIME_MAX when open */
  GArray *seeds;         /* guint64, `seeds = LIST` in file order; empty
                            without that line */
  guint seeds_line;      /* line of `seeds`, 0 if none */
};

/* The parser's state while it reads one file. */
typedef struct
{
  SimScenario *sc;
  const char *file;          /* display name, for positions */
  guint line;                /* current file line, 0 before the first */
  GPtrArray *let_overrides;  /* Override *, owned */
  GPtrArray *expect_overrides; /* Override *, owned; name = the metric */
  SimTime last_at;
  guint last_at_line;
  guint64 total_nodes;       /* nodes added by join and build */
  guint64 total_lookups;
  guint64 max_hosts;         /* number of node indices the actions so far
                                may have created (join, build, churn
                                population, trace nodes); G_MAXUINT64 when
                                unknown (after `id new` rejoins) */
  gboolean has_confidence;   /* some `expect ... confidence P%` was read */
  Pos first_confidence;      /* the first such `confidence` keyword */
} Parser;

/* What a context accepts.  Literals of the wrong kind get BAD_NUMBER or
 * BAD_UNIT; references of the wrong kind get TYPE. */
typedef enum
{
  WANT_ANY,            /* `let`: the literal decides */
  WANT_UINT,           /* VAL_INT */
  WANT_DOUBLE,         /* VAL_INT (converted) or VAL_DOUBLE */
  WANT_TIME,           /* VAL_TIME */
  WANT_STRING,         /* any token taken as text */
  WANT_NUMBER_OR_TIME, /* expectations: VAL_INT→DOUBLE, VAL_DOUBLE, TIME */
} Want;

/* Evaluates @tok (a literal or a $reference) in a context that accepts
 * @want.  On success @out holds a value of the accepted kind and must be
 * cleared by the caller. */
gboolean sim__scenario_eval_token (Parser *P,
                                   const Token *tok,
                                   Want want,
                                   Value *out,
                                   GError **error);

/* Fails on the first token after @n_used, if any ("unexpected 'x' after
 * @after"). */
gboolean sim__scenario_expect_no_more (const GArray *toks,
                                       guint n_used,
                                       const char *after,
                                       GError **error);

/* ---------------------------------------------------------------------- */
/* sim-scenario-dist.c                                                    */

/* Reads a distribution such as `exp(1h)` or `pareto(1.5, median=1.4min)`
 * starting at token *@i, which may span several tokens; advances *@i past
 * it.  The values are in seconds; the result passes sim_dist_is_valid(). */
gboolean sim__scenario_eval_dist (Parser *P,
                                  const GArray *toks,
                                  guint *i,
                                  SimDist *out,
                                  GError **error);

/* Reads `zipf(S, K)` starting at token *@i: S > 0, 1 <= K <= 2^32. */
gboolean sim__scenario_eval_zipf (Parser *P,
                                  const GArray *toks,
                                  guint *i,
                                  double *s,
                                  guint64 *n,
                                  GError **error);

/* Appends @d (valid, values in seconds) in the syntax eval_dist reads. */
void sim__scenario_append_dist (GString *out, const SimDist *d);

/* Appends `zipf(S, K)` in the syntax eval_zipf reads. */
void sim__scenario_append_zipf (GString *out, double s, guint64 n);

/* ---------------------------------------------------------------------- */
/* sim-scenario-action.c                                                  */

/* `at TIME VERB ...`: appends one SimAction to P->sc->actions. */
gboolean sim__scenario_parse_at (Parser *P,
                                 const GArray *toks,
                                 GError **error);

/* `measure from T1 [to T2]`. */
gboolean sim__scenario_parse_measure (Parser *P,
                                      const GArray *toks,
                                      GError **error);

/* Frees what a SimAction owns (indices, trace, trace path); the clear
 * function of the actions array. */
void sim__scenario_action_clear (gpointer p);

/* Appends the `measure` line (if any) and every action, in canonical
 * syntax. */
void sim__scenario_write_timeline (const SimScenario *sc, GString *out);

G_END_DECLS
