/* test-param.c — the parameter registry (sim-param.h) with made-up groups:
 * resolved order by rank, the programming errors refused (duplicate
 * names, groups and ranks, a second installation, parsing before one),
 * and a group's cross-parameter check blaming file:line:col.  Knows no
 * protocol: Pastry's and the network's groups are tested through
 * test-scenario.
 */
#include "sim-param.h"
#include "sim-scenario.h"

#include <string.h>

static const char *const colour_choices[] = { "red", "blue", NULL };

static const SimParamSpec toy_specs[] = {
  { .name = "width",
    .type = SIM_PARAM_UINT,
    .def = "4",
    .umin = 1,
    .umax = 100,
    .doc = "width of the toy" },
  { .name = "height",
    .type = SIM_PARAM_UINT,
    .def = "2",
    .umin = 1,
    .umax = 100,
    .rank = 3,
    .doc = "height of the toy" },
  { .name = "colour",
    .type = SIM_PARAM_ENUM,
    .def = "red",
    .choices = colour_choices,
    .doc = "colour of the toy" },
};

/* width <= 2 * height. */
static gboolean
toy_check (const SimScenario *sc, GError **error)
{
  guint64 w = sim_scenario_get_uint (sc, "width");
  guint64 h = sim_scenario_get_uint (sc, "height");

  if (w > 2 * h)
    return sim_scenario_param_fail (
        sc, error, SIM_SCENARIO_ERROR_RANGE, "width", "width",
        "width = %" G_GUINT64_FORMAT " is more than twice the height", w);
  return TRUE;
}

static const SimParamGroup toy_group = {
  .name = "toy",
  .doc = "a toy protocol",
  .defined_in = "sim/scenario/tests/test-param.c",
  .specs = toy_specs,
  .n_specs = G_N_ELEMENTS (toy_specs),
  .check = toy_check,
};

/* A second group that reuses the name "height". */
static const SimParamSpec clash_specs[] = {
  { .name = "depth",
    .type = SIM_PARAM_UINT,
    .def = "1",
    .umin = 0,
    .umax = 9,
    .doc = "depth" },
  { .name = "height",
    .type = SIM_PARAM_UINT,
    .def = "1",
    .umin = 0,
    .umax = 9,
    .doc = "height again" },
};

static const SimParamGroup clash_group = {
  .name = "clash",
  .doc = "a group that reuses a name",
  .defined_in = "sim/scenario/tests/test-param.c",
  .specs = clash_specs,
  .n_specs = G_N_ELEMENTS (clash_specs),
};

static const SimParamSpec rank_specs[] = {
  { .name = "depth",
    .type = SIM_PARAM_UINT,
    .def = "1",
    .umin = 0,
    .umax = 9,
    .rank = 3,
    .doc = "depth, with the rank of height" },
};

static const SimParamGroup rank_group = {
  .name = "ranked",
  .doc = "a group that reuses a rank",
  .defined_in = "sim/scenario/tests/test-param.c",
  .specs = rank_specs,
  .n_specs = G_N_ELEMENTS (rank_specs),
};

static const SimParamSpec twice_specs[] = {
  { .name = "depth",
    .type = SIM_PARAM_UINT,
    .def = "1",
    .umin = 0,
    .umax = 9,
    .doc = "depth" },
  { .name = "depth",
    .type = SIM_PARAM_UINT,
    .def = "1",
    .umin = 0,
    .umax = 9,
    .doc = "depth again" },
};

static const SimParamGroup twice_group = {
  .name = "twice",
  .doc = "a group that lists a name twice",
  .defined_in = "sim/scenario/tests/test-param.c",
  .specs = twice_specs,
  .n_specs = G_N_ELEMENTS (twice_specs),
};

/* A group called like the language's. */
static const SimParamGroup language_again = {
  .name = "language",
  .doc = "a second group named language",
  .defined_in = "sim/scenario/tests/test-param.c",
  .specs = clash_specs,
  .n_specs = 1,
};

