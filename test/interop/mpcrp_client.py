"""An MPCRP client written from RFC 8890 and the wire decisions alone, in another
language and sharing no code with mpcrp-bot, to show the server serves any conformant
client. Usage: python3 mpcrp_client.py HOST PORT. Prints one line per check; exits 1 on
the first mismatch."""
import json
import socket
import struct
import sys


class Peer:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=5)
        self.buf = b""

    def send(self, mtype, payload):
        data = payload.encode() if isinstance(payload, str) else payload
        # 1 byte type, 24-bit big-endian length.
        self.sock.sendall(struct.pack(">B", mtype) + len(data).to_bytes(3, "big") + data)

    def recv(self):
        while True:
            if len(self.buf) >= 4:
                length = int.from_bytes(self.buf[1:4], "big")
                if len(self.buf) >= 4 + length:
                    mtype, payload = self.buf[0], self.buf[4 : 4 + length]
                    self.buf = self.buf[4 + length :]
                    return mtype, payload
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("server closed the connection")
            self.buf += chunk


def expect(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}")
        sys.exit(1)
    print(f"ok {label}")


def data(room, text):
    r = room.encode()
    return bytes([len(r)]) + r + text.encode()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    alice, bob = Peer(host, port), Peer(host, port)

    alice.send(1, "py-alice")
    expect("SetUserName", alice.recv(), (2, b"0"))
    bob.send(1, "py-alice")
    expect("SetUserName taken", bob.recv(), (2, b"1"))
    bob.send(1, "py-bob")
    expect("SetUserName bob", bob.recv(), (2, b"0"))

    alice.send(3, "pyroom")
    expect("CreateRoom", alice.recv(), (4, b"pyroom:0"))
    bob.send(5, "pyroom")
    expect("JoinRoom", bob.recv(), (6, b"pyroom:0"))
    bob.send(7, "pyroom")
    mtype, payload = bob.recv()
    room, _, users = payload.decode().partition(":")
    expect("GetUserList", (mtype, room, json.loads(users)), (8, "pyroom", ["py-alice", "py-bob"]))

    bob.send(13, data("pyroom", "hello from python"))
    expect("Data relayed", alice.recv(), (13, data("pyroom", "hello from python")))

    alice.send(9, "pyroom")
    expect("DestroyRoom", alice.recv(), (10, b"pyroom:0"))
    bob.send(11, "pyroom")
    expect("QuitRoom after destroy", bob.recv(), (12, b"pyroom:1"))
    print("all ok")


main()
