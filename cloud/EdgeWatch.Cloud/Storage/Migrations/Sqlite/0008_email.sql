-- People can be reached by email (the SMTP channel): technicians and officers at a desk, members who ask for it.
ALTER TABLE people ADD COLUMN email TEXT;
