-- Idempotency-Key on POSTs that create or decide. The row is inserted in the same transaction as the events
-- it answers for: a concurrent request with the same key waits on the primary key until the first commits,
-- then finds the stored answer. A failed request rolls back and leaves no row, so it may be retried.
create table __schema__.idempotency_keys (
  key           text        not null,
  scope         text        not null,
  request_hash  text        not null,
  status        integer,
  response      jsonb,
  etag          text,
  location      text,
  created_at    timestamptz not null default now(),
  primary key (scope, key)
);

create index idempotency_keys_created on __schema__.idempotency_keys (created_at);
