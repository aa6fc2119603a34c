"""The KPI registry as DuckDB SQL, for the benchmarks (``bench/kpi_duckdb.py``,
``bench/kpi_engines.py``, ``bench/analytics_scale.py``): the one implementation now lives in the
application, ``jeugdregie.monitoring.kpi_duckdb`` (loading, running, comparing) and
``jeugdregie.monitoring.kpi_duckdb_sql`` (the queries). This module only keeps the benchmarks'
``import kpi_sql`` working."""

from jeugdregie.monitoring.kpi_duckdb import (  # noqa: F401
    ALLOCATION_COLUMNS,
    CHANGE_REQUEST_COLUMNS,
    CLAIM_COLUMNS,
    Results,
    check_coverage,
    compare,
    connect,
    create_schema,
    load,
    prepare,
    registry_results,
    run,
    run_query,
    same,
    set_periods,
)
from jeugdregie.monitoring.kpi_duckdb_sql import EMPTY, PREPARE, QUERIES, render  # noqa: F401
