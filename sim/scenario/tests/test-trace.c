/* test-trace.c — tests of the churn trace loader (sim-trace.h).
 *
 * Every loaded trace goes through check_invariants(), which asserts the
 * rules documented in sim-trace.h.  Invalid input is a table of (name,
 * input, error code, position, message fragment).
 */
#include "sim-trace.h"

#include <glib/gstdio.h>
#include <string.h>

#define FILE_NAME "tr.txt"

static void
check_invariants (const SimTrace *t)
{
  guint n = sim_trace_n_rows (t);

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (sim_trace_n_nodes (t), >=, 1);
  g_assert_cmpuint (sim_trace_n_nodes (t), <=, n);
  for (guint i = 0; i < n; i++)
    {
      const SimTraceRow *r = sim_trace_row (t, i);
      g_assert_cmpuint (r->join, <, r->leave);
      g_assert_cmpuint (r->join, <, SIM_TIME_MAX);
      g_assert_cmpuint (r->line, >=, 1);
      if (r->has_id)
        g_assert_cmpuint (r->index, ==, 0);
      else
        for (guint k = 0; k < 16; k++)
          g_assert_cmpuint (r->id[k], ==, 0);
      if (i > 0)
        {
          const SimTraceRow *p = sim_trace_row (t, i - 1);
          g_assert_cmpuint (p->join, <=, r->join);
          if (p->join == r->join)
            g_assert_cmpuint (p->line, <, r->line); /* stable */
        }
      /* Sessions of one node: disjoint, with a gap (brute force). */
      for (guint j = 0; j < i; j++)
        {
          const SimTraceRow *o = sim_trace_row (t, j);
          gboolean same = o->has_id == r->has_id
                          && (r->has_id ? memcmp (o->id, r->id, 16) == 0
                                        : o->index == r->index);
          if (same)
            g_assert_cmpuint (o->leave, <, r->join);
        }
    }
}

static SimTrace *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  SimTrace *t = sim_trace_parse (FILE_NAME, text, strlen (text), &error);
  if (error != NULL)
    g_printerr ("unexpected error: %s\n", error->message);
  g_assert_no_error (error);
  check_invariants (t);
  return t;
}

/* ---------------------------------------------------------------------- */
/* Invalid input                                                          */

typedef struct
{
  const char *name;
  const char *input;
  gssize len;            /* -1: strlen (input) */
  SimTraceError code;
  const char *pos;       /* "LINE:COL" */
  const char *contains;  /* optional substring of the message */
} InvalidCase;

#define BIN(s) s, (gssize) (sizeof (s) - 1)
#define TXT(s) s, -1
#define E(code) SIM_TRACE_ERROR_##code
#define ID_A "00112233445566778899aabbccddeeff"
#define ID_A_UPPER "00112233445566778899AABBCCDDEEFF"

