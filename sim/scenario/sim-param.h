/* sim-param.h — scenario parameters and their registry.
 *
 * The language knows no protocol: every `NAME = VALUE` parameter belongs to
 * a group registered by the layer that reads it — the language's own
 * (name, seed, lookup_key, timeline_interval: sim-param.c), the network
 * models' (sim/driver/sim-net-params.c), Pastry's
 * (sim/pastry/sim-pastry-params.c).  A group is a static table of specs
 * (name, type, default, range, doc) and an optional check of rules that
 * involve several of its parameters.  `pastrysim params` prints the
 * registry group by group, with the file that defines each group.
 *
 * Invariants of a SimParamRegistry: parameter names are unique across all
 * groups, group names are unique, non-zero ranks are unique; the
 * parameters are held in resolved order (by rank, rank 0 last in
 * registration order).  A registry is built once, then installed
 * (sim_scenario_install_params()) and from then on immutable.
 *
 * Why one installed registry per process rather than a registry argument
 * to every parse: the registry describes the program (which protocols are
 * linked in), not a run, just as the metric registry does; the parser is
 * called from many places (run, batches, sweeps, judge, tests, the fuzz
 * harness) that would all have to carry it.  It is written once, before
 * the first parse and before any thread starts, and only read afterwards,
 * so readers need no lock; parsing without an installed registry is a
 * g_error(), so a program cannot forget it silently.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SimScenario SimScenario;

typedef enum
{
  SIM_PARAM_UINT,    /* a count: umin..umax */
  SIM_PARAM_DOUBLE,  /* a finite number: dmin..dmax */
  SIM_PARAM_TIME,    /* a time in µs: umin..umax */
  SIM_PARAM_STRING,  /* any word */
  SIM_PARAM_ENUM,    /* one of `choices` */
  SIM_PARAM_PATH,    /* a file name; relative names resolve against the
                        scenario file's directory */
  SIM_PARAM_NAME,    /* [A-Za-z0-9_][A-Za-z0-9._-]*, 1 to 128 characters */
  SIM_PARAM_TIMEOUT, /* the word `rtt` or a time > 0, kept as written in
                        canonical form ("rtt", "500ms") */
} SimParamType;

typedef enum
{
  SIM_PARAM_EVEN = 1 << 0,          /* SIM_PARAM_UINT: must be even */
  SIM_PARAM_MIN_EXCLUSIVE = 1 << 1, /* SIM_PARAM_DOUBLE: must be > dmin */
  /* Listed in resolved scenarios (scenario.scn, CSV metadata) only when
   * set (in the file or by --set): a parameter added with this flag
   * leaves the outputs of every earlier scenario byte-identical.  Its
   * default must be the behaviour those scenarios had. */
  SIM_PARAM_LISTED_WHEN_SET = 1 << 2,
} SimParamFlags;

/* One parameter.  Fields a type does not use stay zero. */
typedef struct
{
  const char *name; /* an identifier, unique in the registry; never give a
                       retired name another type (old results name it) */
  SimParamType type;
  const char *def;    /* default in scenario syntax ("4", "30s", "\"\"" for
                         an empty string); NULL only for the language's
                         `name`, whose default is the file name */
  guint flags;        /* SimParamFlags */
  guint64 umin, umax; /* UINT and TIME (µs) */
  double dmin, dmax;  /* DOUBLE */
  const char *const *choices; /* ENUM: NULL-terminated */
  const char *doc;            /* one line, for `pastrysim params` */
  /* Position in resolved scenarios (scenario.scn, CSV metadata): the
   * registry orders every parameter by rank, rank 0 after all ranked ones
   * in registration order.  Ranks 1 to 39 keep the order of the single
   * table this registry replaced, so results stay byte-identical; a new
   * parameter leaves it 0. */
  guint rank;
} SimParamSpec;

/* Checks rules that involve several parameters of a group, after the
 * whole scenario has been read.  Report a broken rule with
 * sim_scenario_param_fail() (it blames where a parameter was set) and
 * return FALSE. */
typedef gboolean (*SimParamCheck) (const SimScenario *sc, GError **error);

/* A group of parameters owned by one layer.  Static storage: the
 * registry borrows it. */
typedef struct
{
  const char *name;       /* a word: "language", "network", "pastry" */
  const char *doc;        /* one line */
  const char *defined_in; /* the source file that holds the table */
  const SimParamSpec *specs;
  guint n_specs;
  SimParamCheck check; /* nullable */
} SimParamGroup;

typedef struct _SimParamRegistry SimParamRegistry;

/* The language's own parameters: name, seed, lookup_key,
 * timeline_interval.  Every registry starts with it. */
extern const SimParamGroup sim_param_language_group;

/* Returns: (transfer full): a registry holding the language group. */
SimParamRegistry *sim_param_registry_new (void);

/* Frees @reg.  NULL is allowed.  An installed registry is never freed. */
void sim_param_registry_free (SimParamRegistry *reg);

/* Adds @group (borrowed: static storage) after the groups already there.
 * A group or parameter name already registered, a non-zero rank already
 * used, a spec without name or doc, an enum without choices, or a
 * registry already installed are programming errors: g_critical and
 * FALSE, the registry unchanged.
 * Returns: TRUE when the group was added. */
gboolean sim_param_registry_add (SimParamRegistry *reg,
                                 const SimParamGroup *group);

/* Number of parameters, and parameter @i (0-based) in resolved order.
 * Returns: (transfer none). */
guint sim_param_registry_n_params (const SimParamRegistry *reg);
const SimParamSpec *sim_param_registry_spec (const SimParamRegistry *reg,
                                             guint i);

/* Returns: the resolved-order index of the parameter called @name, or -1.
 * Cost: one hash lookup. */
int sim_param_registry_find (const SimParamRegistry *reg, const char *name);

/* Number of groups, and group @i in registration order (the language
 * first).  Returns: (transfer none). */
guint sim_param_registry_n_groups (const SimParamRegistry *reg);
const SimParamGroup *sim_param_registry_group (const SimParamRegistry *reg,
                                               guint i);

/* Returns: "int", "double", "time", "string", "enum" or "path". */
const char *sim_param_type_name (const SimParamSpec *spec);

/* Appends the registry as a table: a heading line, then for each group in
 * registration order a blank line, "GROUP: doc (defined in FILE)" and one
 * line per parameter in table order: name, type, default, range or
 * choices, doc. */
void sim_param_registry_describe (const SimParamRegistry *reg, GString *out);

/* Makes @reg the parameters of every scenario parsed from now on, in any
 * thread; takes ownership.  Call once, at start-up, before the first
 * parse and before starting threads; afterwards @reg is immutable.  A
 * second installation is a programming error (g_critical, @reg freed). */
void sim_scenario_install_params (SimParamRegistry *reg);

/* Returns: (transfer none) (nullable): the installed registry, NULL
 * before sim_scenario_install_params(). */
const SimParamRegistry *sim_scenario_installed_params (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimParamRegistry, sim_param_registry_free)

G_END_DECLS
