-- Imports from GoatCounter's CSV export (worker/goatcounter.py) are noted as the access logs' are:
-- their page views are the site's own events, and the dashboard says which ranges came so.
ALTER TABLE accounts.imports DROP CONSTRAINT imports_source_check;
ALTER TABLE accounts.imports ADD CONSTRAINT imports_source_check CHECK (source IN ('logs', 'plausible', 'goatcounter'));
