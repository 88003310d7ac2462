-- A member the head removed is shut out by every link of the team that existed at the removal (the one they came
-- with included); a link made afterwards is the head's explicit new invitation and lets them in again.
CREATE TABLE invite_exclusions (
    code    TEXT NOT NULL REFERENCES invites(code) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (code, user_id)
) WITHOUT ROWID;
