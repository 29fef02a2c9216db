/* sim-net-text.c — reading latency files: mapping, positions, numbers.
 *
 * Invariant: nothing here trusts the input.  Files are byte ranges that may
 * hold NUL bytes, lack a final newline or be empty; tokens are (pointer,
 * length) pairs, never NUL-terminated strings, and are copied before being
 * handed to libc.  Error positions are 1-based (line, byte column).
 */
#include "sim-net-private.h"

#include <math.h>
#include <string.h>

#define NUMBER_MAX_LEN SIM_NET__NUMBER_MAX_LEN

gboolean
sim_net__text_open (SimNetText *t, const char *path, GError **error)
{
  GError *local = NULL;

  memset (t, 0, sizeof *t);
  t->path = path;
  t->anchor_line = 1;
  t->map = g_mapped_file_new (path, FALSE, &local);
  if (t->map == NULL)
    {
      g_set_error (error, SIM_NET_ERROR, SIM_NET_ERROR_IO, "%s:0:0: %s", path,
                   local->message);
      g_error_free (local);
      return FALSE;
    }
  /* An empty file maps to NULL contents and length 0. */
  t->buf = g_mapped_file_get_contents (t->map);
  t->len = g_mapped_file_get_length (t->map);
  if (t->buf == NULL)
    t->len = 0;
  return TRUE;
}

void
sim_net__text_init_data (SimNetText *t, const char *path, const char *data,
                         gsize len)
{
  memset (t, 0, sizeof *t);
  t->path = path;
  t->anchor_line = 1;
  t->buf = data;
  t->len = data != NULL ? len : 0;
}

void
sim_net__text_close (SimNetText *t)
{
  g_clear_pointer (&t->map, g_mapped_file_unref);
  t->buf = NULL;
  t->len = 0;
}

gboolean
sim_net__text_error (const SimNetText *t, gsize off, GError **error,
                     SimNetError code, const char *fmt, ...)
{
  guint64 line = t->anchor_line;
  gsize start = t->anchor;
  gsize i;
  va_list ap;
  char *what;

  if (off > t->len)
    off = t->len;
  if (off < start)
    {
      /* Not expected; recount from the top rather than report nonsense. */
      line = 1;
      start = 0;
    }
  for (i = start; i < off; i++)
    if (t->buf[i] == '\n')
      {
        line++;
        start = i + 1;
      }

  va_start (ap, fmt);
  what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, SIM_NET_ERROR, code,
               "%s:%" G_GUINT64_FORMAT ":%" G_GSIZE_FORMAT ": %s", t->path,
               line, off - start + 1, what);
  g_free (what);
  return FALSE;
}

char *
sim_net__escape_token (const char *tok, gsize len)
{
  const gsize max = 24;
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len && i < max; i++)
    {
      guchar c = (guchar) tok[i];

      if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
        g_string_append_c (s, (char) c);
      else
        g_string_append_printf (s, "\\x%02x", c);
    }
  if (len > max)
    g_string_append (s, "...");
  return g_string_free (s, FALSE);
}

static gsize
skip_digits (const char *tok, gsize i, gsize len)
{
  while (i < len && g_ascii_isdigit (tok[i]))
    i++;
  return i;
}

gboolean
sim_net__parse_number (const char *tok, gsize len, double *out)
{
  char buf[NUMBER_MAX_LEN + 1];
  gsize i = 0, int_end, frac_end;
  char *end = NULL;

  if (len == 0 || len > NUMBER_MAX_LEN)
    return FALSE;
  /* Check the grammar first: g_ascii_strtod() would also take "inf",
   * "nan" and hex floats. */
  if (tok[i] == '+' || tok[i] == '-')
    i++;
  int_end = skip_digits (tok, i, len);
  frac_end = int_end;
  if (int_end < len && tok[int_end] == '.')
    frac_end = skip_digits (tok, int_end + 1, len);
  if (int_end == i && frac_end <= int_end + 1)
    return FALSE; /* no digit at all */
  i = frac_end;
  if (i < len && (tok[i] == 'e' || tok[i] == 'E'))
    {
      gsize e = i + 1;

      if (e < len && (tok[e] == '+' || tok[e] == '-'))
        e++;
      i = skip_digits (tok, e, len);
      if (i == e)
        return FALSE;
    }
  if (i != len)
    return FALSE;

  memcpy (buf, tok, len);
  buf[len] = '\0';
  *out = g_ascii_strtod (buf, &end);
  /* Overflow gives ±HUGE_VAL = ±inf, which callers reject as a range error;
   * underflow gives a value at or near 0, which is fine for a latency. */
  return end == buf + len;
}

gboolean
sim_net__parse_uint (const char *tok, gsize len, guint64 *out)
{
  guint64 v = 0;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guint d;

      if (!g_ascii_isdigit (tok[i]))
        return FALSE;
      d = (guint) (tok[i] - '0');
      v = v > (G_MAXUINT64 - d) / 10 ? G_MAXUINT64 : v * 10 + d;
    }
  *out = v;
  return TRUE;
}
