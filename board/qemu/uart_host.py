#!/usr/bin/env python3
"""Host end of the guest's data UART (a QEMU socket chardev): logs every line the guest sends,
and answers the guest's `EDGEPIPE-HIL ASK <text>` lines with `<text>` written back, so tests
can check both directions.

usage: uart_host.py SOCKET LOG
"""
import socket
import sys
import time

path, log_path = sys.argv[1], sys.argv[2]
deadline = time.time() + 60
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
while True:
    try:
        sock.connect(path)
        break
    except OSError:
        if time.time() > deadline:
            sys.exit(f"uart_host: cannot connect to {path}")
        time.sleep(0.05)
buf = b""
with open(log_path, "wb") as log:
    while True:
        data = sock.recv(4096)
        if not data:
            break
        log.write(data)
        log.flush()
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.startswith(b"EDGEPIPE-HIL ASK "):
                sock.sendall(line[len(b"EDGEPIPE-HIL ASK "):] + b"\n")
