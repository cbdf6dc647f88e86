-- A rebuild into side tables (docs/0012) records how far it has replayed the log, beside the live projection's progress,
-- and a heartbeat: a rebuild whose node died stops beating, and another node may claim it again.
alter table __schema__.projection_controls
  add column applied      bigint,
  add column heartbeat_at timestamptz;
