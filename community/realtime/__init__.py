"""Socket.IO handlers, thin: authenticate, authorise every event with the Guardian,
parse, call the same actions as the pages and the API, answer through the ack.

- connection.py: who a socket is, connection limits, `handler` (every event's ack and errors);
- rooms.py: join (with the events missed since a cursor) and leave, checked every time;
- presence.py: who is in a room, named only where nobody may post anonymously;
- threads.py and live.py: posting, typing, questions, votes and chat;
- control.py: control events queued by actions (cut a person's sockets, re-check a room),
  applied after the commit in every worker before the transaction's room events.

Importing this package registers the handlers (before socketio.init_app: see STACK.md).
"""
from . import connection, control, live, presence, rooms, threads  # noqa: F401  (registers the handlers)
from .connection import start_connection_refresher
from .control import start_control_listener, start_socket_sweeper, sweep_sockets

__all__ = ["start_connection_refresher", "start_control_listener", "start_socket_sweeper", "sweep_sockets"]
