-- Where an action will be sent, as the origin (scheme, host, port) of its integration's base URL
-- when it was proposed. The act job refuses to send when the integration now points elsewhere,
-- so an approval never carries a request (and its credential) to an address nobody approved.
-- NULL for actions proposed before this column existed.
ALTER TABLE actions ADD COLUMN destination TEXT;
