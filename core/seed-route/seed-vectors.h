/* seed-vectors.h — the route vectors of the original Python library
 * (../shared/data/seed-route/README.md describes the format): one JSON
 * object per line, each a node (self, peers, update batches), its leaf set
 * and queries with the ids and values route() answered.
 *
 * This is the schema layer: it turns lines into SeedRecords, or into an
 * error `FILE:LINE:COL: message` naming the first byte at fault (a missing
 * member is reported at its object's opening brace).  Syntax is
 * seed-json.c's job, replaying a record against PastryLibrary is
 * seed-replay.c's.
 */
#pragma once

#include "pastry-id.h"

#include <stdio.h>

G_BEGIN_DECLS

#define SEED_VECTORS_ERROR (seed_vectors_error_quark ())

typedef enum
{
  SEED_VECTORS_ERROR_IO,     /* cannot open or read the file */
  SEED_VECTORS_ERROR_SYNTAX, /* not JSON Lines */
  SEED_VECTORS_ERROR_SCHEMA, /* valid JSON, but not a vectors line */
} SeedVectorsError;

GQuark seed_vectors_error_quark (void);

/* A peer and its value (the library's opaque address, an integer here). */
typedef struct
{
  PastryId id;
  gint64 addr;
} SeedPeer;

/* One route(key, n) and what the library answered. */
typedef struct
{
  guint8 key[16];
  gsize key_len;        /* 0..16 bytes, before padding */
  guint n;
  GArray *expect;       /* PastryId, in route order */
  GArray *expect_addr;  /* gint64, as many as expect */
  guint col;            /* column of the query object */
} SeedQuery;

typedef struct
{
  guint line;           /* 1-based line in the file */
  gint64 id;            /* the line's "id" member, -1 when absent */
  char *kind;           /* the "kind" member, NULL when absent */
  guint leaf_cap;       /* "leaf_cap", 8 when absent */
  PastryId self;
  GArray *peers;        /* SeedPeer: the constructor's dictionary */
  GPtrArray *updates;   /* GArray of SeedPeer per batch, in order */
  guint leaf_len;
  GArray *leaf_first;   /* PastryId, XOR order */
  GArray *queries;      /* SeedQuery */
} SeedRecord;

void seed_record_free (SeedRecord *rec);

/* Parses one line (without its newline) of file at line number line.
 * Returns: (transfer full) (nullable): the record, or NULL with error
 * (SEED_VECTORS_ERROR_SYNTAX or _SCHEMA) whose message is
 * "FILE:LINE:COL: what is wrong". */
SeedRecord *seed_record_parse (const char *text, gsize len, const char *file,
                               guint line, GError **error);

typedef struct _SeedReader SeedReader;

/* Opens path for reading, line by line (memory stays bounded by the
 * longest line, so a large recorded set streams).  Returns NULL with
 * SEED_VECTORS_ERROR_IO ("FILE: reason") when it cannot be opened. */
SeedReader *seed_reader_open (const char *path, GError **error);
void seed_reader_free (SeedReader *reader);

/* The file name used in messages (borrowed). */
const char *seed_reader_path (const SeedReader *reader);

/* Reads the next record into *out (transfer full).  Returns TRUE with *out
 * set, TRUE with *out NULL at the end of the file, FALSE with error on a
 * malformed line (see seed_record_parse; an empty line is malformed too)
 * or a read error. */
gboolean seed_reader_next (SeedReader *reader, SeedRecord **out,
                           GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeedRecord, seed_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeedReader, seed_reader_free)

G_END_DECLS
