-- Which roadmap version of each municipality its deadlines were last reviewed at (Deadlines/DeadlineWatcher): a
-- change of the roadmap (roadmap_municipality_versions) is claimed here by one node, which then reviews it.
create table __schema__.deadline_reviews (
  ags               text    primary key,
  reviewed_version  bigint  not null
);
