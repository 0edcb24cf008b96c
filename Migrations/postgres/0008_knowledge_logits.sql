-- track schema, migration 8 (PostgreSQL): a knowledge-base entry may keep the logits the
-- model gave the sample when it was stored (DER++, Buzzega et al. 2020): little-endian
-- Float32, one per model output; NULL for strategies that keep none and for every entry
-- written before this migration.
ALTER TABLE knowledge ADD COLUMN logits bytea;
