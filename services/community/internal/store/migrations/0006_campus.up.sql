-- Campus: schools and their members, lectures per school and term,
-- timetables and lecture reviews. Searches are ILIKE over small sets (the
-- schools; one school's lectures of a term, found by the unique index), so
-- no trigram index: pg_trgm may live in another service's schema.
CREATE TABLE schools (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    name         text NOT NULL,
    email_domain text NOT NULL DEFAULT '',
    region       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- One school per member; pending until approved, by a school email link
-- (join_method 'email') or by staff ('staff').
CREATE TABLE school_members (
    user_id        uuid PRIMARY KEY,
    school_id      uuid NOT NULL REFERENCES schools,
    admission_year integer NOT NULL,
    status         text NOT NULL CHECK (status IN ('pending', 'approved')),
    join_method    text NOT NULL CHECK (join_method IN ('email', 'staff')),
    school_email   text NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX school_members_school ON school_members (school_id, status);

-- One-time school email links: only the token's SHA-256 is kept. A link
-- approves the membership only while it still names that school and address.
CREATE TABLE school_email_tokens (
    hash       bytea PRIMARY KEY,
    user_id    uuid NOT NULL,
    school_id  uuid NOT NULL REFERENCES schools,
    email      text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Review sums are kept on the lecture, moved in the review's transaction
-- under the lecture's row lock, so averages are exact.
CREATE TABLE lectures (
    id             uuid PRIMARY KEY,
    school_id      uuid NOT NULL REFERENCES schools,
    term           text NOT NULL,
    code           text NOT NULL,
    title          text NOT NULL,
    professor      text NOT NULL DEFAULT '',
    credits        integer NOT NULL CHECK (credits BETWEEN 0 AND 30),
    review_count   integer NOT NULL DEFAULT 0 CHECK (review_count >= 0),
    rating_sum     integer NOT NULL DEFAULT 0,
    difficulty_sum integer NOT NULL DEFAULT 0,
    workload_sum   integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (school_id, term, code)
);

-- Times are minutes after midnight; day is ISO (1 = Monday … 7 = Sunday).
CREATE TABLE lecture_meetings (
    lecture_id uuid NOT NULL REFERENCES lectures ON DELETE CASCADE,
    position   integer NOT NULL,
    day        smallint NOT NULL CHECK (day BETWEEN 1 AND 7),
    start_min  smallint NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    end_min    smallint NOT NULL CHECK (end_min > start_min AND end_min <= 1440),
    room       text NOT NULL DEFAULT '',
    PRIMARY KEY (lecture_id, position)
);
CREATE INDEX lecture_meetings_day ON lecture_meetings (day, lecture_id);

CREATE TABLE timetables (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL,
    term       text NOT NULL,
    name       text NOT NULL,
    is_primary boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX timetables_user ON timetables (user_id, term);
CREATE UNIQUE INDEX timetables_one_primary ON timetables (user_id, term) WHERE is_primary;

CREATE TABLE timetable_lectures (
    timetable_id uuid NOT NULL REFERENCES timetables ON DELETE CASCADE,
    lecture_id   uuid NOT NULL REFERENCES lectures ON DELETE CASCADE,
    added_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (timetable_id, lecture_id)
);

CREATE TABLE timetable_entries (
    id           uuid PRIMARY KEY,
    timetable_id uuid NOT NULL REFERENCES timetables ON DELETE CASCADE,
    title        text NOT NULL,
    day          smallint NOT NULL CHECK (day BETWEEN 1 AND 7),
    start_min    smallint NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    end_min      smallint NOT NULL CHECK (end_min > start_min AND end_min <= 1440),
    room         text NOT NULL DEFAULT ''
);
CREATE INDEX timetable_entries_timetable ON timetable_entries (timetable_id);

CREATE TABLE lecture_reviews (
    lecture_id uuid NOT NULL REFERENCES lectures ON DELETE CASCADE,
    user_id    uuid NOT NULL,
    rating     smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    difficulty smallint NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
    workload   smallint NOT NULL CHECK (workload BETWEEN 1 AND 5),
    term_taken text NOT NULL,
    body       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lecture_id, user_id)
);

-- A friendship is one row per pair, the smaller id first, so crossing
-- requests meet on the primary key instead of making two rows.
CREATE TABLE friendships (
    user_a      uuid NOT NULL,
    user_b      uuid NOT NULL,
    requester   uuid NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'accepted')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    accepted_at timestamptz,
    PRIMARY KEY (user_a, user_b),
    CHECK (user_a < user_b),
    CHECK (requester IN (user_a, user_b))
);
CREATE INDEX friendships_b ON friendships (user_b, user_a);

-- Who sees a member's primary timetables; no row means friends.
CREATE TABLE timetable_settings (
    user_id    uuid PRIMARY KEY,
    visibility text NOT NULL CHECK (visibility IN ('friends', 'public', 'private'))
);
