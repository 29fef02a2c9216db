/* seed-vectors.c — the vectors' schema: JSON values to SeedRecords.
 *
 * Invariant: a record is returned only when every required member is
 * present with its type, every id is exactly 32 hex digits, every key an
 * even number (0..32) of them, and each query has as many expect_addr
 * values as expect ids; otherwise the first fault (in reading order) is
 * reported at its column.  Unknown members are ignored, so a newer file
 * with extra fields still reads.  Cost O(line length) per line.
 */
#include "seed-vectors.h"

#include "seed-json.h"

#include <errno.h>
#include <string.h>

G_DEFINE_QUARK (seed-vectors-error-quark, seed_vectors_error)

typedef struct
{
  const char *file;
  guint line;
  GError **error;
} Ctx;

static gboolean G_GNUC_PRINTF (3, 4)
schema_error (const Ctx *c, guint col, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (c->error, SEED_VECTORS_ERROR, SEED_VECTORS_ERROR_SCHEMA,
               "%s:%u:%u: %s", c->file, c->line, col, msg);
  return FALSE;
}

/* The member name of obj, of the given kind; NULL (error set) if absent or
 * of another kind. */
static const SeedJson *
member (const Ctx *c, const SeedJson *obj, const char *name,
        SeedJsonKind kind)
{
  const SeedJson *v = seed_json_member (obj, name);
  if (v == NULL)
    schema_error (c, obj->col, "missing member \"%s\"", name);
  else if (v->kind != kind)
    {
      schema_error (c, v->col, "\"%s\" is %s %s, expected %s %s", name,
                    v->kind == SEED_JSON_ARRAY || v->kind == SEED_JSON_OBJECT
                        ? "an"
                        : "a",
                    seed_json_kind_name (v->kind),
                    kind == SEED_JSON_ARRAY || kind == SEED_JSON_OBJECT ? "an"
                                                                        : "a",
                    seed_json_kind_name (kind));
      v = NULL;
    }
  return v;
}

static gboolean
to_uint (const Ctx *c, const SeedJson *v, const char *what, guint *out)
{
  if (v->kind != SEED_JSON_NUMBER || !v->is_int || v->integer < 0
      || v->integer > G_MAXUINT)
    return schema_error (c, v->col, "%s must be an integer in 0..%u", what,
                         G_MAXUINT);
  *out = (guint) v->integer;
  return TRUE;
}

static gboolean
to_int64 (const Ctx *c, const SeedJson *v, const char *what, gint64 *out)
{
  if (v->kind != SEED_JSON_NUMBER || !v->is_int)
    return schema_error (c, v->col, "%s must be an integer", what);
  *out = v->integer;
  return TRUE;
}

/* Decodes the hex string v into bytes; min..max bytes. */
static gboolean
to_bytes (const Ctx *c, const SeedJson *v, const char *what, gsize min,
          gsize max, guint8 *out, gsize *out_len)
{
  if (v->kind != SEED_JSON_STRING)
    return schema_error (c, v->col, "%s must be a hex string", what);
  for (gsize i = 0; i < v->str_len; i++)
    if (!g_ascii_isxdigit (v->str[i]))
      /* Without escapes, character i sits at col + 1 + i. */
      return schema_error (c, v->escaped ? v->col : v->col + 1 + (guint) i,
                           "%s: '%c' is not a hex digit", what,
                           g_ascii_isprint (v->str[i]) ? v->str[i] : '?');
  if (v->str_len % 2 != 0 || v->str_len / 2 < min || v->str_len / 2 > max)
    {
      if (min == max)
        return schema_error (c, v->col,
                             "%s has %" G_GSIZE_FORMAT
                             " hex digits, expected %" G_GSIZE_FORMAT,
                             what, v->str_len, 2 * min);
      return schema_error (c, v->col,
                           "%s has %" G_GSIZE_FORMAT
                           " hex digits, expected an even number from %"
                           G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT,
                           what, v->str_len, 2 * min, 2 * max);
    }
  for (gsize i = 0; i < v->str_len / 2; i++)
    out[i] = (guint8) (g_ascii_xdigit_value (v->str[2 * i]) * 16
                       + g_ascii_xdigit_value (v->str[2 * i + 1]));
  *out_len = v->str_len / 2;
  return TRUE;
}

static gboolean
to_id (const Ctx *c, const SeedJson *v, const char *what, PastryId *out)
{
  guint8 b[PASTRY_ID_BYTES];
  gsize len;
  if (!to_bytes (c, v, what, PASTRY_ID_BYTES, PASTRY_ID_BYTES, b, &len))
    return FALSE;
  *out = pastry_id_from_bytes (b, len);
  return TRUE;
}

/* An array of ids. */
static gboolean
to_ids (const Ctx *c, const SeedJson *arr, const char *what, GArray *out)
{
  for (guint i = 0; i < arr->items->len; i++)
    {
      PastryId id;
      if (!to_id (c, arr->items->pdata[i], what, &id))
        return FALSE;
      g_array_append_val (out, id);
    }
  return TRUE;
}

