"""Actions: one function per state change, called by views, the API, socket handlers, the CLI
and the demo.

An action takes the actor explicitly, checks with the Guardian, validates, writes rows and
queues events; it wears `@action` (community/events.py): the outermost action commits, then
the events go out; an action called by another joins its transaction. Actions never import
the socket layer or a view: what must happen to open sockets is a control event.
"""
