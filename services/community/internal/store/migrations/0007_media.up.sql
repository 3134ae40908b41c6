-- Pictures members upload for their posts and styles. The object (disk or
-- S3) is named by a random key that says nothing about its owner, so the
-- picture of an anonymous post does not unmask its author. url is empty
-- while the object is being stored; only stored uploads can be attached.
CREATE TABLE media (
    id           uuid PRIMARY KEY,
    owner_id     uuid NOT NULL,
    object_key   text NOT NULL UNIQUE,
    url          text NOT NULL DEFAULT '',
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- The hourly upload budget counts a member's recent uploads.
CREATE INDEX media_owner_created ON media (owner_id, created_at);

-- A post's uploads in display order, beside their URLs (media_urls), so a
-- read needs no join; posts written before uploads existed have URLs only.
ALTER TABLE posts ADD COLUMN media_ids text[] NOT NULL DEFAULT '{}';

-- The staff queue of memberships awaiting approval, oldest first.
CREATE INDEX school_members_pending ON school_members (updated_at, user_id) WHERE status = 'pending';
