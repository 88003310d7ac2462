-- Results the head sent to the team's owners (issue 8, sharing): the score, zone and plan always; the answers only
-- when `full`. The digest reads these rows (SharedResultRepo.for_team). A run deleted later takes its shares along.
CREATE TABLE shared_results (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id    INTEGER NOT NULL REFERENCES checklist_runs(id) ON DELETE CASCADE,
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    shared_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    shared_at TEXT NOT NULL,
    full      INTEGER NOT NULL CHECK (full IN (0, 1)),
    plan      TEXT NOT NULL DEFAULT '[]'  -- JSON: the weak items' keys as the head's result ranked them
);
CREATE INDEX shared_results_by_team ON shared_results(team_id, shared_at);

-- Members' own plans (issue 8, section 3): the head turns it on per team and links a member to the name their
-- plan and the exports carry. Money only; a member never reads another manager's row.
CREATE TABLE member_plan_settings (
    team_id      INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    members_see  INTEGER NOT NULL DEFAULT 0 CHECK (members_see IN (0, 1))
);
CREATE TABLE member_plan_names (
    team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    manager  TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
