-- Streams and events, after Marten's mt_streams / mt_events (see README, "Design").
-- __schema__ is replaced by the configured schema name before this file runs.

create table __schema__.streams (
  stream_id   text        primary key,
  stream_type text        not null,
  version     bigint      not null check (version >= 0),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  archived    boolean     not null default false
);

create table __schema__.events (
  global_position bigint      generated always as identity primary key,
  stream_id       text        not null references __schema__.streams (stream_id),
  version         bigint      not null check (version >= 1),
  event_id        uuid        not null,
  event_type      text        not null,
  schema_version  integer     not null default 1,
  data            jsonb       not null,
  metadata        jsonb       not null default '{}'::jsonb,
  recorded_at     timestamptz not null default now(),
  -- The writer's top-level transaction id; global readers order by (transaction_id, global_position)
  -- and only read below the oldest running transaction. See EventStore/GlobalLog.cs.
  transaction_id  xid8        not null default pg_current_xact_id(),
  archived        boolean     not null default false,
  constraint events_event_id_unique unique (event_id),
  constraint events_stream_version_unique unique (stream_id, version)
);

create index events_global_order on __schema__.events (transaction_id, global_position);
create index events_recorded_at on __schema__.events (stream_id, recorded_at);
