#!/bin/sh
set -e

# As upstream: a config file means `registry serve <file>`; registry subcommands and options
# go to registry; anything else (e.g. sh) runs as is.
case "$1" in
    *.yaml|*.yml) set -- registry serve "$@" ;;
    serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac

exec "$@"
