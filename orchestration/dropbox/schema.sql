-- The drop box's accounts, sessions, deliveries and events, in the audit schema beside the loads they
-- feed. Idempotent, like bootstrap.sql: runs (after it) whenever the drop box or its commands start.
-- Nothing here is granted to the loader, the transformer or bi_reader: password hashes and sessions
-- are read by the drop box (the admin connection) only.
CREATE TABLE IF NOT EXISTS audit.dropbox_user (
    user_id          bigserial   PRIMARY KEY,
    login            text        NOT NULL UNIQUE,
    provider         text        NOT NULL,
    password_hash    text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    disabled_at      timestamptz,
    failed_attempts  integer     NOT NULL DEFAULT 0,
    locked_until     timestamptz
);

CREATE TABLE IF NOT EXISTS audit.dropbox_session (
    token_sha256  char(64)    PRIMARY KEY,   -- the cookie holds the token; only its hash is kept
    user_id       bigint      NOT NULL REFERENCES audit.dropbox_user (user_id) ON DELETE CASCADE,
    csrf_token    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    client_addr   text
);
CREATE INDEX IF NOT EXISTS dropbox_session_by_user ON audit.dropbox_session (user_id);

-- One row per file uploaded: the dry run's report, then where it was put once confirmed. The loader's
-- own record of it is the first audit.load_file row after confirmed_at with its provider, sha256 and
-- file_name = incoming_name.
CREATE TABLE IF NOT EXISTS audit.dropbox_delivery (
    delivery_id    bigserial   PRIMARY KEY,
    user_id        bigint      NOT NULL REFERENCES audit.dropbox_user (user_id),
    provider       text        NOT NULL,
    file_name      text        NOT NULL,
    sha256         char(64)    NOT NULL,
    size_bytes     bigint      NOT NULL,
    uploaded_at    timestamptz NOT NULL DEFAULT now(),
    check_status   text        NOT NULL,
    check_report   jsonb       NOT NULL,
    confirmed_at   timestamptz,
    cancelled_at   timestamptz,
    incoming_name  text,
    client_addr    text
);
CREATE INDEX IF NOT EXISTS dropbox_delivery_by_provider ON audit.dropbox_delivery (provider, uploaded_at);

-- Every sign-in (and failed one), upload and confirmation: who, when, from where, which bytes.
CREATE TABLE IF NOT EXISTS audit.dropbox_event (
    event_id     bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text        NOT NULL CHECK (kind IN (
                     'sign_in', 'sign_in_failed', 'sign_in_locked', 'account_locked', 'sign_out',
                     'upload_checked', 'upload_refused', 'delivery_confirmed', 'delivery_cancelled',
                     'user_added', 'user_disabled')),
    login        text,
    user_id      bigint      REFERENCES audit.dropbox_user (user_id),
    provider     text,
    client_addr  text,
    delivery_id  bigint      REFERENCES audit.dropbox_delivery (delivery_id),
    file_name    text,
    sha256       char(64),
    detail       text
);
CREATE INDEX IF NOT EXISTS dropbox_event_by_client ON audit.dropbox_event (client_addr, at) WHERE kind = 'sign_in_failed';
