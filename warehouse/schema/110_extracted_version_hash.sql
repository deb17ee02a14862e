-- extracted_documents.text_hash holds the document's version_hash when it was extracted (053), not a hash of the
-- text: the column takes that name. Keys and columns of every table: warehouse/tables.py.
ALTER TABLE extracted_documents RENAME COLUMN text_hash TO version_hash;
