-- Indexes for the gallery queries of generations-repository.ts, chosen with `node bench/catalog.mjs --plans`
-- on 10,000 generations: without them every library-wide view sorted the whole table in a temporary b-tree.
-- The verdict indexes are partial (only the few favourite/rejected/picked rows), so they cost little to keep;
-- the repository writes those filters as literals (favourite = 1) so that SQLite can use them.

-- Library-wide newest/oldest pages (the rowid breaks ties, so ORDER BY created_at, id needs no sort).
CREATE INDEX generations_by_date ON generations (created_at);

-- Sorted by stars, across the library and within a project; unrated rows sort last.
CREATE INDEX generations_by_rating ON generations (rating, created_at);
CREATE INDEX generations_by_project_rating ON generations (project_id, rating, created_at);

CREATE INDEX generations_favourites ON generations (created_at) WHERE favourite = 1;
CREATE INDEX generations_rejected ON generations (created_at) WHERE rejected = 1;
CREATE INDEX generations_picked ON generations (project_id, created_at) WHERE picked = 1;
