-- Core schema: staff and sign-in, clients, case templates, cases, tasks, the bonus ledger.
-- Portable types shared with the SQLite schema: text ids (UUIDv7), UTC timestamps,
-- BIGINT money in minor units, JSON kept as TEXT.

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    supervisor_id TEXT REFERENCES staff (id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    deactivated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX staff_email_key ON staff (email);
CREATE INDEX staff_supervisor_idx ON staff (supervisor_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);

CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    client_manager_id TEXT NOT NULL REFERENCES staff (id),
    sales_manager_id TEXT REFERENCES staff (id),
    notification_preference TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE case_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    archived_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE template_steps (
    id TEXT PRIMARY KEY,
    template_id TEXT NOT NULL REFERENCES case_templates (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    preset_difficulty INTEGER,
    duration_days INTEGER NOT NULL,
    performer TEXT NOT NULL,
    notify_client BOOLEAN NOT NULL,
    client_message TEXT NOT NULL,
    result_fields TEXT NOT NULL
);
CREATE UNIQUE INDEX template_steps_position_key ON template_steps (template_id, position);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients (id),
    template_id TEXT NOT NULL REFERENCES case_templates (id),
    title TEXT NOT NULL,
    responsible_lawyer_id TEXT NOT NULL REFERENCES staff (id),
    client_manager_id TEXT NOT NULL REFERENCES staff (id),
    status TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    close_reason TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_lawyer_idx ON cases (responsible_lawyer_id);
CREATE INDEX cases_client_idx ON cases (client_id);

-- A case copies its template's steps when it opens, so editing a template never
-- changes a case already running.
CREATE TABLE case_steps (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    preset_difficulty INTEGER,
    duration_days INTEGER NOT NULL,
    performer TEXT NOT NULL,
    notify_client BOOLEAN NOT NULL,
    client_message TEXT NOT NULL,
    result_fields TEXT NOT NULL,
    status TEXT NOT NULL,
    task_id TEXT,
    activated_at TIMESTAMP,
    completed_at TIMESTAMP
);
CREATE UNIQUE INDEX case_steps_position_key ON case_steps (case_id, position);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    assignee_id TEXT NOT NULL REFERENCES staff (id),
    created_by_id TEXT REFERENCES staff (id),
    case_id TEXT REFERENCES cases (id),
    case_step_id TEXT REFERENCES case_steps (id),
    client_id TEXT REFERENCES clients (id),
    status TEXT NOT NULL,
    preset_difficulty INTEGER,
    difficulty INTEGER,
    due_at TIMESTAMP NOT NULL,
    result_text TEXT,
    result_fields TEXT,
    first_submitted_at TIMESTAMP,
    submitted_at TIMESTAMP,
    approved_at TIMESTAMP,
    approved_by_id TEXT REFERENCES staff (id),
    zero_reason TEXT,
    return_comment TEXT,
    cancel_reason TEXT,
    approval_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, id);
CREATE INDEX tasks_status_submitted_idx ON tasks (status, submitted_at);
CREATE INDEX tasks_case_idx ON tasks (case_id);
CREATE INDEX tasks_due_idx ON tasks (assignee_id, due_at);

CREATE TABLE bonus_rates (
    difficulty INTEGER PRIMARY KEY,
    amount_minor BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO bonus_rates (difficulty, amount_minor, updated_at) VALUES
    (1, 10000, CURRENT_TIMESTAMP),
    (2, 20000, CURRENT_TIMESTAMP),
    (3, 35000, CURRENT_TIMESTAMP),
    (4, 50000, CURRENT_TIMESTAMP),
    (5, 70000, CURRENT_TIMESTAMP);

-- Append-only: every credit, reversal and adjustment is a new row. The unique indexes make
-- a repeated approval or a repeated daily run insert nothing.
CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    month TEXT NOT NULL,
    task_id TEXT REFERENCES tasks (id),
    approval_no INTEGER,
    difficulty INTEGER,
    work_date TEXT,
    reason TEXT,
    created_by_id TEXT REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX ledger_task_approval_key ON ledger_entries (kind, task_id, approval_no);
CREATE UNIQUE INDEX ledger_daily_key ON ledger_entries (kind, staff_id, work_date);
CREATE INDEX ledger_month_idx ON ledger_entries (month, staff_id);
CREATE INDEX ledger_staff_idx ON ledger_entries (staff_id, id);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;

-- Running totals per month, kept in the same transaction as each ledger entry, so the
-- leaderboard reads one row per staff member instead of summing the month's ledger.
CREATE TABLE leaderboard_totals (
    month TEXT NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    total_minor BIGINT NOT NULL,
    approved_tasks BIGINT NOT NULL,
    difficulty_sum BIGINT NOT NULL,
    zero_rated_tasks BIGINT NOT NULL,
    no_overdue_days BIGINT NOT NULL,
    PRIMARY KEY (month, staff_id)
);

-- Progress of the daily no-overdue bonus: the next firm-local day still to settle.
CREATE TABLE job_cursors (
    job TEXT PRIMARY KEY,
    next_date TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    task_id TEXT REFERENCES tasks (id),
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_staff_idx ON notifications (staff_id, id);
