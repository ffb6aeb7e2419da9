#!/bin/bash
# Lab stand-in for the official mysql:9.7 image's entrypoint, driving Debian sid's MySQL 9.7.
# It keeps upstream's behaviour: the required password variables and their error,
# MYSQL_DATABASE / MYSQL_USER / MYSQL_PASSWORD / MYSQL_ROOT_HOST / MYSQL_ONETIME_PASSWORD, *_FILE
# secrets, time-zone tables, /docker-entrypoint-initdb.d and the "<date> [Note] [Entrypoint]: ..."
# log lines. The server's own log lines are MySQL's, unfiltered.
set -eo pipefail
shopt -s nullglob

# Shared with the other mysql stand-in (lab/shared/mysql-entrypoint-common.sh): logging, file_env,
# _mysql_want_help, docker_verify_minimum_env, docker_process_sql.
# shellcheck source=/dev/null
. /usr/local/lib/mysql-entrypoint-common.sh

# `mysqld --verbose --help` prints the effective configuration; a throwaway binlog index keeps it
# from touching the data directory.
_verbose_help() {
	"$@" --verbose --help --log-bin-index="$(mktemp -u)"
}

# Fails early on a broken config, naming the command, as upstream does.
mysql_check_config() {
	local errors
	if ! errors="$(_verbose_help "$@" 2>&1 >/dev/null)"; then
		mysql_error $'mysqld failed while attempting to check config\n\tcommand was: '"$* --verbose --help"$'\n\t'"$errors"
	fi
}

# One value of the server's effective configuration (server defaults included, which
# my_print_defaults would not show). Only the variable table starts lines with a name.
mysql_get_config() {
	local conf="$1"; shift
	_verbose_help "$@" 2>/dev/null \
		| awk -v conf="$conf" '$1 == conf && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }'
}

# Clients that ignore the [client] section look for the compiled-in socket; link it to ours.
# Paths are compared resolved: Debian's /var/run is a link to /run, and a link from the socket to
# itself would replace the socket.
mysql_socket_fix() {
	local defaultSocket
	defaultSocket="$(mysql_get_config socket mysqld --no-defaults)"
	if [ "$(readlink -f "$defaultSocket")" != "$(readlink -f "$SOCKET")" ]; then
		ln -sfTv "$SOCKET" "$defaultSocket" || :
	fi
}

# Sets DATADIR and SOCKET from the server's effective configuration.
mysql_read_config() {
	declare -g DATADIR SOCKET
	DATADIR="$(mysql_get_config datadir "$@")"
	SOCKET="$(mysql_get_config socket "$@")"
}

# The data folder, the socket's folder and those of the files the config names, owned by mysql.
docker_create_db_directories() {
	local -A dirs=( ["$DATADIR"]=1 ["$(dirname "$SOCKET")"]=1 )
	local conf dir
	for conf in general-log-file keyring_file_data pid-file secure-file-priv slow-query-log-file; do
		dir="$(mysql_get_config "$conf" "$@")"
		if [ -z "$dir" ] || [ "$dir" = 'NULL' ]; then
			continue
		fi
		if [ "$conf" != secure-file-priv ]; then
			dir="$(dirname "$dir")"
		fi
		dirs["$dir"]=1
	done
	mkdir -p "${!dirs[@]}"
	if [ "$(id -u)" = "0" ]; then
		find "${!dirs[@]}" \! -user mysql -exec chown --no-dereference mysql '{}' +
	fi
}

docker_init_database_dir() {
	mysql_note "Initializing database files"
	"$@" --initialize-insecure --default-time-zone=SYSTEM
	mysql_note "Database files initialized"
}

# Client option file with the root password, given to the client via process substitution so the
# password never shows in `ps`.
_mysql_passfile() {
	if [ '--dont-use-mysql-root-password' != "$1" ] && [ -n "$MYSQL_ROOT_PASSWORD" ]; then
		cat <<-EOF
			[client]
			password=${MYSQL_ROOT_PASSWORD}
		EOF
	fi
}

# --daemonize returns once the server accepts connections on its socket.
docker_temp_server_start() {
	if ! "$@" --daemonize --skip-networking --default-time-zone=SYSTEM --socket="${SOCKET}"; then
		mysql_error "Unable to start server."
	fi
}

