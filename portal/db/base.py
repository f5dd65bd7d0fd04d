"""Django's PostgreSQL backend with a health check that costs no round trip.

`CONN_HEALTH_CHECKS` makes Django ask a kept connection `SELECT 1` before the first query of
every request, so a restarted PostgreSQL costs no request an error. That round trip is a
quarter of what a logged-in page served from the page cache costs (0.1 of 0.4 ms of CPU).

A connection idle between requests has nothing to read: the server only speaks when asked.
When the server ends it (a restart, `pg_terminate_backend`, an idle timeout) it sends its
FATAL notice and closes the socket, which makes the socket readable. So: an idle socket with
nothing to read is healthy; anything else gets Django's `SELECT 1`, which decides.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from psycopg import pq


class DatabaseWrapper(PostgresWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None:
            return False
        pgconn = connection.pgconn
        if (pgconn.status != pq.ConnStatus.OK
                or pgconn.transaction_status != pq.TransactionStatus.IDLE):
            return super().is_usable()
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True
