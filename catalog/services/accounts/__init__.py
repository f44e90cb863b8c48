"""People and organizations: accounts and sign-in (`users`), managing people (`people`),
passwords and their e-mail links (`passwords`, `links`, `password_policy`, `reset_throttle`),
personal access tokens (`tokens`), sign-in throttling (`throttle`), organization look-ups
(`organizations`) and each person's notifications (`notifications`)."""