/* An array of [id, addr] pairs. */
static gboolean
to_peers (const Ctx *c, const SeedJson *arr, const char *what, GArray *out)
{
  if (arr->kind != SEED_JSON_ARRAY)
    return schema_error (c, arr->col, "%s must be an array of [id, addr]",
                         what);
  for (guint i = 0; i < arr->items->len; i++)
    {
      const SeedJson *pair = arr->items->pdata[i];
      if (pair->kind != SEED_JSON_ARRAY || pair->items->len != 2)
        return schema_error (c, pair->col,
                             "%s: a peer must be an array [id, addr]", what);
      SeedPeer p;
      if (!to_id (c, pair->items->pdata[0], "peer id", &p.id)
          || !to_int64 (c, pair->items->pdata[1], "addr", &p.addr))
        return FALSE;
      g_array_append_val (out, p);
    }
  return TRUE;
}

static void
query_clear (gpointer p)
{
  SeedQuery *q = p;
  g_array_unref (q->expect);
  g_array_unref (q->expect_addr);
}

static gboolean
to_query (const Ctx *c, const SeedJson *obj, SeedQuery *q)
{
  if (obj->kind != SEED_JSON_OBJECT)
    return schema_error (c, obj->col, "a query must be an object");
  const SeedJson *key = member (c, obj, "key", SEED_JSON_STRING);
  if (key == NULL
      || !to_bytes (c, key, "key", 0, PASTRY_ID_BYTES, q->key, &q->key_len))
    return FALSE;
  const SeedJson *n = seed_json_member (obj, "n");
  if (n == NULL)
    return schema_error (c, obj->col, "missing member \"n\"");
  if (!to_uint (c, n, "n", &q->n))
    return FALSE;
  const SeedJson *expect = member (c, obj, "expect", SEED_JSON_ARRAY);
  if (expect == NULL || !to_ids (c, expect, "expect id", q->expect))
    return FALSE;
  const SeedJson *addr = member (c, obj, "expect_addr", SEED_JSON_ARRAY);
  if (addr == NULL)
    return FALSE;
  for (guint i = 0; i < addr->items->len; i++)
    {
      gint64 a;
      if (!to_int64 (c, addr->items->pdata[i], "expect_addr value", &a))
        return FALSE;
      g_array_append_val (q->expect_addr, a);
    }
  if (q->expect_addr->len != q->expect->len)
    return schema_error (c, addr->col,
                         "expect_addr has %u values for %u expect ids",
                         q->expect_addr->len, q->expect->len);
  return TRUE;
}

static SeedRecord *
record_new (guint line)
{
  SeedRecord *rec = g_new0 (SeedRecord, 1);
  rec->line = line;
  rec->id = -1;
  rec->leaf_cap = 8;
  rec->peers = g_array_new (FALSE, FALSE, sizeof (SeedPeer));
  rec->updates = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                 g_array_unref);
  rec->leaf_first = g_array_new (FALSE, FALSE, sizeof (PastryId));
  rec->queries = g_array_new (FALSE, TRUE, sizeof (SeedQuery));
  g_array_set_clear_func (rec->queries, query_clear);
  return rec;
}

void
seed_record_free (SeedRecord *rec)
{
  if (rec == NULL)
    return;
  g_free (rec->kind);
  g_array_unref (rec->peers);
  g_ptr_array_unref (rec->updates);
  g_array_unref (rec->leaf_first);
  g_array_unref (rec->queries);
  g_free (rec);
}

