-- extracted_documents.text_hash now records the document's version_hash when it was extracted (compared with
-- documents.version_hash, no text is re-hashed to find changed documents). Rows whose text is unchanged take it.
UPDATE extracted_documents SET text_hash = d.version_hash
FROM documents d
WHERE d.id = extracted_documents.document_id AND extracted_documents.text_hash = left(sha256(d.text), 32);
