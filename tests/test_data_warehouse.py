"""The data layer's warehouse access: a publish swaps the file under readers, values are bound, SQL by function."""

import os
import shutil

import duckdb

from dashboard.data import warehouse
from etl import pipeline


def test_dashboard_reads_the_new_file_after_a_publish_and_old_readers_keep_theirs(settings):
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    before = warehouse.sql("SELECT count(*) AS n FROM marts.indicators").iloc[0, 0]
    old_key = warehouse.snapshot_key()
    old_con = warehouse._connect(old_key[0], old_key)

    # publish a new file the way the ETL does: build beside it, then os.replace over it
    building = settings.db_path + ".building"
    shutil.copyfile(settings.db_path, building)
    con = duckdb.connect(building)
    con.execute("DELETE FROM marts.indicators WHERE indicator <> 'chatgpt_monthly_users'")
    con.close()
    os.replace(building, settings.db_path)

    after = warehouse.sql("SELECT count(*) AS n FROM marts.indicators").iloc[0, 0]
    assert before > after == 2
    cursor = old_con.cursor()
    cursor.execute("USE warehouse")
    assert cursor.execute("SELECT count(*) FROM marts.indicators").fetchone()[0] == before


def test_user_values_are_bound_parameters_not_sql(settings):
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    hostile = "x'; DROP TABLE marts.indicators; --"
    frame = warehouse.sql("SELECT count(*) AS n FROM marts.indicators WHERE indicator = ?", (hostile,))
    assert frame.iloc[0, 0] == 0
    assert warehouse.sql("SELECT count(*) AS n FROM marts.indicators").iloc[0, 0] > 0


def test_each_data_function_has_its_sql_file_named_topic_what():
    from dashboard.data import concentration, demand, prices, scenarios, sources

    assert warehouse.sql_path(prices.units).name == "prices_units.sql"
    assert warehouse.sql_path(scenarios.status_quo_hhi).name == "scenarios_status_quo_hhi.sql"
    functions = [prices.options, prices.index, prices.units, prices.methods, prices.markers, prices.published,
                 prices.h100e, prices.supply, prices.depin_figures, sources.provider_sources,
                 demand.indicators, demand.catalogue, demand.training_compute, concentration.rows,
                 concentration.shares, scenarios.baseline_prices, scenarios.newest_indicators, scenarios.trends,
                 scenarios.status_quo_hhi,
                 sources.status, sources.snapshot_id, sources.runs, sources.rejects, sources.unknown_gpu_models,
                 sources.curated_figures, warehouse.has_table]
    files = {warehouse.sql_path(f) for f in functions}
    assert all(path.is_file() for path in files), [p.name for p in files if not p.is_file()]
    assert files == set(warehouse.SQL_DIR.glob("*.sql"))  # and no SQL file without its function
