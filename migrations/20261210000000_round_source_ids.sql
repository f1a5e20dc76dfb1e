-- The id a round had in the file it was imported from (the game's round number, or the
-- other app's id), so a re-import of the same rounds is recognised by it.
ALTER TABLE rounds ADD COLUMN source_id TEXT;
