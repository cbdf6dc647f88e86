-- Webhook delivery. The dispatcher projection (webhook_outbox) inserts one delivery per integration event and
-- matching subscription in the transaction that moves its checkpoint, so every delivery is recorded exactly once;
-- the sender then works through each subscription's deliveries in delivery_id order (= log order), at least once.

-- Signing secrets live here, never in events, metadata or logs.
create table __schema__.webhook_secrets (
  subscription_id  uuid        primary key,
  secret           text        not null,
  rotated_at       timestamptz not null default now()
);

create table __schema__.webhook_deliveries (
  delivery_id        bigint      generated always as identity primary key,
  subscription_id    uuid        not null,
  event_id           uuid        not null,
  global_position    bigint      not null,
  event_type         text        not null,
  body               text        not null,
  state              text        not null default 'pending' check (state in ('pending', 'delivered', 'dead')),
  attempts           integer     not null default 0,
  next_attempt_at    timestamptz not null default now(),
  event_recorded_at  timestamptz not null,
  created_at         timestamptz not null default now(),
  delivered_at       timestamptz,
  dead_at            timestamptz,
  last_error         text,
  unique (subscription_id, event_id)
);

create index webhook_deliveries_pending on __schema__.webhook_deliveries (subscription_id, delivery_id) where state = 'pending';
create index webhook_deliveries_dead on __schema__.webhook_deliveries (subscription_id, delivery_id) where state = 'dead';

-- The delivery log: one row per attempt.
create table __schema__.webhook_attempts (
  attempt_id       bigint      generated always as identity primary key,
  delivery_id      bigint      not null,
  subscription_id  uuid        not null,
  attempt          integer     not null,
  started_at       timestamptz not null,
  duration_ms      double precision not null,
  status_code      integer,
  error            text
);

create index webhook_attempts_subscription on __schema__.webhook_attempts (subscription_id, attempt_id desc);

-- Health as the sender sees it: failing after a dead letter, until a delivery succeeds again.
create table __schema__.webhook_status (
  subscription_id  uuid        primary key,
  failing          boolean     not null default false,
  failing_since    timestamptz,
  last_error       text
);
