#!/bin/sh
# The entry point of the Lambda zip (provided.al2 runs /var/task/bootstrap).
#
# bin/bootstrap was linked on a newer Linux than Amazon Linux 2 (glibc 2.34+ against 2.26, and a
# different libcurl), so the zip carries the dynamic loader and every library it needs in lib/,
# and starts the binary through that loader: --library-path replaces Lambda's LD_LIBRARY_PATH
# (which lists the system's /lib64 first), so no system library is mixed in.
#
# HTTPS (the EMR API) needs CA certificates. The bundled libcurl was built to read them from
# Debian's path; `./build.sh package` redirects it to $ca below, which this script links to the
# system's bundle when there is one (SSL_CERT_FILE, Amazon Linux, Debian), else to ssl/ca-bundle.crt
# from the zip. (On Lambda, /tmp belongs to this function alone.)

# Lambda starts us as /var/task/bootstrap; plain parameter expansion spares a fork on cold start.
case $0 in
    /*) here=${0%/*} ;;
    */*) here=$PWD/${0%/*} ;;
    *) here=$PWD ;;
esac
ca=/tmp/.lambda-ca-bundle.crt
if [ ! -s "$ca" ]; then
    for bundle in "${SSL_CERT_FILE:-}" /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt "$here/ssl/ca-bundle.crt"; do
        if [ -n "$bundle" ] && [ -s "$bundle" ]; then
            ln -sf "$bundle" "$ca"
            break
        fi
    done
fi
exec "$here/lib/ld-linux-x86-64.so.2" --library-path "$here/lib" --argv0 "$here/bootstrap" "$here/bin/bootstrap" "$@"
