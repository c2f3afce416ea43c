"""Actions: one function per state change, called by views, the API and socket handlers.

An action takes the actor explicitly, checks with the Guardian, validates,
writes rows, queues events and commits; events are emitted after the commit.
"""
