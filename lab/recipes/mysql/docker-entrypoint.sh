#!/bin/bash
# Lab stand-in for the official mysql image's entrypoint, driving Debian's MariaDB.
# It keeps upstream's behaviour where the notes can see it: the required password variables and
# their error, MYSQL_DATABASE / MYSQL_USER / MYSQL_PASSWORD, /docker-entrypoint-initdb.d and the
# "<date> [Note] [Entrypoint]: ..." log lines.
set -eo pipefail
shopt -s nullglob

# Shared with the other mysql stand-in (lab/shared/mysql-entrypoint-common.sh): logging, file_env,
# _mysql_want_help, docker_verify_minimum_env, docker_process_sql.
# shellcheck source=/dev/null
. /usr/local/lib/mysql-entrypoint-common.sh

# Reads datadir and socket from the server's effective configuration; also fails early on a
# broken config, which is what upstream's mysql_check_config does.
mysql_read_config() {
	local toRun=( "$@" --verbose --help ) errors
	local config
	if ! config="$("${toRun[@]}" 2>&1)"; then
		errors="$config"
		mysql_error $'mysqld failed while attempting to check config\n\tcommand was: '"${toRun[*]}"$'\n\t'"$errors"
	fi
	# Only the variable table at the end starts lines with a name; help text is indented.
	DATADIR="$(awk '$1 == "datadir" && /^[^ \t]/ { print $2; exit }' <<<"$config")"
	SOCKET="$(awk '$1 == "socket" && /^[^ \t]/ { print $2; exit }' <<<"$config")"
	DATADIR="${DATADIR%/}"
	if [ -z "$DATADIR" ] || [ -z "$SOCKET" ]; then
		mysql_error "could not read datadir and socket from: ${toRun[*]}"
	fi
}

docker_create_db_directories() {
	mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
	if [ "$(id -u)" = "0" ]; then
		find "$DATADIR" "$(dirname "$SOCKET")" \! -user mysql -exec chown mysql:mysql '{}' +
	fi
}

docker_init_database_dir() {
	mysql_note "Initializing database files"
	# root gets a (for now empty) password instead of MariaDB's unix_socket login, so that
	# `mysql -uroot` needs the password exactly as with upstream MySQL.
	mariadb-install-db --datadir="$DATADIR" --rpm --cross-bootstrap --skip-test-db \
		--auth-root-authentication-method=normal --skip-name-resolve --default-time-zone=SYSTEM \
		--skip-log-bin --loose-innodb_buffer_pool_load_at_startup=0 \
		--loose-innodb_buffer_pool_dump_at_shutdown=0 > /dev/null
	mysql_note "Database files initialized"
}

# Client option file with the root password, given to the client via process substitution so the
# password never shows in `ps`.
_mysql_passfile() {
	if [ '--dont-use-mysql-root-password' != "$1" ] && [ -n "$MYSQL_ROOT_PASSWORD" ]; then
		cat <<-EOF
			[client]
			password="${MYSQL_ROOT_PASSWORD}"
		EOF
	fi
}

docker_temp_server_start() {
	"$@" --skip-networking --default-time-zone=SYSTEM --socket="${SOCKET}" \
		--loose-innodb_buffer_pool_load_at_startup=0 &
	declare -g MYSQL_PID=$!
	local i
	for i in {100..0}; do
		if docker_process_sql --dont-use-mysql-root-password --database=mysql <<<'SELECT 1' &> /dev/null; then
			break
		fi
		sleep 0.1
	done
	if [ "$i" = 0 ]; then
		mysql_error "Unable to start server."
	fi
}

docker_temp_server_stop() {
	kill "$MYSQL_PID"
	wait "$MYSQL_PID" || true
}

# Escapes a value for use inside a single-quoted SQL string literal.
docker_sql_escape_string_literal() {
	local newline=$'\n'
	local escaped=${1//\\/\\\\}
	escaped="${escaped//$newline/\\n}"
	echo "${escaped//\'/\\\'}"
}

docker_setup_db() {
	if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
		MYSQL_ROOT_PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)"
		export MYSQL_ROOT_PASSWORD
		mysql_note "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
	fi

	local rootPasswordEscaped
	rootPasswordEscaped="$(docker_sql_escape_string_literal "${MYSQL_ROOT_PASSWORD}")"

	local rootCreate=
	# default root to listen for connections from anywhere
	if [ -n "$MYSQL_ROOT_HOST" ] && [ "$MYSQL_ROOT_HOST" != 'localhost' ]; then
		rootCreate="CREATE USER 'root'@'${MYSQL_ROOT_HOST}' IDENTIFIED BY '${rootPasswordEscaped}' ;
			GRANT ALL ON *.* TO 'root'@'${MYSQL_ROOT_HOST}' WITH GRANT OPTION ;"
	fi

	# Only root@localhost and MariaDB's internal account may remain, as in upstream's image.
	local dropUsers
	dropUsers="$(docker_process_sql --dont-use-mysql-root-password --database=mysql -N <<-'EOSQL'
		SELECT CONCAT('DROP USER ', QUOTE(User), '@', QUOTE(Host), ' ;') FROM mysql.global_priv
		WHERE NOT (User = 'root' AND Host = 'localhost') AND User <> 'mariadb.sys' ;
	EOSQL
	)"

	docker_process_sql --dont-use-mysql-root-password --database=mysql <<-EOSQL
		SET @@SESSION.SQL_LOG_BIN=0;
		${dropUsers}
		ALTER USER 'root'@'localhost' IDENTIFIED BY '${rootPasswordEscaped}' ;
		${rootCreate}
		FLUSH PRIVILEGES ;
		DROP DATABASE IF EXISTS test ;
	EOSQL

	if [ -n "$MYSQL_DATABASE" ]; then
		mysql_note "Creating database ${MYSQL_DATABASE}"
		docker_process_sql --database=mysql <<<"CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\` ;"
	fi

	if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
		mysql_note "Creating user ${MYSQL_USER}"
		local userPasswordEscaped
		userPasswordEscaped="$(docker_sql_escape_string_literal "${MYSQL_PASSWORD}")"
		docker_process_sql --database=mysql <<<"CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '$userPasswordEscaped' ;"
		if [ -n "$MYSQL_DATABASE" ]; then
			mysql_note "Giving user ${MYSQL_USER} access to schema ${MYSQL_DATABASE}"
			docker_process_sql --database=mysql <<<"GRANT ALL ON \`${MYSQL_DATABASE//_/\\_}\`.* TO '$MYSQL_USER'@'%' ;"
		fi
	fi
}

_main() {
	# if command starts with an option, prepend mysqld
	if [ "${1:0:1}" = '-' ]; then
		set -- mysqld "$@"
	fi

	if [ "$1" = 'mysqld' ] && ! _mysql_want_help "$@"; then
		local version
		version="$(dpkg-query --showformat='${Version}' --show mariadb-server-core)"
		mysql_note "Entrypoint script for MySQL Server ${version} started."

		docker_setup_env "$@"
		docker_create_db_directories

		# If container is started as root user, restart as dedicated mysql user
		if [ "$(id -u)" = "0" ]; then
			mysql_note "Switching to dedicated user 'mysql'"
			exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
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

			docker_setup_db
			docker_process_init_files /docker-entrypoint-initdb.d/*

			mysql_note "Stopping temporary server"
			docker_temp_server_stop
			mysql_note "Temporary server stopped"

			echo
			mysql_note "MySQL init process done. Ready for start up."
			echo
		fi
	fi
	exec "$@"
}

_main "$@"
