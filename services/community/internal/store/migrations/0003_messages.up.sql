-- A conversation is tied to the post or comment it started from; one per
-- (subject, initiator), reused when the initiator writes again.
CREATE TABLE conversations (
    id                  uuid PRIMARY KEY,
    post_id             uuid NOT NULL REFERENCES posts,
    comment_id          uuid REFERENCES comments,
    initiator_id        uuid NOT NULL,
    recipient_id        uuid NOT NULL,
    initiator_anonymous boolean NOT NULL,
    recipient_anonymous boolean NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (post_id, comment_id, initiator_id),
    CHECK (initiator_id <> recipient_id)
);

-- Each side's view of a conversation: the newest message it can see and how
-- many it has not read.
CREATE TABLE conversation_members (
    conversation_id uuid NOT NULL REFERENCES conversations ON DELETE CASCADE,
    user_id         uuid NOT NULL,
    last_message_id uuid,
    unread_count    integer NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_inbox ON conversation_members (user_id, last_message_id DESC) WHERE last_message_id IS NOT NULL;

CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations ON DELETE CASCADE,
    sender_id       uuid NOT NULL,
    body            text NOT NULL,
    -- withheld messages were sent to someone who blocked the sender: only
    -- the sender sees them.
    withheld        boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation ON messages (conversation_id, id DESC);

-- A block is made from a conversation and shown only on it, so a blocker
-- never learns that two anonymous counterparts are one person; it withholds
-- the blocked member's messages in every conversation.
CREATE TABLE blocks (
    blocker_id      uuid NOT NULL,
    conversation_id uuid NOT NULL REFERENCES conversations ON DELETE CASCADE,
    blocked_id      uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, conversation_id)
);
CREATE INDEX blocks_pair ON blocks (blocker_id, blocked_id);
