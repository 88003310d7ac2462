-- The full XLSX report of an analysed export, behind the "full report" button. It holds aggregates per stage,
-- manager and month - never the export's rows or client names - and is pruned after a retention period.
CREATE TABLE snapshot_reports (
    snapshot_id INTEGER PRIMARY KEY REFERENCES metric_snapshots(id) ON DELETE CASCADE,
    xlsx        BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX snapshot_reports_by_age ON snapshot_reports(created_at);
