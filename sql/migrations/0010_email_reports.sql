-- Email reports (app/accounts/email_reports.py): a summary of a site mailed to a member of its
-- team who asks for it, weekly on Mondays and monthly on the 1st, at 08:00 in the site's zone.
-- kind:     'week' (the week Monday to Sunday before) or 'month' (the calendar month before).
-- token:    the one-click unsubscribe link's credential (256 random bits, base64url): it needs
--           no login, and ends this one report.
-- sent_for: the first local day of the last period reported. A period goes out once, however
--           often the sender runs; subscribing sets it to the period already due, so the first
--           report is the next one.
CREATE TABLE accounts.email_reports (
    property_id text NOT NULL REFERENCES accounts.properties ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('week', 'month')),
    token       text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{43,}$'),
    sent_for    date NOT NULL,
    PRIMARY KEY (property_id, user_id, kind)
);
CREATE INDEX email_reports_user_idx ON accounts.email_reports (user_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts.email_reports TO parcours_web;
