-- The first catalog schema. Times are milliseconds since 1970 (Date.now()); JSON columns hold text written
-- by the repositories; booleans are 0/1. Ids use AUTOINCREMENT so that an id is never reused after a delete
-- (a stale id in a window or a queued job must not start pointing at someone else's work).
-- Every file in the library is a row in `blobs`; the columns that point at files reference it, so a blob row
-- cannot be dropped while anything still uses it.

CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size INTEGER NOT NULL CHECK (size >= 0),
  media_type TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE clients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  email TEXT,
  phone TEXT,
  notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- A client's identity + style work: the selfies (source), the reference portraits (style) and what is made from them.
CREATE TABLE projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  subject_token TEXT NOT NULL DEFAULT '<sks>',
  style_token TEXT NOT NULL DEFAULT '<style1>',
  notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX projects_by_client ON projects (client_id, created_at);

CREATE TABLE photos (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('source', 'reference')),
  original_name TEXT NOT NULL,
  original_blob TEXT NOT NULL REFERENCES blobs (sha256),
  processing_blob TEXT NOT NULL REFERENCES blobs (sha256),
  thumbnail_blob TEXT NOT NULL REFERENCES blobs (sha256),
  original_format TEXT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  preflight TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (project_id, original_blob)
);
CREATE INDEX photos_by_project ON photos (project_id, role, created_at);
CREATE INDEX photos_by_original_blob ON photos (original_blob);
CREATE INDEX photos_by_processing_blob ON photos (processing_blob);
CREATE INDEX photos_by_thumbnail_blob ON photos (thumbnail_blob);

CREATE TABLE masks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  version INTEGER NOT NULL CHECK (version > 0),
  origin TEXT NOT NULL CHECK (origin IN ('auto', 'edited')),
  model TEXT,
  blob TEXT NOT NULL REFERENCES blobs (sha256),
  created_at INTEGER NOT NULL,
  UNIQUE (photo_id, version)
);
CREATE INDEX masks_by_blob ON masks (blob);

CREATE TABLE landmarks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  points TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (photo_id, model)
);

CREATE TABLE training_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  config TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'paused', 'done', 'failed', 'cancelled')),
  -- Library-relative folder of resumable checkpoints (mutable files, so not content-addressed).
  checkpoints_dir TEXT NOT NULL,
  error TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX training_runs_by_project ON training_runs (project_id, created_at);

CREATE TABLE training_outputs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  training_run_id INTEGER NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  step INTEGER,
  blob TEXT NOT NULL REFERENCES blobs (sha256),
  created_at INTEGER NOT NULL
);
CREATE INDEX training_outputs_by_run ON training_outputs (training_run_id);
CREATE INDEX training_outputs_by_blob ON training_outputs (blob);

-- The full recipe, so that any portrait can be made again, plus the photographer's and the client's verdicts.
CREATE TABLE generations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  training_run_id INTEGER REFERENCES training_runs (id) ON DELETE SET NULL,
  image_blob TEXT NOT NULL REFERENCES blobs (sha256),
  thumbnail_blob TEXT REFERENCES blobs (sha256),
  attention_maps_blob TEXT REFERENCES blobs (sha256),
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  base_model_hash TEXT NOT NULL,
  lora_hash TEXT,
  prompt TEXT NOT NULL,
  negative_prompt TEXT NOT NULL DEFAULT '',
  seed INTEGER NOT NULL,
  sampler TEXT NOT NULL,
  steps INTEGER NOT NULL,
  cfg REAL NOT NULL,
  lora_scales TEXT NOT NULL DEFAULT '{}',
  rating INTEGER CHECK (rating BETWEEN 1 AND 5),
  favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
  rejected INTEGER NOT NULL DEFAULT 0 CHECK (rejected IN (0, 1)),
  picked INTEGER NOT NULL DEFAULT 0 CHECK (picked IN (0, 1)),
  reviewed_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX generations_by_project ON generations (project_id, created_at);
