import os
import shutil

import duckdb

from dashboard import queries
from etl import pipeline


def test_dashboard_reads_the_new_file_after_a_publish_and_old_readers_keep_theirs(settings):
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    before = queries.sql("SELECT count(*) AS n FROM marts.indicators").iloc[0, 0]
    old_key = queries.snapshot_key()
    old_con = queries._connect(old_key[0], old_key)

    # publish a new file the way the ETL does: build beside it, then os.replace over it
    building = settings.db_path + ".building"
    shutil.copyfile(settings.db_path, building)
    con = duckdb.connect(building)
    con.execute("DELETE FROM marts.indicators WHERE indicator <> 'chatgpt_monthly_users'")
    con.close()
    os.replace(building, settings.db_path)

    after = queries.sql("SELECT count(*) AS n FROM marts.indicators").iloc[0, 0]
    assert before > after == 2
    cursor = old_con.cursor()
    cursor.execute("USE warehouse")
    assert cursor.execute("SELECT count(*) FROM marts.indicators").fetchone()[0] == before


def test_user_values_are_bound_parameters_not_sql(settings):
    pipeline.run(mode="offline", log=open(os.devnull, "w"))
    hostile = "x'; DROP TABLE marts.indicators; --"
    frame = queries.sql("SELECT count(*) AS n FROM marts.indicators WHERE indicator = ?", (hostile,))
    assert frame.iloc[0, 0] == 0
    assert queries.sql("SELECT count(*) AS n FROM marts.indicators").iloc[0, 0] > 0
