-- Quote attribution (issue 25): offsets of the speaker's mention and how the speaker was found
-- (subject | pronoun | nominal | continuation | byline | according_to; NULL when no speaker was found).
ALTER TABLE quotes ADD COLUMN IF NOT EXISTS speaker_start INTEGER;
ALTER TABLE quotes ADD COLUMN IF NOT EXISTS speaker_end INTEGER;
ALTER TABLE quotes ADD COLUMN IF NOT EXISTS attribution VARCHAR;
