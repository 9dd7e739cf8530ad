-- collect checks that an event's page belongs to one of its property's domains.
GRANT SELECT (domains) ON accounts.properties TO parcours_collect;
