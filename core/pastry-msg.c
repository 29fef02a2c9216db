/* pastry-msg.c — message type names, classes and sizes (pastry-msg.h).
 *
 * Invariant: type_names and the classes follow PastryMsgType's order; the
 * names are messages.csv's rows, so renaming one changes the output.
 */
#include "pastry-msg.h"
#include "pastry-id.h"

static const char *const type_names[PASTRY_MSG_N_TYPES] = {
  "lookup",          "join_request",  "join",           "join_reply",
  "row_request",     "row_reply",     "announce",       "leafset_push",
  "lookup_ack",      "heartbeat",     "probe",          "probe_reply",
  "leafset_request", "leafset_reply", "leafset_update", "entry_request",
  "entry_reply",     "leave",
};

const char *
pastry_msg_type_name (PastryMsgType type)
{
  g_return_val_if_fail (type < PASTRY_MSG_N_TYPES, "?");
  return type_names[type];
}

PastryMsgClass
pastry_msg_type_class (PastryMsgType type)
{
  g_return_val_if_fail (type < PASTRY_MSG_N_TYPES, PASTRY_MSG_CLASS_LOOKUP);
  if (type == PASTRY_MSG_LOOKUP || type == PASTRY_MSG_LOOKUP_ACK)
    return PASTRY_MSG_CLASS_LOOKUP;
  if (type >= PASTRY_MSG_JOIN_REQUEST && type <= PASTRY_MSG_LEAFSET_PUSH)
    return PASTRY_MSG_CLASS_JOIN;
  return PASTRY_MSG_CLASS_MAINTENANCE;
}

guint
pastry_msg_size (PastryMsgType type, guint n_ids, guint header_bytes,
                 guint id_bytes)
{
  g_return_val_if_fail (type < PASTRY_MSG_N_TYPES, header_bytes);
  return header_bytes + n_ids * id_bytes
         + (type == PASTRY_MSG_LOOKUP ? PASTRY_ID_BYTES : 0);
}
