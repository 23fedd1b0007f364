"""Servers that misbehave on purpose, for the fault tests: each speaks just enough HTTP/1.1 over
raw sockets to do the one wrong thing it is named after, and records what it saw.

usage: faulty_server.py MODE PORT_FILE LOG_FILE
  runtime-stale     a Runtime API that closes a reused connection right after reading a POST,
                    without answering (as an idle timeout racing the request does)
  runtime-drop-post a Runtime API that closes the connection of the first POST it reads, fresh
                    or not, without answering
  runtime-redirect  a Runtime API that answers POST /response with a 307 to a second port,
                    which records anyone who comes
  emr-trickle       an EMR endpoint that sends its answer one byte every half second
  partial-headers   answers every request with part of a header block, then closes (FIN)
The first line of PORT_FILE is the port to use; the second, if any, the redirect target's.
LOG_FILE gets one JSON object per line: {"connection": n, "method", "path", "body"} per request,
{"incomplete": true} instead of a body for one whose body never came.
"""
import json
import socket
import sys
import threading
import time

mode, port_file, log_file = sys.argv[1], sys.argv[2], sys.argv[3]
log_lock = threading.Lock()
EVENT = b'{"records":[]}'


def log(entry):
    with log_lock, open(log_file, "a") as f:
        f.write(json.dumps(entry) + "\n")


def read_request(connection, buffered):
    """One request (method, path, headers, body, rest) or None at EOF; the body is None when the
    connection closed before all of it (Content-Length) arrived."""
    while b"\r\n\r\n" not in buffered:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        buffered += chunk
    head, rest = buffered.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip() for line in lines[1:] if ":" in line}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return method, path, headers, None, b""
        rest += chunk
    return method, path, headers, rest[:length], rest[length:]


def reply(connection, status, body=b"", headers=()):
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    connection.sendall(head.encode() + body)


def runtime_event_headers(request_id):
    deadline = int(time.time() * 1000) + 60_000
    return [("Lambda-Runtime-Aws-Request-Id", request_id), ("Lambda-Runtime-Deadline-Ms", str(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:f")]


events_served = 0
posts_read = 0


def serve(connection, number):
    global events_served, posts_read
    buffered, requests = b"", 0
    with connection:
        while True:
            request = read_request(connection, buffered)
            if request is None:
                return
            method, path, headers, body, buffered = request
            requests += 1
            if body is None:
                # The client gave up waiting for its own body (libcurl's retry without it).
                log({"connection": number, "request": requests, "method": method, "path": path, "incomplete": True})
                return
            log({"connection": number, "request": requests, "method": method, "path": path,
                 "body": body.decode("utf-8", "replace"), "connectionHeader": headers.get("connection")})
            if mode == "partial-headers":
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/js")
                connection.shutdown(socket.SHUT_WR)
                time.sleep(0.5)
                return
            if mode == "emr-trickle":
                answer = b'{"Cluster":{"Id":"j-SLOW","Status":{"State":"WAITING"}}}'
                connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(answer)}\r\n\r\n".encode())
                for byte in answer:
                    connection.sendall(bytes([byte]))
                    time.sleep(0.5)
                continue
            if method == "GET":
                events_served += 1
                if events_served > 1:
                    reply(connection, 500, b'{"errorType":"Done"}')
                else:
                    reply(connection, 200, EVENT, runtime_event_headers("req-1"))
            elif mode == "runtime-stale" and requests > 1:
                return  # read a POST on a reused connection: close without a word
            elif mode == "runtime-drop-post" and posts_read == 0:
                posts_read += 1
                return
            elif mode == "runtime-redirect" and path.endswith("/response"):
                reply(connection, 307, b"", [("Location", f"http://127.0.0.1:{thief_port}/steal")])
            else:
                reply(connection, 202, b'{"status":"OK"}')
            if headers.get("connection", "").lower() == "close":
                return


def listen(port, handler):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(16)
    number = 0
    while True:
        connection, _ = server.accept()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        number += 1
        threading.Thread(target=handler, args=(connection, number), daemon=True).start()


def thief(connection, number):
    with connection:
        data = connection.recv(65536)
        log({"thief": True, "received": data.decode("utf-8", "replace")})


ports = [int(line) for line in open(port_file).read().split()]
thief_port = ports[1] if len(ports) > 1 else 0
if thief_port:
    threading.Thread(target=listen, args=(thief_port, thief), daemon=True).start()
listen(ports[0], serve)
