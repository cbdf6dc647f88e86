-- Projection and subscription checkpoints, one row per name, and the dead letters of events skipped by
-- policy. A runner moves its checkpoint with a compare-and-set in the same transaction as its read-model
-- writes (ProjectionRunner.cs), so a batch can never be applied twice.

create table __schema__.projection_checkpoints (
  name                   text        primary key,
  transaction_id         xid8        not null default '0',
  position               bigint      not null default 0,
  -- running | rebuilding | stopped | failed
  state                  text        not null default 'running',
  owner                  text,
  heartbeat_at           timestamptz,
  applied_events         bigint      not null default 0,
  error                  text,
  updated_at             timestamptz not null default now(),
  rebuild_requested_at   timestamptz,
  rebuild_started_at     timestamptz,
  rebuild_transaction_id xid8,
  rebuild_position       bigint,
  rebuild_total          bigint,
  rebuild_applied        bigint,
  rebuilt_at             timestamptz
);

create table __schema__.dead_letters (
  id              bigint      generated always as identity primary key,
  projection      text        not null,
  global_position bigint      not null,
  transaction_id  xid8        not null,
  event_id        uuid        not null,
  event_type      text        not null,
  error           text        not null,
  attempts        integer     not null,
  failed_at       timestamptz not null default now()
);

create index dead_letters_projection on __schema__.dead_letters (projection, id);
