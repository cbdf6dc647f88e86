-- An integration event's CloudEvent is fixed when its event is recorded (issue 12): the decision's transaction
-- stores it here, and webhooks, the feed and the live stream all send these bytes. The table was webhook_events
-- (one body per event for the webhook deliveries); it gains what the filters need, so nobody re-reads the indexes
-- at dispatch or at read time, when the names and the affected municipalities may have changed.
alter table __schema__.webhook_events rename to integration_events;
alter table __schema__.integration_events
  add column type            text,
  add column municipalities  text[] not null default '{}',
  add column product_id      uuid,
  add column release_id      uuid,
  add column recorded_at     timestamptz;

update __schema__.integration_events i
   set type = coalesce(body::jsonb ->> 'type', d.event_type),
       municipalities = coalesce(array(select jsonb_array_elements_text(body::jsonb -> 'data' -> 'affected_municipalities')), '{}'),
       product_id = (body::jsonb -> 'data' ->> 'product_id')::uuid,
       release_id = (body::jsonb -> 'data' ->> 'release_id')::uuid,
       recorded_at = coalesce((body::jsonb ->> 'time')::timestamptz, d.event_recorded_at)
  from (select distinct on (event_id) event_id, event_type, event_recorded_at from __schema__.webhook_deliveries order by event_id, delivery_id) d
 where d.event_id = i.event_id;

alter table __schema__.integration_events alter column type set not null, alter column recorded_at set not null;

-- The mayor's page lists a municipality's recent deadline alerts.
create index integration_events_municipality on __schema__.integration_events using gin (municipalities);

-- Deadline reviews scheduled as Wolverine messages (Deadlines/): one per key (a municipality's AGS, or * for the daily
-- review of all) and time, however many reviews ask for it.
create table __schema__.deadline_wakeups (
  key      text         not null,
  fire_at  timestamptz  not null,
  primary key (key, fire_at)
);
