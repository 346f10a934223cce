# SPDX-License-Identifier: GPL-2.0
"""The host's end of the board runs' TCP workload: an echo server.

It listens on the host's loopback only, on a port the kernel picks; QEMU's
user network reaches it through a guestfwd (guestfwd=tcp:ADDR:PORT-tcp:
127.0.0.1:{echo}), so the guest sees it at ADDR:PORT and at no other
address.  Every byte a connection sends comes back to it.
"""
import socket
import threading


def _echo(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)


def _serve(server):
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=_echo, args=(conn,), daemon=True).start()


def start():
    """Start a server; returns its listening socket (close() to stop)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=_serve, args=(server,), daemon=True).start()
    return server
