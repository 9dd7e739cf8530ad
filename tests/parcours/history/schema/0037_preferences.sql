-- Account preferences: the period a property page opens on when its URL names none.
ALTER TABLE accounts.users
    ADD COLUMN default_period text NOT NULL DEFAULT '7d'
        CHECK (default_period IN ('today', 'yesterday', '7d', '30d', 'month', 'last_month', 'year'));
