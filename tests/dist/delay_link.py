"""A network link with a delay, for the two-host tests where tc netem is missing.

  python3 delay_link.py link NS_A NAME_A ADDR_A NS_B NAME_B ADDR_B DELAY_MS READY_FILE
      Makes TUN devices NAME_A in namespace NS_A (address ADDR_A) and NAME_B in NS_B (ADDR_B),
      point to point, and carries every packet from one to the other DELAY_MS later (each way,
      in order), until killed. Touches READY_FILE once the link is up.
  python3 delay_link.py echo ADDR PORT           a TCP echo server (one client)
  python3 delay_link.py rtt ADDR PORT N          prints the median round trip of N 1-byte
                                                 messages to an echo server, in ms

The relay is user space: each packet costs it some microseconds, so it is a link of modest
bandwidth; its point is the latency.
"""
import collections
import fcntl
import os
import select
import socket
import statistics
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
MTU = 16000  # large packets: fewer for the relay to carry


def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def ip(*args):
    subprocess.run(["ip", *args], check=True)


def link(ns_a, name_a, addr_a, ns_b, name_b, addr_b, delay_ms, ready):
    delay = float(delay_ms) / 1000.0
    fa, fb = tun(name_a), tun(name_b)
    for fd in (fa, fb):
        os.set_blocking(fd, False)
    # the devices stay bound to their descriptors when they move to the namespaces
    for fd, ns, name, addr, peer in ((fa, ns_a, name_a, addr_a, addr_b), (fb, ns_b, name_b, addr_b, addr_a)):
        ip("link", "set", name, "netns", ns)
        ip("-n", ns, "addr", "add", addr, "peer", peer, "dev", name)
        ip("-n", ns, "link", "set", name, "mtu", str(MTU), "up")
    other = {fa: fb, fb: fa}
    queue = collections.deque()  # (due, destination, packet): one delay, so arrival order
    open(ready, "w").close()
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        readable, _, _ = select.select([fa, fb], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            for _ in range(64):  # what is there, a bounded amount, so that writes stay on time
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                queue.append((now + delay, other[fd], packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, dest, packet = queue.popleft()
            try:
                os.write(dest, packet)
            except OSError:
                pass  # the device is going down: a lost packet, as on a wire


def echo(addr, port):
    server = socket.create_server((addr, int(port)))
    conn, _ = server.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while data := conn.recv(4096):
        conn.sendall(data)


def rtt(addr, port, n):
    for _ in range(100):  # the server may still be starting
        try:
            conn = socket.create_connection((addr, int(port)), timeout=5)
            break
        except OSError:
            time.sleep(0.05)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    for _ in range(int(n)):
        start = time.monotonic()
        conn.sendall(b"x")
        conn.recv(1)
        times.append(time.monotonic() - start)
    print(f"{statistics.median(times) * 1000:.3f}")


if __name__ == "__main__":
    {"link": link, "echo": echo, "rtt": rtt}[sys.argv[1]](*sys.argv[2:])
