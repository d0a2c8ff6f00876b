"""A TCP proxy between the hub and a server it depends on (PostgreSQL), which a test can take down or make stuck.

- `down()`: new connections are refused and open ones are reset, as when the server or the network is gone.
- `stuck()`: open and new connections stop forwarding (nothing is read, nothing is answered), as when the server
  hangs on a lock or the network silently drops packets; `unstick()` lets everything through again.
- `up()`: accepting and forwarding again after `down()`.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
from types import TracebackType

from tests.support.live import free_port

POLL_S = 0.05


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._forwarding = threading.Event()
        self._accepting = threading.Event()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> TcpProxy:
        self.up()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # ---- what a test does ---------------------------------------------------------------------------------------

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(POLL_S)
        self._listener = listener
        self._accepting.set()
        self._forwarding.set()
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), name="tcp-proxy-accept", daemon=True)
        self._acceptor.start()

    def down(self) -> None:
        self._accepting.clear()
        if self._acceptor is not None:  # it lets go of the listening socket within POLL_S
            self._acceptor.join()
            self._acceptor = None
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self._reset_all()

    def stuck(self) -> None:
        self._forwarding.clear()

    def unstick(self) -> None:
        self._forwarding.set()

    def close(self) -> None:
        self._closed = True
        self.down()
        self._forwarding.set()

    # ---- the proxy's threads ------------------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while self._accepting.is_set() and not self._closed:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._link, args=(client,), name="tcp-proxy-link", daemon=True).start()

    def _link(self, client: socket.socket) -> None:
        self._track(client)
        while not self._forwarding.wait(POLL_S):  # a stuck proxy does not even reach the server
            if self._closed or client.fileno() < 0:
                return
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            self._reset(client)
            return
        self._track(server)
        threading.Thread(target=self._pump, args=(server, client), name="tcp-proxy-pump", daemon=True).start()
        self._pump(client, server)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while not self._closed:
                if not self._forwarding.is_set():
                    self._forwarding.wait(POLL_S)
                    continue
                readable, _, _ = select.select([source], [], [], POLL_S)
                if not readable:
                    continue
                data = source.recv(65_536)
                if not data:
                    sink.shutdown(socket.SHUT_WR)
                    return
                sink.sendall(data)
        except (OSError, ValueError):  # reset, or closed under us by down()
            self._reset(source)
            self._reset(sink)

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def _reset(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        with contextlib.suppress(OSError):  # already closed
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def _reset_all(self) -> None:
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            self._reset(sock)