static const InvalidCase invalid_cases[] = {
  /* Numbers. */
  { "bad-join", TXT ("0 abc 10\n"), E (BAD_NUMBER), "1:3", "join time" },
  { "bad-leave", TXT ("0 1 x\n"), E (BAD_NUMBER), "1:5", "leave time" },
  { "nan-join", TXT ("0 nan 10\n"), E (BAD_NUMBER), "1:3", "not a number" },
  { "inf-join", TXT ("0 inf 10\n"), E (BAD_NUMBER), "1:3", "finite" },
  { "infinity-join", TXT ("0 -Infinity 10\n"), E (BAD_NUMBER), "1:3",
    NULL },
  { "nan-leave", TXT ("0 1 NaN\n"), E (BAD_NUMBER), "1:5", NULL },
  { "dash-join", TXT ("0 - 10\n"), E (BAD_NUMBER), "1:3", NULL },
  { "malformed-number", TXT ("0 1.2.3 4\n"), E (BAD_NUMBER), "1:3",
    "malformed" },
  { "bad-unit", TXT ("0 5sec 10\n"), E (BAD_UNIT), "1:3", "unknown time unit" },
  { "unit-m", TXT ("0 5m 10\n"), E (BAD_UNIT), "1:3", NULL },
  { "negative-join", TXT ("0 -5 1\n"), E (RANGE), "1:3", "negative" },
  { "negative-leave", TXT ("0 0 -.5\n"), E (RANGE), "1:5", "negative" },
  { "time-overflow", TXT ("0 1e30 1e31\n"), E (RANGE), "1:3", "too large" },
  { "time-overflow-digits", TXT ("0 0 99999999999999999999999h\n"),
    E (RANGE), "1:5", "too large" },
  { "leave-is-max", TXT ("0 0 18446744073709.551615\n"), E (RANGE), "1:5",
    NULL },
  { "leave-equals-join", TXT ("0 5 5\n"), E (RANGE), "1:5",
    "after the join time" },
  { "leave-before-join", TXT ("# c\n0 10 5s\n"), E (RANGE), "2:6", NULL },
  { "leave-equals-join-units", TXT ("0 1.5s 1500ms\n"), E (RANGE), "1:8",
    NULL },

  /* Nodes. */
  { "bad-hex-id", TXT ("0123456789abcdef0123456789abcdeg 0 1\n"),
    E (BAD_NODE), "1:1", "node index or a 32-hex-digit" },
  { "short-hex-id", TXT ("abc 0 1\n"), E (BAD_NODE), "1:1",
    "exactly 32 hex digits, not 3" },
  { "long-hex-id", TXT (ID_A "0 0 1\n"), E (BAD_NODE), "1:1", "not 33" },
  { "negative-node", TXT ("-1 0 1\n"), E (RANGE), "1:1", "negative" },
  { "node-overflow", TXT ("18446744073709551616 0 1\n"), E (RANGE), "1:1",
    "too large" },
  { "node-with-sign", TXT ("+1 0 1\n"), E (BAD_NODE), "1:1", NULL },
  { "node-fraction", TXT ("1.5 0 1\n"), E (BAD_NODE), "1:1", NULL },

  /* Overlaps. */
  { "overlap", TXT ("3 0 100\n3 50 200\n"), E (OVERLAP), "2:3",
    "node 3 joins again before its session of line 1" },
  { "overlap-touching", TXT ("3 0 100\n3 100 200\n"), E (OVERLAP), "2:3",
    NULL },
  { "overlap-forever", TXT ("3 0 -\n3 500 600\n"), E (OVERLAP), "2:3",
    NULL },
  { "overlap-file-order", TXT ("3 50 200\n3 0 100\n"), E (OVERLAP), "1:3",
    "line 2" },
  { "overlap-same-join", TXT ("7 10 20\n\n7 10 30\n"), E (OVERLAP), "3:3",
    NULL },
  { "overlap-id-case", TXT (ID_A " 0 10\n" ID_A_UPPER " 5 20\n"),
    E (OVERLAP), "2:34", ID_A },
  { "overlap-first-in-file",
    TXT ("1 0 10\n2 0 10\n2 5 20\n1 5 20\n"), E (OVERLAP), "3:3", NULL },

  /* Shape of rows. */
  { "missing-fields", TXT ("0\n"), E (SYNTAX), "1:2", "JOIN and LEAVE" },
  { "missing-leave", TXT ("0 1 # no leave\n"), E (SYNTAX), "1:4",
    "missing LEAVE" },
  { "extra-field", TXT ("0 1 2 3\n"), E (SYNTAX), "1:7", "after LEAVE" },
  { "garbage", TXT ("hello world\n"), E (SYNTAX), "1:12", NULL },
  { "comma-separated", TXT ("0,1,2\n"), E (SYNTAX), "1:6", NULL },
  { "empty-file", TXT (""), E (EMPTY), "1:1", "no sessions" },
  { "only-comments", TXT ("# a\n\n  # b\n"), E (EMPTY), "4:1", NULL },
  { "only-comments-no-newline", TXT ("# a"), E (EMPTY), "1:1", NULL },

  /* Encoding. */
  { "nul-byte", BIN ("0 1 2\n\0"), E (ENCODING), "2:1", "NUL" },
  { "invalid-utf8", BIN ("0 1 2 # caf\xe9\n"), E (ENCODING), "1:12",
    "UTF-8" },
  { "control-char", TXT ("0 1\x01 2\n"), E (ENCODING), "1:4", "U+0001" },
  { "lone-cr", TXT ("0 1 2\r3\n"), E (ENCODING), "1:6", NULL },
  { "non-ascii-field", TXT ("0 1\xc3\xa9 2\n"), E (BAD_NUMBER), "1:4",
    "non-ASCII" },
  { "non-ascii-node", TXT ("\xc3\xa9 1 2\n"), E (BAD_NODE), "1:1", NULL },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *prefix = NULL;
  gsize len = c->len < 0 ? strlen (c->input) : (gsize) c->len;
  SimTrace *t = sim_trace_parse (FILE_NAME, c->input, len, &error);

  g_assert_null (t);
  g_assert_nonnull (error);
  if (g_test_verbose ())
    g_test_message ("%s", error->message);
  g_assert_error (error, SIM_TRACE_ERROR, (gint) c->code);
  prefix = g_strdup_printf ("%s:%s: ", FILE_NAME, c->pos);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("case %s: expected message to start with '%s', got '%s'",
             c->name, prefix, error->message);
  if (c->contains != NULL && strstr (error->message, c->contains) == NULL)
    g_error ("case %s: expected '%s' in '%s'", c->name, c->contains,
             error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* ---------------------------------------------------------------------- */
/* Valid input                                                            */

static void
test_basic (void)
{
  g_autoptr (SimTrace) t = parse_ok ("# node join leave (seconds)\n"
                                     "\n"
                                     "0   0    100\n"
                                     "1\t10s\t2min   # tab separated\r\n"
                                     "0 200 -\n"
                                     "  2 5 inf\n"
                                     ID_A_UPPER " 5 INF\n"
                                     "1 1h 1d");
  const SimTraceRow *r;

  g_assert_cmpstr (sim_trace_path (t), ==, FILE_NAME);
  g_assert_cmpuint (sim_trace_n_rows (t), ==, 6);
  g_assert_cmpuint (sim_trace_n_nodes (t), ==, 4);

  r = sim_trace_row (t, 0);
  g_assert_false (r->has_id);
  g_assert_cmpuint (r->index, ==, 0);
  g_assert_cmpuint (r->join, ==, 0);
  g_assert_cmpuint (r->leave, ==, 100 * SIM_TIME_S);
  g_assert_cmpuint (r->line, ==, 3);

  /* Equal join times keep file order. */
  r = sim_trace_row (t, 1);
  g_assert_cmpuint (r->index, ==, 2);
  g_assert_cmpuint (r->join, ==, 5 * SIM_TIME_S);
  g_assert_cmpuint (r->leave, ==, SIM_TIME_MAX);
  g_assert_cmpuint (r->line, ==, 6);
  r = sim_trace_row (t, 2);
  g_assert_true (r->has_id);
  g_assert_cmpuint (r->id[0], ==, 0x00);
  g_assert_cmpuint (r->id[5], ==, 0x55);
  g_assert_cmpuint (r->id[15], ==, 0xff);
  g_assert_cmpuint (r->line, ==, 7);

  r = sim_trace_row (t, 3);
  g_assert_cmpuint (r->index, ==, 1);
  g_assert_cmpuint (r->join, ==, 10 * SIM_TIME_S);
  g_assert_cmpuint (r->leave, ==, 2 * SIM_TIME_MIN);

  r = sim_trace_row (t, 4);
  g_assert_cmpuint (r->index, ==, 0);
  g_assert_cmpuint (r->join, ==, 200 * SIM_TIME_S);
  g_assert_cmpuint (r->leave, ==, SIM_TIME_MAX);

  r = sim_trace_row (t, 5);
  g_assert_cmpuint (r->join, ==, SIM_TIME_H);
  g_assert_cmpuint (r->leave, ==, 24 * SIM_TIME_H);
  g_assert_cmpuint (r->line, ==, 8); /* no final newline */
}

static void
test_times (void)
{
  static const struct
  {
    const char *lit;
    SimTime us;
  } cases[] = {
    { "0", 0 },
    { "0.1", 100000 },
    { ".5", 500000 },
    { "1.", 1000000 },
    { "+3", 3000000 },
    { "12.5", 12500000 },
    { "0.0000005", 1 },         /* half a microsecond rounds up */
    { "0.0000004999", 0 },
    { "1e-6", 1 },
    { "1.5e2", 150000000 },
    { "1E3ms", 1000000 },
    { "2.5e-1min", 15000000 },
    { "1e+1s", 10000000 },
    { "1e-400", 0 },
    { "0e999", 0 },
    { "250us", 250 },
    { "1.5ms", 1500 },
    { "2.5min", 150000000 },
    { "1h", G_GUINT64_CONSTANT (3600000000) },
    { "1d", G_GUINT64_CONSTANT (86400000000) },
    { "18446744073709.551613", G_MAXUINT64 - 2 },
    { "18446744073709551613us", G_MAXUINT64 - 2 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text
          = g_strdup_printf ("0 %s 18446744073709551614us\n", cases[i].lit);
      g_autoptr (SimTrace) t = parse_ok (text);
      if (sim_trace_row (t, 0)->join != cases[i].us)
        g_error ("%s: expected %" G_GUINT64_FORMAT ", got %" G_GUINT64_FORMAT,
                 cases[i].lit, cases[i].us, sim_trace_row (t, 0)->join);
    }
}

/* Named boundaries: node index 0 and 2^64 - 1, ids 0 and 2^128 - 1,
 * sessions separated by one microsecond, the largest times. */
static void
test_boundaries (void)
{
  g_autoptr (SimTrace) t
      = parse_ok ("0 0 1us\n"
                  "0 2us 3us\n"
                  "18446744073709551615 0 1\n"
                  "00000000000000000000000000000000 0 1\n"
                  "ffffffffffffffffffffffffffffffff 0 1\n"
                  "5 18446744073709551613us 18446744073709551614us\n");
  g_assert_cmpuint (sim_trace_n_rows (t), ==, 6);
  g_assert_cmpuint (sim_trace_n_nodes (t), ==, 5);
  /* Sorted by join time, file order among equal joins. */
  g_assert_cmpuint (sim_trace_row (t, 0)->line, ==, 1);
  g_assert_cmpuint (sim_trace_row (t, 1)->index, ==, G_MAXUINT64);
  g_assert_true (sim_trace_row (t, 2)->has_id);
  g_assert_cmpuint (sim_trace_row (t, 2)->id[0], ==, 0);
  g_assert_cmpuint (sim_trace_row (t, 3)->id[0], ==, 0xff);
  g_assert_cmpuint (sim_trace_row (t, 3)->id[15], ==, 0xff);
  g_assert_cmpuint (sim_trace_row (t, 4)->join, ==, 2);
  g_assert_cmpuint (sim_trace_row (t, 4)->line, ==, 2);
  g_assert_cmpuint (sim_trace_row (t, 5)->join, ==, SIM_TIME_MAX - 2);
  g_assert_cmpuint (sim_trace_row (t, 5)->leave, ==, SIM_TIME_MAX - 1);
}

/* A line of exactly the limit is fine; one more byte is not. */
static void
test_line_length (void)
{
  for (int extra = 0; extra <= 1; extra++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SimTrace) t = NULL;
      GString *s = g_string_new ("0 1 2 #");
      while (s->len < (gsize) SIM_TRACE_MAX_LINE + (gsize) extra)
        g_string_append_c (s, 'y');
      g_string_append (s, "\n");
      t = sim_trace_parse (FILE_NAME, s->str, s->len, &error);
      if (extra == 0)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, SIM_TRACE_ERROR, SIM_TRACE_ERROR_TOO_LONG);
          g_assert_true (g_str_has_prefix (error->message, FILE_NAME ":1:1:"));
        }
      g_string_free (s, TRUE);
    }
}

