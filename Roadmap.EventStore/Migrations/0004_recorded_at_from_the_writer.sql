-- recorded_at comes from the writer's clock (the application's TimeProvider), no longer from now() (issue 10):
-- the time a decision is taken at and the time its events are recorded at are one input, so "as of" reads, which
-- select by recorded_at, agree with the decisions' "today", and a test's fake clock reaches both. Otherwise as 0002.
-- The column keeps its default now() for rows written by other means.

drop function __schema__.append_events(text, text, bigint, uuid[], text[], integer[], jsonb[], jsonb[], text, boolean);

create or replace function __schema__.append_events(
  p_stream_id        text,
  p_stream_type      text,
  p_expected_version bigint,
  p_event_ids        uuid[],
  p_event_types      text[],
  p_schema_versions  integer[],
  p_data             jsonb[],
  p_metadata         jsonb[],
  p_notify_channel   text,
  p_check_retry      boolean,
  p_recorded_at      timestamptz)
returns table (r_event_id uuid, r_global_position bigint, r_version bigint, r_recorded_at timestamptz, r_replayed boolean, r_transaction_id xid8)
language plpgsql
as $$
declare
  v_count       integer := cardinality(p_event_ids);
  v_stored      integer;
  v_new_version bigint;
  v_archived    boolean;
  v_actual      bigint;
  v_conflict    uuid;
begin
  if v_count is null or v_count = 0 then
    raise exception using errcode = '22023', message = 'append_events needs at least one event';
  end if;

  -- A retry of an append that already committed: same ids, same stream, same types and data.
  if p_check_retry then
    select count(*) into v_stored from __schema__.events e where e.event_id = any (p_event_ids);
  else
    v_stored := 0;
  end if;
  if v_stored > 0 then
    select n.id into v_conflict
      from unnest(p_event_ids, p_event_types, p_data) as n (id, type, data)
      join __schema__.events e on e.event_id = n.id
     where e.stream_id <> p_stream_id or e.event_type <> n.type or e.data <> n.data
     limit 1;
    if v_conflict is not null then
      raise exception using
        errcode = 'RM422',
        message = format('event id %s is already stored with other content (stream, type or data)', v_conflict),
        hint = v_conflict::text;
    end if;
    if v_stored <> v_count then
      raise exception using
        errcode = 'RM422',
        message = format('%s of the %s event ids are already stored: a retry must resend the whole append', v_stored, v_count),
        hint = '';
    end if;
    return query
      select e.event_id, e.global_position, e.version, e.recorded_at, true, e.transaction_id
        from __schema__.events e
       where e.event_id = any (p_event_ids)
       order by e.version;
    return;
  end if;

  if p_expected_version = -1 then
    insert into __schema__.streams as s (stream_id, stream_type, version)
    values (p_stream_id, p_stream_type, v_count)
    on conflict (stream_id) do update set version = s.version + v_count, updated_at = now()
    returning s.version, s.archived into v_new_version, v_archived;
  elsif p_expected_version = 0 then
    insert into __schema__.streams as s (stream_id, stream_type, version)
    values (p_stream_id, p_stream_type, v_count)
    on conflict (stream_id) do nothing
    returning s.version, s.archived into v_new_version, v_archived;
  else
    update __schema__.streams as s
       set version = s.version + v_count, updated_at = now()
     where s.stream_id = p_stream_id and s.version = p_expected_version
    returning s.version, s.archived into v_new_version, v_archived;
  end if;

  if v_new_version is null then
    select s.version into v_actual from __schema__.streams s where s.stream_id = p_stream_id;
    raise exception using
      errcode = 'RM409',
      message = format('stream %s: expected version %s, actual %s', p_stream_id, p_expected_version, coalesce(v_actual::text, 'no stream')),
      hint = coalesce(v_actual, -1)::text;
  end if;

  if v_archived then
    raise exception using errcode = 'RM410', message = format('stream %s is archived', p_stream_id);
  end if;

  if p_notify_channel is not null then
    perform pg_notify(p_notify_channel, '');
  end if;

  return query
    insert into __schema__.events as e (stream_id, version, event_id, event_type, schema_version, data, metadata, recorded_at)
    select p_stream_id, v_new_version - v_count + n.ord, n.id, n.type, n.sv, n.data, n.meta, p_recorded_at
      from unnest(p_event_ids, p_event_types, p_schema_versions, p_data, p_metadata)
           with ordinality as n (id, type, sv, data, meta, ord)
     order by n.ord
    returning e.event_id, e.global_position, e.version, e.recorded_at, false, e.transaction_id;
end;
$$;
