"""The providers' drop box: a small web application where each provider's staff sign in, upload a
delivery, see at once what it would load and set aside (the dry run of `tadamon source check`),
confirm it into `data/incoming/<provider>/`, and later read its receipt. Nothing new for the loader:
the drop box only puts files where deliveries already arrive."""
