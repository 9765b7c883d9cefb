"""Pure data processing: parsing uploads, normalising records, validation, splits, hashing.

Nothing here touches the database, object storage or Kafka; the service layer feeds streams in and
stores what comes out.
"""
