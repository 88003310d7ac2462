-- CRM export analytics: aggregates only (never the export's rows), remembered column mappings, plans.

CREATE TABLE metric_snapshots (
    id           INTEGER PRIMARY KEY,
    team_id      INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_by   INTEGER NOT NULL,
    period_start TEXT,                            -- YYYY-MM-DD
    period_end   TEXT,
    created_at   TEXT NOT NULL,
    metrics_json TEXT NOT NULL
);
CREATE INDEX metric_snapshots_by_team ON metric_snapshots(team_id, created_at);

CREATE TABLE column_mappings (
    team_id          INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    header_signature TEXT NOT NULL,
    mapping_json     TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (team_id, header_signature)
) WITHOUT ROWID;

CREATE TABLE manager_plans (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    manager TEXT NOT NULL,
    month   TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    amount  REAL NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (team_id, manager, month)
) WITHOUT ROWID;