static gboolean
fill_record (const Ctx *c, const SeedJson *obj, SeedRecord *rec)
{
  const SeedJson *v;
  if (obj->kind != SEED_JSON_OBJECT)
    return schema_error (c, obj->col, "a line must hold an object, not %s",
                         seed_json_kind_name (obj->kind));
  if ((v = seed_json_member (obj, "id")) != NULL
      && !to_int64 (c, v, "id", &rec->id))
    return FALSE;
  if ((v = seed_json_member (obj, "kind")) != NULL)
    {
      if (v->kind != SEED_JSON_STRING)
        return schema_error (c, v->col, "kind must be a string");
      rec->kind = g_strdup (v->str);
    }
  if ((v = seed_json_member (obj, "hash_len")) != NULL)
    {
      guint hash_len = 0;
      if (!to_uint (c, v, "hash_len", &hash_len))
        return FALSE;
      if (hash_len != PASTRY_ID_BYTES)
        return schema_error (c, v->col, "hash_len %u is not supported (only "
                             "%d)", hash_len, PASTRY_ID_BYTES);
    }
  if ((v = seed_json_member (obj, "leaf_cap")) != NULL
      && !to_uint (c, v, "leaf_cap", &rec->leaf_cap))
    return FALSE;
  if ((v = member (c, obj, "self", SEED_JSON_STRING)) == NULL
      || !to_id (c, v, "self", &rec->self))
    return FALSE;
  if ((v = member (c, obj, "peers", SEED_JSON_ARRAY)) == NULL
      || !to_peers (c, v, "peers", rec->peers))
    return FALSE;
  if ((v = member (c, obj, "updates", SEED_JSON_ARRAY)) == NULL)
    return FALSE;
  for (guint i = 0; i < v->items->len; i++)
    {
      GArray *batch = g_array_new (FALSE, FALSE, sizeof (SeedPeer));
      g_ptr_array_add (rec->updates, batch);
      if (!to_peers (c, v->items->pdata[i], "update batch", batch))
        return FALSE;
    }
  if ((v = seed_json_member (obj, "leaf_len")) == NULL)
    return schema_error (c, obj->col, "missing member \"leaf_len\"");
  if (!to_uint (c, v, "leaf_len", &rec->leaf_len))
    return FALSE;
  if ((v = member (c, obj, "leaf_first", SEED_JSON_ARRAY)) == NULL
      || !to_ids (c, v, "leaf_first id", rec->leaf_first))
    return FALSE;
  if ((v = member (c, obj, "queries", SEED_JSON_ARRAY)) == NULL)
    return FALSE;
  for (guint i = 0; i < v->items->len; i++)
    {
      SeedQuery q = { 0 };
      q.expect = g_array_new (FALSE, FALSE, sizeof (PastryId));
      q.expect_addr = g_array_new (FALSE, FALSE, sizeof (gint64));
      q.col = ((const SeedJson *) v->items->pdata[i])->col;
      g_array_append_val (rec->queries, q); /* owned from here on */
      if (!to_query (c, v->items->pdata[i],
                     &g_array_index (rec->queries, SeedQuery, i)))
        return FALSE;
    }
  return TRUE;
}

SeedRecord *
seed_record_parse (const char *text, gsize len, const char *file, guint line,
                   GError **error)
{
  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (file != NULL, NULL);
  g_autoptr (GError) syntax = NULL;
  guint col = 0;
  g_autoptr (SeedJson) root = seed_json_parse (text, len, &col, &syntax);
  if (root == NULL)
    {
      g_set_error (error, SEED_VECTORS_ERROR, SEED_VECTORS_ERROR_SYNTAX,
                   "%s:%u:%u: %s", file, line, col, syntax->message);
      return NULL;
    }
  Ctx c = { file, line, error };
  SeedRecord *rec = record_new (line);
  if (!fill_record (&c, root, rec))
    {
      seed_record_free (rec);
      return NULL;
    }
  return rec;
}

/* ---- Reading a file line by line ---- */

struct _SeedReader
{
  char *path;
  FILE *fp;
  char *buf;
  size_t cap;
  guint line;
};

SeedReader *
seed_reader_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  FILE *fp = fopen (path, "rb");
  if (fp == NULL)
    {
      int e = errno;
      g_set_error (error, SEED_VECTORS_ERROR, SEED_VECTORS_ERROR_IO, "%s: %s",
                   path, g_strerror (e));
      return NULL;
    }
  SeedReader *r = g_new0 (SeedReader, 1);
  r->path = g_strdup (path);
  r->fp = fp;
  return r;
}

void
seed_reader_free (SeedReader *reader)
{
  if (reader == NULL)
    return;
  fclose (reader->fp);
  free (reader->buf); /* getline's buffer comes from malloc */
  g_free (reader->path);
  g_free (reader);
}

const char *
seed_reader_path (const SeedReader *reader)
{
  g_return_val_if_fail (reader != NULL, NULL);
  return reader->path;
}

gboolean
seed_reader_next (SeedReader *reader, SeedRecord **out, GError **error)
{
  g_return_val_if_fail (reader != NULL && out != NULL, FALSE);
  *out = NULL;
  errno = 0;
  ssize_t n = getline (&reader->buf, &reader->cap, reader->fp);
  if (n < 0)
    {
      if (ferror (reader->fp))
        {
          int e = errno;
          g_set_error (error, SEED_VECTORS_ERROR, SEED_VECTORS_ERROR_IO,
                       "%s:%u: %s", reader->path, reader->line + 1,
                       g_strerror (e));
          return FALSE;
        }
      return TRUE; /* end of file */
    }
  reader->line++;
  gsize len = (gsize) n;
  if (len > 0 && reader->buf[len - 1] == '\n')
    len--;
  if (len > 0 && reader->buf[len - 1] == '\r')
    len--;
  if (len == 0)
    {
      g_set_error (error, SEED_VECTORS_ERROR, SEED_VECTORS_ERROR_SYNTAX,
                   "%s:%u:1: empty line (JSON Lines holds one value per "
                   "line)",
                   reader->path, reader->line);
      return FALSE;
    }
  *out = seed_record_parse (reader->buf, len, reader->path, reader->line,
                            error);
  return *out != NULL;
}