static void
test_new_holds_language (void)
{
  g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();

  g_assert_cmpuint (sim_param_registry_n_groups (reg), ==, 1);
  g_assert_true (sim_param_registry_group (reg, 0)
                 == &sim_param_language_group);
  g_assert_cmpuint (sim_param_registry_n_params (reg), ==,
                    sim_param_language_group.n_specs);
  g_assert_cmpint (sim_param_registry_find (reg, "seed"), >=, 0);
  g_assert_cmpint (sim_param_registry_find (reg, "name"), ==, 0);
  g_assert_cmpint (sim_param_registry_find (reg, "width"), ==, -1);
  g_assert_cmpint (sim_param_registry_find (reg, ""), ==, -1);
}

/* Ranked parameters by rank, then rank 0 in registration order; every
 * name found at its position. */
static void
test_resolved_order (void)
{
  g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
  const char *const expected[]
      = { "name",  "seed",  "height", "lookup_key", "timeline_interval",
          "width", "colour" };

  g_assert_true (sim_param_registry_add (reg, &toy_group));
  g_assert_cmpuint (sim_param_registry_n_groups (reg), ==, 2);
  g_assert_cmpuint (sim_param_registry_n_params (reg), ==,
                    G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpstr (sim_param_registry_spec (reg, i)->name, ==, expected[i]);
      g_assert_cmpint (sim_param_registry_find (reg, expected[i]), ==, (int) i);
    }
}

static void
test_describe (void)
{
  g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_true (sim_param_registry_add (reg, &toy_group));
  sim_param_registry_describe (reg, out);
  if (g_test_verbose ())
    g_test_message ("%s", out->str);
  g_assert_true (g_str_has_prefix (out->str, "PARAMETER "));
  g_assert_nonnull (strstr (
      out->str, "\ntoy: a toy protocol (defined in "
                "sim/scenario/tests/test-param.c)\nwidth               int  "
                "   4            1..100; width of the toy\nheight "));
  g_assert_nonnull (strstr (out->str, "red|blue; colour of the toy\n"));
  g_assert_nonnull (strstr (out->str, "\nlanguage: "));
  g_assert_true (strstr (out->str, "\nlanguage: ")
                 < strstr (out->str, "\ntoy: "));
}

/* Each programming error, in a subprocess (criticals are fatal). */
static void
test_duplicate_name (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
      sim_param_registry_add (reg, &toy_group);
      sim_param_registry_add (reg, &clash_group);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*group 'clash': parameter 'height' is already "
                             "registered by group 'toy'*");
}

static void
test_duplicate_language_name (void)
{
  static const SimParamSpec seed_again[] = {
    { .name = "seed",
      .type = SIM_PARAM_UINT,
      .def = "1",
      .umin = 0,
      .umax = 9,
      .doc = "a second seed" },
  };
  static const SimParamGroup g = {
    .name = "seeder",
    .doc = "d",
    .defined_in = "f",
    .specs = seed_again,
    .n_specs = 1,
  };
  if (g_test_subprocess ())
    {
      g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
      sim_param_registry_add (reg, &g);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*parameter 'seed' is already registered by "
                             "group 'language'*");
}

static void
test_duplicate_group (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
      sim_param_registry_add (reg, &language_again);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*group 'language' is already registered*");
}

static void
test_duplicate_rank (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
      sim_param_registry_add (reg, &toy_group);
      sim_param_registry_add (reg, &rank_group);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*'depth' has rank 3, already given to "
                             "'height'*");
}

static void
test_duplicate_in_group (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
      sim_param_registry_add (reg, &twice_group);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*group 'twice': parameter 'depth' is listed "
                             "twice*");
}

/* Without fatal criticals the refused group leaves the registry as it
 * was. */
