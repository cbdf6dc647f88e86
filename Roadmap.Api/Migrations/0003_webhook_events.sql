-- A delivery's body is its event's CloudEvent, the same for every subscription that receives it: store it once
-- per event instead of once per delivery. The delivery rows become small, so the sender's state updates copy
-- little (no 1 KiB body per row version) and the dispatcher writes one body per event however many subscribe.
create table __schema__.webhook_events (
  event_id  uuid  primary key,
  body      text  not null
);

insert into __schema__.webhook_events (event_id, body)
select distinct on (event_id) event_id, body from __schema__.webhook_deliveries order by event_id, delivery_id;

alter table __schema__.webhook_deliveries drop column body;
