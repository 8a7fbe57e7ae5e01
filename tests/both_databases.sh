#!/usr/bin/env bash
# make test: the whole suite on SQLite and, side by side, again on PostgreSQL, where each
# test gets a new database of its own on a throwaway server (MAILBOT_TEST_DATABASE, see
# tests/conftest.py). A pass spends about a third of its time waiting on servers,
# subprocesses and sockets, so on two cores the pair takes about as long as the longer
# pass alone. The PostgreSQL pass writes to a log, printed when both have ended; the exit
# status is non-zero if either pass failed. Ctrl-C or a TERM stops both passes as Ctrl-C
# stops one, so their fixtures still stop the test servers they started.
set -u
set -m # each pass in a process group of its own, which does not ignore SIGINT
python=${1:?usage: tests/both_databases.sh PYTHON [PYTEST ARGS...]}
shift
work=$(mktemp -d "${TMPDIR:-/tmp}/mailbot-tests.XXXXXX")
pytest=("$python" -m pytest -q -p no:cacheprovider "$@")

echo "== on SQLite (the same suite runs on PostgreSQL meanwhile; its output follows) =="
MAILBOT_TEST_DATABASE=postgresql "${pytest[@]}" -m "not own_database" \
  --basetemp="$work/postgresql" >"$work/postgresql.log" 2>&1 &
postgresql=$!
"${pytest[@]}" --basetemp="$work/sqlite" &
sqlite=$!
trap 'kill -INT "$sqlite" "$postgresql" 2>/dev/null' INT TERM

# The exit status of a pass: wait again when a signal's trap cut the wait short.
status_of() {
  local status
  while :; do
    wait "$1"
    status=$?
    kill -0 "$1" 2>/dev/null || return "$status"
  done
}
status_of "$sqlite"
sqlite_status=$?
status_of "$postgresql"
postgresql_status=$?

echo
echo "== on PostgreSQL =="
cat "$work/postgresql.log"
rm -rf "$work"
echo
echo "SQLite pass: exit $sqlite_status; PostgreSQL pass: exit $postgresql_status"
[ "$sqlite_status" -eq 0 ] && [ "$postgresql_status" -eq 0 ]
