#!/bin/sh
set -e

# As upstream: arguments that are options or not a command are handed to node, so
# `docker run node:24 -e "..."` and `docker run node:24 app.js` work.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
    set -- node "$@"
fi

exec "$@"
