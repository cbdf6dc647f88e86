-- API keys (Access/ApiKeys): only the SHA-256 of a key is stored, with its visible prefix; a key is shown once, when it
-- is created. Role and scope decide what it may do; a revoked key opens nothing.
create table __schema__.api_keys (
  prefix          text         primary key,
  hash            bytea        not null unique,
  name            text         not null,
  role            text         not null check (role in ('admin', 'planner', 'reader', 'integration', 'link')),
  municipalities  text[]       not null default '{}',
  county          text,
  created_at      timestamptz  not null default now(),
  created_by      text         not null,
  revoked_at      timestamptz
);
