-- The owners' weekly digest rides the reminder engine (docs/ARCHITECTURE.md, "Scheduled work"). An owner's digest
-- setting IS their reminder of kind 'digest' in the team: its rule holds the weekday and time in the owner's zone,
-- `paused` means off. One per owner and team.
CREATE UNIQUE INDEX reminders_one_digest ON reminders(team_id, user_id) WHERE kind = 'digest';

-- A quiet week (no upload, no ritual activity) nudges the team's heads to upload a fresh export: one reminder of
-- kind 'upload_nudge' per team (audience: heads; never due by itself, state 'finished') carries the one-off
-- deliveries the digest adds, one per head and week (the deliveries' unique key).
CREATE UNIQUE INDEX reminders_one_upload_nudge ON reminders(team_id) WHERE kind = 'upload_nudge';

-- An owner who leaves the team (or is removed) gets no more digests of it.
CREATE TRIGGER digest_ends_with_membership AFTER DELETE ON memberships
BEGIN
    DELETE FROM reminders WHERE kind = 'digest' AND team_id = OLD.team_id AND user_id = OLD.user_id;
END;

-- Owners who joined before the digest existed get theirs once, at the next start (services/digest.py); new owners
-- get it when they join. A digest the owner later deletes in /reminders is not brought back.
CREATE TABLE digest_backfill (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
INSERT INTO digest_backfill(team_id, user_id) SELECT team_id, user_id FROM memberships WHERE role = 'owner';

-- Alerts an owner opted into (all off by default), checked every day at 10:00 in the owner's zone by their
-- reminder of kind 'owner_alerts' (paused while every alert is off). Each alert goes out once per occasion; the
-- *_by columns name the delivery that sent it, so a retry of that same delivery says the same again.
CREATE TABLE owner_alerts (
    team_id          INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    plan_below_pct   INTEGER CHECK (plan_below_pct IS NULL OR plan_below_pct BETWEEN 1 AND 100),  -- NULL: off
    ritual_skips     INTEGER NOT NULL DEFAULT 0,  -- 1: a ritual skipped twice in a row
    no_export        INTEGER NOT NULL DEFAULT 0,  -- 1: no export for 14 days
    plan_alerted     TEXT,     -- 'YYYY-MM' of the last plan alert
    plan_alerted_by  INTEGER,
    export_alerted   TEXT,     -- created_at of the snapshot (or 'none') the last export alert was about
    export_alerted_by INTEGER,
    ritual_alerted   TEXT,     -- the latest skipped occurrence already alerted
    ritual_alerted_by INTEGER,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX reminders_one_owner_alerts ON reminders(team_id, user_id) WHERE kind = 'owner_alerts';

CREATE TRIGGER owner_alerts_end_with_membership AFTER DELETE ON memberships
BEGIN
    DELETE FROM reminders WHERE kind = 'owner_alerts' AND team_id = OLD.team_id AND user_id = OLD.user_id;
    DELETE FROM owner_alerts WHERE team_id = OLD.team_id AND user_id = OLD.user_id;
END;
