"""A stand-in EMR endpoint over HTTPS for `./build.sh verify-package`.

usage: emr_stub.py CERT KEY PORT_FILE
Answers DescribeCluster, ListSteps and AddJobFlowSteps for any signed request.
"""
import http.server
import json
import ssl
import sys


class EMR(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "").split(".")[-1]
        if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
            status, reply = 403, {"__type": "MissingAuthenticationToken", "message": "unsigned request"}
        elif target == "DescribeCluster":
            status, reply = 200, {"Cluster": {"Id": "j-VERIFY", "Status": {"State": "WAITING"}}}
        elif target == "ListSteps":
            status, reply = 200, {"Steps": []}
        elif target == "AddJobFlowSteps":
            status, reply = 200, {"StepIds": ["s-VERIFIED"]}
        else:
            status, reply = 400, {"__type": "UnknownOperationException", "message": target}
        body = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EMR)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(sys.argv[3], "w") as port_file:
    port_file.write(str(server.server_address[1]))
server.serve_forever()