/* Files: the same results as in memory, long lines across read chunks,
 * IO errors. */
static void
test_load (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-trace-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr (GString) big = g_string_new (NULL);
  SimTrace *t;

  g_assert_no_error (error);
  path = g_build_filename (dir, "t.txt", NULL);

  t = sim_trace_load ("/nonexistent/t.txt", &error);
  g_assert_null (t);
  g_assert_error (error, SIM_TRACE_ERROR, SIM_TRACE_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/t.txt: "));
  g_clear_error (&error);

  t = sim_trace_load (dir, &error);
  g_assert_null (t);
  g_assert_error (error, SIM_TRACE_ERROR, SIM_TRACE_ERROR_IO);
  g_clear_error (&error);

  /* 20,000 rows (more than one 64 KiB read), comment lines of 4,000
   * bytes that straddle read boundaries. */
  for (guint i = 0; i < 20000; i++)
    {
      g_string_append_printf (big, "%u %u.%03u %u\n", i % 1000, i / 1000 * 10,
                              i % 1000, i / 1000 * 10 + 5);
      if (i % 97 == 0)
        {
          g_string_append_c (big, '#');
          for (int k = 0; k < 3999; k++)
            g_string_append_c (big, 'c');
          g_string_append_c (big, '\n');
        }
    }
  g_file_set_contents (path, big->str, (gssize) big->len, &error);
  g_assert_no_error (error);
  t = sim_trace_load (path, &error);
  g_assert_no_error (error);
  check_invariants (t);
  g_assert_cmpstr (sim_trace_path (t), ==, path);
  g_assert_cmpuint (sim_trace_n_rows (t), ==, 20000);
  g_assert_cmpuint (sim_trace_n_nodes (t), ==, 1000);
  {
    g_autoptr (SimTrace) m
        = sim_trace_parse ("mem", big->str, big->len, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < 20000; i++)
      g_assert_cmpmem (sim_trace_row (t, i), sizeof (SimTraceRow),
                       sim_trace_row (m, i), sizeof (SimTraceRow));
  }
  sim_trace_free (t);

  /* A too-long line in a file, and an error on a later line. */
  g_string_truncate (big, 0);
  g_string_append (big, "0 1 2\n# ");
  for (int k = 0; k < SIM_TRACE_MAX_LINE; k++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\n");
  g_file_set_contents (path, big->str, (gssize) big->len, &error);
  g_assert_no_error (error);
  t = sim_trace_load (path, &error);
  g_assert_null (t);
  g_assert_error (error, SIM_TRACE_ERROR, SIM_TRACE_ERROR_TOO_LONG);
  {
    g_autofree char *prefix = g_strdup_printf ("%s:2:1: ", path);
    g_assert_true (g_str_has_prefix (error->message, prefix));
  }
  g_clear_error (&error);

  g_file_set_contents (path, "0 1 2\n\n1 3 2\n", -1, &error);
  g_assert_no_error (error);
  t = sim_trace_load (path, &error);
  g_assert_null (t);
  {
    g_autofree char *prefix = g_strdup_printf ("%s:3:5: ", path);
    g_assert_true (g_str_has_prefix (error->message, prefix));
  }
  g_clear_error (&error);

  /* An empty file. */
  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  t = sim_trace_load (path, &error);
  g_assert_null (t);
  g_assert_error (error, SIM_TRACE_ERROR, SIM_TRACE_ERROR_EMPTY);
  g_clear_error (&error);

  g_unlink (path);
  g_rmdir (dir);
  sim_trace_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *path
          = g_strdup_printf ("/trace/invalid/%s", invalid_cases[i].name);
      g_test_add_data_func (path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/trace/basic", test_basic);
  g_test_add_func ("/trace/times", test_times);
  g_test_add_func ("/trace/boundary/values", test_boundaries);
  g_test_add_func ("/trace/boundary/line-length", test_line_length);
  g_test_add_func ("/trace/load", test_load);

  return g_test_run ();
}
