-- Park history, schema version 1. Runs on H2 2.x and PostgreSQL 12+ unchanged (statements end with ';' at line end).
-- Times are TIMESTAMP WITH TIME ZONE in UTC, to the millisecond; ids and names are as the park core has them.
CREATE TABLE IF NOT EXISTS calls (
    call_id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    tenant          VARCHAR(64)  NOT NULL,
    slot_kind       VARCHAR(8)   NOT NULL,
    slot_name       VARCHAR(128) NOT NULL,
    caller_number   VARCHAR(128) NOT NULL,
    caller_name     VARCHAR(255) NOT NULL,
    parked_by       VARCHAR(128) NOT NULL,
    park_group      VARCHAR(128) NOT NULL,
    parked_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    resolution      VARCHAR(16)  NOT NULL,
    resolved_by     VARCHAR(128) NOT NULL,
    recall_attempts INTEGER      NOT NULL,
    node            VARCHAR(64)  NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_tenant_ended ON calls (tenant, ended_at, call_id);
CREATE INDEX IF NOT EXISTS calls_tenant_slot ON calls (tenant, slot_name, ended_at);
CREATE INDEX IF NOT EXISTS calls_ended ON calls (ended_at, call_id);
CREATE TABLE IF NOT EXISTS steps (
    call_id VARCHAR(64)  NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
    seq     INTEGER      NOT NULL,
    step_at TIMESTAMP WITH TIME ZONE NOT NULL,
    type    VARCHAR(32)  NOT NULL,
    detail  VARCHAR(255) NOT NULL,
    node    VARCHAR(64)  NOT NULL,
    PRIMARY KEY (call_id, seq)
);
