-- PDCA (Deming) cycles of a head: the plan, the Check (fact) and the Act decision; each action is a task.
-- See domain/pdca.py for the stages (do -> act -> closed).

CREATE TABLE pdca_cycles (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: old buttons and reminders carry it
    team_id          INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- the head who runs the cycle
    origin           TEXT NOT NULL CHECK (origin IN ('free', 'item', 'task', 'signal', 'cycle')),
    origin_ref       TEXT,              -- "checklist:item", a task id, a signal code, the adjusted cycle's id
    parent_id        INTEGER REFERENCES pdca_cycles(id) ON DELETE SET NULL,  -- «Скорректировать»: the previous one
    goal             TEXT NOT NULL,
    metric           TEXT NOT NULL,     -- domain.pdca.Metric
    metric_name      TEXT,              -- a custom metric's name
    baseline         REAL NOT NULL,     -- today's value when the plan was saved
    target           REAL NOT NULL CHECK (target <> baseline),
    review_date      TEXT NOT NULL,     -- local date (YYYY-MM-DD) in the head's zone
    stage            TEXT NOT NULL CHECK (stage IN ('do', 'act', 'closed')),
    created_at       TEXT NOT NULL,     -- UTC; an export uploaded after it can give the fact
    fact             REAL,
    fact_source      TEXT CHECK (fact_source IN ('typed', 'export')),
    fact_snapshot_id INTEGER REFERENCES metric_snapshots(id) ON DELETE SET NULL,
    checked_at       TEXT,              -- UTC; set: the review was held
    decision         TEXT CHECK (decision IN ('standard', 'adjust', 'drop')),
    closed_at        TEXT,
    CHECK (stage <> 'act' OR checked_at IS NOT NULL),
    CHECK ((stage = 'closed') = (decision IS NOT NULL))
);
CREATE INDEX pdca_cycles_by_owner ON pdca_cycles(user_id, team_id, stage);
CREATE INDEX pdca_cycles_by_review ON pdca_cycles(team_id, review_date);

CREATE TABLE pdca_actions (
    cycle_id  INTEGER NOT NULL REFERENCES pdca_cycles(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    text      TEXT NOT NULL,
    task_id   INTEGER REFERENCES tasks(id) ON DELETE SET NULL,  -- the Do task; gone if the task is deleted
    PRIMARY KEY (cycle_id, position)
);
