#ifndef TRACK_SQLITE_OPTIONS_H
#define TRACK_SQLITE_OPTIONS_H

#include <sqlite3.h>

/// sqlite3_db_config is variadic, which Swift cannot call: the options track sets, one
/// function each. Returns the SQLite result code.

/// A closing connection does not checkpoint and delete the WAL: that took the file's
/// exclusive lock for 35-75 ms, and readers opening it then saw "database is locked".
int track_sqlite_no_checkpoint_on_close(sqlite3 *db);

#endif
