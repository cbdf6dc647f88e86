-- The dates a municipality's iCalendar feed has published per milestone (RoadmapCalendarFeed): when a date moves, its
-- SEQUENCE goes up and DTSTAMP/LAST-MODIFIED become the time of the change, so calendar clients that merge imports
-- update the event instead of keeping the old one.
create table __schema__.calendar_milestones (
  uid         text         primary key,
  ags         text         not null,
  on_date     date         not null,
  sequence    integer      not null default 0,
  changed_at  timestamptz  not null default now()
);
create index calendar_milestones_ags on __schema__.calendar_milestones (ags);