# Over the socket, mysqladmin waits until the shutdown is complete.
docker_temp_server_stop() {
	if ! mysqladmin --defaults-extra-file=<( _mysql_passfile ) -uroot shutdown --socket="${SOCKET}"; then
		mysql_error "Unable to shut down server."
	fi
}

docker_setup_db() {
	# Time-zone tables, unless asked not to (the sed works around https://bugs.mysql.com/bug.php?id=20545).
	if [ -z "$MYSQL_INITDB_SKIP_TZINFO" ]; then
		mysql_tzinfo_to_sql /usr/share/zoneinfo \
			| sed 's/Local time zone must be set--see zic manual page/FCTY/' \
			| docker_process_sql --dont-use-mysql-root-password --database=mysql
	fi
	if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
		MYSQL_ROOT_PASSWORD="$(openssl rand -base64 24)"
		export MYSQL_ROOT_PASSWORD
		mysql_note "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
	fi

	local rootCreate=
	# root may connect from anywhere unless MYSQL_ROOT_HOST says otherwise
	if [ -n "$MYSQL_ROOT_HOST" ] && [ "$MYSQL_ROOT_HOST" != 'localhost' ]; then
		rootCreate="CREATE USER 'root'@'${MYSQL_ROOT_HOST}' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}' ;
			GRANT ALL ON *.* TO 'root'@'${MYSQL_ROOT_HOST}' WITH GRANT OPTION ;"
	fi

	docker_process_sql --dont-use-mysql-root-password --database=mysql <<-EOSQL
		SET autocommit = 1;
		SET @@SESSION.SQL_LOG_BIN=0;
		ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}' ;
		GRANT ALL ON *.* TO 'root'@'localhost' WITH GRANT OPTION ;
		FLUSH PRIVILEGES ;
		${rootCreate}
		DROP DATABASE IF EXISTS test ;
	EOSQL

	if [ -n "$MYSQL_DATABASE" ]; then
		mysql_note "Creating database ${MYSQL_DATABASE}"
		docker_process_sql --database=mysql <<<"CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\` ;"
	fi

	if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
		mysql_note "Creating user ${MYSQL_USER}"
		docker_process_sql --database=mysql <<<"CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_PASSWORD' ;"
		if [ -n "$MYSQL_DATABASE" ]; then
			mysql_note "Giving user ${MYSQL_USER} access to schema ${MYSQL_DATABASE}"
			docker_process_sql --database=mysql <<<"GRANT ALL ON \`${MYSQL_DATABASE//_/\\_}\`.* TO '$MYSQL_USER'@'%' ;"
		fi
	fi
}

# MYSQL_ONETIME_PASSWORD: root must change its password before doing anything else.
mysql_expire_root_user() {
	if [ -n "$MYSQL_ONETIME_PASSWORD" ]; then
		docker_process_sql --database=mysql <<<"ALTER USER 'root'@'%' PASSWORD EXPIRE;"
	fi
}

_main() {
	# if command starts with an option, prepend mysqld
	if [ "${1:0:1}" = '-' ]; then
		set -- mysqld "$@"
	fi

	if [ "$1" = 'mysqld' ] && ! _mysql_want_help "$@"; then
		mysql_note "Entrypoint script for MySQL Server ${MYSQL_VERSION} started."

		mysql_check_config "$@"
		docker_setup_env "$@"
		docker_create_db_directories "$@"

		# If container is started as root user, restart as dedicated mysql user
		if [ "$(id -u)" = "0" ]; then
			mysql_note "Switching to dedicated user 'mysql'"
			exec gosu mysql "${BASH_SOURCE[0]}" "$@"
		fi

		# there's no database, so it needs to be initialized
		if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
			docker_verify_minimum_env

			# check dir permissions to reduce likelihood of half-initialized database
			ls /docker-entrypoint-initdb.d/ > /dev/null

			docker_init_database_dir "$@"

			mysql_note "Starting temporary server"
			docker_temp_server_start "$@"
			mysql_note "Temporary server started."

			mysql_socket_fix
			docker_setup_db
			docker_process_init_files /docker-entrypoint-initdb.d/*
			mysql_expire_root_user

			mysql_note "Stopping temporary server"
			docker_temp_server_stop
			mysql_note "Temporary server stopped"

			echo
			mysql_note "MySQL init process done. Ready for start up."
			echo
		else
			mysql_socket_fix
		fi
	fi
	exec "$@"
}

_main "$@"
