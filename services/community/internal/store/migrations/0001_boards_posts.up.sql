-- Profiles are community's copy of the public part of identity's users
-- (fed by identity's events), with the counts the community keeps.
CREATE TABLE profiles (
    user_id         uuid PRIMARY KEY,
    username        text,
    name            text NOT NULL DEFAULT '',
    avatar_url      text NOT NULL DEFAULT '',
    follower_count  integer NOT NULL DEFAULT 0 CHECK (follower_count >= 0),
    following_count integer NOT NULL DEFAULT 0 CHECK (following_count >= 0),
    synced_at       timestamptz NOT NULL DEFAULT '-infinity',
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- Not unique: identity guarantees that, and events of two users swapping a
-- name may arrive in either order; a lookup takes the most recently synced.
CREATE INDEX profiles_username ON profiles (lower(username)) WHERE username IS NOT NULL;

CREATE TABLE boards (
    id                uuid PRIMARY KEY,
    slug              text NOT NULL UNIQUE,
    name              text NOT NULL,
    description       text NOT NULL DEFAULT '',
    category          text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('general', 'notice')),
    -- school_id is the owning school (a campus board); NULL for a global board.
    school_id         uuid,
    anonymous_allowed boolean NOT NULL DEFAULT false,
    labels            text[] NOT NULL DEFAULT '{}',
    position          integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX boards_school ON boards (school_id, category, position);

CREATE TABLE favorite_boards (
    user_id    uuid NOT NULL,
    board_id   uuid NOT NULL REFERENCES boards ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, board_id)
);

-- Lemmy's hot rank, log(max(1, score + 3)) / (hours + 2)^1.8, where score
-- is likes plus comments. posts.hot_rank keeps it, indexed, refreshed
-- periodically (not on every like, so a walk through the popular feed is
-- stable between refreshes and likes do not rewrite the index).
CREATE FUNCTION hot_rank(score integer, published timestamptz) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN log(greatest(1, score + 3)::double precision)
         / power(extract(epoch FROM now() - published)::double precision / 3600 + 2, 1.8);

CREATE TABLE posts (
    id            uuid PRIMARY KEY, -- UUIDv7: ordering by id is ordering by creation
    board_id      uuid NOT NULL REFERENCES boards,
    author_id     uuid NOT NULL,
    anonymous     boolean NOT NULL DEFAULT false,
    title         text NOT NULL,
    body          text NOT NULL,
    media_urls    text[] NOT NULL DEFAULT '{}',
    label         text NOT NULL DEFAULT '',
    pinned        boolean NOT NULL DEFAULT false,
    like_count    integer NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    comment_count integer NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    scrap_count   integer NOT NULL DEFAULT 0 CHECK (scrap_count >= 0),
    -- anon_seq is the last 익명N number given out in this post's thread.
    anon_seq      integer NOT NULL DEFAULT 0,
    hot_rank      double precision NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    edited_at     timestamptz,
    deleted_at    timestamptz,
    hidden_at     timestamptz
);
CREATE INDEX posts_board ON posts (board_id, id DESC) WHERE deleted_at IS NULL AND hidden_at IS NULL;
CREATE INDEX posts_board_label ON posts (board_id, label, id DESC) WHERE deleted_at IS NULL AND hidden_at IS NULL;
CREATE INDEX posts_latest ON posts (id DESC) WHERE deleted_at IS NULL AND hidden_at IS NULL;
CREATE INDEX posts_hot ON posts (hot_rank DESC, id DESC) WHERE deleted_at IS NULL AND hidden_at IS NULL;
CREATE INDEX posts_author ON posts (author_id, id DESC) WHERE deleted_at IS NULL AND hidden_at IS NULL;

-- The 익명N number each anonymous commenter holds in a post's thread.
CREATE TABLE post_pseudonyms (
    post_id uuid NOT NULL REFERENCES posts ON DELETE CASCADE,
    user_id uuid NOT NULL,
    number  integer NOT NULL,
    PRIMARY KEY (post_id, user_id),
    UNIQUE (post_id, number)
);

CREATE TABLE comments (
    id          uuid PRIMARY KEY,
    post_id     uuid NOT NULL REFERENCES posts,
    -- parent_id is the comment a reply answers (one level only).
    parent_id   uuid REFERENCES comments,
    -- reply_to_id is the comment or reply whose author a reply addresses.
    reply_to_id uuid REFERENCES comments,
    author_id   uuid NOT NULL,
    anonymous   boolean NOT NULL DEFAULT false,
    body        text NOT NULL,
    like_count  integer NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    edited_at   timestamptz,
    deleted_at  timestamptz,
    hidden_at   timestamptz
);
CREATE INDEX comments_post ON comments (post_id, id DESC) WHERE parent_id IS NULL;
CREATE INDEX comments_parent ON comments (parent_id, id) WHERE parent_id IS NOT NULL;

CREATE TABLE post_likes (
    post_id    uuid NOT NULL REFERENCES posts,
    user_id    uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, user_id)
);

CREATE TABLE comment_likes (
    comment_id uuid NOT NULL REFERENCES comments,
    user_id    uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE scraps (
    user_id    uuid NOT NULL,
    post_id    uuid NOT NULL REFERENCES posts,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- seq orders a user's scraps for keyset paging.
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX scraps_user ON scraps (user_id, seq DESC);