static void
test_refused_group_leaves_registry (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (SimParamRegistry) reg = sim_param_registry_new ();
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      g_assert_true (sim_param_registry_add (reg, &toy_group));
      g_assert_false (sim_param_registry_add (reg, &clash_group));
      g_assert_cmpuint (sim_param_registry_n_groups (reg), ==, 2);
      g_assert_cmpuint (sim_param_registry_n_params (reg), ==, 7);
      g_assert_cmpint (sim_param_registry_find (reg, "depth"), ==, -1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*already registered*");
}

static void
test_parse_without_install (void)
{
  if (g_test_subprocess ())
    {
      sim_scenario_parse ("t.scn", "end\n", 4, NULL, NULL, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*no parameters installed*");
}

static void
test_install_twice (void)
{
  if (g_test_subprocess ())
    {
      sim_scenario_install_params (sim_param_registry_new ());
      sim_scenario_install_params (sim_param_registry_new ());
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*parameters are already installed*");
}

static void
test_add_after_install (void)
{
  if (g_test_subprocess ())
    {
      SimParamRegistry *reg = sim_param_registry_new ();
      sim_scenario_install_params (reg);
      sim_param_registry_add (reg, &toy_group);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*installed*");
}

/* With the toy registry installed: its parameters parse, resolve in rank
 * order, and its check blames where width was set. */
static void
test_installed_check (void)
{
  static const struct
  {
    const char *text;
    const char *set;
    const char *message; /* NULL: parses */
  } cases[] = {
    { "width = 4\nend\n", NULL, NULL },
    { "height = 1\nwidth = 3\nend\n", NULL,
      "t.scn:2:9: width = 3 is more than twice the height (near 'width')" },
    { "height = 1\nend\n", "width=5",
      "--set:1:1: width = 5 is more than twice the height (near 'width')" },
    { "height = 1\n  width =   3\nend\n", "height=2", NULL },
    { "b = 4\nend\n", NULL, "t.scn:1:1: unknown parameter 'b'" },
  };
  SimParamRegistry *reg = sim_param_registry_new ();

  g_assert_true (sim_param_registry_add (reg, &toy_group));
  sim_scenario_install_params (reg);
  g_assert_true (sim_scenario_installed_params () == reg);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      const char *ov[] = { cases[i].set, NULL };
      g_autoptr (SimScenario) sc = sim_scenario_parse (
          "t.scn", cases[i].text, strlen (cases[i].text), NULL, ov, &error);
      if (cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (sc);
        }
      else
        {
          g_assert_null (sc);
          g_assert_nonnull (error);
          g_assert_true (g_str_has_prefix (error->message, cases[i].message));
        }
    }

  {
    g_autoptr (SimScenario) sc = sim_scenario_parse (
        "t.scn", "colour = blue\nend\n", 18, NULL, NULL, NULL);
    g_autoptr (GString) out = g_string_new (NULL);
    g_assert_nonnull (sc);
    sim_scenario_write_resolved (sc, out);
    g_assert_cmpstr (out->str, ==,
                     "# name = t\n# seed = 1\n# height = 2\n"
                     "# lookup_key = node\n# timeline_interval = 10s\n"
                     "# width = 4\n# colour = blue\n");
    g_assert_cmpstr (sim_scenario_get_string (sc, "colour"), ==, "blue");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/param/new-holds-language", test_new_holds_language);
  g_test_add_func ("/param/resolved-order", test_resolved_order);
  g_test_add_func ("/param/describe", test_describe);
  g_test_add_func ("/param/caller-bug/duplicate-name", test_duplicate_name);
  g_test_add_func ("/param/caller-bug/duplicate-language-name",
                   test_duplicate_language_name);
  g_test_add_func ("/param/caller-bug/duplicate-group", test_duplicate_group);
  g_test_add_func ("/param/caller-bug/duplicate-rank", test_duplicate_rank);
  g_test_add_func ("/param/caller-bug/duplicate-in-group",
                   test_duplicate_in_group);
  g_test_add_func ("/param/caller-bug/refused-group-leaves-registry",
                   test_refused_group_leaves_registry);
  g_test_add_func ("/param/caller-bug/parse-without-install",
                   test_parse_without_install);
  g_test_add_func ("/param/caller-bug/install-twice", test_install_twice);
  g_test_add_func ("/param/caller-bug/add-after-install",
                   test_add_after_install);
  /* Installs the toy registry in this process for good; the caller-bug
   * tests run in subprocesses of their own, which install nothing. */
  g_test_add_func ("/param/installed-check", test_installed_check);
  return g_test_run ();
}
