-- What operators asked of the async projections, from any node (admin endpoints, ./roadmap projections rebuild): a
-- rebuild, run by the node whose Marten daemon holds the projection, with its progress; and a stop, which that node
-- keeps in force until a resume. Readable from every node for status.
create table __schema__.projection_controls (
  name          text primary key,
  stopped_at    timestamptz,
  requested_at  timestamptz,
  started_at    timestamptz,
  finished_at   timestamptz,
  total         bigint,
  node          text,
  error         text
);
