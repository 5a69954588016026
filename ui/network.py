"""The server's connections send small responses at once (``TCP_NODELAY``).

Streamlit 1.67 binds its listening socket itself (``socket.socket(family)``, protocol 0) and
hands it to uvicorn. asyncio turns Nagle's algorithm off only for sockets whose protocol reads
``IPPROTO_TCP``, so the connections accepted from that socket keep it on. uvicorn writes a
response's headers and its body separately; with Nagle on, a body shorter than one segment (most
of the frontend's script files, the health check) waits for the browser's acknowledgement of the
headers, which the browser's system delays by 40 ms (Linux) to 200 ms (Windows). Measured on one
connection here: 44 ms per small script file, 2.6 ms with ``TCP_NODELAY`` (bench/README.md).

Linux gives an accepted connection the options of its listening socket, so setting the option on
the listener once, as the server starts (``serve.py``), covers every later connection. uvloop
(requirements.txt) sets the option on its connections itself; this covers a server on asyncio's
own loop (uvloop does not run on Windows, or is not installed).
"""

from __future__ import annotations

import os
import socket

_FD_DIR = "/proc/self/fd"


def no_delay_on_listeners() -> int:
    """Set ``TCP_NODELAY`` on this process's listening TCP sockets; how many there were.

    Only Linux lists a process's open files in ``/proc/self/fd``; elsewhere nothing is done
    (0). Each socket is reached through a duplicate of its file descriptor, closed at once: the
    option belongs to the socket both descriptors share.
    """
    try:
        names = os.listdir(_FD_DIR)
    except OSError:
        return 0
    count = 0
    for name in names:
        try:
            fd = os.dup(int(name))
        except (ValueError, OSError):
            continue  # the listing's own descriptor, already closed
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)  # not a socket
            continue
        with sock:
            if (
                sock.type == socket.SOCK_STREAM
                and sock.family in (socket.AF_INET, socket.AF_INET6)
                and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
            ):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                count += 1
    return count
