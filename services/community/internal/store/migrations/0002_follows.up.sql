CREATE TABLE follows (
    follower_id uuid NOT NULL,
    followee_id uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- seq orders follows for keyset paging.
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
);
CREATE INDEX follows_followee ON follows (followee_id, seq DESC);
CREATE INDEX follows_follower ON follows (follower_id, seq DESC);
