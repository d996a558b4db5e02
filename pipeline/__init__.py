"""pipeline: localize HTML articles through gettext catalogs and publish them per region."""
