-- Each subscription's checkpoint in the log: the global position of the latest event delivered to it. Deliveries
-- go in log order, so every earlier event for it was delivered or is a dead letter. Kept by the sender with the
-- outcomes; filled here from the deliveries stored so far.
alter table __schema__.webhook_status
  add column delivered_through  bigint,
  add column last_delivered_at  timestamptz;

insert into __schema__.webhook_status (subscription_id, delivered_through, last_delivered_at)
select subscription_id, max(global_position), max(delivered_at)
  from __schema__.webhook_deliveries where state = 'delivered' group by subscription_id
on conflict (subscription_id) do update
  set delivered_through = excluded.delivered_through, last_delivered_at = excluded.last_delivered_at;
