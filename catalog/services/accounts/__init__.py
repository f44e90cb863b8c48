"""People and organizations: accounts and sign-in (`users`), personal access tokens
(`tokens`), sign-in throttling (`throttle`), organization look-ups (`organizations`) and each
person's notifications (`notifications`)."""
