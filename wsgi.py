"""Production entry: eventlet first, then the app. The only module that imports eventlet.

    python wsgi.py                # serves on HOST:PORT (default 127.0.0.1:5000)
    flask --app wsgi <command>    # the CLI, with the same environment
    python wsgi.py --green-script FILE [ARGS]   # tests: a bare eventlet program (below)
"""
import gc
import os
import socket
import sys
import warnings

if os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet") == "eventlet":
    # The stack is chosen (see README); its deprecation notice would only bury the demo logins.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet
    import eventlet.wsgi

    eventlet.monkey_patch()
    os.environ["SOCKETIO_ASYNC_MODE"] = "eventlet"
    from eventlet import tpool
    from eventlet.websocket import RFC6455WebSocket

    from community.passwords import use_thread_pool
    from community.turns import taking_turns
    from community.websocket_mask import apply_mask

    # eventlet's own unmasking took 0.34 s of the hub for one 512 KB socket message.
    RFC6455WebSocket._apply_mask = staticmethod(apply_mask)
    use_thread_pool(tpool.execute)  # password hashing in a real OS thread, off the hub

    if __name__ == "__main__" and sys.argv[1:2] == ["--green-script"]:
        # The tests' bare eventlet programs (tests/deployment/broadcast_server.py, the server of
        # tests/test_turns.py) run here, monkey-patched as the server is, with eventlet handed in
        # as the global `eventlet`: no module but this one imports it.
        import runpy

        sys.argv = sys.argv[2:]
        runpy.run_path(sys.argv[0], init_globals={"eventlet": eventlet}, run_name="__main__")
        sys.exit(0)

from community import create_app  # noqa: E402
from community.extensions import socketio  # noqa: E402
from community.jobs import start_sender  # noqa: E402
from community.language import warm_up as warm_up_language_detection  # noqa: E402
from community.passwords import warm_up as warm_up_passwords  # noqa: E402
from community.realtime import start_socket_sweeper  # noqa: E402
from community.rendering import warm_up as start_render_workers  # noqa: E402
from community.useragent import warm_up as warm_up_user_agents  # noqa: E402

app = create_app()


def main() -> None:
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"Roundtable serving on http://{host}:{port} (async mode {socketio.async_mode})", flush=True)
    start_sender(app)  # the email outbox sender: a greenlet beside the server (MAIL_SENDER_ENABLED=0: cron)
    warm_up_language_detection()  # ~1 s of CPU now rather than inside the first post, under the hub
    warm_up_passwords(app)  # the dummy hash that unknown emails are checked against
    warm_up_user_agents()  # the device rules (~0.1 s), before the first sign-in
    start_socket_sweeper(app)  # cuts sockets whose session or token expired meanwhile
    start_render_workers(app)  # Markdown is rendered in these processes, with a deadline (RENDER_WORKERS)
    # The garbage collector's full passes run on the hub and walk every object: under a soak
    # (bench/soak.py) they took 150-200 ms every few seconds. What exists now (modules, the app,
    # the language model) lives as long as the process: frozen, it is never walked again; and
    # full passes come less often (they still come: cycles are collected).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)
    if socketio.async_mode == "eventlet":
        serve(host, port, shared=app.config["REUSE_PORT"])
        return
    socketio.run(
        app,
        host=host,
        port=port,
        max_size=app.config["MAX_CONNECTIONS"],  # eventlet.wsgi's connection cap (default 1024)
        log_output=os.environ.get("ACCESS_LOG", "0") == "1",
        allow_unsafe_werkzeug=socketio.async_mode == "threading",
    )


def serve(host: str, port: int, *, shared: bool) -> None:
    """Listen on HOST:PORT and serve the app with eventlet.wsgi (what socketio.run does under
    eventlet, with the listener opened here).

    `shared` (REUSE_PORT=1): this worker is one of several listening on HOST:PORT
    (SO_REUSEPORT), with a backlog for thousands of sockets connecting at once; the kernel
    gives each new connection to one of them (a hash of its addresses and ports): nothing is
    sticky, hence websocket-only Engine.IO in that deployment. Otherwise SO_REUSEPORT is
    turned off (eventlet.listen turns it on by default), so that a second server started on a
    port already taken fails ("Address already in use") instead of quietly sharing it.
    """
    family, _type, _proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = eventlet.listen(address, family, reuse_port=shared, backlog=4096 if shared else 128)
    if shared:
        print(f"Roundtable worker {os.getpid()} accepting on the shared port {host}:{port}", flush=True)
    eventlet.wsgi.server(
        listener,
        app,
        max_size=app.config["MAX_CONNECTIONS"],
        log_output=os.environ.get("ACCESS_LOG", "0") == "1",
        # Each keep-alive connection waits its turn before its next request instead of being
        # served again at once while the others wait (community/turns.py, issue 16).
        protocol=taking_turns(eventlet.wsgi.HttpProtocol, lambda: eventlet.sleep(0)),
    )


if __name__ == "__main__":
    main()