CREATE INDEX generations_by_training_run ON generations (training_run_id) WHERE training_run_id IS NOT NULL;
CREATE INDEX generations_by_image_blob ON generations (image_blob);
CREATE INDEX generations_by_thumbnail_blob ON generations (thumbnail_blob) WHERE thumbnail_blob IS NOT NULL;
CREATE INDEX generations_by_attention_blob ON generations (attention_maps_blob) WHERE attention_maps_blob IS NOT NULL;

CREATE TABLE exports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  generation_id INTEGER REFERENCES generations (id) ON DELETE SET NULL,
  format TEXT NOT NULL CHECK (format IN ('jpeg', 'png', 'tiff', 'webp')),
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  blob TEXT NOT NULL REFERENCES blobs (sha256),
  destination TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX exports_by_project ON exports (project_id, created_at);
CREATE INDEX exports_by_blob ON exports (blob);
CREATE INDEX exports_by_generation ON exports (generation_id) WHERE generation_id IS NOT NULL;

CREATE TABLE consents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  signed_by TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  scope TEXT NOT NULL,
  expires_at INTEGER CHECK (expires_at IS NULL OR expires_at > signed_at),
  release_blob TEXT REFERENCES blobs (sha256),
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX consents_by_client ON consents (client_id, signed_at);
CREATE INDEX consents_by_release_blob ON consents (release_blob) WHERE release_blob IS NOT NULL;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Models live wherever the photographer keeps them; the catalog records what they are and what they allow.
CREATE TABLE installed_models (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  licence TEXT NOT NULL,
  commercial_use INTEGER NOT NULL CHECK (commercial_use IN (0, 1)),
  installed_at INTEGER NOT NULL
);

-- The queue's storage (the queue itself is another service): a crash or a restart loses no queued or running work.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('import', 'masks', 'train', 'generate', 'postprocess', 'export')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
  priority INTEGER NOT NULL DEFAULT 0,
  payload TEXT NOT NULL,
  progress TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  client_id INTEGER REFERENCES clients (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX jobs_next ON jobs (state, priority DESC, created_at, id);
CREATE INDEX jobs_by_client ON jobs (client_id) WHERE client_id IS NOT NULL;

-- Every use of a library file, with the client it belongs to (NULL = belongs to no client). Deleting a client
-- removes the blobs it referenced that no longer appear here; the doctor uses it to find unreferenced blobs.
CREATE VIEW blob_references (sha256, client_id) AS
  SELECT p.original_blob, pr.client_id FROM photos p JOIN projects pr ON pr.id = p.project_id
  UNION ALL SELECT p.processing_blob, pr.client_id FROM photos p JOIN projects pr ON pr.id = p.project_id
  UNION ALL SELECT p.thumbnail_blob, pr.client_id FROM photos p JOIN projects pr ON pr.id = p.project_id
  UNION ALL SELECT m.blob, pr.client_id FROM masks m JOIN photos p ON p.id = m.photo_id JOIN projects pr ON pr.id = p.project_id
  UNION ALL SELECT o.blob, pr.client_id FROM training_outputs o JOIN training_runs r ON r.id = o.training_run_id
    JOIN projects pr ON pr.id = r.project_id
  UNION ALL SELECT g.image_blob, pr.client_id FROM generations g JOIN projects pr ON pr.id = g.project_id
  UNION ALL SELECT g.thumbnail_blob, pr.client_id FROM generations g JOIN projects pr ON pr.id = g.project_id
    WHERE g.thumbnail_blob IS NOT NULL
  UNION ALL SELECT g.attention_maps_blob, pr.client_id FROM generations g JOIN projects pr ON pr.id = g.project_id
    WHERE g.attention_maps_blob IS NOT NULL
  UNION ALL SELECT e.blob, pr.client_id FROM exports e JOIN projects pr ON pr.id = e.project_id
  UNION ALL SELECT c.release_blob, c.client_id FROM consents c WHERE c.release_blob IS NOT NULL;
