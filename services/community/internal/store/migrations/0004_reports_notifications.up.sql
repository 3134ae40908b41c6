ALTER TABLE messages ADD COLUMN hidden_at timestamptz;

-- One report per member and content; the excerpt keeps the text as it was
-- reported, for staff.
CREATE TABLE reports (
    id              uuid PRIMARY KEY,
    reporter_id     uuid NOT NULL,
    post_id         uuid REFERENCES posts,
    comment_id      uuid REFERENCES comments,
    message_id      uuid REFERENCES messages ON DELETE CASCADE,
    reason          text NOT NULL,
    detail          text NOT NULL DEFAULT '',
    excerpt         text NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'actioned', 'dismissed')),
    resolution_note text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    UNIQUE NULLS NOT DISTINCT (reporter_id, post_id, comment_id, message_id),
    CHECK (num_nonnulls(comment_id, message_id) <= 1 AND (post_id IS NOT NULL OR message_id IS NOT NULL))
);
CREATE INDEX reports_queue ON reports (status, id);

CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL,
    kind            text NOT NULL,
    text            text NOT NULL,
    post_id         uuid,
    comment_id      uuid,
    conversation_id uuid,
    -- actor_id is set only for acts that are never anonymous (follows).
    actor_id        uuid,
    read_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
