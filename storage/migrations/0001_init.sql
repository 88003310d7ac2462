-- Core schema. Times are ISO-8601 UTC text of fixed width (see storage/db.py), so text order = time order.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,          -- Telegram user id
    display_name    TEXT NOT NULL,
    username        TEXT,
    timezone        TEXT,
    chosen_role     TEXT CHECK (chosen_role IN ('head', 'owner', 'member')),
    current_team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    -- 1 once the person typed a name of their own: later /start updates must not overwrite it.
    name_is_custom  INTEGER NOT NULL DEFAULT 0,
    blocked_at      TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: old buttons carry them
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    created_by  INTEGER NOT NULL,                 -- history only; no FK so a user can be erased
    created_at  TEXT NOT NULL
);

CREATE TABLE memberships (
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('head', 'owner', 'member')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_user ON memberships(user_id);

CREATE TABLE invites (
    code        TEXT PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('head', 'owner', 'member')),
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX invites_by_team_role ON invites(team_id, role);

CREATE TABLE checklist_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: old buttons carry them
    team_id       INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    checklist_key TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('in_progress', 'finished')),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    score         INTEGER,
    zone          TEXT
);
CREATE INDEX runs_by_owner ON checklist_runs(team_id, user_id, checklist_key, status);
-- At most one open run per person and checklist: a double tap on "start" cannot fork a run.
CREATE UNIQUE INDEX runs_one_open ON checklist_runs(team_id, user_id, checklist_key)
    WHERE status = 'in_progress';

CREATE TABLE checklist_answers (
    run_id      INTEGER NOT NULL REFERENCES checklist_runs(id) ON DELETE CASCADE,
    item_key    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (run_id, item_key)
) WITHOUT ROWID;

CREATE TABLE tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: old buttons carry them
    team_id          INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    source_checklist TEXT,
    source_item      TEXT,
    created_at       TEXT NOT NULL,
    done_at          TEXT
);
CREATE INDEX tasks_by_owner ON tasks(team_id, user_id, done_at);
-- One open task per diagnostics item (NULL sources are distinct, so manual tasks are not limited).
CREATE UNIQUE INDEX tasks_one_open_per_source ON tasks(team_id, user_id, source_checklist, source_item)
    WHERE done_at IS NULL;

CREATE TABLE fsm_states (
    key   TEXT PRIMARY KEY,
    state TEXT,
    data  TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;

CREATE TABLE send_failures (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER,                      -- NULL for calls that target no chat
    method     TEXT NOT NULL,
    error      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX send_failures_by_time ON send_failures(created_at);
