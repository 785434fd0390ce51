#!/usr/bin/env bash
# The rcep_origin addon's tests against Odoo 18 and a fresh PostgreSQL database.
# Finds Odoo at $ODOO_PATH (default /opt/odoo18) with $ODOO_PYTHON (default its venv); starts
# PostgreSQL if none answers (as the postgres user: it refuses to run as root); installs the
# addon into a new database (its own filestore) and runs the tests with pytest-odoo, then checks
# that it upgrades and uninstalls cleanly; drops it all.
#   bash scripts/odoo-tests.sh                 the tests (what `make test-odoo` runs)
#   bash scripts/odoo-tests.sh bench          benchmarks/odoo_batch.py (BENCHMARKS.md)
#   bash scripts/odoo-tests.sh readiness-bench  benchmarks/odoo_readiness.py (the nightly job)
#   bash scripts/odoo-tests.sh confirm-bench  benchmarks/odoo_confirm.py, with and without the addon
#   bash scripts/odoo-tests.sh shell < F.py   any script in an Odoo shell on the fresh database
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo18}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_PATH/venv/bin/python}
PGPORT=${PGPORT:-5432}
if [ ! -x "$ODOO_PYTHON" ] || [ ! -f "$ODOO_PATH/odoo-bin" ]; then
    echo "No Odoo 18 found at $ODOO_PATH (set ODOO_PATH or ODOO_PYTHON): addon tests skipped."
    exit 0
fi

# Browser tours (HttpCase.start_tour) need Chromium; Odoo finds Debian's by itself.
if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tours ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT" 2>/dev/null; then
    if [ -z "$(pg_bin)" ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    BIN=$(pg_bin)
    PGROOT=${RCEP_PGROOT:-/var/lib/rcep-pg}
    install -d -o postgres -g postgres -m 700 "$PGROOT"
    install -d -o postgres -g postgres /var/run/postgresql
    if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
        su postgres -c "$BIN/initdb -D $PGROOT/data -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256" >/dev/null
    fi
    su postgres -c "$BIN/pg_ctl -D $PGROOT/data -l $PGROOT/postgres.log \
        -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k /var/run/postgresql' -w start" >/dev/null
fi
if ! su postgres -c "psql -h /var/run/postgresql -p $PGPORT -tAc \"select 1 from pg_roles where rolname='odoo'\"" | grep -q 1; then
    su postgres -c "psql -h /var/run/postgresql -p $PGPORT -c \"CREATE ROLE odoo WITH LOGIN SUPERUSER PASSWORD 'odoo'\"" >/dev/null
fi

DB="rcep_test_$(date +%s)_$$"
WORK=$(mktemp -d)
CONF="$WORK/odoo.conf"
cleanup() {
    PGPASSWORD=odoo dropdb -h 127.0.0.1 -p "$PGPORT" -U odoo --if-exists "$DB" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
cat > "$CONF" <<CONF
[options]
addons_path = $REPO,$ODOO_PATH/addons,$ODOO_PATH/odoo/addons
data_dir = $WORK/data
db_host = 127.0.0.1
db_port = $PGPORT
db_user = odoo
db_password = odoo
http_interface = 127.0.0.1
http_port = 0
without_demo = all
CONF

echo "Installing rcep_origin into a fresh database $DB ..."
if ! "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" -c "$CONF" -d "$DB" -i rcep_origin --stop-after-init \
    --logfile="$WORK/install.log"; then
    tail -40 "$WORK/install.log" >&2
    echo "The addon did not install." >&2
    exit 1
fi
if grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/install.log" | grep -v "wkhtmltopdf\|wkhtmltoimage"; then
    echo "The addon did not install cleanly (warnings or errors above)." >&2
    exit 1
fi
if [ "${1:-}" = "confirm-bench" ]; then  # benchmarks/odoo_confirm.py with and without the addon
    # RCEP_BENCH_PAIRS runs of each (3 by default), alternating: a run's time moves with the
    # host by more than the addon's share, so each pair is measured side by side in time and
    # the ratio is the median of the pairs'
    BARE="${DB}_bare"
    "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" -c "$CONF" -d "$BARE" \
        -i sale_management,mrp,stock_delivery --stop-after-init --logfile="$WORK/bare.log"
    for _ in $(seq "${RCEP_BENCH_PAIRS:-3}"); do
        for database in "$BARE" "$DB"; do
            "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" shell -c "$CONF" -d "$database" --no-http \
                --log-level=warn < "$REPO/benchmarks/odoo_confirm.py" | grep RESULT
        done
    done | tee "$WORK/confirm.txt"
    "$ODOO_PYTHON" "$REPO/benchmarks/odoo_confirm_ratio.py" < "$WORK/confirm.txt"
    PGPASSWORD=odoo dropdb -h 127.0.0.1 -p "$PGPORT" -U odoo --if-exists "$BARE" >/dev/null 2>&1
    exit 0
fi
if [ "${1:-}" = "shell" ]; then  # any script on stdin, on the fresh database
    "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" shell -c "$CONF" -d "$DB" --no-http --log-level=warn
    exit 0
fi
if [ "${1:-}" = "readiness-bench" ]; then  # benchmarks/odoo_readiness.py in an Odoo shell
    "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" shell -c "$CONF" -d "$DB" --no-http \
        --log-level=warn < "$REPO/benchmarks/odoo_readiness.py" | grep RESULT
    exit 0
fi
if [ "${1:-}" = "bench" ]; then  # benchmarks/odoo_batch.py in an Odoo shell
    "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" shell -c "$CONF" -d "$DB" --no-http \
        --log-level=warn < "$REPO/benchmarks/odoo_batch.py" | grep RESULT
    exit 0
fi
cd "$ODOO_PATH"
PYTHONPATH="$ODOO_PATH" "$ODOO_PYTHON" -m pytest -q -p no:cacheprovider --odoo-http \
    --odoo-database="$DB" --odoo-config="$CONF" "$REPO/rcep_origin/tests"

echo "Upgrading and uninstalling rcep_origin ..."
"$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" -c "$CONF" -d "$DB" -u rcep_origin --stop-after-init \
    --logfile="$WORK/upgrade.log"
echo "env['ir.module.module'].search([('name', '=', 'rcep_origin')]).button_immediate_uninstall()" \
    | "$ODOO_PYTHON" "$ODOO_PATH/odoo-bin" shell -c "$CONF" -d "$DB" --no-http \
        --logfile="$WORK/uninstall.log" >/dev/null
for log in upgrade uninstall; do
    if grep -E " (WARNING|ERROR|CRITICAL) " "$WORK/$log.log" | grep -v "wkhtmlto"; then
        echo "The addon did not $log cleanly (see above)." >&2
        exit 1
    fi
done
echo "rcep_origin upgrades and uninstalls cleanly."
