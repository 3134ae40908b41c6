-- Uploads no post or style uses are deleted a day after their upload (the
-- periodic community_purge_unattached_media job): which uploads posts use
-- is answered by this index.
CREATE INDEX posts_media_ids ON posts USING gin (media_ids);
